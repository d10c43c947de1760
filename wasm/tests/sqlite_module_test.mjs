// The optional SQLite module against the native build, byte for byte: every
// real SQLite session file in tests/vectors (Telethon and Pyrogram .session
// files, ferogram's SQLite databases) is read by the package's JavaScript API
// (which loads tgsession_sqlite on first use) and by native_sqlite_tool, and
// exported to each SQLite format by both with the same clock; the bytes (or
// the error code) must be equal. Also the loading contract: convert() to an
// SQLite format before the module is loaded, an unfetchable module, and an
// SQLite file that holds no session.
//
// TGS_MODULE: the entry point under test; TGS_NATIVE_TOOL: the native
// program; TGS_RUNFILES_VECTORS: tests/vectors.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, existsSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {pathToFileURL} from 'node:url';

const tgs = await import(pathToFileURL(process.env.TGS_MODULE).href);
const vectors = process.env.TGS_RUNFILES_VECTORS;
const NOW = 1700000000;
const FORMATS = ['telethon-sqlite', 'pyrogram-sqlite', 'ferogram-sqlite'];

function samples() {
  const out = [];
  for (const dir of ['interop', 'ferogram/sqlite']) {
    for (const f of readdirSync(join(vectors, dir)).sort()) {
      if (f.endsWith('.session') || f.endsWith('.db')) out.push(join(dir, f));
    }
  }
  return out;
}

function native(file, userId) {
  const dir = mkdtempSync(join(tmpdir(), 'tgs-sqlite-'));
  try {
    execFileSync(process.env.TGS_NATIVE_TOOL, [join(vectors, file), String(NOW), String(userId), dir]);
    const r = {format: readFileSync(join(dir, 'read.format'), 'utf8')};
    for (const f of FORMATS) {
      r[f] = existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : {error: readFileSync(join(dir, f + '.error'), 'utf8')};
    }
    return r;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

test('an SQLite format before the module is loaded: FAILED_PRECONDITION naming loadSqliteSupport()', async () => {
  const s = await tgs.Session.create({defaults: true});
  assert.throws(() => s.convert('telethon-sqlite'),
      (e) => e.codeName === 'FAILED_PRECONDITION' && /await loadSqliteSupport\(\)/.test(e.message));
  s.free();
});

test('an unfetchable SQLite module: UNAVAILABLE naming the URL, and a later call can succeed', async (t) => {
  if (/single/.test(process.env.TGS_MODULE)) {
    t.skip('the single-file entry inlines the module: there is no URL');
    return;
  }
  const url = pathToFileURL(join(tmpdir(), 'no-such-dir', 'tgsession_sqlite.wasm')).href;
  await assert.rejects(tgs.loadSqliteSupport({wasmUrl: url}),
      (e) => e.codeName === 'UNAVAILABLE' && e.message.includes(url) && e.message.includes('loadSqliteSupport'));
  await tgs.loadSqliteSupport();
});

test('every SQLite sample: the same bytes as the native build', async () => {
  const files = samples();
  assert.ok(files.length >= 6, `only ${files.length} SQLite samples in ${vectors}`);
  let compared = 0;
  for (const file of files) for (const userId of [0, 5000000123]) {
    const want = native(file, userId);
    const s = await tgs.Session.load(readFileSync(join(vectors, file)));
    assert.equal(s.info.format, want.format, file);
    const opts = userId ? {now: NOW, userId} : {now: NOW};
    for (const f of FORMATS) {
      if (want[f].error) {
        assert.throws(() => s.convert(f, opts), (e) => e.codeName === want[f].error, `${file} -> ${f}`);
        continue;
      }
      compared++;
      const got = s.export(f, opts);
      assert.ok(got instanceof Uint8Array, `${file} -> ${f}`);
      assert.ok(Buffer.from(got).equals(want[f]), `${file} -> ${f}: ${got.length} bytes differ from native ${want[f].length}`);
      // And back: the export reads as the format it was written in.
      const again = await tgs.Session.load(got);
      assert.equal(again.info.format, f, `${file} -> ${f} read back`);
      again.free();
    }
    s.free();
  }
  // 7 samples, 3 formats, with and without a user id: the Pyrogram exports
  // of files without one (and Telethon's of an empty one) fail natively too.
  assert.ok(compared >= 35, `only ${compared} exports compared`);
  assert.equal(await tgs.liveSessions(), 0);
});

test('format named, not detected; and an SQLite file without a session', async () => {
  const bytes = readFileSync(join(vectors, 'interop/pyrogram_2.0.106_dc2_full.session'));
  const s = await tgs.Session.load(bytes, {format: 'pyrogram-sqlite'});
  assert.equal(s.info.format, 'pyrogram-sqlite');
  s.free();
  await assert.rejects(tgs.Session.load(bytes, {format: 'telethon-sqlite'}), (e) => e.codeName !== 'OK' && e instanceof tgs.TgsError);
  // A database of another kind: the ferogram-sqlite export with its tables renamed is
  // still "SQLite format 3", but not a session.
  const foreign = Buffer.from(bytes);
  for (const [from, to] of [['sessions', 'sessionz'], ['version', 'versiom']]) {
    let i;
    while ((i = foreign.indexOf(from)) >= 0) foreign.write(to, i);
  }
  await assert.rejects(tgs.Session.load(foreign),
      (e) => e.codeName === 'INVALID_ARGUMENT' && /not a session file tgsession knows/.test(e.message));
  // Not a database at all past the magic.
  const junk = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 0x41)]);
  await assert.rejects(tgs.Session.load(junk), (e) => e instanceof tgs.TgsError && e.codeName !== 'OK');
  assert.equal(await tgs.liveSessions(), 0);
});
