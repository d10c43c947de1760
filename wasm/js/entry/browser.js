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
    throw tgsWasmError(url, e && e.message ? e.message : String(e));
  }
  if (!resp.ok) throw tgsWasmError(url, `HTTP ${resp.status}${resp.statusText ? ' ' + resp.statusText : ''}`);
  return tgsCheckWasm(new Uint8Array(await resp.arrayBuffer()), url, resp.headers.get('content-type'));
}
