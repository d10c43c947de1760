// Loader of tgsession.node.mjs and tgsession.node.cjs (package.json "node"
// condition): reads tgsession.wasm beside this file with fs (node's fetch
// cannot read file: URLs); http(s) URLs passed as init({wasmUrl}) are
// fetched. The entry defines tgsNodeFs (node:fs), tgsDefaultWasmUrl() and
// tgsSqliteSource() (the optional SQLite module beside this file).
async function tgsLoadWasm(opts) {
  const url = tgsWasmUrl(opts, tgsDefaultWasmUrl);
  if (/^https?:/i.test(url)) {
    let resp;
    try {
      resp = await fetch(url);
    } catch (e) {
      throw tgsWasmError(url, e && e.message ? e.message : String(e), opts);
    }
    if (!resp.ok) throw tgsWasmError(url, `HTTP ${resp.status}`, opts);
    return tgsCheckWasm(new Uint8Array(await resp.arrayBuffer()), url, resp.headers.get('content-type'), opts);
  }
  let bytes;
  try {
    bytes = await tgsNodeFs.promises.readFile(/^file:/i.test(url) ? new URL(url) : url);
  } catch (e) {
    throw tgsWasmError(url, e && e.code ? e.code : String(e), opts);
  }
  return tgsCheckWasm(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), url, null, opts);
}
