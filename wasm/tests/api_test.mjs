// Node tests of the JavaScript API and the browser backends (fake-indexeddb,
// an in-memory Storage). Run by run_node_test.sh under
// `bazel test --config=wasm //wasm:js_api_test` (TGS_MODULE names the module
// file: tgsession.node.mjs, tgsession.node.cjs or tgsession.single.mjs).
import 'fake-indexeddb/auto';
import {IDBFactory, IDBKeyRange as FakeIDBKeyRange} from 'fake-indexeddb';
import assert from 'node:assert/strict';
import {readFileSync, readdirSync, existsSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {pathToFileURL} from 'node:url';

import {bytesEqual, conformance, patternKey, rejects, richSession, twoWriters} from './scenario.mjs';

const tgs = await import(pathToFileURL(process.env.TGS_MODULE).href);
const {Session, TgsError, StatusCode, IndexedDbBackend, LocalStorageBackend} = tgs;

function vectorsDir() {
  for (const d of [process.env.TGS_VECTORS_DIR, process.env.TGS_RUNFILES_VECTORS]) {
    if (d && existsSync(path.join(d, 'ferogram/binary'))) return d;
  }
  throw new Error('no vectors directory');
}

// localStorage stand-in with a quota, throwing what browsers throw.
class MemoryStorage {
  constructor(quotaChars = Infinity) { this.m = new Map(); this.quota = quotaChars; }
  get length() { return this.m.size; }
  key(i) { return [...this.m.keys()][i] ?? null; }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) {
    v = String(v);
    let used = 0;
    for (const [kk, vv] of this.m) if (kk !== k) used += kk.length + vv.length;
    if (used + k.length + v.length > this.quota) {
      throw new DOMException(`Setting the value of '${k}' exceeded the quota.`, 'QuotaExceededError');
    }
    this.m.set(k, v);
  }
  removeItem(k) { this.m.delete(k); }
  clear() { this.m.clear(); }
}

let dbCounter = 0;
const freshDb = () => `db${++dbCounter}`;

// First, so that no session another test left to the garbage collector is
// freed in the middle of the count.
test('no session is leaked by the API or the backends', async () => {
  await tgs.init();
  const before = await tgs.liveSessions();
  const s = await richSession(tgs);
  const b = await IndexedDbBackend.open('leak', {indexedDB: new IDBFactory()});
  await b.save(s);
  await b.cachePeer({id: 5n});
  (await b.load()).free();
  await b.close();
  const l = await LocalStorageBackend.open('leak', {storage: new MemoryStorage()});
  await l.save(s);
  await l.cachePeer({id: 5n});
  (await l.load()).free();
  await l.close();
  s.free();
  assert.equal(await tgs.liveSessions(), before);
});

test('every ferogram vector loads and v8 re-encodes byte-identically', async () => {
  const dir = path.join(vectorsDir(), 'ferogram/binary');
  let n = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.bin')).sort()) {
    const bin = new Uint8Array(readFileSync(path.join(dir, name)));
    const text = readFileSync(path.join(dir, name.replace(/\.bin$/, '.txt')), 'utf8').trim();
    const a = await Session.fromBytes(bin);
    const b = await Session.fromString(text);
    assert.ok(a.equals(b), `${name}: bytes and native string decode to the same session`);
    assert.equal(a.info.format, 'ferogram-binary');
    assert.equal(b.info.format, 'ferogram-native');
    if (a.info.binaryVersion === 8) {
      assert.ok(bytesEqual(a.toBytes(), bin), `${name}: byte-identical`);
      assert.equal(a.toNativeString(), text, `${name}: native string identical`);
    }
    const again = await Session.fromBytes(a.toBytes());
    assert.ok(again.equals(a), `${name}: re-encoded bytes decode to the same session`);
    for (const s of [a, b, again]) s.free();
    n++;
  }
  assert.ok(n >= 30, `only ${n} vectors`);
});

test('compact strings: decode, user id, re-encode', async () => {
  const dir = path.join(vectorsDir(), 'ferogram/string_session');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const text = readFileSync(path.join(dir, name), 'utf8').trim();
    const want = JSON.parse(readFileSync(path.join(dir, name.replace(/\.txt$/, '.json')), 'utf8'));
    let s;
    try {
      s = await Session.fromString(text, {format: 'ferogram-compact'});
    } catch (e) {
      assert.ok(e instanceof TgsError, `${name}: ${e}`);
      continue;  // vectors ferogram itself rejects
    }
    assert.equal(s.info.format, 'ferogram-compact');
    assert.equal(typeof s.info.userId, 'bigint');
    if (s.info.layout.startsWith('V2,')) {
      assert.equal(s.toCompactString({userId: s.info.userId}), text, name);
    }
    assert.ok(JSON.stringify(want).length > 0);
    s.free();
  }
});

test('reading and changing a session', async () => {
  const s = await richSession(tgs);
  assert.equal(s.homeDcId, 2);
  s.homeDcId = 3;
  assert.equal(s.homeDcId, 3);
  const dcs = s.dcs();
  assert.equal(dcs.length, 3);
  assert.deepEqual(dcs[0], {dcId: 2, hasAuthKey: true, flags: 0, firstSalt: -1234567890123456789n, timeOffset: -3,
    addr: '149.154.167.51:443'});
  assert.equal(dcs[1].addr, '[2001:67c:4e8:f002::a]:443');
  assert.ok(bytesEqual(s.authKey(2), patternKey(1)));
  assert.equal(s.authKey(5), null);
  assert.equal(s.setAuthKey(2, patternKey(3)), 2);
  assert.ok(bytesEqual(s.authKey(2), patternKey(3)));
  const st = s.updatesState();
  assert.deepEqual(st, {pts: 12345, qts: -7, date: 1700000000, seq: 2147483647,
    channels: [{channelId: 1234567890123n, pts: 42}, {channelId: -1n, pts: -1}]});
  s.applyUpdateState({kind: 'channel', channelId: -1n, pts: 5});
  assert.equal(s.updatesState().channels[1].pts, 5);
  const peer = s.findPeer(777000n);
  assert.deepEqual(peer, {id: 777000n, accessHash: 9223372036854775807n, type: 'user', channelKind: null,
    isCommunity: false});
  assert.equal(s.findPeer(1), null);
  assert.equal(s.findPeer(1001).channelKind, 'Broadcast');
  assert.equal(s.peers().length, 7);
  assert.ok(s.removePeer(1001n));
  assert.ok(!s.removePeer(1001n));
  assert.deepEqual(s.minPeers()[1], {userId: 556n, peerId: -1002n, msgId: -1});
  assert.deepEqual(Array.from(s.futureAuthToken()), [0xde, 0xad, 0xbe, 0xef, 0, 1, 2]);
  s.setFutureAuthToken(null);
  assert.equal(s.futureAuthToken(), null);
  assert.deepEqual(s.stats(), {homeDcId: 3, dcsTotal: 3, dcsWithAuthKey: 3, peersTotal: 6, peersUsers: 2,
    peersChannels: 3, peersChats: 1, minPeers: 2, channelPtsEntries: 2, approxBytes: s.toBytes().length,
    updatesInitialised: true});
  assert.match(String(s), /key=<redacted>/);
  assert.doesNotMatch(String(s), /0001/);
  // v8 by default; v9 on request; round trips either way.
  assert.equal(s.toBytes()[0], 8);
  const v9 = s.toBytes({version: 'v9'});
  assert.equal(v9[0], 9);
  const back = await Session.fromBytes(v9);
  assert.ok(back.equals(s));
  assert.equal(back.info.binaryVersion, 9);
  const copy = s.clone();
  copy.cachePeer({id: 1n});
  assert.ok(!copy.equals(s));
  for (const x of [s, back, copy]) x.free();
});

test('defaults, native strings and compact export from a session', async () => {
  const s = await Session.create({defaults: true});
  assert.equal(s.homeDcId, 2);
  assert.equal(s.dcs().length, 5);
  await assert.rejects(async () => s.toCompactString(), (e) => e.codeName === 'FAILED_PRECONDITION');
  s.setAuthKey(2, patternKey(5));
  const compact = s.toCompactString({userId: 123456789n});
  const c = await Session.fromString(compact);
  assert.equal(c.info.format, 'ferogram-compact');
  assert.equal(c.info.userId, 123456789n);
  assert.ok(bytesEqual(c.authKey(2), patternKey(5)));
  const native = s.toNativeString();
  const n = await Session.load(native);
  assert.ok(n.equals(s));
  for (const x of [s, c, n]) x.free();
});

test('other libraries\' strings: detect, read, write back byte for byte, convert with a summary', async () => {
  const dir = path.join(vectorsDir(), 'interop');
  const {read, write} = await tgs.formats();
  for (const f of ['telethon-string', 'pyrogram-string', 'gramjs-string', 'mtcute-string']) {
    assert.ok(read.includes(f) && write.includes(f), f);
  }
  const sources = [
    ['telethon_samples.json', 'telethon-string', (d) => d.string_sessions],
    ['pyrogram_2.0.106_samples.json', 'pyrogram-string', (d) => d.string_sessions],
    ['pyrogram_1.4.16_samples.json', 'pyrogram-string', (d) => d.string_sessions],
    ['gramjs_samples.json', 'gramjs-string', (d) => d.string_sessions],
    ['mtcute_convert_samples.json', 'mtcute-string', (d) => d.native],
  ];
  let n = 0;
  for (const [file, format, pick] of sources) {
    for (const sample of pick(JSON.parse(readFileSync(path.join(dir, file), 'utf8')))) {
      const text = sample.output;
      if (typeof text !== 'string' || !text) continue;
      const s = await Session.fromString(text, {format});
      assert.equal(s.info.format, format, sample.id);
      // (Strings with an all-zero key read as "no key", as the libraries read them.)
      if (s.info.anomalyCount === 0 && s.stats().dcsWithAuthKey > 0) {
        assert.equal(s.export(format), text, `${sample.id}: written back byte for byte`);
        n++;
      }
      s.free();
    }
  }
  assert.ok(n >= 10, `only ${n} round trips`);
  // Detection, extras and a conversion that reports what it lacked.
  const rich = await richSession(tgs);
  rich.setExtras({userId: 123456789n, isBot: false, apiId: 12345});
  const py = rich.convert('pyrogram-string');
  assert.equal(typeof py.data, 'string');
  assert.ok(py.summary.dropped.length > 0, 'peers and update state do not fit a Pyrogram string');
  const back = await Session.load(py.data);
  assert.equal(back.info.format, 'pyrogram-string');
  assert.deepEqual(back.extras(), {userId: 123456789n, isBot: false, testMode: false, apiId: 12345, takeoutId: null});
  assert.ok(bytesEqual(back.authKey(2), patternKey(1)));
  const tele = back.export('telethon-string');
  const t = await Session.load(tele);
  assert.equal(t.info.format, 'telethon-string');
  assert.equal(t.export('telethon-string'), tele);
  // Pyrogram cannot do without the user id: FAILED_PRECONDITION, not an invented one.
  const noUser = await Session.load(tele);
  assert.throws(() => noUser.export('pyrogram-string'), (e) => e.codeName === 'FAILED_PRECONDITION');
  assert.equal(typeof noUser.export('pyrogram-string', {userId: 42n}), 'string');
  // SQLite formats go to the SQLite module, which says what the input is not.
  await rejects(Session.fromString('x', {format: 'telethon-sqlite'}), 'DATA_LOSS', 'not an SQLite database');
  assert.throws(() => rich.export('gramjs-store'), (e) => e.codeName === 'UNIMPLEMENTED');
  for (const x of [rich, back, t, noUser]) x.free();
});

// The C++ codecs word what a caller can add as the CLI's flags; JavaScript
// callers must read the JavaScript option instead (jsTerms in the API).
test('messages speak JavaScript: setExtras fields and load options, never CLI flags', async () => {
  const cliFlag = /--[a-z]/;
  const rich = await richSession(tgs);  // no extras: no user id, bot flag or api id
  assert.throws(() => rich.convert('pyrogram-string'), (e) => e.codeName === 'FAILED_PRECONDITION' &&
      /session\.setExtras\(\{userId\}\) or convert\(format, \{userId\}\)/.test(e.message) &&
      !cliFlag.test(e.message));
  const said = [];
  for (const f of (await tgs.formats()).write) {
    let r;
    try {
      r = rich.convert(f);
    } catch (e) {
      said.push(`${f}: ${e.message}`);
      continue;
    }
    for (const line of [...r.summary.missing, ...r.summary.dropped, ...r.summary.warnings]) said.push(`${f}: ${line}`);
  }
  const withUser = rich.convert('pyrogram-string', {userId: 5n}).summary;  // no api id: Pyrogram 1's layout
  said.push(...withUser.missing.map((m) => `pyrogram-string: ${m}`));
  const bad = said.filter((m) => cliFlag.test(m));
  assert.deepEqual(bad, [], 'messages naming CLI flags');
  const joined = said.join('\n');
  for (const want of ['session.setExtras({userId}) or convert(format, {userId})',
    'session.setExtras({userId, isBot})', 'session.setExtras({isBot: true | false})',
    "session.setExtras({apiId}) for Pyrogram 2's"]) {
    assert.ok(joined.includes(want), `some conversion says ${want}:\n${joined}`);
  }
  // Text that is no session: every format tried, and how to name one.
  const e = await rejects(Session.load('hello world'), 'INVALID_ARGUMENT', 'hello world');
  assert.match(e.message, /^not a session in any known format: /);
  assert.match(e.message, /tried ferogram-binary/);
  assert.ok(e.message.includes("Session.load(input, {format: 'ferogram-binary'})"), e.message);
  assert.doesNotMatch(e.message, cliFlag);
  const e2 = await rejects(Session.load('hello'), 'INVALID_ARGUMENT', 'hello');
  for (const f of ['telethon-string', 'gramjs-string', 'pyrogram-string', 'mtcute-string', 'ferogram-native',
    'ferogram-compact']) {
    assert.ok(e2.message.includes(`as ${f}: `), `"hello" was tried as ${f}: ${e2.message}`);
  }
  rich.free();
});

test('the JSON form: round trip, 64-bit values as decimal strings, keys only on request', async () => {
  const s = await richSession(tgs);
  s.setExtras({userId: 12345678901234n, isBot: false, testMode: true, apiId: 611335});
  // One field at a time: the others stay; null makes one unknown.
  s.setExtras({isBot: true});
  assert.equal(s.extras().userId, 12345678901234n);
  assert.equal(s.extras().isBot, true);
  s.setExtras({isBot: null});
  assert.equal(s.extras().isBot, null);
  assert.equal(s.extras().apiId, 611335);
  s.setExtras({isBot: false});
  // JSON.stringify works on a session (no BigInt error) and leaves secrets out.
  const plain = JSON.stringify(s);
  const j = JSON.parse(plain);
  assert.equal(j.format, 'tgsession-json');
  assert.equal(j.version, 1);
  assert.ok(!plain.includes('authKey') && !plain.includes('futureAuthToken"'), plain);
  assert.ok(!plain.includes(Buffer.from(patternKey(1)).toString('base64').slice(0, 40)));
  assert.deepEqual(j.dcs.map((d) => [d.dcId, d.addr, d.hasAuthKey]), s.dcs().map((d) => [d.dcId, d.addr, d.hasAuthKey]));
  assert.equal(j.dcs[0].firstSalt, '-1234567890123456789');
  assert.deepEqual(j.peers.find((p) => p.id === '777000'),
      {id: '777000', accessHash: '9223372036854775807', type: 'user', channelKind: null, isCommunity: false});
  assert.deepEqual(j.updatesState.channels[0], {channelId: '1234567890123', pts: 42});
  assert.deepEqual(j.extras, {userId: '12345678901234', isBot: false, testMode: true, apiId: 611335});
  assert.equal(j.hasFutureAuthToken, true);
  // With secrets: the same session back, as an object or as text.
  const full = s.toJSON({secrets: true});
  assert.equal(full.dcs.filter((d) => d.authKey).length, 2);
  for (const input of [full, JSON.stringify(full)]) {
    const back = await Session.fromJSON(input);
    assert.ok(back.equals(s), 'round trip');
    assert.deepEqual(back.extras(), s.extras());
    assert.deepEqual(back.toJSON({secrets: true}), full);
    back.free();
  }
  // Without secrets: refused, unless a keyless session is asked for.
  await rejects(Session.fromJSON(plain), 'FAILED_PRECONDITION', 'keys left out');
  const keyless = await Session.fromJSON(plain, {withoutKeys: true});
  assert.equal(keyless.authKey(2), null);
  assert.equal(keyless.futureAuthToken(), null);
  assert.deepEqual(keyless.peers(), s.peers());
  keyless.free();
  s.free();
});

test('the JSON form: hostile JSON is INVALID_ARGUMENT naming the field, and leaks nothing', async () => {
  const s = await richSession(tgs);
  const good = s.toJSON({secrets: true});
  s.free();
  const live = await tgs.liveSessions();
  const edit = (f) => { const j = structuredClone(good); f(j); return j; };
  const cases = [
    ['not json {', /^session JSON does not parse( \(at character \d+\))?$/],  // the text is not echoed
    [JSON.stringify(good).slice(0, -1), /^session JSON does not parse( \(at character \d+\))?$/],
    ['42', /session JSON must be an object/],
    [[], /session JSON must be an object/],
    [edit((j) => { j.format = 'ferogram'; }), /format must be "tgsession-json", got "ferogram"/],
    [edit((j) => { j.version = 2; }), /version must be 1, got 2/],
    [edit((j) => { j.hello = 1; }), /unknown field "hello"/],
    ['{"__proto__": {}, "format": "tgsession-json", "version": 1}', /unknown field "__proto__"/],
    [edit((j) => { j.dcs = {}; }), /dcs must be an array/],
    [edit((j) => { j.dcs[0].firstSalt = -1234567890123456789; }), /dcs\[0\]\.firstSalt must be a 64-bit integer as a decimal string/],
    [edit((j) => { j.peers[0].id = '9223372036854775808'; }), /peers\[0\]\.id must be a 64-bit integer/],
    [edit((j) => { j.peers[0].id = '0777'; }), /peers\[0\]\.id must be a 64-bit integer as a decimal string/],
    [edit((j) => { j.peers[0].type = 'robot'; }), /peers\[0\]\.type/],
    [edit((j) => { j.dcs[0].addr = 'not an ip:99999'; }), /dcs\[0\]: addr "not an ip:99999"/],
    [edit((j) => { j.dcs[0].authKey = 'AAAA'; }), /dcs\[0\]\.authKey must be 256 bytes, got 3/],
    [edit((j) => { j.dcs[0].authKey = '!!!!'; }), /dcs\[0\]\.authKey must be standard base64/],
    [edit((j) => { j.dcs[1].hasAuthKey = false; j.dcs[1].authKey = good.dcs[0].authKey; }), /dcs\[1\]: authKey given but hasAuthKey is false/],
    [edit((j) => { j.updatesState.pts = 2 ** 31; }), /updatesState\.pts must be an integer/],
    [edit((j) => { j.minPeers[0].msgId = '10'; }), /minPeers\[0\]\.msgId must be a number/],
    [edit((j) => { j.extras.isBot = 'yes'; }), /extras\.isBot must be true, false or null/],
    [edit((j) => { j.futureAuthToken = 'A'; }), /futureAuthToken must be standard base64/],
  ];
  for (const [input, why] of cases) {
    const e = await rejects(Session.fromJSON(input), 'INVALID_ARGUMENT', `fromJSON ${String(why)}`);
    assert.match(e.message, why);
  }
  assert.equal(await tgs.liveSessions(), live, 'no session left behind by a failed fromJSON');
});

test('upsertDc and updateDc validate the address where it enters', async () => {
  const s = await Session.create();
  const bad = {
    'not an ip:99999': /"not an ip" is not an IPv4 address or a host name/,
    'bad_name.org:443': /"bad_name\.org" is not an IPv4 address or a host name/,
    '-x.org:443': /"-x\.org" is not/,
    '1.2.3.4': /missing ":port"/,
    '1.2.3.4:0': /port "0" is not a number in 1\.\.65535/,
    '1.2.3.4:65536': /port "65536" is not a number in 1\.\.65535/,
    '1.2.3.4:': /port "" is not/,
    '1.2.3.4:44a': /port "44a"/,
    '256.0.0.1:443': /"256\.0\.0\.1" is not an IPv4 address/,
    '1.2.3:443': /"1\.2\.3" is not an IPv4 address/,
    '2001:db8::1:443': /must be bracketed/,
    '[2001:db8::zz]:443': /"2001:db8::zz" is not an IPv6 address/,
    '[::1]': /expected "\[ipv6\]:port"/,
    '': /missing ":port"/,
  };
  for (const [addr, why] of Object.entries(bad)) {
    assert.throws(() => s.upsertDc({dcId: 2, addr}), (e) => e.codeName === 'INVALID_ARGUMENT' && why.test(e.message),
        `upsertDc(${JSON.stringify(addr)})`);
  }
  assert.throws(() => s.upsertDc({dcId: 2}), (e) => e.codeName === 'INVALID_ARGUMENT' && /addr must be a string/.test(e.message));
  assert.equal(s.dcs().length, 0, 'nothing was stored');
  for (const addr of ['1.2.3.4:1', '149.154.167.51:65535', '[2001:67c:4e8:f002::a]:443', '[::ffff:1.2.3.4]:80']) {
    s.upsertDc({dcId: 2, addr, flags: addr.startsWith('[') ? 1 : 0});
  }
  assert.equal(s.dcs().length, 2, 'one IPv4 and one IPv6 entry for DC 2');
  s.upsertDc({dcId: 4, addr: 'vesta.web.telegram.org:443'});  // what GramJS uses in browsers
  assert.equal(s.dcs().find((d) => d.dcId === 4).addr, 'vesta.web.telegram.org:443');
  // The backends' granular updateDc goes through the same check.
  const b = await LocalStorageBackend.open('addr', {storage: new MemoryStorage()});
  await rejects(b.updateDc({dcId: 2, addr: 'not an ip:99999'}), 'INVALID_ARGUMENT', 'backend updateDc');
  assert.equal(await b.load(), null, 'nothing was stored');
  await b.close();
  s.free();
});

test('errors carry the C++ status and never abort the module', async () => {
  // Not a session at all (a damaged one is DATA_LOSS, below).
  const e1 = await rejects(Session.fromString('!!!'), 'INVALID_ARGUMENT', 'garbage string');
  assert.ok(e1 instanceof TgsError && e1 instanceof Error);
  assert.equal(e1.code, StatusCode.INVALID_ARGUMENT);
  assert.match(e1.message, /not a session/);
  await rejects(Session.fromString('AAAA', {format: 'ferogram-native'}), 'INVALID_ARGUMENT', 'truncated native');
  await rejects(Session.fromString('x', {format: 'no-such-format'}), 'INVALID_ARGUMENT', 'unknown format');
  await rejects(Session.fromBytes(new Uint8Array([8, 2, 0, 0, 0, 1])), 'DATA_LOSS', 'truncated binary');
  const e2 = await rejects(Session.fromBytes(new Uint8Array([8, 2, 0, 0, 0, 1, 1])), 'DATA_LOSS', 'truncated');
  assert.match(e2.message, /byte \d+/);
  await rejects(Session.fromString(12), 'INVALID_ARGUMENT', 'not a string');
  // Strict mode refuses what compatible mode reads with a warning.
  const trailing = new Uint8Array([...(await (await Session.create()).toBytes()), 0]);
  const lenient = await Session.fromBytes(trailing);
  assert.equal(lenient.info.trailingBytes, 1);
  assert.ok(lenient.info.warnings.length >= 1);
  await rejects(Session.fromBytes(trailing, {strict: true}), 'DATA_LOSS', 'strict trailing byte');
  const s = await Session.create();
  assert.throws(() => s.cachePeer({id: 2n ** 63n}), (e) => e.codeName === 'INVALID_ARGUMENT');
  assert.throws(() => s.cachePeer({id: 1, type: 'robot'}), (e) => e.codeName === 'INVALID_ARGUMENT');
  assert.throws(() => s.upsertDc({dcId: 1, addr: '1.2.3.4:443', flags: 256}), (e) => e.codeName === 'INVALID_ARGUMENT');
  assert.throws(() => s.setHomeDc(2 ** 31), (e) => e.codeName === 'INVALID_ARGUMENT');
  assert.throws(() => s.toBytes({version: 'v7'}), (e) => e.codeName === 'INVALID_ARGUMENT');
  // A session that does not fit v8: OUT_OF_RANGE when v8 is demanded.
  for (let i = 0; i < 65536; i++) s.cachePeer({id: i});
  assert.throws(() => s.toBytes({version: 'v8'}), (e) => e.codeName === 'OUT_OF_RANGE');
  assert.equal(s.toBytes()[0], 9);
  s.free();
  assert.throws(() => s.peers(), (e) => e.codeName === 'FAILED_PRECONDITION');
  s.free();  // twice is harmless
  // The module still works after all of that.
  const ok = await Session.fromString('CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(ok.homeDcId, 2);
  ok.free();
  lenient.free();
});

test('IndexedDbBackend: conformance (fake-indexeddb)', async () => {
  const idb = new IDBFactory();
  await conformance(tgs, () => IndexedDbBackend.open('main', {indexedDB: idb}));
});

test('IndexedDbBackend: conformance with a tiny compaction threshold', async () => {
  const idb = new IDBFactory();
  await conformance(tgs, () => IndexedDbBackend.open('main', {indexedDB: idb, compactMinBytes: 64}));
});

// Records in the journal store of database "tgsession", read directly.
function journalRecordCount(idb) {
  return new Promise((resolve, reject) => {
    const req = idb.open('tgsession');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const count = db.transaction('journal').objectStore('journal').count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
      count.onerror = () => { db.close(); reject(count.error); };
    };
  });
}

// An injected implementation with no IndexedDB globals at all (as in node
// without fake-indexeddb/auto): nothing may reach for globalThis.IDBKeyRange
// and friends. With the tiny threshold, loads replay journal records and
// saves clear them; then the same with the implementation's IDBKeyRange.
test('IndexedDbBackend: an injected indexedDB works with the IndexedDB globals absent', async () => {
  const names = Object.getOwnPropertyNames(globalThis).filter((n) => /^IDB|^indexedDB$/.test(n));
  assert.ok(names.includes('IDBKeyRange') && names.includes('indexedDB'), names.join());
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]);
  for (const n of names) delete globalThis[n];
  try {
    assert.equal(typeof IDBKeyRange, 'undefined');
    for (const extra of [{}, {IDBKeyRange: FakeIDBKeyRange}]) {
      const idb = new IDBFactory();
      await conformance(tgs, () => IndexedDbBackend.open('main', {indexedDB: idb, compactMinBytes: 64, ...extra}));
      const b = await IndexedDbBackend.open('j', {indexedDB: idb, ...extra});
      const s = await richSession(tgs);
      await b.save(s);
      for (let i = 0; i < 3; i++) await b.cachePeer({id: BigInt(900 + i), accessHash: 5n});
      assert.equal(b.journalStats.records, 3);
      const other = await IndexedDbBackend.open('j2', {indexedDB: idb, ...extra});
      await other.save(s);  // a neighbour's snapshot and journal must not leak in
      await other.cachePeer({id: 999n});
      await b.close();
      const again = await IndexedDbBackend.open('j', {indexedDB: idb, ...extra});
      const got = await again.load();
      assert.equal(got.peers().length, s.peers().length + 3);
      assert.equal(got.findPeer(999n), null);
      await again.save(s);  // clears the journal
      assert.equal(again.journalStats.records, 0);
      assert.equal(await journalRecordCount(idb), 1, "only the neighbour's record is left");
      const back = await again.load();
      assert.ok(back.equals(s));
      for (const x of [got, back, s]) x.free();
      await again.close();
      await other.close();
    }
  } finally {
    for (const [n, d] of saved) Object.defineProperty(globalThis, n, d);
  }
});

test('LocalStorageBackend: conformance (in-memory Storage)', async () => {
  const storage = new MemoryStorage();
  await conformance(tgs, () => LocalStorageBackend.open('main', {storage}));
});

test('two writers on one session: the version check refuses stale writes', async () => {
  const idb = new IDBFactory();
  await twoWriters(tgs, () => IndexedDbBackend.open('s', {indexedDB: idb, lock: false}),
      () => IndexedDbBackend.open('s', {indexedDB: idb, lock: false}));
  const storage = new MemoryStorage();
  await twoWriters(tgs, () => LocalStorageBackend.open('s', {storage, lock: false}),
      () => LocalStorageBackend.open('s', {storage, lock: false}));
});

test('IndexedDbBackend: granular changes write one small record each', async () => {
  const idb = new IDBFactory();
  const b = await IndexedDbBackend.open('g', {indexedDB: idb});
  const s = await richSession(tgs);
  for (let i = 0; i < 5000; i++) s.cachePeer({id: BigInt(10 + i), accessHash: BigInt(i)});
  await b.save(s);
  const snapshotBytes = b.journalStats.snapshotBytes;
  assert.equal(snapshotBytes, s.toBytes().length);
  await b.cachePeer({id: 1n, accessHash: 1n});
  await b.applyUpdateState({kind: 'primary', pts: 1, date: 2, seq: 3});
  await b.updateDc({dcId: 3, addr: '1.2.3.4:443'});
  await b.setHomeDc(3);
  assert.deepEqual({records: b.journalStats.records, snapshotBytes: b.journalStats.snapshotBytes},
      {records: 4, snapshotBytes});
  assert.ok(b.journalStats.bytes < 150, `journal holds ${b.journalStats.bytes} bytes`);
  // The stores hold exactly that: one snapshot, four journal records.
  const db = await new Promise((res, rej) => {
    const r = idb.open('tgsession');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const stored = await new Promise((res) => {
    const t = db.transaction(['snapshots', 'journal', 'meta']);
    const o = {};
    t.objectStore('snapshots').get('g').onsuccess = (e) => { o.snap = e.target.result; };
    t.objectStore('journal').getAllKeys().onsuccess = (e) => { o.keys = e.target.result; };
    t.objectStore('meta').get('g').onsuccess = (e) => { o.meta = e.target.result; };
    t.oncomplete = () => res(o);
  });
  db.close();
  assert.ok(bytesEqual(stored.snap, s.toBytes()), 'the snapshot is the ferogram binary file');
  assert.deepEqual(stored.keys, [['g', 0], ['g', 1], ['g', 2], ['g', 3]]);
  assert.equal(stored.meta.generation, 5);
  // A batch is one more record, in one transaction (generation + 1).
  const before = b.journalStats.records;
  const peers = [];
  for (let i = 0; i < 50; i++) peers.push({id: BigInt(100000 + i), accessHash: BigInt(i)});
  await b.applyChanges({peers, minPeers: [{userId: 5n, peerId: 6n, msgId: 7}],
    updates: [{kind: 'primary', pts: 9, date: 9, seq: 9}]});
  assert.equal(b.journalStats.records, before + 1, 'a batch of 52 changes is one journal record');
  const afterBatch = await b.load();
  assert.equal(afterBatch.findPeer(100049n).accessHash, 49n);
  assert.equal(afterBatch.updatesState().pts, 9);
  afterBatch.free();
  // Past max(compactMinBytes, snapshot size) the journal folds into a snapshot.
  const small = await IndexedDbBackend.open('c', {indexedDB: idb, compactMinBytes: 100});
  await small.save(await Session.create());
  for (let i = 0; i < 10; i++) await small.cachePeer({id: BigInt(i)});
  assert.ok(small.journalStats.records < 10, 'compacted');
  const got = await small.load();
  assert.equal(got.peers().length, 10);
  got.free();
  s.free();
  await b.close();
  await small.close();
});

test('IndexedDbBackend: quota errors are RESOURCE_EXHAUSTED and keep the previous session', async () => {
  const idb = new IDBFactory();
  const b = await IndexedDbBackend.open('q', {indexedDB: idb});
  const s = await richSession(tgs);
  await b.save(s);
  const {IDBObjectStore} = await import('fake-indexeddb');
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'snapshots' || this.name === 'journal') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
  try {
    const bigger = s.clone();
    bigger.cachePeer({id: 99n});
    const e = await rejects(b.save(bigger), 'RESOURCE_EXHAUSTED', 'save over quota');
    assert.match(e.message, /QuotaExceededError/);
    await rejects(b.cachePeer({id: 98n}), 'RESOURCE_EXHAUSTED', 'granular over quota');
    bigger.free();
  } finally {
    IDBObjectStore.prototype.put = put;
  }
  const got = await b.load();
  assert.ok(got.equals(s), 'the previous session is intact');
  // And the backend goes on working.
  await b.cachePeer({id: 97n});
  got.free();
  s.free();
  await b.close();
});

test('IndexedDbBackend: a damaged journal record is DATA_LOSS, not a silent loss', async () => {
  const idb = new IDBFactory();
  const b = await IndexedDbBackend.open('d', {indexedDB: idb});
  await b.save(await Session.create());
  await b.cachePeer({id: 1n});
  await b.close();
  const db = await new Promise((res) => { const r = idb.open('tgsession'); r.onsuccess = () => res(r.result); });
  await new Promise((res) => {
    const t = db.transaction('journal', 'readwrite');
    const st = t.objectStore('journal');
    st.get(['d', 0]).onsuccess = (e) => {
      const rec = e.target.result;
      rec[rec.length - 1] ^= 1;
      st.put(rec, ['d', 0]);
    };
    t.oncomplete = res;
  });
  db.close();
  await rejects(IndexedDbBackend.open('d', {indexedDB: idb}), 'DATA_LOSS', 'damaged record');
});

test('IndexedDbBackend: another connection upgrading the database, or a blocked upgrade', async () => {
  const idb = new IDBFactory();
  const b = await IndexedDbBackend.open('v', {indexedDB: idb});
  await b.save(await Session.create());
  // Another tab opens a newer schema: our connection closes; calls fail cleanly.
  const other = await new Promise((res, rej) => {
    const r = idb.open('tgsession', 2);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const e = await rejects(b.load(), 'UNAVAILABLE', 'after versionchange');
  assert.match(e.message, /upgrading or deleting/);
  // A connection that ignores versionchange blocks our upgrade: UNAVAILABLE.
  other.onversionchange = () => {};
  await rejects(IndexedDbBackend.open('v', {indexedDB: idb, schemaVersion: 3}), 'UNAVAILABLE', 'blocked');
  other.close();
  // A database that is newer than we know is refused, not touched.
  await rejects(IndexedDbBackend.open('v', {indexedDB: idb, schemaVersion: 1}), 'FAILED_PRECONDITION', 'VersionError');
});

test('IndexedDbBackend: a connection the browser closed is reopened, nothing lost or done twice', async () => {
  // Firefox closes the connection after a transaction fails with
  // QuotaExceededError (wasm/tests/firefox_test.mjs); here the connection is
  // closed under the backend, with and without the close event.
  const idb = new IDBFactory();
  const b = await IndexedDbBackend.open('lost', {indexedDB: idb});
  await b.save(await Session.create());
  b._db.close();  // no event: transaction() throws InvalidStateError
  await b.cachePeer({id: 1n, accessHash: 2n});
  b._db.close();
  b._db.onclose();  // what the browser fires when it closes a connection itself
  await b.cachePeer({id: 3n, accessHash: 4n});
  const got = await b.load();
  assert.deepEqual(got.peers().map((p) => p.id), [1n, 3n]);
  got.free();
  await b.close();
  const again = await IndexedDbBackend.open('lost', {indexedDB: idb});
  const stored = await again.load();
  assert.equal(stored.peers().length, 2);
  stored.free();
  await again.close();
});

test('list(): the sessions each backend stores, and only those', async () => {
  const idb = new IDBFactory();
  assert.deepEqual(await IndexedDbBackend.list({indexedDB: idb}), []);
  assert.deepEqual((await idb.databases()).map((d) => d.name), [], 'listing created no database');
  const s = await richSession(tgs);
  for (const name of ['b', 'a', 'c']) {
    const b = await IndexedDbBackend.open(name, {indexedDB: idb});
    await b.save(s);
    await b.close();
  }
  const granular = await IndexedDbBackend.open('d', {indexedDB: idb});
  await granular.cachePeer({id: 1n});  // stored without a save()
  await granular.close();
  const gone = await IndexedDbBackend.open('b', {indexedDB: idb});
  await gone.delete();
  await gone.close();
  assert.deepEqual(await IndexedDbBackend.list({indexedDB: idb}), ['a', 'c', 'd']);
  assert.deepEqual(await IndexedDbBackend.list({indexedDB: idb, dbName: 'other'}), []);

  const storage = new MemoryStorage();
  storage.setItem('unrelated', 'x');
  storage.setItem('tgsession:', 'x');  // an empty name is not a session
  for (const name of ['z', 'y']) {
    const b = await LocalStorageBackend.open(name, {storage});
    await b.save(s);
    await b.close();
  }
  const mine = await LocalStorageBackend.open('p', {storage, prefix: 'app/'});
  await mine.save(s);
  await mine.close();
  assert.deepEqual(await LocalStorageBackend.list({storage}), ['y', 'z']);
  assert.deepEqual(await LocalStorageBackend.list({storage, prefix: 'app/'}), ['p']);
  s.free();
});

test('LocalStorageBackend: a full store is RESOURCE_EXHAUSTED and keeps the previous value', async () => {
  const storage = new MemoryStorage(200000);
  const b = await LocalStorageBackend.open('main', {storage});
  const s = await richSession(tgs);
  await b.save(s);
  const before = storage.getItem('tgsession:main');
  const big = s.clone();
  for (let i = 0; i < 10000; i++) big.cachePeer({id: BigInt(i)});
  const e = await rejects(b.save(big), 'RESOURCE_EXHAUSTED', 'over quota');
  assert.match(e.message, /QuotaExceededError/);
  assert.equal(storage.getItem('tgsession:main'), before);
  const got = await b.load();
  assert.ok(got.equals(s));
  assert.equal(b.name, 'local-storage:tgsession:main');
  for (const x of [s, big, got]) x.free();
  await b.close();
  // Blank and garbage values: "no session" and an error respectively.
  storage.setItem('tgsession:blank', '  ');
  const blank = await LocalStorageBackend.open('blank', {storage});
  assert.equal(await blank.load(), null);
  storage.setItem('tgsession:junk', '###');
  const junk = await LocalStorageBackend.open('junk', {storage});
  await rejects(junk.load(), 'INVALID_ARGUMENT', 'garbage in storage');
});
