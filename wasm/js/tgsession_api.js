// tgsession's JavaScript API. wasm/js/assemble_package.mjs puts it after the
// emscripten glue (built for web and worker) and before one of the loaders in
// entry/ (which define tgsLoadWasm), giving the package's entry points:
// tgsession.mjs (browsers), tgsession.node.mjs, tgsession.node.cjs and
// tgsession.single.mjs. The names exported here are the package's API, typed
// in tgsession.d.ts. It calls the C ABI of wasm/api/tgsession_api.cc, whose
// header comment gives the conventions.
//
// Errors: every failure is a TgsError carrying the absl::StatusCode of the
// C++ status (`code`, `codeName`) and its message; synchronous methods throw
// it, asynchronous ones reject with it. Nothing aborts the module.
// 64-bit integers (ids, access hashes, salts) are BigInt both ways; inputs
// may also be safe-integer Numbers.

const TGS_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** absl::StatusCode values by name. */
export const StatusCode = Object.freeze(Object.fromEntries(TGS_CODES.map((n, i) => [n, i])));

export class TgsError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'TgsError';
    this.code = code;
    this.codeName = TGS_CODES[code] || 'UNKNOWN';
  }
  toString() { return `${this.codeName}: ${this.message}`; }
}

const tgsErr = (code, message) => new TgsError(code, message);
const badArg = (message) => tgsErr(3, message);

let tgsModulePromise = null;
let M = null;  // the emscripten module once loaded

/**
 * Loads and instantiates the WebAssembly module (once; later calls return the
 * same promise). Options: `wasmUrl` (where tgsession.wasm is; by default
 * beside this file), `wasmBinary` (its bytes), or emscripten's `locateFile`
 * and `instantiateWasm`.
 */
export function init(options) {
  if (!tgsModulePromise) {
    const opts = Object.assign({}, options);
    tgsModulePromise = (async () => {
      if (opts.wasmBinary == null && !opts.instantiateWasm) opts.wasmBinary = await tgsLoadWasm(opts);
      delete opts.wasmUrl;
      try {
        M = await createTgsessionModule(opts);
      } catch (e) {
        throw tgsErr(14, `loading the WebAssembly module failed: ${e && e.message ? e.message : e}`);
      }
    })();
    tgsModulePromise.catch(() => { tgsModulePromise = null; });
  }
  return tgsModulePromise;
}

// The URL of tgsession.wasm: init({wasmUrl}), init({locateFile}), or the
// entry's default (beside the JavaScript file).
function tgsWasmUrl(opts, byDefault) {
  if (opts.wasmUrl != null) return String(opts.wasmUrl);
  if (opts.locateFile) return String(opts.locateFile('tgsession.wasm', ''));
  return byDefault();
}

function tgsWasmError(url, why, opts) {
  if (opts && opts.tgsSqlite) {
    return tgsErr(14, `cannot load tgsession's SQLite module from ${url}: ${why} ` +
        '(serve tgsession_sqlite.wasm there, or pass loadSqliteSupport({wasmUrl}) or loadSqliteSupport({wasmBinary}))');
  }
  return tgsErr(14, `cannot load tgsession's WebAssembly module from ${url}: ${why} ` +
      '(serve tgsession.wasm there, or pass init({wasmUrl}) or init({wasmBinary}))');
}

// Rejects what is not a WebAssembly binary (a dev server's HTML fallback page,
// an error page served with status 200) before emscripten aborts on it.
function tgsCheckWasm(bytes, url, contentType, opts) {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw tgsWasmError(url, `not a WebAssembly module (${bytes.length} bytes` +
        `${contentType ? ', ' + contentType : ''}, no \\0asm header)`, opts);
  }
  return bytes;
}

async function ready() { if (!M) await init(); }

// --- the optional SQLite module -------------------------------------------------
// telethon-sqlite, pyrogram-sqlite and ferogram-sqlite live in a module of
// their own (tgsession_sqlite.mjs + .wasm, built from the native code and the
// same SQLite), loaded on first use so the core stays small. Each entry
// defines tgsSqliteSource(): {load: () => import(<its glue>), wasmUrl} (or a
// glue carrying its wasm as wasmBase64). Sessions cross between the two
// modules as transfer bytes (wasm/api/transfer.h).

const SQLITE_FORMATS = new Set(['ferogram-sqlite', 'telethon-sqlite', 'pyrogram-sqlite']);
let tgsSqlitePromise = null;
let Q = null;  // the SQLite module once loaded

// The first 16 bytes of every SQLite database.
const isSqliteBytes = (b) => String.fromCharCode(...b.subarray(0, 16)) === 'SQLite format 3\0';

/**
 * Loads the optional SQLite module (once; later calls return the same
 * promise): Session.load() does it for SQLite bytes, convert() to an SQLite
 * format needs it done. Options: `wasmUrl` (where tgsession_sqlite.wasm is;
 * by default beside this file) or `wasmBinary` (its bytes).
 */
export function loadSqliteSupport(options) {
  if (!tgsSqlitePromise) {
    const opts = Object.assign({}, options);
    tgsSqlitePromise = (async () => {
      await ready();
      const source = tgsSqliteSource();
      let glue;
      try {
        glue = await source.load();
      } catch (e) {
        throw tgsErr(14, `cannot load tgsession's SQLite module (${source.name}): ${e && e.message ? e.message : e}`);
      }
      const wasmBinary = opts.wasmBinary != null ? bytesArg(opts.wasmBinary, 'wasmBinary') :
        glue.wasmBase64 ? Uint8Array.from(atob(glue.wasmBase64), (c) => c.charCodeAt(0)) :
        await tgsLoadWasm({wasmUrl: opts.wasmUrl != null ? String(opts.wasmUrl) : source.wasmUrl(), tgsSqlite: true});
      try {
        Q = await glue.default({wasmBinary});
      } catch (e) {
        throw tgsErr(14, `loading the SQLite module failed: ${e && e.message ? e.message : e}`);
      }
    })();
    tgsSqlitePromise.catch(() => { tgsSqlitePromise = null; });
  }
  return tgsSqlitePromise;
}

function sqliteDecode(bytes, opts) {
  const out = takeOut(check(withBytes(bytes, (p, n) => withText(opts.format ?? 'auto', (fp, fn) =>
    Q._tgs_sqlite_decode(p, n, fp, fn, opts.strict ? 1 : 0), Q), Q), Q), Q);
  try {
    const n = new DataView(out.buffer).getUint32(0, true);
    const h = withBytes(out.subarray(4 + n), (p, len) => M._tgs_session_import(p, len));
    if (!h) throw lastError();
    return new Session(h, readInfo(out.subarray(4, 4 + n)));
  } finally {
    out.fill(0);
  }
}

function sqliteEncode(handle, fmt, userId, now) {
  const held = takeOut(check(M._tgs_session_export(handle)));
  try {
    return takeOut(check(withBytes(held, (p, n) => withText(fmt, (fp, fn) =>
      Q._tgs_sqlite_encode(p, n, fp, fn, userId, now), Q), Q), Q), Q);
  } finally {
    held.fill(0);
  }
}

// --- memory and calls -------------------------------------------------------

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

// --- sessions ---------------------------------------------------------------

const PEER_TYPES = ['user', 'channel', 'chat'];
// Formats whose export is bytes (files); every other one is text.
const BINARY_FORMATS = new Set(['ferogram-binary', 'ferogram-sqlite', 'telethon-sqlite', 'pyrogram-sqlite']);
const CHANNEL_KINDS = ['Broadcast', 'Megagroup', 'Gigagroup'];
const POLICIES = {auto: 0, v8: 1, v9: 2};

const freer = typeof FinalizationRegistry === 'function' ?
  new FinalizationRegistry((h) => { if (M) M._tgs_session_free(h); }) : null;

function readPeer(r) {
  const id = r.i64();
  const accessHash = r.i64();
  const type = PEER_TYPES[r.u8()];
  const k = r.u8();
  return {id, accessHash, type, channelKind: k === 0xff ? null : CHANNEL_KINDS[k], isCommunity: r.u8() === 1};
}

function readInfo(bytes) {
  const r = new Rd(bytes);
  const info = {format: r.str(), binaryVersion: r.u32(), readAsV1Fallback: r.u8() === 1,
    trailingBytes: r.u32(), anomalyCount: r.u32(), layout: r.str()};
  const hasUser = r.u8() === 1;
  const uid = r.i64();
  info.userId = hasUser ? uid : null;
  info.warnings = [];
  for (let n = r.u32(); n > 0; n--) info.warnings.push(jsTerms(r.str()));
  return info;
}

function packState(st) {
  const ch = st.channels || [];
  const b = new Uint8Array(20 + 12 * ch.length);
  const v = new DataView(b.buffer);
  ['pts', 'qts', 'date', 'seq'].forEach((k, i) => v.setInt32(4 * i, i32(st[k] ?? 0, k), true));
  v.setUint32(16, ch.length, true);
  ch.forEach((c, i) => {
    v.setBigInt64(20 + 12 * i, i64(c.channelId, 'channelId'), true);
    v.setInt32(28 + 12 * i, i32(c.pts, 'pts'), true);
  });
  return b;
}

// The granular changes, shared by Session's methods and the backends. Each
// applies to handle `h`; with `record` set it returns the change's journal
// record (Uint8Array), otherwise undefined.
function finishOp(r, record) {
  check(r);
  return record ? takeOut(r) : undefined;
}

function opSetHomeDc(h, dcId, record) {
  return finishOp(M._tgs_set_home_dc(h, i32(dcId, 'dcId'), record ? 1 : 0), record);
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIpv6(host) {
  if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) return false;
  try {
    new URL(`http://[${host}]/`);  // the URL parser's IPv6 grammar
    return true;
  } catch (e) {
    return false;
  }
}

// A DNS name (RFC 1123 labels; the last one not all digits, so a bad IPv4
// address is not taken for a name). GramJS in browsers connects to
// "venus.web.telegram.org:443".
function isHostName(host) {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1]);
}

// A DC address as Telegram's DC table holds it: "a.b.c.d:port",
// "[ipv6]:port" or "host.name:port", port 1..65535. Checked where it enters
// (upsertDc and the backends' updateDc), so a bad one never reaches a stored
// session.
function checkDcAddr(addr) {
  const form = '"ip:port", "[ipv6]:port" or "host.name:port"';
  if (typeof addr !== 'string') throw badArg(`addr must be a string, ${form}`);
  const shown = JSON.stringify(addr.length > 64 ? addr.slice(0, 64) + '...' : addr);
  let host;
  let port;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(addr);
  if (v6) {
    [, host, port] = v6;
    if (!isIpv6(host)) throw badArg(`addr ${shown}: ${JSON.stringify(host)} is not an IPv6 address`);
  } else if (addr.startsWith('[')) {
    throw badArg(`addr ${shown}: expected "[ipv6]:port"`);
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon < 0) throw badArg(`addr ${shown}: missing ":port" (expected ${form})`);
    host = addr.slice(0, colon);
    port = addr.slice(colon + 1);
    if (host.includes(':')) throw badArg(`addr ${shown}: an IPv6 host must be bracketed, as in "[2001:db8::1]:443"`);
    if (!IPV4.test(host) && !isHostName(host)) {
      throw badArg(`addr ${shown}: ${JSON.stringify(host)} is not an IPv4 address or a host name (expected ${form})`);
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw badArg(`addr ${shown}: port ${JSON.stringify(port)} is not a number in 1..65535`);
  }
}

function opUpsertDc(h, e, record) {
  if (!e || typeof e !== 'object') throw badArg('DC entry must be an object');
  const dcId = i32(e.dcId, 'dcId');
  checkDcAddr(e.addr);
  const salt = i64(e.firstSalt ?? 0n, 'firstSalt');
  const offset = i32(e.timeOffset ?? 0, 'timeOffset');
  const flags = i32(e.flags ?? 0, 'flags', 0, 255);
  const key = e.authKey == null ? null : bytesArg(e.authKey, 'authKey');
  if (key && key.length !== 256) throw badArg(`authKey must be 256 bytes, got ${key.length}`);
  const addr = utf8.encode(e.addr);
  const call = (kp) => withBytes(addr, (ap, an) =>
    M._tgs_upsert_dc(h, dcId, ap, an, kp, salt, offset, flags, record ? 1 : 0));
  return finishOp(key ? withBytes(key, (kp) => call(kp)) : call(0), record);
}

function opUpdateState(h, c, record) {
  if (!c || typeof c !== 'object') throw badArg('update state change must be an object');
  const rec = record ? 1 : 0;
  let r;
  switch (c.kind) {
    case 'primary':
      r = M._tgs_apply_update(h, 1, i32(c.pts, 'pts'), i32(c.date, 'date'), i32(c.seq, 'seq'), 0n, rec);
      break;
    case 'secondary':
      r = M._tgs_apply_update(h, 2, i32(c.qts, 'qts'), 0, 0, 0n, rec);
      break;
    case 'channel':
      r = M._tgs_apply_update(h, 3, i32(c.pts, 'pts'), 0, 0, i64(c.channelId, 'channelId'), rec);
      break;
    case 'all':
      r = withBytes(packState(c.state || {}), (p, n) => M._tgs_set_update_state(h, p, n, rec));
      break;
    default:
      throw badArg('update state change kind must be "primary", "secondary", "channel" or "all"');
  }
  return finishOp(r, record);
}

function opCachePeer(h, p, record) {
  if (!p || typeof p !== 'object') throw badArg('peer must be an object');
  const type = PEER_TYPES.indexOf(p.type ?? 'user');
  if (type < 0) throw badArg('peer type must be "user", "channel" or "chat"');
  const kind = p.channelKind == null ? 0xff : CHANNEL_KINDS.indexOf(p.channelKind);
  if (kind < 0) throw badArg('channelKind must be "Broadcast", "Megagroup", "Gigagroup" or null');
  return finishOp(M._tgs_cache_peer(h, i64(p.id, 'id'), i64(p.accessHash ?? 0n, 'accessHash'), type, kind,
      p.isCommunity ? 1 : 0, record ? 1 : 0), record);
}

// A batch ({peers, minPeers, updates}) packed as tgs_apply_changes reads
// it. Every value is checked here, before anything reaches C++.
function packChanges(c) {
  if (!c || typeof c !== 'object') throw badArg('changes must be an object {peers, minPeers, updates}');
  const peers = c.peers ?? [];
  const mins = c.minPeers ?? [];
  const updates = c.updates ?? [];
  for (const [v, what] of [[peers, 'peers'], [mins, 'minPeers'], [updates, 'updates']]) {
    if (!Array.isArray(v)) throw badArg(`changes.${what} must be an array`);
  }
  let size = 12 + 19 * peers.length + 20 * mins.length;
  for (const u of updates) {
    if (!u || typeof u !== 'object') throw badArg('update state change must be an object');
    size += u.kind === 'all' ? 21 + 12 * ((u.state && u.state.channels) || []).length : 13;
  }
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  let at = 0;
  const u8 = (x) => { b[at++] = x; };
  const u32 = (x) => { v.setUint32(at, x, true); at += 4; };
  const i32v = (x, what) => { v.setInt32(at, i32(x, what), true); at += 4; };
  const i64v = (x, what) => { v.setBigInt64(at, i64(x, what), true); at += 8; };
  u32(peers.length);
  peers.forEach((p, i) => {
    if (!p || typeof p !== 'object') throw badArg(`peers[${i}] must be an object`);
    const type = PEER_TYPES.indexOf(p.type ?? 'user');
    if (type < 0) throw badArg(`peers[${i}].type must be "user", "channel" or "chat"`);
    const kind = p.channelKind == null ? 0xff : CHANNEL_KINDS.indexOf(p.channelKind);
    if (kind < 0) throw badArg(`peers[${i}].channelKind must be "Broadcast", "Megagroup", "Gigagroup" or null`);
    i64v(p.id, `peers[${i}].id`);
    i64v(p.accessHash ?? 0n, `peers[${i}].accessHash`);
    u8(type);
    u8(kind);
    u8(p.isCommunity ? 1 : 0);
  });
  u32(mins.length);
  mins.forEach((m, i) => {
    if (!m || typeof m !== 'object') throw badArg(`minPeers[${i}] must be an object`);
    i64v(m.userId, `minPeers[${i}].userId`);
    i64v(m.peerId, `minPeers[${i}].peerId`);
    i32v(m.msgId, `minPeers[${i}].msgId`);
  });
  u32(updates.length);
  updates.forEach((c2, i) => {
    switch (c2.kind) {
      case 'primary':
        u8(1); i32v(c2.pts, 'pts'); i32v(c2.date, 'date'); i32v(c2.seq, 'seq');
        break;
      case 'secondary':
        u8(2); i32v(c2.qts, 'qts');
        break;
      case 'channel':
        u8(3); i64v(c2.channelId, 'channelId'); i32v(c2.pts, 'pts');
        break;
      case 'all': {
        u8(4);
        const st = c2.state || {};
        for (const k of ['pts', 'qts', 'date', 'seq']) i32v(st[k] ?? 0, k);
        const ch = st.channels || [];
        u32(ch.length);
        for (const x of ch) { i64v(x.channelId, 'channelId'); i32v(x.pts, 'pts'); }
        break;
      }
      default:
        throw badArg(`updates[${i}].kind must be "primary", "secondary", "channel" or "all"`);
    }
  });
  return b.subarray(0, at);
}

function isEmptyChanges(c) {
  return !(c.peers && c.peers.length) && !(c.minPeers && c.minPeers.length) && !(c.updates && c.updates.length);
}

function opApplyChanges(h, packed, record) {
  return finishOp(withBytes(packed, (p, n) => M._tgs_apply_changes(h, p, n, record ? 1 : 0)), record);
}

function decodeTo(input, opts = {}) {
  const format = opts.format ?? 'auto';
  const bytes = typeof input === 'string' ? utf8.encode(input) : bytesArg(input, 'session input');
  if (SQLITE_FORMATS.has(format) || (format === 'auto' && typeof input !== 'string' && isSqliteBytes(bytes))) {
    return sqliteDecode(bytes, opts);
  }
  const h = withBytes(bytes, (p, n) => withText(format, (fp, fn) => M._tgs_decode(p, n, fp, fn, opts.strict ? 1 : 0)));
  if (!h) throw lastError();
  return new Session(h, readInfo(takeOut(M._tgs_out_len())));
}

/** A session in WebAssembly memory. Free it with free() (or let the GC do it). */
export class Session {
  /** @internal */
  constructor(handle, info) {
    if (typeof handle !== 'number' || !M) throw badArg('use Session.create/fromBytes/fromString/load');
    this._h = handle;
    this.info = info || null;
    if (freer) freer.register(this, handle, this);
  }

  /** An empty session, or ferogram's default DC table with home DC 2 ({defaults: true}). */
  static async create(opts = {}) {
    await ready();
    return new Session(check(M._tgs_session_new(opts.defaults ? 1 : 0)));
  }

  /**
   * Decodes a session: bytes (ferogram binary v1..v9, or an SQLite session
   * file: the SQLite module is loaded first) or text (any session string).
   * `format` names one format ("auto" detects); `strict` rejects what a
   * correct writer never produces. `session.info` tells what was read.
   */
  static async load(input, opts) {
    await ready();
    const format = opts && opts.format != null ? opts.format : 'auto';
    if (SQLITE_FORMATS.has(format) || (format === 'auto' && typeof input !== 'string' &&
        isSqliteBytes(bytesArg(input, 'session input')))) {
      await loadSqliteSupport();
    }
    return decodeTo(input, opts);
  }

  static async fromBytes(bytes, opts = {}) {
    return Session.load(bytesArg(bytes, 'bytes'), Object.assign({format: 'ferogram-binary'}, opts));
  }

  static async fromString(text, opts = {}) {
    if (typeof text !== 'string') throw badArg('session string must be a string');
    return Session.load(text, opts);
  }

  /**
   * The session from its JSON form (toJSON(); an object or its text). Every
   * field is checked: INVALID_ARGUMENT names the first bad one. An entry that
   * had an auth key the JSON leaves out (exported without {secrets: true}) is
   * FAILED_PRECONDITION unless opts.withoutKeys accepts a keyless session.
   */
  static async fromJSON(json, opts = {}) {
    await ready();
    const j = jsonRoot(json);
    const s = new Session(check(M._tgs_session_new(0)));
    try {
      fillFromJson(s, j, !!opts.withoutKeys);
    } catch (e) {
      s.free();
      throw e;
    }
    return s;
  }

  get handle() {
    if (!this._h) throw tgsErr(9, 'session was freed');
    return this._h;
  }

  /** Releases the wasm memory (keys are wiped). Further use throws. */
  free() {
    if (this._h) {
      M._tgs_session_free(this._h);
      if (freer) freer.unregister(this);
      this._h = 0;
    }
  }

  clone() { const h = M._tgs_session_clone(this.handle); if (!h) throw lastError(); return new Session(h); }
  equals(other) { return check(M._tgs_session_equals(this.handle, other.handle)) === 1; }

  #read(section) { return new Rd(takeOut(check(M._tgs_read(this.handle, section)))); }

  get homeDcId() { return this.#read(0).i32(); }
  set homeDcId(v) { this.setHomeDc(v); }
  setHomeDc(dcId) { opSetHomeDc(this.handle, dcId, false); }

  /** The DC table in order. Keys are not included: see authKey(). */
  dcs() {
    const r = this.#read(1);
    const out = [];
    for (let n = r.u32(); n > 0; n--) {
      const dcId = r.i32();
      const hasAuthKey = r.u8() === 1;
      const flags = r.u8();
      out.push({dcId, hasAuthKey, flags, firstSalt: r.i64(), timeOffset: r.i32(), addr: r.str()});
    }
    return out;
  }

  /** The 256-byte auth key of a DC (a secret), or null. */
  authKey(dcId) {
    const n = check(M._tgs_auth_key(this.handle, i32(dcId, 'dcId')));
    return n ? takeOut(n) : null;
  }

  /** Inserts or replaces (same DC id, address family and media flag) a DC entry. */
  upsertDc(entry) { opUpsertDc(this.handle, entry, false); }

  /** Sets the key of every entry of the DC; returns how many were set. */
  setAuthKey(dcId, key) {
    const k = bytesArg(key, 'authKey');
    if (k.length !== 256) throw badArg(`authKey must be 256 bytes, got ${k.length}`);
    return check(withBytes(k, (p) => M._tgs_set_auth_key(this.handle, i32(dcId, 'dcId'), p)));
  }

  updatesState() {
    const r = this.#read(0);
    r.i32();
    const st = {pts: r.i32(), qts: r.i32(), date: r.i32(), seq: r.i32(), channels: []};
    for (let n = r.u32(); n > 0; n--) st.channels.push({channelId: r.i64(), pts: r.i32()});
    return st;
  }

  applyUpdateState(change) { opUpdateState(this.handle, change, false); }

  peers() {
    const r = this.#read(2);
    const out = [];
    for (let n = r.u32(); n > 0; n--) out.push(readPeer(r));
    return out;
  }

  findPeer(id) {
    const n = check(M._tgs_find_peer(this.handle, i64(id, 'id')));
    return n ? readPeer(new Rd(takeOut(n))) : null;
  }

  cachePeer(peer) { opCachePeer(this.handle, peer, false); }
  /**
   * Applies {peers, minPeers, updates} in that order, all or nothing (a bad
   * value anywhere changes nothing).
   */
  applyChanges(changes) { opApplyChanges(this.handle, packChanges(changes), false); }
  removePeer(id) { return check(M._tgs_remove_peer(this.handle, i64(id, 'id'))) === 1; }

  minPeers() {
    const r = this.#read(3);
    const out = [];
    for (let n = r.u32(); n > 0; n--) out.push({userId: r.i64(), peerId: r.i64(), msgId: r.i32()});
    return out;
  }

  cacheMinPeer(m) {
    check(M._tgs_cache_min_peer(this.handle, i64(m.userId, 'userId'), i64(m.peerId, 'peerId'),
        i32(m.msgId, 'msgId')));
  }

  /** The future auth token (a secret), or null. */
  futureAuthToken() {
    const n = M._tgs_read(this.handle, 4);
    if (n < 0) {
      const e = lastError();
      if (e.code === 5) return null;
      throw e;
    }
    return takeOut(n);
  }

  setFutureAuthToken(token) {
    if (token == null) return void check(M._tgs_set_token(this.handle, 0, 0, 0));
    check(withBytes(bytesArg(token, 'token'), (p, n) => M._tgs_set_token(this.handle, p, n, 1)));
  }

  stats() {
    const r = this.#read(5);
    const v = [];
    for (let i = 0; i < 10; i++) v.push(r.u32());
    return {homeDcId: v[0] | 0, dcsTotal: v[1], dcsWithAuthKey: v[2], peersTotal: v[3], peersUsers: v[4],
      peersChannels: v[5], peersChats: v[6], minPeers: v[7], channelPtsEntries: v[8], approxBytes: v[9],
      updatesInitialised: r.u8() === 1};
  }

  /**
   * Converts to `format` and says what the conversion kept: {data, summary:
   * {missing, dropped, warnings}}. data is bytes for file formats
   * (ferogram-binary, the SQLite ones), text otherwise. opts.version:
   * "auto" (v8 when it fits, else v9), "v8" or "v9" for ferogram binary and
   * native; 1 or 2 for ferogram compact.
   * opts.userId overrides the user id of extras() for formats that carry one.
   * The SQLite formats need the SQLite module (`await loadSqliteSupport()`,
   * or a Session.load() of an SQLite file, loads it) and write opts.now
   * (Unix seconds; default the current time) where their rows hold a time.
   */
  convert(format, opts = {}) {
    const fmt = String(format);
    let option = 0;
    if (fmt === 'ferogram-compact') {
      option = opts.version == null ? 2 : i32(opts.version, 'version', 1, 2);
    } else if (opts.version != null) {
      option = POLICIES[opts.version];
      if (option === undefined) throw badArg('version must be "auto", "v8" or "v9"');
    }
    const userId = i64(opts.userId ?? 0n, 'userId');
    let r;
    if (SQLITE_FORMATS.has(fmt)) {
      if (!Q) {
        throw tgsErr(9, `${fmt} needs the SQLite module: call \`await loadSqliteSupport()\` first ` +
            '(Session.load() of an SQLite file loads it too)');
      }
      const now = opts.now == null ? 0n : i64(opts.now, 'now');
      r = new Rd(sqliteEncode(this.handle, fmt, userId, now));
    } else {
      r = new Rd(takeOut(check(withText(fmt, (fp, fn) => M._tgs_encode(this.handle, fp, fn, option, userId)))));
    }
    const n = r.u32();
    const raw = r.b.slice(r.p, r.p + n);
    r.b.fill(0, r.p, r.p + n);
    r.p += n;
    const list = () => { const out = []; for (let k = r.u32(); k > 0; k--) out.push(jsTerms(r.str())); return out; };
    const summary = {missing: list(), dropped: list(), warnings: list()};
    return {data: BINARY_FORMATS.has(fmt) ? raw : utf8d.decode(raw), summary};
  }

  /** convert(format, opts).data: the session in another format (a secret). */
  export(format, opts) { return this.convert(format, opts).data; }

  /**
   * What other libraries' formats carry beside the session: {userId, isBot,
   * testMode, apiId, takeoutId}, each null when unknown. Set by decoding such
   * a format or by setExtras(); not stored by the backends.
   */
  extras() {
    const r = this.#read(7);
    const has = r.u8();
    const userId = r.i64();
    const tri = (v) => (v === 255 ? null : v === 1);
    const isBot = tri(r.u8());
    const testMode = tri(r.u8());
    const hasApi = r.u8();
    const apiId = r.i32();
    const hasTakeout = r.u8();
    const takeoutId = r.i64();
    return {userId: has ? userId : null, isBot, testMode, apiId: hasApi ? apiId : null,
      takeoutId: hasTakeout ? takeoutId : null};
  }

  /** Replaces userId, isBot, testMode and apiId of extras() (null/absent = unknown). */
  /** Fields left out keep their value; null makes one unknown. */
  setExtras(changes = {}) {
    const cur = this.extras();
    const e = {};
    for (const k of ['userId', 'isBot', 'testMode', 'apiId']) e[k] = changes[k] === undefined ? cur[k] : changes[k];
    const tri = (v, what) => (v == null ? -1 : typeof v === 'boolean' ? (v ? 1 : 0) : (() => { throw badArg(`${what} must be a boolean or null`); })());
    check(M._tgs_set_extras(this.handle, e.userId == null ? 0 : 1, e.userId == null ? 0n : i64(e.userId, 'userId'),
        tri(e.isBot, 'isBot'), tri(e.testMode, 'testMode'), e.apiId == null ? 0 : 1,
        e.apiId == null ? 0 : i32(e.apiId, 'apiId')));
  }

  toBytes(opts) { return this.export('ferogram-binary', opts); }
  toNativeString(opts) { return this.export('ferogram-native', opts); }
  toCompactString(opts) { return this.export('ferogram-compact', opts); }

  /**
   * The session as plain JSON data (what JSON.stringify(session) writes):
   * 64-bit values as decimal strings, keys and the future auth token as
   * base64 only with {secrets: true}. Format: README "The JSON form".
   */
  toJSON(opts) {
    const secrets = !!(opts && typeof opts === 'object' && opts.secrets);  // JSON.stringify passes a key string
    const st = this.updatesState();
    const x = this.extras();
    const j = {
      format: JSON_FORMAT,
      version: JSON_VERSION,
      homeDcId: this.homeDcId,
      dcs: this.dcs().map((d) => Object.assign({dcId: d.dcId, addr: d.addr, flags: d.flags,
        firstSalt: String(d.firstSalt), timeOffset: d.timeOffset, hasAuthKey: d.hasAuthKey},
      secrets && d.hasAuthKey ? {authKey: toBase64(this.#keyOf(d))} : {})),
      updatesState: {pts: st.pts, qts: st.qts, date: st.date, seq: st.seq,
        channels: st.channels.map((c) => ({channelId: String(c.channelId), pts: c.pts}))},
      peers: this.peers().map((p) => ({id: String(p.id), accessHash: String(p.accessHash), type: p.type,
        channelKind: p.channelKind, isCommunity: p.isCommunity})),
      minPeers: this.minPeers().map((m) => ({userId: String(m.userId), peerId: String(m.peerId), msgId: m.msgId})),
      hasFutureAuthToken: this.futureAuthToken() !== null,
      extras: {userId: x.userId === null ? null : String(x.userId), isBot: x.isBot, testMode: x.testMode,
        apiId: x.apiId},
    };
    if (secrets && j.hasFutureAuthToken) j.futureAuthToken = toBase64(this.futureAuthToken());
    return j;
  }

  // The key of one entry: authKey(dcId) gives the DC's first keyed entry,
  // which every entry of the DC shares after setAuthKey.
  #keyOf(d) { return this.authKey(d.dcId); }

  /** A one-line summary with secrets redacted. */
  toString() { return this._h ? utf8d.decode(this.#read(6).b) : 'Session{freed}'; }
}

if (typeof Symbol.dispose === 'symbol') Session.prototype[Symbol.dispose] = Session.prototype.free;

// --- the JSON form -----------------------------------------------------------

const JSON_FORMAT = 'tgsession-json';
const JSON_VERSION = 1;

function toBase64(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text, what, length) {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw badArg(`${what} must be standard base64 text`);
  }
  const raw = atob(text);
  if (length !== undefined && raw.length !== length) throw badArg(`${what} must be ${length} bytes, got ${raw.length}`);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function jsonRoot(json) {
  let j = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch (e) {
      // Not e.message: engines quote the text, which may hold keys.
      const at = /position (\d+)/.exec(e.message);
      throw badArg(`session JSON does not parse${at ? ` (at character ${at[1]})` : ''}`);
    }
  }
  const o = jsonObject(j, 'session JSON', ['format', 'version', 'homeDcId', 'dcs', 'updatesState', 'peers',
    'minPeers', 'hasFutureAuthToken', 'futureAuthToken', 'extras']);
  if (o.format !== JSON_FORMAT) throw badArg(`session JSON: format must be "${JSON_FORMAT}", got ${shortJson(o.format)}`);
  if (o.version !== JSON_VERSION) throw badArg(`session JSON: version must be ${JSON_VERSION}, got ${shortJson(o.version)}`);
  return o;
}

function shortJson(v) {
  const t = v === undefined ? 'nothing' : JSON.stringify(v);
  return t.length > 40 ? t.slice(0, 40) + '...' : t;
}

// A plain object with only the `allowed` keys (a typo is an error, not a
// silently dropped field).
function jsonObject(v, what, allowed) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badArg(`${what} must be an object`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw badArg(`${what}: unknown field ${shortJson(k)}`);
  }
  return v;
}

function jsonArray(v, what) {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badArg(`${what} must be an array`);
  return v;
}

// 64-bit values travel as decimal strings (JSON numbers lose precision past 2^53).
function jsonI64(v, what) {
  if (typeof v !== 'string' || !/^-?(0|[1-9]\d{0,18})$/.test(v)) {
    throw badArg(`${what} must be a 64-bit integer as a decimal string, got ${shortJson(v)}`);
  }
  return i64(BigInt(v), what);
}

function jsonI32(v, what) {
  if (typeof v !== 'number') throw badArg(`${what} must be a number, got ${shortJson(v)}`);
  return i32(v, what);
}

function jsonTri(v, what) {
  if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
  throw badArg(`${what} must be true, false or null, got ${shortJson(v)}`);
}

function fillFromJson(s, j, withoutKeys) {
  if (j.homeDcId !== undefined) s.setHomeDc(jsonI32(j.homeDcId, 'homeDcId'));
  jsonArray(j.dcs, 'dcs').forEach((d, i) => {
    const w = `dcs[${i}]`;
    jsonObject(d, w, ['dcId', 'addr', 'flags', 'firstSalt', 'timeOffset', 'hasAuthKey', 'authKey']);
    if (d.hasAuthKey !== undefined && typeof d.hasAuthKey !== 'boolean') throw badArg(`${w}.hasAuthKey must be a boolean`);
    if (d.hasAuthKey === false && d.authKey !== undefined) throw badArg(`${w}: authKey given but hasAuthKey is false`);
    if (d.hasAuthKey && d.authKey === undefined && !withoutKeys) {
      throw tgsErr(9, `${w} (DC ${shortJson(d.dcId)}) had an auth key that this JSON leaves out (exported without ` +
          '{secrets: true}); Session.fromJSON(json, {withoutKeys: true}) loads it without');
    }
    if (typeof d.addr !== 'string') throw badArg(`${w}.addr must be a string, got ${shortJson(d.addr)}`);
    try {
      s.upsertDc({dcId: jsonI32(d.dcId, `${w}.dcId`), addr: d.addr,
        flags: d.flags === undefined ? 0 : jsonI32(d.flags, `${w}.flags`),
        firstSalt: d.firstSalt === undefined ? 0n : jsonI64(d.firstSalt, `${w}.firstSalt`),
        timeOffset: d.timeOffset === undefined ? 0 : jsonI32(d.timeOffset, `${w}.timeOffset`),
        authKey: d.authKey === undefined ? null : fromBase64(d.authKey, `${w}.authKey`, 256)});
    } catch (e) {
      throw e.message.startsWith(w) ? e : tgsErr(e.code, `${w}: ${e.message}`);
    }
  });
  if (j.updatesState !== undefined) {
    const u = jsonObject(j.updatesState, 'updatesState', ['pts', 'qts', 'date', 'seq', 'channels']);
    const state = {channels: jsonArray(u.channels, 'updatesState.channels').map((c, i) => {
      jsonObject(c, `updatesState.channels[${i}]`, ['channelId', 'pts']);
      return {channelId: jsonI64(c.channelId, `updatesState.channels[${i}].channelId`),
        pts: jsonI32(c.pts, `updatesState.channels[${i}].pts`)};
    })};
    for (const k of ['pts', 'qts', 'date', 'seq']) state[k] = u[k] === undefined ? 0 : jsonI32(u[k], `updatesState.${k}`);
    s.applyUpdateState({kind: 'all', state});
  }
  const peers = jsonArray(j.peers, 'peers').map((p, i) => {
    const w = `peers[${i}]`;
    jsonObject(p, w, ['id', 'accessHash', 'type', 'channelKind', 'isCommunity']);
    if (p.isCommunity !== undefined && typeof p.isCommunity !== 'boolean') throw badArg(`${w}.isCommunity must be a boolean`);
    return {id: jsonI64(p.id, `${w}.id`), accessHash: p.accessHash === undefined ? 0n : jsonI64(p.accessHash, `${w}.accessHash`),
      type: p.type, channelKind: p.channelKind, isCommunity: p.isCommunity};
  });
  const minPeers = jsonArray(j.minPeers, 'minPeers').map((m, i) => {
    const w = `minPeers[${i}]`;
    jsonObject(m, w, ['userId', 'peerId', 'msgId']);
    return {userId: jsonI64(m.userId, `${w}.userId`), peerId: jsonI64(m.peerId, `${w}.peerId`), msgId: jsonI32(m.msgId, `${w}.msgId`)};
  });
  s.applyChanges({peers, minPeers});
  if (j.hasFutureAuthToken !== undefined && typeof j.hasFutureAuthToken !== 'boolean') {
    throw badArg('hasFutureAuthToken must be a boolean');
  }
  if (j.futureAuthToken !== undefined) {
    if (j.hasFutureAuthToken === false) throw badArg('futureAuthToken given but hasFutureAuthToken is false');
    s.setFutureAuthToken(fromBase64(j.futureAuthToken, 'futureAuthToken'));
  } else if (j.hasFutureAuthToken && !withoutKeys) {
    throw tgsErr(9, 'the session had a future auth token that this JSON leaves out (exported without ' +
        '{secrets: true}); Session.fromJSON(json, {withoutKeys: true}) loads it without');
  }
  if (j.extras !== undefined) {
    const x = jsonObject(j.extras, 'extras', ['userId', 'isBot', 'testMode', 'apiId']);
    s.setExtras({userId: x.userId == null ? null : jsonI64(x.userId, 'extras.userId'),
      isBot: jsonTri(x.isBot, 'extras.isBot'), testMode: jsonTri(x.testMode, 'extras.testMode'),
      apiId: x.apiId == null ? null : jsonI32(x.apiId, 'extras.apiId')});
  }
}

/**
 * Formats read and written now: the core module's, plus the SQLite formats
 * once the SQLite module is loaded (loadSqliteSupport()).
 */
export async function formats() {
  await ready();
  const [read, write] = utf8d.decode(takeOut(check(M._tgs_formats()))).split('\n');
  const sqlite = Q ? [...SQLITE_FORMATS] : [];
  return {read: read.split(' ').concat(sqlite), write: write.split(' ').concat(sqlite)};
}

/** Sessions currently held in wasm memory (for leak checks). */
export async function liveSessions() { await ready(); return M._tgs_live_sessions(); }

// --- backends: shared parts -------------------------------------------------

// Holds a Web Lock named `name` until the returned release() (Web Locks API
// where present); release() resolves once the lock is free again. lock:
// "fail" (default) rejects with FAILED_PRECONDITION when another tab or
// worker holds it, "wait" waits for it, false does not lock.
async function acquireLock(name, mode) {
  const locks = typeof navigator === 'object' && navigator && navigator.locks;
  if (mode === false || !locks) return async () => {};
  let unlock;
  const held = new Promise((r) => { unlock = r; });
  let granted;
  const got = new Promise((r) => { granted = r; });
  const done = locks.request(name, {ifAvailable: mode !== 'wait'}, (lock) => {
    granted(!!lock);
    return lock ? held : undefined;
  });
  if (!(await Promise.race([got, done.then(() => false)]))) {
    throw tgsErr(9, `session "${name}" is open in another tab or worker (Web Lock held); close it there first`);
  }
  return () => {
    unlock();
    return done.catch(() => {});
  };
}

function conflict(what) {
  return tgsErr(10, `${what} was changed by another tab or worker since this backend last read it; load() it again`);
}

// Runs backend operations one at a time, in call order.
class Serial {
  constructor() { this.tail = Promise.resolve(); }
  run(fn) {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => {});
    return r;
  }
}

function domError(e, what) {
  if (e instanceof TgsError) return e;
  const name = e && e.name;
  const msg = `${what}: ${name || 'Error'}${e && e.message ? ': ' + e.message : ''}`;
  const codes = {QuotaExceededError: 8, VersionError: 9, InvalidStateError: 14, AbortError: 10, UnknownError: 14,
    SecurityError: 7, NotFoundError: 9, TransactionInactiveError: 13, DataError: 13, DataCloneError: 13,
    ConstraintError: 13};
  const err = tgsErr(codes[name] ?? 2, msg);
  if (name) err.domName = name;
  return err;
}

// --- LocalStorageBackend ----------------------------------------------------

/**
 * Keeps the session as its native string under `<prefix><name>` in
 * localStorage (or any Storage). A full store (QuotaExceededError) is a
 * RESOURCE_EXHAUSTED error and leaves the previous value. Before every write
 * the stored string is compared with the one this backend last read or wrote:
 * if another tab changed it, the write fails with ABORTED.
 */
export class LocalStorageBackend {
  /** Names of the sessions stored under the prefix (sorted). */
  static async list(opts = {}) {
    const storage = opts.storage ?? globalThis.localStorage;
    if (!storage) throw tgsErr(12, 'localStorage is not available here');
    const prefix = opts.prefix ?? 'tgsession:';
    const names = [];
    try {
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k !== null && k.startsWith(prefix) && k.length > prefix.length) names.push(k.slice(prefix.length));
      }
    } catch (e) {
      throw domError(e, 'listing localStorage');
    }
    return names.sort();
  }

  static async open(name, opts = {}) {
    await ready();
    if (typeof name !== 'string' || !name) throw badArg('backend name must be a non-empty string');
    const storage = opts.storage ?? globalThis.localStorage;
    if (!storage) throw tgsErr(12, 'localStorage is not available here');
    const key = (opts.prefix ?? 'tgsession:') + name;
    const release = await acquireLock('tgsession-ls:' + key, opts.lock ?? 'fail');
    const b = new LocalStorageBackend(storage, key, release);
    try {
      b._last = b.#get();
    } catch (e) {
      await release();
      throw e;
    }
    return b;
  }

  /** @internal */
  constructor(storage, key, release) {
    this._s = storage;
    this._key = key;
    this._release = release;
    this._q = new Serial();
    this._last = null;
    this._open = true;
  }

  get name() { return 'local-storage:' + this._key; }

  #get() {
    try {
      return this._s.getItem(this._key);
    } catch (e) {
      throw domError(e, `reading ${this.name}`);
    }
  }

  #op(fn) {
    return this._q.run(() => {
      if (!this._open) throw tgsErr(9, `${this.name} is closed`);
      return fn();
    });
  }

  #write(text) {
    if (this.#get() !== this._last) throw conflict(this.name);
    try {
      if (text === null) this._s.removeItem(this._key); else this._s.setItem(this._key, text);
    } catch (e) {
      throw domError(e, `writing ${this.name}`);
    }
    this._last = text;
  }

  #decode(text) {
    if (text === null || text.trim() === '') return null;
    return decodeTo(text, {format: 'ferogram-native'});
  }

  /** The stored session (yours to free), or null when there is none. */
  load() {
    return this.#op(() => {
      const text = this.#get();
      const s = this.#decode(text);
      this._last = text;
      return s;
    });
  }

  save(session) { return this.#op(() => this.#write(session.toNativeString())); }
  delete() { return this.#op(() => this.#write(null)); }

  #mutate(apply) { return this.#op(() => this.#mutateNow(apply)); }

  #mutateNow(apply) {
    const text = this.#get();
    if (text !== this._last) throw conflict(this.name);
    const s = this.#decode(text) || new Session(check(M._tgs_session_new(0)));
    try {
      apply(s.handle);
      this.#write(s.toNativeString());
    } finally {
      s.free();
    }
  }

  updateDc(entry) { return this.#mutate((h) => opUpsertDc(h, entry, false)); }
  setHomeDc(dcId) { return this.#mutate((h) => opSetHomeDc(h, dcId, false)); }
  applyUpdateState(change) { return this.#mutate((h) => opUpdateState(h, change, false)); }
  cachePeer(peer) { return this.#mutate((h) => opCachePeer(h, peer, false)); }
  /** A batch {peers, minPeers, updates}: one setItem (nothing for an empty batch). */
  applyChanges(changes) {
    return this.#op(() => {
      const packed = packChanges(changes);
      if (!isEmptyChanges(changes)) this.#mutateNow((h) => opApplyChanges(h, packed, false));
    });
  }
  cachePeers(peers) { return this.applyChanges({peers}); }
  cacheMinPeers(minPeers) { return this.applyChanges({minPeers}); }
  applyUpdateStates(updates) { return this.applyChanges({updates}); }

  /** Releases the lock; the backend cannot be used afterwards. */
  close() {
    return this.#op(() => {
      this._open = false;
      return this._release();
    });
  }
}

// --- IndexedDbBackend -------------------------------------------------------

const IDB_SCHEMA_VERSION = 1;

// IndexedDB layout (database `dbName`, default "tgsession", version 1):
//   meta       key: session name -> {generation, nextSeq, journalBytes,
//              snapshotBytes}. generation grows by one with every write and
//              is the version check between tabs; the record stays after
//              delete() so the count never goes back.
//   snapshots  key: session name -> Uint8Array, the session in ferogram's
//              binary format (v8, or v9 when it does not fit): the same bytes
//              BinaryFileBackend writes. Absent = no session.
//   journal    key: [session name, seq] -> Uint8Array, one framed journal
//              record (backends/journal.h) per granular change since the
//              snapshot, replayed in seq order on load.
// save() and delete() are one readwrite transaction over the three stores
// (snapshot replaced, journal cleared, meta bumped), so a crash or a closed
// tab leaves the old or the new session. A granular change adds one journal
// record and updates meta in one transaction; once the journal outgrows
// max(compactMinBytes, snapshot size) the change is folded into a new
// snapshot instead, in the same transaction.
export class IndexedDbBackend {
  /**
   * opts: dbName ("tgsession"), indexedDB (globalThis.indexedDB) and its
   * IDBKeyRange (optional with an injected indexedDB: faster loads), lock
   * ("fail" | "wait" | false), durability ("strict" | "relaxed" | "default";
   * "strict" by default: a resolved write is on disk), compactMinBytes
   * (1 MiB).
   */
  /** Names of the sessions stored in the database (sorted); none when it does not exist yet. */
  static async list(opts = {}) {
    const idb = opts.indexedDB ?? globalThis.indexedDB;
    if (!idb) throw tgsErr(12, 'IndexedDB is not available here');
    const dbName = opts.dbName ?? 'tgsession';
    // Listing must not create the database as a side effect.
    if (typeof idb.databases === 'function' && !(await idb.databases()).some((d) => d.name === dbName)) return [];
    const db = await openDb(idb, dbName, opts.schemaVersion ?? IDB_SCHEMA_VERSION);
    try {
      const keys = await new Promise((resolve, reject) => {
        let req;
        try {
          req = db.transaction('snapshots', 'readonly').objectStore('snapshots').getAllKeys();
        } catch (e) {
          reject(domError(e, `listing IndexedDB database ${dbName}`));
          return;
        }
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(domError(req.error, `listing IndexedDB database ${dbName}`));
      });
      return keys.filter((k) => typeof k === 'string').sort();
    } finally {
      db.close();
    }
  }

  static async open(name, opts = {}) {
    await ready();
    if (typeof name !== 'string' || !name) throw badArg('backend name must be a non-empty string');
    const idb = opts.indexedDB ?? globalThis.indexedDB;
    if (!idb) throw tgsErr(12, 'IndexedDB is not available here');
    const dbName = opts.dbName ?? 'tgsession';
    const release = await acquireLock(`tgsession-idb:${dbName}/${name}`, opts.lock ?? 'fail');
    let db;
    try {
      db = await openDb(idb, dbName, opts.schemaVersion ?? IDB_SCHEMA_VERSION);
    } catch (e) {
      await release();
      throw e;
    }
    const b = new IndexedDbBackend(db, dbName, name, release, {...opts, indexedDB: idb});
    try {
      await b.#refresh();  // the baseline for the version check
    } catch (e) {
      await b.close();
      throw e;
    }
    return b;
  }

  /** @internal */
  constructor(db, dbName, name, release, opts) {
    this._dbName = dbName;
    this._key = name;
    this._release = release;
    this._durability = opts.durability ?? 'strict';
    this._compactMin = opts.compactMinBytes ?? (1 << 20);
    // Key ranges of the implementation in use: the global IDBKeyRange only
    // goes with the global indexedDB (another implementation's ranges are
    // not valid keys for an injected one). Without one, the journal is read
    // and cleared key by key: its keys are [name, 0..meta.nextSeq-1].
    this._keyRange = opts.IDBKeyRange ?? (opts.indexedDB ? null : globalThis.IDBKeyRange) ?? null;
    this._q = new Serial();
    this._meta = null;     // meta as last read or written; null = not yet read
    this._cache = null;    // the stored session (a Session), or null for none
    this._closed = null;   // why the connection is unusable for good, or null
    this._idb = opts.indexedDB;
    this._schemaVersion = opts.schemaVersion ?? IDB_SCHEMA_VERSION;
    this.#watch(db);
  }

  #watch(db) {
    this._db = db;
    this._lost = false;    // the browser closed the connection: the next operation reopens it
    db.onversionchange = () => {
      db.close();
      this._closed = 'another tab or worker is upgrading or deleting the database';
    };
    db.onclose = () => { this._lost = true; };
  }

  get name() { return `indexeddb:${this._dbName}/${this._key}`; }

  #op(fn) {
    return this._q.run(() => {
      if (this._closed) throw tgsErr(14, `${this.name}: ${this._closed}`);
      return fn();
    });
  }

  // One transaction (see #tx1), on a new connection once if this one has
  // become unusable: closed by the browser (storage pressure), or, in
  // Firefox, refusing every write after a transaction failed with
  // QuotaExceededError (InvalidStateError "did not allow mutations"). The
  // failed transaction changed nothing, so running it again loses nothing
  // and does nothing twice.
  async #tx(mode, body) {
    if (this._lost) await this.#reopen();
    try {
      return await this.#tx1(mode, body);
    } catch (e) {
      if (!(e && e.domName === 'InvalidStateError')) throw e;
      await this.#reopen();
      return this.#tx1(mode, body);
    }
  }

  async #reopen() {
    try {
      this._db.close();
    } catch (e) { /* already closed */ }
    this.#watch(await openDb(this._idb, this._dbName, this._schemaVersion));
  }

  // One transaction; body(stores, abort) issues requests and may call
  // abort(error). Resolves with the value body's requests set through `out`
  // once the transaction commits.
  #tx1(mode, body) {
    return new Promise((resolve, reject) => {
      let t;
      try {
        t = this._db.transaction(['meta', 'snapshots', 'journal'], mode,
            mode === 'readwrite' ? {durability: this._durability} : undefined);
      } catch (e) {
        reject(domError(e, this.name));
        return;
      }
      let failure = null;
      const out = {};
      const abort = (err) => {
        failure = err;
        try { t.abort(); } catch (e) { /* already finished */ }
      };
      t.oncomplete = () => (failure ? reject(failure) : resolve(out));
      t.onabort = () => reject(failure || domError(t.error, `${this.name}: transaction aborted`));
      t.onerror = (ev) => { if (!failure) failure = domError(ev.target.error, this.name); };
      try {
        body({meta: t.objectStore('meta'), snap: t.objectStore('snapshots'), journal: t.objectStore('journal')},
            out, abort);
      } catch (e) {
        abort(e instanceof TgsError ? e : domError(e, this.name));
      }
    });
  }

  #range() { return this._keyRange.bound([this._key, -Infinity], [this._key, Infinity]); }

  // Reads the journal records [name, 0..nextSeq-1] into o.journal, in order.
  #readJournal(s, nextSeq, o) {
    if (this._keyRange) {
      s.journal.getAll(this.#range()).onsuccess = (ev) => { o.journal = ev.target.result; };
      return;
    }
    o.journal = new Array(nextSeq);
    for (let i = 0; i < nextSeq; i++) {
      s.journal.get([this._key, i]).onsuccess = (ev) => { o.journal[i] = ev.target.result; };
    }
  }

  #clearJournal(s, nextSeq) {
    if (this._keyRange) {
      s.journal.delete(this.#range());
      return;
    }
    for (let i = 0; i < nextSeq; i++) s.journal.delete([this._key, i]);
  }

  // Reads meta and, when its generation differs from what the cache holds,
  // the snapshot and journal too: one readonly transaction, so what is read
  // is one committed state.
  async #refresh() {
    const known = this._meta ? this._meta.generation : -1;
    const out = await this.#tx('readonly', (s, o) => {
      s.meta.get(this._key).onsuccess = (ev) => {
        o.meta = ev.target.result;
        if ((o.meta ? o.meta.generation : 0) === known) return;
        o.changed = true;
        s.snap.get(this._key).onsuccess = (e2) => { o.snap = e2.target.result; };
        this.#readJournal(s, o.meta ? o.meta.nextSeq : 0, o);
      };
    });
    if (!out.changed) return;
    const meta = out.meta || {generation: 0, nextSeq: 0, journalBytes: 0, snapshotBytes: 0};
    if (out.journal.some((r) => !(r instanceof Uint8Array))) {
      throw tgsErr(15, `${this.name}: journal record missing or not bytes (meta says ${meta.nextSeq} records)`);
    }
    let session = null;
    if (out.snap) {
      session = decodeTo(out.snap, {format: 'ferogram-binary'});
      if (out.journal.length) {
        let total = 0;
        for (const r of out.journal) total += r.length;
        const all = new Uint8Array(total);
        let at = 0;
        for (const r of out.journal) { all.set(r, at); at += r.length; }
        try {
          check(withBytes(all, (p, n) => M._tgs_replay(session.handle, p, n)));
        } catch (e) {
          session.free();
          throw e;
        } finally {
          all.fill(0);
        }
      }
    } else if (out.journal.length) {
      throw tgsErr(15, `${this.name}: journal records without a snapshot`);
    }
    this.#setCache(session);
    this._meta = meta;
  }

  #setCache(s) {
    if (this._cache && this._cache !== s) this._cache.free();
    this._cache = s;
  }

  // Writes in one readwrite transaction after checking that nobody else
  // wrote since we last read (meta.generation). `write(stores)` issues the
  // puts and returns the new meta. A failed transaction changed nothing, so
  // the cache stays valid; after a conflict every write keeps failing until
  // load() reads the other writer's changes.
  async #write(write) {
    const expect = this._meta.generation;
    const out = await this.#tx('readwrite', (s, o, abort) => {
      s.meta.get(this._key).onsuccess = (ev) => {
        const stored = ev.target.result;
        if ((stored ? stored.generation : 0) !== expect) return abort(conflict(this.name));
        try {
          const next = write(s, stored);
          next.generation = expect + 1;
          s.meta.put(next, this._key);
          o.meta = next;
        } catch (e) {
          abort(domError(e, this.name));  // e.g. a synchronous QuotaExceededError or DataCloneError
        }
      };
    });
    this._meta = out.meta;
  }

  #putSnapshot(s, stored, bytes) {
    s.snap.put(bytes, this._key);
    this.#clearJournal(s, stored ? stored.nextSeq : 0);
    return {nextSeq: 0, journalBytes: 0, snapshotBytes: bytes.length};
  }

  /** The stored session (yours to free), or null when there is none. */
  load() {
    return this.#op(async () => {
      await this.#refresh();
      return this._cache ? this._cache.clone() : null;
    });
  }

  save(session) {
    return this.#op(async () => {
      const bytes = session.toBytes();
      const copy = session.clone();
      try {
        await this.#write((s, stored) => this.#putSnapshot(s, stored, bytes));
      } catch (e) {
        copy.free();
        throw e;
      }
      this.#setCache(copy);
    });
  }

  delete() {
    return this.#op(async () => {
      await this.#write((s, stored) => {
        s.snap.delete(this._key);
        this.#clearJournal(s, stored ? stored.nextSeq : 0);
        return {nextSeq: 0, journalBytes: 0, snapshotBytes: 0};
      });
      this.#setCache(null);
    });
  }

  // A granular change: one journal record, or a new snapshot when there is
  // no session yet or the journal has grown past the compaction threshold.
  #granular(op) { return this.#op(() => this.#granularNow(op)); }

  async #granularNow(op) {
    const next = this._cache ? this._cache.clone() : new Session(check(M._tgs_session_new(0)));
    try {
      const rec = op(next.handle);
      const m = this._meta;
      const fold = !this._cache || m.journalBytes + rec.length > Math.max(this._compactMin, m.snapshotBytes);
      const snapshot = fold ? next.toBytes() : null;
      await this.#write((s, stored) => {
        if (snapshot) return this.#putSnapshot(s, stored, snapshot);
        s.journal.put(rec, [this._key, m.nextSeq]);
        return {nextSeq: m.nextSeq + 1, journalBytes: m.journalBytes + rec.length, snapshotBytes: m.snapshotBytes};
      });
    } catch (e) {
      next.free();
      throw e;
    }
    this.#setCache(next);
  }

  updateDc(entry) { return this.#granular((h) => opUpsertDc(h, entry, true)); }
  setHomeDc(dcId) { return this.#granular((h) => opSetHomeDc(h, dcId, true)); }
  applyUpdateState(change) { return this.#granular((h) => opUpdateState(h, change, true)); }
  cachePeer(peer) { return this.#granular((h) => opCachePeer(h, peer, true)); }
  /**
   * A batch {peers, minPeers, updates}: one journal record in one readwrite
   * transaction, so a crash or a closed tab keeps all of it or none
   * (nothing is written for an empty batch).
   */
  applyChanges(changes) {
    return this.#op(async () => {
      const packed = packChanges(changes);
      if (!isEmptyChanges(changes)) await this.#granularNow((h) => opApplyChanges(h, packed, true));
    });
  }
  cachePeers(peers) { return this.applyChanges({peers}); }
  cacheMinPeers(minPeers) { return this.applyChanges({minPeers}); }
  applyUpdateStates(updates) { return this.applyChanges({updates}); }

  /** Journal records and bytes since the last snapshot (for tests and tuning). */
  get journalStats() {
    const m = this._meta;
    return m ? {records: m.nextSeq, bytes: m.journalBytes, snapshotBytes: m.snapshotBytes} : null;
  }

  /** Closes the connection and releases the lock. */
  close() {
    return this._q.run(() => {
      this.#setCache(null);
      this._closed = this._closed || 'closed';
      this._db.close();
      return this._release();
    });
  }
}

function openDb(idb, dbName, version) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = idb.open(dbName, version);
    } catch (e) {
      reject(domError(e, `opening IndexedDB database ${dbName}`));
      return;
    }
    let settled = false;
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const store of ['meta', 'snapshots', 'journal']) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      if (settled) {
        db.close();  // we gave up on it (blocked)
        return;
      }
      settled = true;
      for (const store of ['meta', 'snapshots', 'journal']) {
        if (!db.objectStoreNames.contains(store)) {
          db.close();
          reject(tgsErr(9, `IndexedDB database ${dbName} exists without tgsession's "${store}" store`));
          return;
        }
      }
      resolve(db);
    };
    req.onerror = () => {
      if (!settled) reject(domError(req.error, `opening IndexedDB database ${dbName}`));
      settled = true;
    };
    req.onblocked = () => {
      if (!settled) {
        reject(tgsErr(14, `opening IndexedDB database ${dbName}: upgrade blocked by a connection in another tab`));
      }
      settled = true;
    };
  });
}
