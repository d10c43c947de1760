// tgsession's JavaScript API: calls into a module. Bytes in and out of wasm
// memory (wiped after use), the module's errors as TgsError, and the checks
// of the arguments that cross.

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

// The C++ codecs word what a caller can add the way the command line takes
// it (tools/cli.cc's flags); every message crossing into JavaScript passes
// through jsTerms, which names the JavaScript option instead.
const CLI_TERMS = [
  [/pass --user-id and --bot\/--no-bot/g, 'give userId and isBot: session.setExtras({userId, isBot})'],
  [/pass --user-id/g, 'give it: session.setExtras({userId}) or convert(format, {userId})'],
  [/pass --bot or --no-bot/g, 'give it: session.setExtras({isBot: true | false})'],
  [/pass --bot if the account is a bot/g, 'session.setExtras({isBot: true}) if the account is a bot'],
  [/pass --api-id for Pyrogram 2's/g, "session.setExtras({apiId}) for Pyrogram 2's"],
  [/pass --api-id/g, 'session.setExtras({apiId})'],
  [/--from ([a-z0-9-]+)/g, "Session.load(input, {format: '$1'})"],
];

function jsTerms(message) {
  for (const [cli, js] of CLI_TERMS) message = message.replace(cli, js);
  return message;
}

// `m`: the module called, the core (M) or the SQLite module (Q); the same
// conventions hold for both.
function lastError(m = M) {
  const p = m._tgs_error_message();
  const h = m.HEAPU8;
  let e = p;
  while (h[e]) e++;
  return tgsErr(m._tgs_error_code() || 13, jsTerms(utf8d.decode(h.subarray(p, e))) || 'unknown error');
}

function check(r, m = M) {
  if (r < 0) throw lastError(m);
  return r;
}

// Copies `n` bytes of the output buffer out of wasm memory and wipes them there.
function takeOut(n, m = M) {
  const p = m._tgs_out_ptr();
  const copy = m.HEAPU8.slice(p, p + n);
  m._tgs_out_wipe();
  return copy;
}

// Calls fn(ptr, len) with `bytes` copied into wasm memory; wipes and frees it after.
function withBytes(bytes, fn, m = M) {
  const n = bytes.length;
  const p = m._malloc(n || 1);
  if (!p) throw tgsErr(8, `cannot allocate ${n} bytes in the WebAssembly heap`);
  m.HEAPU8.set(bytes, p);
  try {
    return fn(p, n);
  } finally {
    m.HEAPU8.fill(0, p, p + n);
    m._free(p);
  }
}

function withText(text, fn, m = M) { return withBytes(utf8.encode(text), fn, m); }

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function i64(v, what) {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'bigint' && v >= I64_MIN && v <= I64_MAX) return v;
  throw badArg(`${what} must be a 64-bit integer (BigInt or safe integer), got ${typeof v === 'bigint' ? v : typeof v}`);
}

function i32(v, what, min = -0x80000000, max = 0x7fffffff) {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  throw badArg(`${what} must be an integer in [${min}, ${max}]`);
}

function bytesArg(v, what) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw badArg(`${what} must be a Uint8Array or ArrayBuffer`);
}

// Little-endian reader over a copied-out section.
class Rd {
  constructor(b) { this.b = b; this.v = new DataView(b.buffer, b.byteOffset, b.byteLength); this.p = 0; }
  u8() { return this.b[this.p++]; }
  u32() { const x = this.v.getUint32(this.p, true); this.p += 4; return x; }
  i32() { const x = this.v.getInt32(this.p, true); this.p += 4; return x; }
  i64() { const x = this.v.getBigInt64(this.p, true); this.p += 8; return x; }
  str() { const n = this.u32(); const s = utf8d.decode(this.b.subarray(this.p, this.p + n)); this.p += n; return s; }
}
