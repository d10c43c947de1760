// GramJS (npm `telegram`) with tgsession/gramjs in headless Chromium: real
// IndexedDB and Web Locks. GramJS's own TelegramClient code starts the
// session, stores keys, caches entities and switches DCs (to the host names
// it uses in browsers); a second tab is refused with a clear error; a reload
// finds everything. Run by run_gramjs_browser_test.sh.
import {chromium} from 'playwright-core';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {serve} from '../serve.mjs';

const tmp = mkdtempSync('/tmp/tgs-gramjs-');
let server;
let origin;
let context;

before(async () => {
  ({server, url: origin} = await serve({app: process.env.TGS_APP_DIR}));
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.TGS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
    env: {...process.env, HOME: tmp, TMPDIR: tmp},
  });
});

after(async () => {
  if (context) await context.close();
  if (server) server.close();
  rmSync(tmp, {recursive: true, force: true});
});

async function openTab() {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}app/index.html`);
  await page.waitForFunction(() => window.gramjsReady === true, null, {timeout: 60000});
  return page;
}

test('a GramJS client keeps its session in IndexedDB; a second tab is refused; a reload finds it all', async () => {
  const a = await openTab();
  const first = await a.evaluate(() => window.G.firstRun('acct'));
  assert.deepEqual(first.initial, {dcId: 4, serverAddress: 'vesta.web.telegram.org'}, 'GramJS\'s browser default');
  assert.equal(first.peerHash, '-8000000000000000001');
  assert.equal(first.dcId, 2);
  assert.equal(first.serverAddress, 'venus.web.telegram.org');
  assert.equal(first.keyOf4, first.want, 'the key of the DC GramJS left is kept');

  const b = await openTab();
  const refused = await b.evaluate(() => window.G.loadError('acct'));
  assert.match(refused, /^FAILED_PRECONDITION: .*another tab.*AUTH_KEY_DUPLICATED/);

  await a.evaluate(() => window.G.closeFirst());
  await a.reload();
  await a.waitForFunction(() => window.gramjsReady === true, null, {timeout: 60000});
  const second = await a.evaluate(() => window.G.secondRun('acct'));
  const {exported, ...stored} = second;
  assert.deepEqual(stored, {dcId: 2, serverAddress: 'venus.web.telegram.org', port: 443, keyOf4: first.want,
    peerHash: '-8000000000000000001'});
  assert.deepEqual(exported, {dcId: 2, serverAddress: 'venus.web.telegram.org', port: 443, key: exported.want,
    want: exported.want}, 'GramJS\'s StringSession reads toStringSession()');
  // secondRun deleted it (GramJS's log out): nothing is left for the other tab.
  assert.equal(await b.evaluate(() => window.G.loadError('acct')), 'loaded');
  await a.close();
  await b.close();
});
