// Node tests for modules linked by wasm_module (wasm/defs.bzl); run by
// es_module_test.sh under `bazel test --config=wasm //wasm:es_module_test`.
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {test} from 'node:test';
import {pathToFileURL} from 'node:url';

const dir = process.env.TGS_WASM_MODULE_DIR;
assert.ok(dir, 'TGS_WASM_MODULE_DIR is not set (run through es_module_test.sh)');

async function factory(file) {
  return (await import(pathToFileURL(path.join(dir, file)).href)).default;
}

function checkStatusModule(m) {
  const parse = m.cwrap('tgs_parse_dc_id', 'number', ['string']);
  const lastError = m.cwrap('tgs_last_error', 'string', []);
  assert.equal(parse('4'), 4);
  assert.equal(lastError(), '');
  assert.equal(parse('dc4'), -1);
  assert.equal(lastError(), "INVALID_ARGUMENT: not a dc id: 'dc4'");
  assert.equal(parse('9'), -1);
  assert.equal(lastError(), 'OUT_OF_RANGE: no such dc: 9');
  // C ABI through ccall, too (EXPORTED_RUNTIME_METHODS).
  assert.equal(m.ccall('tgs_parse_dc_id', 'number', ['string'], ['2']), 2);
}

test('split module: .mjs finds its .wasm by name, next to it', async () => {
  const js = readFileSync(path.join(dir, 'status_module.mjs'), 'utf8');
  assert.match(js, /new URL\((["'])status_module\.wasm\1,\s*import\.meta\.url\)/);
  assert.ok(existsSync(path.join(dir, 'status_module.wasm')));
  const createStatusModule = await factory('status_module.mjs');
  assert.equal(typeof createStatusModule, 'function');
  checkStatusModule(await createStatusModule());
});

test('split module: caller-supplied wasmBinary (how a page may load it)', async () => {
  const createStatusModule = await factory('status_module.mjs');
  const wasmBinary = readFileSync(path.join(dir, 'status_module.wasm'));
  checkStatusModule(await createStatusModule({wasmBinary}));
});

test('single-file module: wasm inlined, no side file needed', async () => {
  const js = readFileSync(path.join(dir, 'status_module.single.mjs'), 'utf8');
  assert.ok(js.includes('data:application/octet-stream;base64,'));
  assert.ok(!js.includes('status_module.wasm'));
  checkStatusModule(await (await factory('status_module.single.mjs'))());
});

test('each factory call makes an independent instance', async () => {
  const createStatusModule = await factory('status_module.single.mjs');
  const [a, b] = await Promise.all([createStatusModule(), createStatusModule()]);
  a.ccall('tgs_parse_dc_id', 'number', ['string'], ['x']);
  b.ccall('tgs_parse_dc_id', 'number', ['string'], ['1']);
  assert.match(a.ccall('tgs_last_error', 'string', [], []), /not a dc id/);
  assert.equal(b.ccall('tgs_last_error', 'string', [], []), '');
});

test('es6 = False: a CommonJS factory, loads its .wasm without fetch()', async () => {
  const require = createRequire(import.meta.url);
  const createStatusModuleCjs = require(path.join(dir, 'status_module_cjs.js'));
  assert.equal(typeof createStatusModuleCjs, 'function');
  checkStatusModule(await createStatusModuleCjs());
});

test('embind module: bound functions and value objects', async () => {
  const m = await (await factory('embind_module.mjs'))();
  const address = m.parseAddress('2@149.154.167.51:443');
  assert.deepEqual(address, {id: 2, host: '149.154.167.51', port: 443});
  assert.equal(m.describe(address), 'dc2 149.154.167.51:443');
  assert.deepEqual(m.parseAddress('nonsense'), {id: 0, host: '', port: 0});
});
