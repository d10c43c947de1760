// Headless Firefox ESR (/usr/bin/firefox-esr, driven by puppeteer-core over
// WebDriver BiDi): the scenarios of browser_cases.mjs, an IndexedDB quota
// (Firefox sets it per profile, through a preference) and a browser killed in
// the middle of a save (WebDriver BiDi cannot crash only a content process).
// Run by run_firefox_test.sh (bazel test --config=wasm //wasm:firefox_test).
import puppeteer from 'puppeteer-core';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {browserCases} from './browser_cases.mjs';
import {serve} from './serve.mjs';

const env = process.env;
const tmp = mkdtempSync('/tmp/tgs-firefox-');

// The IndexedDB test fills this much; every other test stays far below it.
const TEMPORARY_STORAGE_LIMIT_KB = 50 * 1024;
const PREFS = {
  'dom.quotaManager.temporaryStorage.fixedLimit': TEMPORARY_STORAGE_LIMIT_KB,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
};

let server;
let origin;
let browser;

async function launch(profile = path.join(tmp, 'profile')) {
  for (const d of ['home', 'cache']) mkdirSync(path.join(tmp, d), {recursive: true});
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: env.TGS_FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: PREFS,
    env: {...env, HOME: path.join(tmp, 'home'), XDG_CACHE_HOME: path.join(tmp, 'cache'), TMPDIR: tmp},
    protocolTimeout: 120000,
  });
}

async function openPage(module = 'tgsession.mjs', b = browser) {
  const page = await b.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}tests/browser/index.html?module=${module}`);
  await page.waitForFunction(() => window.T !== undefined, {timeout: 60000});
  return page;
}

// Runs fn(T, arg) in the page. WebDriver BiDi hands back a thrown error
// without its message, so the page sends it as a value.
async function run(page, fn, arg) {
  const r = await page.evaluate(async (src, a) => {
    const f = new Function('T', 'arg', `return (${src})(T, arg);`);
    try {
      return {value: await f(window.T, a)};
    } catch (e) {
      return {error: `${e.codeName || e.name}: ${e.message}`};
    }
  }, fn.toString(), arg);
  if ('error' in r) throw new Error(r.error);
  return r.value;
}

before(async () => {
  ({server, url: origin} = await serve({pkg: env.TGS_PKG_DIR, tests: env.TGS_TESTS_DIR, example: env.TGS_EXAMPLE_DIR}));
  browser = await launch();
  console.log(`browser: ${await browser.version()}`);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  rmSync(tmp, {recursive: true, force: true});
});

browserCases(test, {
  openPage,
  run,
  async reload(page) {
    await page.reload();
    await page.waitForFunction(() => window.T !== undefined, {timeout: 60000});
  },
  async restart() {
    await browser.close();
    browser = await launch();
  },
  tmp,
});

test('IndexedDB quota: RESOURCE_EXHAUSTED, the previous session stays', async () => {
  const page = await openPage();
  // A snapshot of about 20 MB: twice the origin's share of the limit (10 MiB).
  const r = await run(page, ({tgs, scenario}, peers) => scenario.overQuota(tgs, peers), 1200000);
  assert.match(r.save, /^RESOURCE_EXHAUSTED: .*QuotaExceededError/);
  assert.equal(r.intact, true);
  assert.equal(r.peers, 8);
  await page.close();
});

test('a browser killed during a save leaves the old or the new session, never a mix', async () => {
  const profile = path.join(tmp, 'crash-profile');
  const seen = [];
  for (let round = 0; round < 3; round++) {
    let victim = await launch(profile);
    const page = await openPage('tgsession.mjs', victim);
    await run(page, ({tgs, scenario}) => scenario.crashSaveStart(tgs));
    await new Promise((r) => setTimeout(r, [0, 30, 150][round]));
    const exited = new Promise((r) => victim.process().once('exit', r));
    victim.process().kill('SIGKILL');
    await exited;
    // puppeteer restores the profile's prefs files asynchronously once the
    // process is gone; launching before it is done races with it.
    for (let i = 0; i < 100 && readdirSync(profile).some((f) => f.endsWith('.puppeteer')); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    victim = await launch(profile);
    const check = await openPage('tgsession.mjs', victim);
    const r = await run(check, ({tgs, scenario}) => scenario.crashSaveFound(tgs));
    await victim.close();
    assert.ok(r === 'old' || r === 'new', `round ${round}: ${r}`);
    seen.push(r);
  }
  console.log(`sessions found after each kill: ${seen.join(', ')}`);
});
