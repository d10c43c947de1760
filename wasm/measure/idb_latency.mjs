// Measurement only (numbers in README.md): IndexedDB latency in headless
// Chromium of the two ways C++ can reach IndexedDB:
//   js-layer   tgsession's IndexedDbBackend (JavaScript owns the IndexedDB
//              calls; C++ only encodes the snapshot or the journal record)
//   asyncify   a C++ SessionBackend blocking on IndexedDB through ASYNCIFY
//              (//wasm:size_asyncify_probe)
// Usage (after sizes.sh, which builds both with --config=wasm_release):
//   node wasm/measure/idb_latency.mjs "$(bazel info --config=wasm_release bazel-bin)/wasm"
import {chromium} from '../tests/node_modules/playwright-core/index.mjs';
import {mkdtempSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {serve} from '../tests/serve.mjs';

const bin = process.argv[2];
const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync('/tmp/tgs-latency-');
const {server, url} = await serve({bin, tests: path.join(here, '../tests')});
const ctx = await chromium.launchPersistentContext(path.join(tmp, 'p'), {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const page = await ctx.newPage();
page.on('crash', () => console.error('renderer crashed'));
await page.goto(`${url}tests/browser/index.html?module=../../bin/npm/tgsession/tgsession.mjs`);
await page.waitForFunction(() => window.T !== undefined, null, {timeout: 60000});
const result = await page.evaluate(async () => {
  const {tgs, scenario} = window.T;
  const time = async (n, f) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    return (performance.now() - t0) / n;
  };
  const out = {};
  const big = await scenario.richSession(tgs);
  for (let i = 0; i < 10000; i++) big.cachePeer({id: BigInt(i + 1e6), accessHash: BigInt(i)});
  // JS layer.
  for (const durability of ['strict', 'relaxed']) {
    const b = await tgs.IndexedDbBackend.open('lat-' + durability, {durability});
    out[`js-layer ${durability}: save 10k peers (ms)`] = await time(20, () => b.save(big));
    out[`js-layer ${durability}: cachePeer (ms)`] = await time(200, (i) => b.cachePeer({id: BigInt(i), accessHash: 1n}));
    out[`js-layer ${durability}: load (ms)`] = await time(20, async () => (await b.load()).free());
    await b.close();
  }
  // ASYNCIFY probe (its own module instance).
  const probe = await (await import('/bin/size_asyncify_probe.mjs')).default();
  const bytes = big.toBytes();
  const p = probe._malloc(bytes.length);
  probe.HEAPU8.set(bytes, p);
  out['asyncify: save 10k peers (ms)'] = await time(20, () => probe.ccall('tgs_probe_save', 'number', ['number', 'number'], [p, bytes.length], {async: true}));
  out['asyncify: cachePeer (ms)'] = await time(200, (i) => probe.ccall('tgs_probe_cache_peer', 'number', ['number', 'number'], [i, 1], {async: true}));
  out['asyncify: load (ms)'] = await time(20, () => probe.ccall('tgs_probe_load', 'number', [], [], {async: true}));
  big.free();
  return out;
});
for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(45)} ${v.toFixed(2)}`);
await ctx.close();
server.close();
rmSync(tmp, {recursive: true, force: true});
