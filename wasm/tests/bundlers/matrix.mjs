// The npm package in every setup a web developer uses, without configuration:
// a tiny app importing `tgsession` is built and run with the Vite dev server
// (pages and modules fetched over HTTP from it by headless Chromium), a Vite
// build, webpack 5, esbuild, node ESM and node CommonJS, with the package
// installed from its directory (npm's symlink) and from a packed tarball.
// A setup fails when the app does not round-trip a session, when a bundler
// warns about our package (or the page logs such a warning; the one
// documented exception is webpack's size hint for the SQLite module, see
// documented()), or when a browser bundle carries node code. Prints a table of the results.
// Run by run_bundler_matrix_test.sh; env: TGS_PKG_DIR (the built package),
// TGS_BUNDLERS_DIR (wasm/tests/bundlers with node_modules), TGS_CHROMIUM,
// TGS_TELETHON_SESSION (a real Telethon .session file).
import {execFileSync} from 'node:child_process';
import {copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createServer as createHttpServer} from 'node:http';
import {createServer} from 'node:net';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

import {chromium} from 'playwright-core';

const env = process.env;
const tmp = mkdtempSync('/tmp/tgs-bundlers-');
const bundlers = createRequire(path.join(env.TGS_BUNDLERS_DIR, 'package.json'));
const importBundler = (name) => import(pathToFileURL(bundlers.resolve(name)).href);
const vite = await importBundler('vite');
const webpack = (await importBundler('webpack')).default;
const esbuild = await importBundler('esbuild');
const versions = Object.fromEntries(['vite', 'webpack', 'esbuild'].map(
    (n) => [n, JSON.parse(readFileSync(path.join(env.TGS_BUNDLERS_DIR, 'node_modules', n, 'package.json'))).version]));

// What every app does: create a session, cache a peer, round-trip it through
// the native string, and check what came back; then open a Telethon
// .session file (inlined below as base64), which loads the optional SQLite
// module, and convert it to a Pyrogram .session file and back.
const TELETHON_SESSION = readFileSync(env.TGS_TELETHON_SESSION).toString('base64');
const APP_BODY = `
const TELETHON_SESSION = '${TELETHON_SESSION}';
async function run() {
  const s = await Session.create({defaults: true});
  s.cachePeer({id: 42n, accessHash: -7n, type: 'channel', channelKind: 'Megagroup'});
  const back = await Session.fromString(s.toNativeString());
  const peer = back.findPeer(42n);
  if (!back.equals(s) || !peer || peer.accessHash !== -7n) return 'round trip differs';
  const file = Uint8Array.from(atob(TELETHON_SESSION), (c) => c.charCodeAt(0));
  const t = await Session.load(file);
  if (t.info.format !== 'telethon-sqlite') return 'the .session file read as ' + t.info.format;
  const pyro = t.export('pyrogram-sqlite');
  const p = await Session.load(pyro);
  const key = (x) => Array.from(x.authKey(x.homeDcId) || []).join();
  if (p.info.format !== 'pyrogram-sqlite' || p.homeDcId !== t.homeDcId || !key(p) || key(p) !== key(t)) {
    return 'the Pyrogram file differs';
  }
  return 'ok: home DC ' + back.homeDcId + ', ' + back.dcs().length + ' DCs, peer 42 round-tripped; ' +
      'Telethon .session (' + t.peers().length + ' peers) to a ' + pyro.length + '-byte Pyrogram file';
}
`;
const BROWSER_MAIN = `import {Session} from 'tgsession';
${APP_BODY}
run().then((r) => { window.tgsResult = r; }, (e) => { window.tgsResult = 'error: ' + e; });
`;
const SINGLE_MAIN = BROWSER_MAIN.replace("from 'tgsession'", "from 'tgsession/single'");
const NODE_ESM = `import {Session} from 'tgsession';
${APP_BODY}
console.log(await run());
`;
const NODE_CJS = `const {Session} = require('tgsession');
${APP_BODY}
run().then((r) => console.log(r), (e) => console.log('error: ' + e));
`;
const page = (script, module = true) => '<!doctype html>\n<html><head><link rel="icon" href="data:,"></head>' +
    '<body><pre id="out"></pre>' +
    `<script ${module ? 'type="module" ' : ''}src="${script}"></script></body></html>\n`;

function npm(cwd, ...args) {
  return execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
      {cwd, env: {...env, npm_config_update_notifier: 'false', HOME: path.join(tmp, 'home'), npm_config_cache: path.join(tmp, 'npm-cache')},
        encoding: 'utf8'});
}

// The package as a user gets it: a writable copy (what `npm install <dir>`
// links to) and the tarball `npm pack` makes of it.
mkdirSync(path.join(tmp, 'home'));
const pkgDir = path.join(tmp, 'tgsession');
cpSync(env.TGS_PKG_DIR, pkgDir, {recursive: true, dereference: true});
execFileSync('chmod', ['-R', 'u+w', pkgDir]);
const tarball = path.join(tmp, npm(tmp, 'pack', pkgDir).trim().split('\n').pop());

function makeApp(kind) {
  const app = path.join(tmp, `app-${kind}`);
  mkdirSync(path.join(app, 'src'), {recursive: true});
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({name: `app-${kind}`, private: true}));
  npm(app, 'install', kind === 'directory' ? pkgDir : tarball);
  writeFileSync(path.join(app, 'index.html'), page('./src/main.js'));
  writeFileSync(path.join(app, 'src/main.js'), BROWSER_MAIN);
  writeFileSync(path.join(app, 'src/single.js'), SINGLE_MAIN);
  writeFileSync(path.join(app, 'main.mjs'), NODE_ESM);
  writeFileSync(path.join(app, 'main.cjs'), NODE_CJS);
  return app;
}

const ours = (text) => /tgsession/i.test(text);

// webpack's generic performance hint ("asset size limit: 244 KiB") about the
// SQLite module's .wasm alone: README and docs/wasm-sqlite.md document it
// (the module is that size; only the app's configuration can silence it).
// Any other warning of ours, or this one naming another asset, fails.
function documented(text) {
  if (!/asset size limit/.test(text)) return false;
  const assets = text.split('\n').filter((l) => /^\s+\S.* \(\d+(\.\d+)? [KM]iB\)\s*$/.test(l));
  return assets.length > 0 && assets.every((l) => l.includes("tgsession's tgsession_sqlite.wasm"));
}

// Bundlers emit the package's files under hashed names; name each in the
// warnings by what it is (a warning about one must count as ours).
function nameOwnAssets(warnings, outDir, app) {
  const own = new Map();
  for (const f of ['tgsession.wasm', 'tgsession_sqlite.wasm']) {
    const bytes = readFileSync(path.join(app, 'node_modules/tgsession', f));
    for (const out of readdirSync(outDir)) {
      if (out.endsWith('.wasm') && readFileSync(path.join(outDir, out)).equals(bytes)) own.set(out, f);
    }
  }
  return warnings.map((w) => w.replace(/[\w.-]+\.wasm/g, (m) => (own.has(m) ? `${m} (tgsession's ${own.get(m)})` : m)));
}

// Node code in a browser bundle: what the old single entry dragged in.
function nodeCodeIn(dir) {
  const found = [];
  for (const f of readdirSync(dir, {recursive: true})) {
    if (!/\.(m?js|cjs)$/.test(f)) continue;
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const mark of ['node:fs', 'createRequire', 'fileURLToPath', 'tgsession.node.']) {
      if (text.includes(mark)) found.push(`${f} contains ${mark}: node code of tgsession in a browser bundle`);
    }
  }
  return found;
}

let browser;
async function inChromium(url) {
  if (!browser) {
    browser = await chromium.launch({
      executablePath: env.TGS_CHROMIUM || '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
      env: {...env, HOME: path.join(tmp, 'home')},
    });
  }
  const p = await browser.newPage();
  const logged = [];
  p.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') logged.push(m.text()); });
  p.on('pageerror', (e) => logged.push(e.message));
  try {
    await p.goto(url);
    await p.waitForFunction(() => window.tgsResult !== undefined, null, {timeout: 60000});
    return {result: await p.evaluate(() => window.tgsResult), logged};
  } finally {
    await p.close();
  }
}

// Serves a build's output directory at the root of http://127.0.0.1:<port>/,
// as a deployment would (Vite's default base is "/").
const TYPES = {'.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm'};
async function serveDir(dir, fn) {
  const server = createHttpServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    try {
      if (rel.split('/').includes('..')) throw new Error('outside');
      const body = readFileSync(path.join(dir, rel));
      res.writeHead(200, {'content-type': TYPES[path.extname(rel)] || 'application/octet-stream'}).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    server.close();
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

function viteLogger(warnings) {
  const logger = vite.createLogger('warn', {allowClearScreen: false});
  for (const level of ['warn', 'warnOnce', 'error']) {
    const orig = logger[level].bind(logger);
    logger[level] = (msg, opts) => { warnings.push(String(msg)); orig(msg, opts); };
  }
  return logger;
}

// Each setup returns {result, warnings}: result is the app's own line.
const SETUPS = {
  async 'Vite dev server'(app) {
    const warnings = [];
    const port = await freePort();
    const server = await vite.createServer({
      root: app, configFile: false, logLevel: 'warn', customLogger: viteLogger(warnings),
      cacheDir: path.join(app, '.vite-cache'),
      server: {host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null},
    });
    await server.listen();
    try {
      const {result, logged} = await inChromium(`http://127.0.0.1:${port}/`);
      return {result, warnings: [...warnings, ...logged]};
    } finally {
      await server.close();
    }
  },
  async 'Vite build'(app) {
    const warnings = [];
    const outDir = path.join(app, 'dist-vite');
    // `vite build` in its own process runs with NODE_ENV=production (the
    // "production" condition: tgsession.mjs, its .wasm and the SQLite module
    // as separate files); the dev server that ran before in this process set
    // it to development, which would build the single-file entry instead.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await vite.build({
        root: app, configFile: false, logLevel: 'warn', customLogger: viteLogger(warnings), mode: 'production',
        cacheDir: path.join(app, '.vite-cache'),
        build: {outDir, emptyOutDir: true, rollupOptions: {onwarn(w) { warnings.push(String(w.message || w)); }}},
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    // What a production build must hold: the core and the SQLite module as
    // separate files, neither inlined.
    const assets = readdirSync(path.join(outDir, 'assets'));
    for (const want of [/^tgsession-.*\.wasm$/, /^tgsession_sqlite-.*\.wasm$/, /^tgsession_sqlite-.*\.js$/]) {
      if (!assets.some((f) => want.test(f))) warnings.push(`tgsession: no ${want} in the Vite build: ${assets.join(', ')}`);
    }
    warnings.push(...nodeCodeIn(outDir));
    const {result, logged} = await serveDir(outDir, inChromium);
    return {result, warnings: [...warnings, ...logged]};
  },
  async 'webpack 5'(app) {
    const outDir = path.join(app, 'dist-webpack');
    const stats = await new Promise((resolve, reject) => {
      webpack({
        mode: 'production', context: app, entry: './src/main.js', target: 'web',
        output: {path: outDir, filename: 'main.js', clean: true},
        infrastructureLogging: {level: 'error'},
      }, (err, s) => (err ? reject(err) : resolve(s)));
    });
    const info = stats.toJson({all: false, warnings: true, errors: true});
    const warnings = nameOwnAssets([...info.warnings, ...info.errors].map((w) => `${w.moduleName || ''}: ${w.message}`),
        outDir, app);
    if (stats.hasErrors()) return {result: 'build failed', warnings};
    writeFileSync(path.join(outDir, 'index.html'), page('main.js', false));
    warnings.push(...nodeCodeIn(outDir));
    const {result, logged} = await serveDir(outDir, inChromium);
    return {result, warnings: [...warnings, ...logged]};
  },
  // esbuild does not handle new URL(..., import.meta.url) assets: the
  // README's esbuild step copies tgsession.wasm and tgsession_sqlite.wasm
  // beside the bundle.
  async 'esbuild + copy of the .wasm'(app) {
    return esbuildApp(app, 'src/main.js', 'dist-esbuild', true);
  },
  // ... without that copy, the page must name the URL it could not fetch.
  async 'esbuild, .wasm not copied: the error'(app) {
    const r = await esbuildApp(app, 'src/main.js', 'dist-esbuild-nowasm', false);
    const want = /^error: UNAVAILABLE: cannot load tgsession's WebAssembly module from http:\/\/127\.0\.0\.1:\d+\/tgsession\.wasm: HTTP 404/;
    return {result: want.test(r.result) ? `ok: ${r.result.slice(7, 120)}...` : `wrong error: ${r.result}`,
      warnings: r.warnings.filter((w) => !/404/.test(w))};
  },
  async 'esbuild, tgsession/single'(app) {
    return esbuildApp(app, 'src/single.js', 'dist-esbuild-single', false);
  },
  async 'node ESM (import)'(app) {
    return {result: execFileSync('node', ['main.mjs'], {cwd: app, encoding: 'utf8'}).trim(), warnings: []};
  },
  async 'node CommonJS (require)'(app) {
    return {result: execFileSync('node', ['main.cjs'], {cwd: app, encoding: 'utf8'}).trim(), warnings: []};
  },
};

async function esbuildApp(app, entry, dist, copyWasm) {
  const outDir = path.join(app, dist);
  const r = await esbuild.build({
    absWorkingDir: app, entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser',
    outfile: path.join(outDir, 'main.js'), logLevel: 'silent', target: 'es2022',
  });
  const warnings = r.warnings.map((w) => `${w.location ? w.location.file : ''}: ${w.text}`);
  if (copyWasm) {
    for (const f of ['tgsession.wasm', 'tgsession_sqlite.wasm']) {
      copyFileSync(path.join(app, 'node_modules/tgsession', f), path.join(outDir, f));
    }
  }
  writeFileSync(path.join(outDir, 'index.html'), page('main.js'));
  warnings.push(...nodeCodeIn(outDir));
  const {result, logged} = await serveDir(outDir, inChromium);
  return {result, warnings: [...warnings, ...logged]};
}

const rows = [];
const only = env.TGS_MATRIX_ONLY ? new RegExp(env.TGS_MATRIX_ONLY) : null;
for (const kind of ['directory', 'tarball']) {
  const app = makeApp(kind);
  for (const [name, fn] of Object.entries(SETUPS)) {
    if (only && !only.test(`${name} ${kind}`)) continue;
    const t0 = Date.now();
    let result;
    let warnings = [];
    try {
      ({result, warnings} = await fn(app));
    } catch (e) {
      result = `threw: ${String(e && e.stack || e).split('\n').slice(0, 3).join(' | ')}`;
    }
    const ourWarnings = warnings.filter((w) => ours(w) && !documented(w));
    const knownWarnings = warnings.filter(documented);
    const pass = /^ok: /.test(result) && ourWarnings.length === 0;
    rows.push({name, kind, pass, result, warnings, ourWarnings, knownWarnings, ms: Date.now() - t0});
  }
}
if (browser) await browser.close();

const line = (cells) => `| ${cells.join(' | ')} |`;
console.log(`\nbundlers: vite ${versions.vite}, webpack ${versions.webpack}, esbuild ${versions.esbuild}; ` +
    `node ${process.version}; ${execFileSync(env.TGS_CHROMIUM || '/usr/bin/chromium', ['--version'], {encoding: 'utf8'}).trim()}\n`);
console.log(line(['setup', 'install', 'result', 'warnings (ours / documented / all)', 'time']));
console.log(line(['---', '---', '---', '---', '---:']));
for (const r of rows) {
  console.log(line([r.name, r.kind, `${r.pass ? 'PASS' : 'FAIL'} ${r.result.replace(/\|/g, '/')}`,
    `${r.ourWarnings.length} / ${r.knownWarnings.length} / ${r.warnings.length}`, `${(r.ms / 1000).toFixed(1)} s`]));
}
for (const r of rows) {
  for (const w of r.warnings) {
    const whose = documented(w) ? ' (ours, documented)' : ours(w) ? ' (ours)' : '';
    console.log(`warning [${r.name}, ${r.kind}]${whose}: ${w.slice(0, 400)}`);
  }
}
const failed = rows.filter((r) => !r.pass);
if (failed.length || rows.length === 0) {
  console.error(`\n${failed.length} of ${rows.length} setups failed`);
  process.exit(1);
}
console.log(`\nall ${rows.length} setups pass`);
