// Loader of tgsession.mjs, the browser entry (package.json "default"
// condition): fetches tgsession.wasm. The literal
// `new URL('./tgsession.wasm', import.meta.url)` is what Vite, webpack 5 and
// Parcel recognise as an asset, so their builds copy the .wasm and rewrite
// the URL. A failed fetch names the URL it tried.
async function tgsLoadWasm(opts) {
  const url = tgsWasmUrl(opts, () => new URL('./tgsession.wasm', import.meta.url).href);
  let resp;
  try {
    resp = await fetch(url, {credentials: 'same-origin'});
  } catch (e) {
    throw tgsWasmError(url, e && e.message ? e.message : String(e), opts);
  }
  if (!resp.ok) throw tgsWasmError(url, `HTTP ${resp.status}${resp.statusText ? ' ' + resp.statusText : ''}`, opts);
  return tgsCheckWasm(new Uint8Array(await resp.arrayBuffer()), url, resp.headers.get('content-type'), opts);
}

// The SQLite module, imported on first use: a literal dynamic import() and
// `new URL(..., import.meta.url)`, so bundlers emit both as separate files
// that only an SQLite session fetches.
function tgsSqliteSource() {
  return {
    name: './tgsession_sqlite.mjs',
    load: () => import('./tgsession_sqlite.mjs'),
    wasmUrl: () => new URL('./tgsession_sqlite.wasm', import.meta.url).href,
  };
}
