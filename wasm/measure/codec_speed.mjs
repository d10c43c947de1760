// Codec speed of the WebAssembly build relative to native: runs
// tools/bench/codec_speed.cc natively, in node and in headless Chromium and
// prints microseconds per operation and the wasm/native ratios, against
// native with its ISA kernels and native forced portable (the same C++ the
// WebAssembly module runs).
//
//   bazel build -c opt //tools/bench:codec_speed
//   bazel build --config=wasm_release //wasm:bench_codec_speed
//   node wasm/measure/codec_speed.mjs bazel-bin/tools/bench/codec_speed \
//       "$(bazel info --config=wasm_release bazel-bin)/wasm"
// (bazel-bin follows the last build: take the native path before building wasm,
// or use `bazel info -c opt bazel-bin`.)
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {chromium} from '../tests/node_modules/playwright-core/index.mjs';
import {serve} from '../tests/serve.mjs';

const [nativeBin, wasmDir] = process.argv.slice(2);
if (!nativeBin || !wasmDir) {
  console.error('usage: node codec_speed.mjs NATIVE_codec_speed WASM_BIN_DIR');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));

// "codec_speed <op> <peers> <us> <allocs>" lines -> Map("op/peers" -> {us, allocs}).
function parse(lines) {
  const m = new Map();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'codec_speed' && f.length === 5) m.set(`${f[1]}/${f[2]}`, {us: Number(f[3]), allocs: Number(f[4])});
  }
  if (!lines.some((l) => l.trim() === 'codec_speed done')) throw new Error('codec_speed did not finish:\n' + lines.join('\n'));
  return m;
}

console.error('native ...');
const native = parse(execFileSync(nativeBin, {encoding: 'utf8'}).split('\n'));

console.error('node ...');
const nodeLines = [];
const create = (await import(pathToFileURL(path.join(wasmDir, 'bench_codec_speed.mjs')).href)).default;
// arguments: [] or emscripten passes this script's own argv to main().
await create({arguments: [], print: (t) => nodeLines.push(t), printErr: (t) => nodeLines.push('stderr: ' + t)});
const node = parse(nodeLines);

console.error('chromium ...');
const tmp = mkdtempSync('/tmp/tgs-codec-speed-');
const {server, url} = await serve({bin: wasmDir, m: here});
let chrome;
try {
  const ctx = await chromium.launchPersistentContext(path.join(tmp, 'p'), {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  const page = await ctx.newPage();
  await page.goto(`${url}m/codec_speed.html`);
  await page.waitForFunction(() => window.done === true, null, {timeout: 600000});
  chrome = parse(await page.evaluate(() => window.lines));
  await ctx.close();
} finally {
  server.close();
  rmSync(tmp, {recursive: true, force: true});
}

const pad = (s, n) => String(s).padStart(n);
const ratio = (a, b) => (b ? (a / b).toFixed(2) : '-');
console.log(`${'operation'.padEnd(22)} ${pad('peers', 6)} ${pad('native', 9)} ${pad('portable', 9)} ` +
            `${pad('node', 9)} ${pad('x nat', 6)} ${pad('x port', 6)} ${pad('chromium', 9)} ${pad('x nat', 6)} ` +
            `${pad('x port', 6)} ${pad('allocs', 6)}`);
for (const [key, a] of node) {
  const [op, peers] = key.split('/');
  const n = native.get(key), p = native.get(`${op}.portable/${peers}`) || n, b = chrome.get(key);
  if (!n || !b) continue;
  console.log(`${op.padEnd(22)} ${pad(peers, 6)} ${pad(n.us.toFixed(2), 9)} ${pad(p.us.toFixed(2), 9)} ` +
              `${pad(a.us.toFixed(2), 9)} ${pad(ratio(a.us, n.us), 6)} ${pad(ratio(a.us, p.us), 6)} ` +
              `${pad(b.us.toFixed(2), 9)} ${pad(ratio(b.us, n.us), 6)} ${pad(ratio(b.us, p.us), 6)} ` +
              `${pad(a.allocs.toFixed(1), 6)}`);
}
