// tgsession's JavaScript API: the optional SQLite module.
//
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
