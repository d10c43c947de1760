// Loader of tgsession.single.mjs: the wasm is inlined below as base64, so
// there is no file to locate (for bundlers that do not handle
// `new URL(..., import.meta.url)`, such as esbuild, or a single <script>).
async function tgsLoadWasm(opts) {
  if (opts.wasmUrl != null || opts.locateFile) {
    throw badArg('tgsession.single.mjs carries its WebAssembly inline: wasmUrl and locateFile do not apply');
  }
  const text = atob(TGS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return tgsCheckWasm(bytes, 'the inlined module', null);
}
