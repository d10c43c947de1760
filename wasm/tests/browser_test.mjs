// Headless Chromium (/usr/bin/chromium, driven by playwright-core over the
// DevTools protocol): the scenarios of browser_cases.mjs, and what needs the
// DevTools protocol: an IndexedDB quota set per origin, a renderer crash in
// the middle of a save, and the example page with its screenshot.
// Run by run_chromium_test.sh (bazel test --config=wasm //wasm:chromium_test).
import {chromium} from 'playwright-core';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {browserCases} from './browser_cases.mjs';
import {serve} from './serve.mjs';

const env = process.env;
// Short: Chromium's singleton socket path must fit in a sockaddr_un (108 bytes),
// and Bazel's TEST_TMPDIR is longer than that.
const tmp = mkdtempSync('/tmp/tgs-chromium-');
const outputs = env.TEST_UNDECLARED_OUTPUTS_DIR || tmp;
const profile = path.join(tmp, 'profile');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

let server;
let origin;
let context;

async function launch() {
  for (const d of ['home', 'config', 'cache', 'data']) mkdirSync(path.join(tmp, d), {recursive: true});
  return chromium.launchPersistentContext(profile, {
    executablePath: env.TGS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    env: {...env, HOME: path.join(tmp, 'home'), XDG_CONFIG_HOME: path.join(tmp, 'config'),
      XDG_CACHE_HOME: path.join(tmp, 'cache'), XDG_DATA_HOME: path.join(tmp, 'data'), TMPDIR: tmp},
    viewport: {width: 1100, height: 900},
  });
}

async function openPage(module = 'tgsession.mjs') {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}tests/browser/index.html?module=${module}`);
  await page.waitForFunction(() => window.T !== undefined, null, {timeout: 60000});
  return page;
}

// Runs fn(T, arg) in the page; T = {tgs, scenario}. Errors come back as
// thrown Errors with the page's message.
function run(page, fn, arg) {
  return page.evaluate(async ([src, a]) => {
    const f = new Function('T', 'arg', `return (${src})(T, arg);`);
    return f(window.T, a);
  }, [fn.toString(), arg]);
}

before(async () => {
  ({server, url: origin} = await serve({pkg: env.TGS_PKG_DIR, tests: env.TGS_TESTS_DIR, example: env.TGS_EXAMPLE_DIR}));
  context = await launch();
});

after(async () => {
  if (context) await context.close();
  if (server) server.close();
  rmSync(tmp, {recursive: true, force: true});
});

browserCases(test, {
  openPage,
  run,
  async reload(page) {
    await page.reload();
    await page.waitForFunction(() => window.T !== undefined);
  },
  async restart() {
    await context.close();
    context = await launch();
  },
  tmp,
});

test('IndexedDB quota: RESOURCE_EXHAUSTED, the previous session stays', async () => {
  // A fresh origin (localhost instead of 127.0.0.1): Chromium applies a quota
  // override to an origin's IndexedDB only if set before its first use.
  const local = origin.replace('127.0.0.1', 'localhost');
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', {origin: local.replace(/\/$/, ''), quotaSize: 512 * 1024});
  await page.goto(`${local}tests/browser/index.html`);
  await page.waitForFunction(() => window.T !== undefined, null, {timeout: 60000});
  const r = await run(page, ({tgs, scenario}, peers) => scenario.overQuota(tgs, peers), 200000);
  await cdp.send('Storage.overrideQuotaForOrigin', {origin: local.replace(/\/$/, '')});
  assert.match(r.save, /^RESOURCE_EXHAUSTED: .*QuotaExceededError/);
  assert.equal(r.intact, true);
  assert.equal(r.peers, 8);
  await page.close();
});

test('a renderer crash during a save leaves the old or the new session, never a mix', async () => {
  const seen = [];
  for (let round = 0; round < 3; round++) {
    const page = await openPage();
    await run(page, ({tgs, scenario}) => scenario.crashSaveStart(tgs));
    await new Promise((r) => setTimeout(r, [0, 30, 150][round]));
    const cdp = await context.newCDPSession(page);
    await Promise.race([cdp.send('Page.crash').catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.race([page.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    const check = await openPage();
    const r = await run(check, ({tgs, scenario}) => scenario.crashSaveFound(tgs));
    assert.ok(r === 'old' || r === 'new', `round ${round}: ${r}`);
    seen.push(r);
    await check.close();
  }
  console.log(`sessions found after each crash: ${seen.join(', ')}`);
});

test('example page: open, convert (revealed only on request), copy, download, store, list, delete, a .session file; screenshots', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: origin.replace(/\/$/, '')});
  const page = await context.newPage();
  await page.goto(`${origin}example/index.html`);
  await page.waitForFunction(() => window.exampleReady === true, null, {timeout: 60000});
  const shoot = async (name) => {
    const file = path.join(outputs, name);
    const png = await page.screenshot({path: file, fullPage: true});
    assert.ok(png.length > 20000, `${name} is only ${png.length} bytes`);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);  // "PNG"
    console.log(`screenshot: ${file}`);
  };
  // A session with keys, made by the page's own module, and what the library
  // itself converts it to.
  const made = await page.evaluate(async () => {
    const tgs = await import('/pkg/tgsession.mjs');
    const s = await tgs.Session.create({defaults: true});
    const key = new Uint8Array(256).map((_, i) => (i * 13 + 7) & 0xff);
    s.setAuthKey(2, key);
    s.applyUpdateState({kind: 'primary', pts: 4242, date: 1700000000, seq: 17});
    s.cachePeer({id: 777000n, accessHash: 6942069420n, type: 'user'});
    s.cachePeer({id: 1001n, accessHash: -77n, type: 'channel', channelKind: 'Megagroup'});
    s.cachePeer({id: 1005n, type: 'chat'});
    const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const text = s.convert('telethon-string').data;
    const opened = await tgs.Session.load(text);  // what the page will hold
    opened.setExtras({userId: 123456789n, isBot: false});
    const out = {text, keyHex: hex(key.slice(0, 16)), binary: btoa(String.fromCharCode(...opened.toBytes())),
      pyrogram: opened.convert('pyrogram-string').data};
    s.free();
    opened.free();
    return out;
  });

  // Open a Telethon string (detected); keys redacted, the string cleared.
  await page.fill('#input', made.text);
  await page.click('#open');
  await page.waitForSelector('#result:not([hidden])');
  const shown = await page.textContent('#result');
  assert.match(shown, /telethon-string/);
  assert.match(shown, /present \(redacted\)/);
  assert.match(shown, /149\.154\.167\.51:443/);
  assert.ok(!shown.includes(made.keyHex), 'no key bytes on the page');
  assert.equal(await page.inputValue('#input'), '', 'the pasted string is cleared');
  await shoot('example_open.png');

  // Convert: hidden until Reveal; Copy puts exactly the library's string on the clipboard.
  await page.selectOption('#target', 'pyrogram-string');
  await page.click('#run-convert');
  // A Telethon string has no user id: the message says how to give it, in this page's terms too.
  await page.waitForFunction(() => /setExtras\(\{userId\}\)/.test(document.getElementById('status').textContent));
  await page.fill('#user-id', '123456789');
  await page.selectOption('#is-bot', 'no');
  await page.click('#run-convert');
  await page.waitForSelector('#output:not([hidden])');
  assert.match(await page.textContent('#secret'), /pyrogram-string string, hidden/);
  assert.ok(!(await page.content()).includes(made.pyrogram.slice(0, 40)), 'the converted string is not on the page');
  assert.match(await page.textContent('#summary'), /\S/);
  await shoot('example_convert.png');
  await page.click('#copy');
  await page.waitForFunction(() => /Copied/.test(document.getElementById('status').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), made.pyrogram);
  await page.click('#reveal');
  assert.equal(await page.inputValue('#revealed'), made.pyrogram);

  // Download the binary form: the same bytes the library writes.
  await page.selectOption('#target', 'ferogram-binary');
  await page.click('#run-convert');
  assert.equal(await page.isDisabled('#reveal'), true, 'binary output is downloaded, not revealed');
  assert.equal(await page.isHidden('#revealed'), true, 'the earlier revealed string is gone');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'session.bin');
  assert.deepEqual(readFileSync(await download.path()), Buffer.from(made.binary, 'base64'));

  // Store in both backends, list after a reload, load, delete.
  await page.fill('#name', 'shot');
  await page.click('#save');
  await page.waitForFunction(() => /Saved to IndexedDB as "shot"/.test(document.getElementById('status').textContent));
  await page.selectOption('#store', 'localstorage');
  await page.fill('#name', 'shot-ls');
  await page.click('#save');
  await page.waitForFunction(() => /Saved to localStorage as "shot-ls"/.test(document.getElementById('status').textContent));
  await page.reload();
  await page.waitForFunction(() => window.exampleReady === true);
  await page.waitForSelector('tr[data-session="indexeddb/shot"]');
  await page.waitForSelector('tr[data-session="localstorage/shot-ls"]');
  await shoot('example_stored.png');
  await page.click('tr[data-session="indexeddb/shot"] button:text("Load")');
  await page.waitForFunction(() => /Loaded "shot" from IndexedDB/.test(document.getElementById('status').textContent));
  // The backends keep the session, not other libraries' extras (README, "Other libraries' sessions").
  assert.match(await page.textContent('#stats'), /home DC2.*auth keys1.*user idunknown/);
  assert.match(await page.textContent('#dcs'), /present \(redacted\)/);
  await page.click('tr[data-session="localstorage/shot-ls"] button:text("Delete")');
  await page.waitForFunction(() => !document.querySelector('tr[data-session="localstorage/shot-ls"]'));

  // A Telethon .session file dropped on the page: the SQLite module loads,
  // and a conversion to another SQLite format downloads the library's bytes.
  const telethonFile = path.join(env.TGS_RUNFILES_VECTORS, 'interop/telethon_1.25.1_dc2_v4_full.session');
  const drop = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'telethon.session'));
    return dt;
  }, readFileSync(telethonFile).toString('base64'));
  await page.dispatchEvent('#drop', 'drop', {dataTransfer: drop});
  await page.waitForFunction(() => /Opened telethon\.session: telethon-sqlite/.test(document.getElementById('status').textContent));
  assert.match(await page.textContent('#result'), /telethon-sqlite/);
  await shoot('example_session_file.png');
  await page.selectOption('#target', 'pyrogram-sqlite');
  await page.click('#run-convert');
  await page.waitForSelector('#output:not([hidden])');
  assert.match(await page.textContent('#secret'), /byte pyrogram-sqlite file/);
  const [pyroDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(pyroDownload.suggestedFilename(), 'pyrogram.session');
  const pyro = readFileSync(await pyroDownload.path());
  assert.equal(pyro.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
  const readBack = await page.evaluate(async (b64) => {
    const tgs = await import('/pkg/tgsession.mjs');
    const s = await tgs.Session.load(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const r = [s.info.format, s.homeDcId, s.peers().length];
    s.free();
    return r;
  }, pyro.toString('base64'));
  assert.deepEqual(readBack, ['pyrogram-sqlite', 2, 5]);

  // An error replaces the previous result.
  await page.fill('#input', 'hello world');
  await page.click('#open');
  await page.waitForFunction(() => /not a session in any known format/.test(document.getElementById('status').textContent));
  assert.equal(await page.isHidden('#result'), true, 'the previous session is no longer shown');
  assert.equal(await page.isHidden('#convert'), true);
  await shoot('example_error.png');
  await page.click('tr[data-session="indexeddb/shot"] button:text("Delete")');
  await page.waitForFunction(() => !document.querySelector('tr[data-session="indexeddb/shot"]'));
  await page.close();
});
