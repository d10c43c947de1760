// Browser scenarios both drivers run against real storage: browser_test.mjs
// (Chromium, playwright-core over the DevTools protocol) and
// firefox_test.mjs (Firefox ESR, puppeteer-core over WebDriver BiDi). Each
// page loads the npm package from 127.0.0.1 (tests/browser/index.html) and
// exposes window.T = {tgs, scenario}.
//
// The driver gives: openPage(module?) -> page, run(page, fn, arg) (fn runs in
// the page as fn(T, arg)), reload(page), restart() (a new browser process on
// the same profile) and tmp (a folder); closePage(page) defaults to
// page.close(). The native programs and tests/vectors come from the
// environment browser_runner.sh sets: TGS_NATIVE_TOOL (BinaryFileBackend),
// TGS_NATIVE_SQLITE_TOOL (SQLite session files), TGS_RUNFILES_VECTORS.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

export function browserCases(test, driver) {
  const d = {
    closePage: (page) => page.close(),
    nativeTool: process.env.TGS_NATIVE_TOOL,
    nativeSqliteTool: process.env.TGS_NATIVE_SQLITE_TOOL,
    vectors: process.env.TGS_RUNFILES_VECTORS,
    ...driver,
  };
  test('IndexedDbBackend and LocalStorageBackend pass the conformance scenario (real storage)', async () => {
    const page = await d.openPage();
    await d.run(page, async ({tgs, scenario}) => {
      await scenario.conformance(tgs, () => tgs.IndexedDbBackend.open('conformance-idb'));
      await scenario.conformance(tgs, () => tgs.LocalStorageBackend.open('conformance-ls'));
    });
    await d.closePage(page);
  });

  test('the single-file module works in the page too', async () => {
    const page = await d.openPage('tgsession.single.mjs');
    const text = await d.run(page, async ({tgs, scenario}) => {
      const s = await scenario.richSession(tgs);
      const back = await tgs.Session.fromString(s.toNativeString());
      const ok = back.equals(s);
      s.free();
      back.free();
      return ok;
    });
    assert.equal(text, true);
    await d.closePage(page);
  });

  test('a Telethon .session file in the page: the SQLite module loads, exports match native bytes', async () => {
    const file = path.join(d.vectors, 'interop/telethon_1.25.1_dc2_v4_full.session');
    const out = mkdtempSync(path.join(d.tmp, 'sqlite-'));
    execFileSync(d.nativeSqliteTool, [file, '1700000000', '0', out]);
    for (const module of ['tgsession.mjs', 'tgsession.single.mjs']) {
      const page = await d.openPage(module);
      const got = await d.run(page, async ({tgs}, bytes) => {
        const before = (await tgs.formats()).read.includes('telethon-sqlite');
        const s = await tgs.Session.load(new Uint8Array(bytes));
        const r = {before, format: s.info.format, after: (await tgs.formats()).write.includes('pyrogram-sqlite')};
        for (const f of ['telethon-sqlite', 'pyrogram-sqlite', 'ferogram-sqlite']) {
          r[f] = Array.from(s.export(f, {now: 1700000000}));
        }
        s.free();
        return r;
      }, Array.from(readFileSync(file)));
      assert.equal(got.before, false, module);
      assert.equal(got.format, 'telethon-sqlite', module);
      assert.equal(got.after, true, module);
      for (const f of ['telethon-sqlite', 'pyrogram-sqlite', 'ferogram-sqlite']) {
        assert.ok(Buffer.from(got[f]).equals(readFileSync(path.join(out, f))), `${module}: ${f} differs from native`);
      }
      await d.closePage(page);
    }
  });

  test('two tabs: the Web Lock refuses a second backend; without locks the version check does', async () => {
    const a = await d.openPage();
    const b = await d.openPage();
    for (const kind of ['IndexedDbBackend', 'LocalStorageBackend']) {
      await d.run(a, async ({tgs}, k) => { window.held = await tgs[k].open('tabs'); }, kind);
      const err = await d.run(b, async ({tgs}, k) => {
        try {
          await tgs[k].open('tabs');
          return 'opened';
        } catch (e) {
          return `${e.codeName}: ${e.message}`;
        }
      }, kind);
      assert.match(err, /^FAILED_PRECONDITION: .*another tab/, kind);
      await d.run(a, async () => { await window.held.close(); });
      // Released: the other tab gets it now.
      await d.run(b, async ({tgs}, k) => { await (await tgs[k].open('tabs')).close(); }, kind);
    }
    // A tab that closes (or crashes) releases its lock too.
    await d.run(a, async ({tgs}) => { window.held = await tgs.IndexedDbBackend.open('tabs2'); });
    await d.closePage(a);
    await d.run(b, async ({tgs}) => { await (await tgs.IndexedDbBackend.open('tabs2', {lock: 'wait'})).close(); });
    // Both tabs without locks: stale writes are refused (ABORTED).
    const c = await d.openPage();
    await d.run(b, async ({tgs, scenario}) => {
      await scenario.twoWriters(tgs, () => tgs.IndexedDbBackend.open('nolock', {lock: false}),
          () => tgs.IndexedDbBackend.open('nolock', {lock: false}));
    });
    await d.run(b, async ({tgs}) => {
      window.tabB = await tgs.IndexedDbBackend.open('cross', {lock: false});
      const s = await tgs.Session.create();
      await window.tabB.save(s);
      s.free();
    });
    await d.run(c, async ({tgs}) => {
      window.tabC = await tgs.IndexedDbBackend.open('cross', {lock: false});
      await window.tabC.cachePeer({id: 7n});
    });
    const stale = await d.run(b, async () => {
      try {
        await window.tabB.cachePeer({id: 8n});
        return 'written';
      } catch (e) {
        return e.codeName;
      }
    });
    assert.equal(stale, 'ABORTED', 'a tab that did not see the other tab\'s write is refused');
    await d.closePage(b);
    await d.closePage(c);
  });

  test('localStorage quota: RESOURCE_EXHAUSTED, the previous value stays', async () => {
    const page = await d.openPage();
    const r = await d.run(page, async ({tgs, scenario}) => {
      localStorage.clear();
      const b = await tgs.LocalStorageBackend.open('quota');
      const s = await scenario.richSession(tgs);
      await b.save(s);
      const before = localStorage.getItem('tgsession:quota');
      // Fill the origin's localStorage to the brim.
      let chunk = 'x'.repeat(1 << 20);
      let i = 0;
      while (chunk.length > 16) {
        try {
          localStorage.setItem(`filler${i++}`, chunk);
        } catch (e) {
          chunk = chunk.slice(0, chunk.length >> 1);
        }
      }
      const big = s.clone();
      for (let k = 0; k < 20000; k++) big.cachePeer({id: BigInt(k)});
      const out = {save: await scenario.saveOutcome(b, big)};
      out.sameValue = localStorage.getItem('tgsession:quota') === before;
      const got = await b.load();
      out.intact = got.equals(s);
      for (const x of [got, big, s]) x.free();
      await b.close();
      localStorage.clear();
      return out;
    });
    assert.match(r.save, /^RESOURCE_EXHAUSTED: .*QuotaExceededError/);
    assert.equal(r.sameValue, true);
    assert.equal(r.intact, true);
    await d.closePage(page);
  });

  test('byte identity with the native BinaryFileBackend, through IndexedDB and a browser restart', async () => {
    const nativeFile = path.join(d.tmp, 'native.session');
    execFileSync(d.nativeTool, ['write', nativeFile]);
    const nativeBytes = readFileSync(nativeFile);
    const page = await d.openPage();
    const r = await d.run(page, async ({tgs, scenario}, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const s = await tgs.Session.fromBytes(bytes);
      const same = scenario.bytesEqual(s.toBytes(), bytes);
      const b = await tgs.IndexedDbBackend.open('native');
      await b.save(s);
      // Granular changes in the browser (journal records), checked natively below.
      await b.cachePeer({id: 31337n, accessHash: -31337n, type: 'user'});
      await b.applyUpdateState({kind: 'channel', channelId: 1234567890123n, pts: 50});
      await b.close();
      const js = await scenario.richSession(tgs);
      const out = {same, fromJs: btoa(String.fromCharCode(...js.toBytes()))};
      s.free();
      js.free();
      localStorage.setItem('persist-check', 'yes');
      return out;
    }, nativeBytes.toString('base64'));
    assert.equal(r.same, true, 'native bytes re-export byte-identically in the browser');
    await d.closePage(page);

    // Browser -> native: bytes written by the JS API re-save natively byte for byte.
    const jsFile = path.join(d.tmp, 'from-js.session');
    writeFileSync(jsFile, Buffer.from(r.fromJs, 'base64'));
    execFileSync(d.nativeTool, ['resave', jsFile, path.join(d.tmp, 'resaved-js.session')]);
    assert.deepEqual(readFileSync(path.join(d.tmp, 'resaved-js.session')), readFileSync(jsFile));

    // A new browser process on the same profile reads what the last one saved.
    await d.restart();
    const page2 = await d.openPage();
    const after = await d.run(page2, async ({tgs}) => {
      const b = await tgs.IndexedDbBackend.open('native');
      const s = await b.load();
      const out = {bytes: btoa(String.fromCharCode(...s.toBytes())), peer: String(s.findPeer(31337n)?.accessHash),
        ls: localStorage.getItem('persist-check')};
      s.free();
      await b.close();
      return out;
    });
    assert.equal(after.peer, '-31337');
    assert.equal(after.ls, 'yes');
    const afterFile = path.join(d.tmp, 'after-restart.session');
    writeFileSync(afterFile, Buffer.from(after.bytes, 'base64'));
    execFileSync(d.nativeTool, ['resave', afterFile, path.join(d.tmp, 'resaved-after.session')]);
    assert.deepEqual(readFileSync(path.join(d.tmp, 'resaved-after.session')), readFileSync(afterFile));
    await d.closePage(page2);
  });

  test('reload persistence: a new page load reads what the last one saved', async () => {
    const page = await d.openPage();
    const want = await d.run(page, async ({tgs, scenario}) => {
      const s = await scenario.richSession(tgs);
      const idb = await tgs.IndexedDbBackend.open('reload');
      await idb.save(s);
      await idb.cachePeer({id: 99n, accessHash: 98n});
      await idb.setHomeDc(4);
      await idb.close();
      const ls = await tgs.LocalStorageBackend.open('reload');
      await ls.save(s);
      await ls.cachePeer({id: 99n, accessHash: 98n});
      await ls.close();
      s.cachePeer({id: 99n, accessHash: 98n});
      const bytes = btoa(String.fromCharCode(...s.toBytes()));
      s.setHomeDc(4);
      const out = {idb: btoa(String.fromCharCode(...s.toBytes())), ls: bytes};
      s.free();
      return out;
    });
    await d.reload(page);
    const got = await d.run(page, async ({tgs}) => {
      const idb = await tgs.IndexedDbBackend.open('reload');
      const a = await idb.load();
      const ls = await tgs.LocalStorageBackend.open('reload');
      const b = await ls.load();
      const out = {idb: btoa(String.fromCharCode(...a.toBytes())), ls: btoa(String.fromCharCode(...b.toBytes()))};
      a.free();
      b.free();
      await idb.close();
      await ls.close();
      return out;
    });
    assert.deepEqual(got, want);
    await d.closePage(page);
  });
}
