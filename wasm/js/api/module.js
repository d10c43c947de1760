// tgsession's JavaScript API: loading the core WebAssembly module (init(),
// once), and the checks and errors of every wasm download.

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
