// --extern-pre-js for wasm_module ES modules (wasm/defs.bzl). Emscripten 3.1.6
// emits CommonJS `require()` and `__dirname` in the node branch of an
// EXPORT_ES6 module, and an ES module has neither. Define both from
// import.meta.url, in node only: browsers never run the dynamic imports.
const __tgsIsNode = typeof process == 'object' && typeof process.versions == 'object' &&
    typeof process.versions.node == 'string';
const require = __tgsIsNode ?
    (await import('module')).createRequire(import.meta.url) : undefined;
const __dirname = __tgsIsNode ?
    (await import('path')).dirname((await import('url')).fileURLToPath(import.meta.url)) :
    undefined;
