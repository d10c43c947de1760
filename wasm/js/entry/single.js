// Loader of tgsession.single.mjs: the wasm is inlined below as base64, so
// there is no file to locate (for bundlers that do not handle
// `new URL(..., import.meta.url)`, such as esbuild, or a single <script>).
// init({wasmUrl}) and locateFile are ignored: this file is what dev servers
// get through the "development" condition, and the same init() call must
// work there and in the production build.
async function tgsLoadWasm() {
  const text = atob(TGS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return tgsCheckWasm(bytes, 'the inlined module', null);
}

// The SQLite module with its wasm inlined, imported on first use.
function tgsSqliteSource() {
  return {name: './tgsession_sqlite.single.mjs', load: () => import('./tgsession_sqlite.single.mjs')};
}
