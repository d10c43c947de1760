// Builds the npm package's entry points from one emscripten link (built for
// web and worker: no node code, so browser bundles carry no node shims) and
// the API (tgsession_api.js, the parts of api/ in one script):
//
//   tgsession.mjs         browsers and bundlers: fetches tgsession.wasm from
//                         new URL('./tgsession.wasm', import.meta.url)
//   tgsession.node.mjs    node, import: reads tgsession.wasm with fs
//   tgsession.node.cjs    node, require(): the same as CommonJS
//   tgsession.single.mjs  anywhere: the wasm inlined as base64
//
// and the optional SQLite module, which every entry imports on first use:
//
//   tgsession_sqlite.mjs + tgsession_sqlite.wasm   (browsers, bundlers, node)
//   tgsession_sqlite.single.mjs                    (the wasm inlined, for
//                                                   tgsession.single.mjs)
//
// None has a top-level await, so require() of the ES modules works too.
// Emscripten 3.1.6's glue is patched (each pattern must match as often as
// expected, so another emscripten version fails here rather than at run
// time): its own `new URL(<wasm>, import.meta.url)` and `_scriptDir =
// import.meta.url` go (our loader always hands it the bytes as wasmBinary,
// and a second URL would make bundlers emit the .wasm twice), its `export
// default` goes (the package exports the API, not the factory), and so does
// its refusal to run outside a window or worker.
//
// Usage: node assemble_package.mjs <glue.mjs> <api.js> <entry dir> <tgsession.wasm> <out dir>
//            <sqlite glue.mjs> <tgsession_sqlite.wasm>
import {readFileSync, writeFileSync} from 'node:fs';
import {basename, join} from 'node:path';
import {toCommonJs} from './commonjs.mjs';

const [glueFile, apiFile, entryDir, wasmFile, outDir, sqliteGlueFile, sqliteWasmFile] = process.argv.slice(2);
if (!sqliteWasmFile) {
  console.error('usage: assemble_package.mjs <glue.mjs> <api.js> <entry dir> <tgsession.wasm> <out dir> ' +
      '<sqlite glue.mjs> <tgsession_sqlite.wasm>');
  process.exit(2);
}

// Replaces `from` (a string or a RegExp) in the glue; it must occur between
// min and max times.
function patch(text, from, to, what, min = 1, max = 1, glueFile = process.argv[2]) {
  const re = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') :
    new RegExp(from.source, 'g' + from.flags.replace('g', ''));
  const n = (text.match(re) || []).length;
  if (n < min || n > max) {
    throw new Error(`${glueFile}: expected ${what} (${re}) ${min === max ? min : `${min} to ${max}`} times, found ${n}`);
  }
  return text.replace(re, () => to);
}

// Debug builds (--config=wasm) keep emscripten's formatting; release builds
// are minified, hence the patterns. Returns the glue without its export.
function patchGlue(glueFile, wasmFile, exportName) {
  const wasmName = basename(wasmFile);
  const p = (text, from, to, what, min = 1, max = 1) => patch(text, from, to, what, min, max, glueFile);
  let glue = readFileSync(glueFile, 'utf8');
  glue = p(glue, new RegExp(`new URL\\((['"])${wasmName.replace('.', '\\.')}\\1,\\s*import\\.meta\\.url\\)\\.toString\\(\\)`),
      `'${wasmName}'`, "the glue's wasm URL");
  glue = p(glue, 'var _scriptDir = import.meta.url;', 'var _scriptDir = undefined;', "the glue's _scriptDir");
  glue = p(glue, `export default ${exportName};`, '', "the glue's export");
  // Outside a window or worker (node, Deno, Bun) the web glue gives up (debug
  // builds throw, release builds do nothing); it needs nothing from the
  // environment there since the loader passes wasmBinary.
  glue = p(glue, "throw new Error('environment detection error');",
      '/* not a window or worker: the loader hands over the wasm bytes */', "the glue's environment check", 0);
  // The same check, in builds with ASSERTIONS.
  glue = p(glue, /^assert\(!ENVIRONMENT_IS_NODE, "node environment detected but not enabled.*$/m,
      '/* node: supported through the loader */', "the glue's node assertion", 0);
  const glueCode = glue.replace(/^\s*\/\/.*$/gm, '');  // without line comments
  for (const bad of [/import\.meta/, /\brequire\(/, /^\s*export\b/m, /\bimport\(/]) {
    if (bad.test(glueCode)) throw new Error(`${glueFile}: the glue still matches ${bad} (built with node support?)`);
  }
  return glue;
}
const glue = patchGlue(glueFile, wasmFile, 'createTgsessionModule');
const sqliteGlue = patchGlue(sqliteGlueFile, sqliteWasmFile, 'createTgsessionSqliteModule');

// The API without its whole-line comments (JSDoc blocks and // lines): they
// are for maintainers (users read tgsession.d.ts), and a fifth of its bytes.
// The result must still parse (checked below, as a function body: the
// CommonJS form has no import or export); trailing comments stay.
const api = readFileSync(apiFile, 'utf8')
    .replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, '')
    .replace(/^[ \t]*\/\/.*\n/gm, '');
const {body: apiCjs, exported} = toCommonJs(api, apiFile);
if (!exported.includes('Session') || !exported.includes('init')) {
  throw new Error(`${apiFile}: found no exported Session/init (exports: ${exported.join(', ')})`);
}
try {
  new Function(apiCjs);  // parses only, never runs
} catch (e) {
  throw new Error(`${apiFile}: does not parse without its comment lines: ${e.message}`);
}

const loader = (name) => readFileSync(join(entryDir, name), 'utf8');
const header = (what) => `// tgsession ${what}. Generated by wasm/js/assemble_package.mjs from emscripten's\n` +
    '// glue, the API from wasm/js/api/ and a loader from wasm/js/entry/.\n';

const entries = {
  'tgsession.mjs': [header('for browsers and bundlers'), glue, api, loader('browser.js')],
  'tgsession.node.mjs': [
    header('for node (ES module)'),
    "import * as tgsNodeFs from 'node:fs';\n",
    "const tgsDefaultWasmUrl = () => new URL('./tgsession.wasm', import.meta.url).href;\n",
    "const tgsSqliteSource = () => ({name: './tgsession_sqlite.mjs', load: () => import('./tgsession_sqlite.mjs'),\n" +
    "  wasmUrl: () => new URL('./tgsession_sqlite.wasm', import.meta.url).href});\n",
    glue, api, loader('node.js')],
  'tgsession.node.cjs': [
    header('for node (CommonJS)'),
    "'use strict';\n",
    "const tgsNodeFs = require('node:fs');\n",
    "const tgsDefaultWasmUrl = () => require('node:url').pathToFileURL(__dirname + '/tgsession.wasm').href;\n",
    "const tgsSqliteSource = () => ({name: './tgsession_sqlite.mjs', load: () => import('./tgsession_sqlite.mjs'),\n" +
    "  wasmUrl: () => require('node:url').pathToFileURL(__dirname + '/tgsession_sqlite.wasm').href});\n",
    glue, apiCjs, loader('node.js')],
  'tgsession.single.mjs': [
    header('with its WebAssembly inlined'),
    glue, api, loader('single.js'),
    `\nconst TGS_WASM_BASE64 = '${readFileSync(wasmFile).toString('base64')}';\n`],
  'tgsession_sqlite.mjs': [header("optional SQLite module (loaded by the entries on first use)"),
    sqliteGlue, 'export default createTgsessionSqliteModule;\n'],
  'tgsession_sqlite.single.mjs': [header("optional SQLite module, its WebAssembly inlined"),
    sqliteGlue, 'export default createTgsessionSqliteModule;\n',
    `export const wasmBase64 = '${readFileSync(sqliteWasmFile).toString('base64')}';\n`],
};
for (const [name, parts] of Object.entries(entries)) {
  writeFileSync(join(outDir, name), parts.join('\n'), {mode: 0o644});
}
