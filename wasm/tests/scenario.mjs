// The backend scenario both test drivers run: node (api_test.mjs, with
// fake-indexeddb and an in-memory Storage) and headless Chromium
// (browser_test.mjs, real IndexedDB and localStorage). No node or browser
// APIs beyond what both have; failures throw Errors naming the step.

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

export function same(a, b, what) {
  const j = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Array.from(x) : x));
  if (j(a) !== j(b)) throw new Error(`${what}: got ${j(a)}, want ${j(b)}`);
}

export async function rejects(promise, codeName, what) {
  try {
    await promise;
  } catch (e) {
    if (e && e.name === 'TgsError' && e.codeName === codeName) return e;
    throw new Error(`${what}: rejected with ${e && e.name}/${e && e.codeName}: ${e && e.message}, want ${codeName}`);
  }
  throw new Error(`${what}: resolved, want rejection with ${codeName}`);
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function patternKey(seed) {
  const k = new Uint8Array(256);
  for (let i = 0; i < 256; i++) k[i] = (seed + i * 7) & 0xff;
  return k;
}

// The same session as RichSession() in tests/testing/backend_conformance.cc,
// built through the JavaScript API.
export async function richSession(tgs) {
  const s = await tgs.Session.create();
  s.setHomeDc(2);
  s.upsertDc({dcId: 2, addr: '149.154.167.51:443', authKey: patternKey(1), firstSalt: -1234567890123456789n, timeOffset: -3});
  s.upsertDc({dcId: 2, addr: '[2001:67c:4e8:f002::a]:443', flags: 1});
  s.upsertDc({dcId: 4, addr: '149.154.167.92:443', authKey: patternKey(9), flags: 2 | 16});
  s.applyUpdateState({kind: 'all', state: {pts: 12345, qts: -7, date: 1700000000, seq: 2147483647,
    channels: [{channelId: 1234567890123n, pts: 42}, {channelId: -1n, pts: -1}]}});
  s.cachePeer({id: 777000n, accessHash: (1n << 63n) - 1n, type: 'user'});
  s.cachePeer({id: 1001n, accessHash: 43690n, type: 'channel', channelKind: 'Broadcast'});
  s.cachePeer({id: 1002n, accessHash: -5n, type: 'channel', channelKind: 'Megagroup'});
  s.cachePeer({id: 1003n, accessHash: 7n, type: 'channel', channelKind: 'Gigagroup', isCommunity: true});
  s.cachePeer({id: 1004n, accessHash: 8n, type: 'channel'});
  s.cachePeer({id: 1005n, type: 'chat'});
  s.cachePeer({id: 2001n, accessHash: 61166n, type: 'user', isCommunity: true});
  s.cacheMinPeer({userId: 555n, peerId: 1001n, msgId: 10});
  s.cacheMinPeer({userId: 556n, peerId: -1002n, msgId: -1});
  s.setFutureAuthToken(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2]));
  return s;
}

async function loadOrFail(b, what) {
  const s = await b.load();
  check(s !== null, `${what}: a session is stored`);
  return s;
}

// The conformance scenario of tests/testing/backend_conformance.cc, for a
// JavaScript backend. `open()` opens (or reopens) the backend under test on
// fresh storage.
export async function conformance(tgs, open, {persistent = true} = {}) {
  let b = await open();
  check(typeof b.name === 'string' && b.name.length > 0, 'backend has a name');

  // Empty loads as "no session", not as an error.
  check((await b.load()) === null, 'empty store loads as null');

  // Save, load, replace.
  const rich = await richSession(tgs);
  await b.save(rich);
  let got = await loadOrFail(b, 'after save');
  check(got.equals(rich), 'saved session loads back equal');
  check(bytesEqual(got.toBytes(), rich.toBytes()), 'saved session re-encodes byte-identically');
  got.free();
  const other = await tgs.Session.create();
  other.setHomeDc(5);
  await b.save(other);
  got = await loadOrFail(b, 'after second save');
  check(got.equals(other), 'a second save replaces the first');
  got.free();
  other.free();

  // Granular operations, checked against the same changes on a Session.
  await b.delete();
  await b.cachePeer({id: 1n, accessHash: 1n});
  await b.cachePeer({id: 1n, accessHash: 2n});
  got = await loadOrFail(b, 'granular on empty');
  same(got.peers().map((p) => p.accessHash), [2n], 'granular ops on an empty store start a session');
  got.free();

  await b.save(rich);
  const want = rich.clone();
  await b.setHomeDc(4);
  want.setHomeDc(4);
  const dc4 = {dcId: 4, addr: '149.154.167.91:443', authKey: patternKey(77)};
  await b.updateDc(dc4);
  want.upsertDc(dc4);
  const dc2 = {dcId: 2, addr: '149.154.167.50:443'};
  await b.updateDc(dc2);
  want.upsertDc(dc2);
  for (const c of [{kind: 'primary', pts: 20000, date: 1700000100, seq: 9}, {kind: 'secondary', qts: 11},
    {kind: 'channel', channelId: 1234567890123n, pts: 43}, {kind: 'channel', channelId: 99n, pts: 1}]) {
    await b.applyUpdateState(c);
    want.applyUpdateState(c);
  }
  await b.cachePeer({id: 777000n, accessHash: 5n});
  want.cachePeer({id: 777000n, accessHash: 5n});
  await b.cachePeer({id: 424242n, type: 'chat'});
  want.cachePeer({id: 424242n, type: 'chat'});
  got = await loadOrFail(b, 'after granular ops');
  check(got.equals(want), 'granular operations match the same changes on a Session');
  got.free();
  const all = {kind: 'all', state: {pts: 1, channels: [{channelId: 5n, pts: 6}]}};
  await b.applyUpdateState(all);
  want.applyUpdateState(all);
  got = await loadOrFail(b, 'after "all"');
  check(got.equals(want), 'replacing the whole update state');
  got.free();

  // Batches: an update's peers, min-peer contexts and update-state changes
  // in one call, applied in that order (later entries for an id win); the
  // one-kind shortcuts; an empty batch writes nothing.
  for (let seed = 0; seed < 3; seed++) {
    const batch = {
      peers: [{id: BigInt(9000000 + seed), accessHash: BigInt(seed)}, {id: 1001n, accessHash: 99n, type: 'channel',
        channelKind: 'Megagroup'}, {id: BigInt(9000000 + seed), accessHash: -7n, isCommunity: true}],
      minPeers: [{userId: 555n, peerId: BigInt(42 + seed), msgId: 7}, {userId: BigInt(700000 + seed), peerId: -1001n,
        msgId: seed}],
      updates: [{kind: 'channel', channelId: 1234567890123n, pts: 100 + seed},
        {kind: 'primary', pts: 30000 + seed, date: 1700000000, seq: 3},
        ...(seed === 1 ? [{kind: 'all', state: {pts: 5, qts: 6, channels: [{channelId: 77n, pts: 1}]}}] : []),
        {kind: 'secondary', qts: 40 + seed}, {kind: 'channel', channelId: 77n, pts: 9 + seed}],
    };
    await b.applyChanges(batch);
    want.applyChanges(batch);
  }
  await b.cachePeers([{id: 61n, accessHash: 1n}, {id: 62n, type: 'chat'}]);
  want.applyChanges({peers: [{id: 61n, accessHash: 1n}, {id: 62n, type: 'chat'}]});
  await b.cacheMinPeers([{userId: 63n, peerId: 64n, msgId: 65}]);
  want.cacheMinPeer({userId: 63n, peerId: 64n, msgId: 65});
  await b.applyUpdateStates([{kind: 'secondary', qts: 66}, {kind: 'channel', channelId: 67n, pts: 68}]);
  want.applyUpdateState({kind: 'secondary', qts: 66});
  want.applyUpdateState({kind: 'channel', channelId: 67n, pts: 68});
  await b.applyChanges({});
  got = await loadOrFail(b, 'after batches');
  check(got.equals(want), 'batches match the same changes on a Session');
  got.free();
  // A bad value anywhere in a batch rejects it whole.
  await rejects(b.applyChanges({peers: [{id: 70n}, {id: 71n, type: 'robot'}]}), 'INVALID_ARGUMENT',
      'a batch with a bad peer');
  await rejects(b.applyChanges({updates: [{kind: 'primary', pts: 1, date: 1, seq: 1}, {kind: 'nonsense'}]}),
      'INVALID_ARGUMENT', 'a batch with a bad update');
  await rejects(b.applyChanges(null), 'INVALID_ARGUMENT', 'a batch that is not an object');
  got = await loadOrFail(b, 'after bad batches');
  check(got.equals(want), 'a rejected batch changes nothing');
  got.free();

  // Many granular peers keep their order (and survive a reopen).
  for (let i = 0; i < 300; i++) {
    const p = {id: BigInt(5000000 + (i % 200)), accessHash: BigInt(i)};
    await b.cachePeer(p);
    want.cachePeer(p);
  }
  got = await loadOrFail(b, 'after 300 peers');
  check(got.equals(want), 'many granular peers keep order');
  check(bytesEqual(got.toBytes(), want.toBytes()), 'and re-encode byte-identically');
  got.free();

  if (persistent) {
    await b.close();
    b = await open();
    got = await loadOrFail(b, 'after reopen');
    check(got.equals(want), 'a reopened backend sees every change');
    got.free();
  }

  // Bad arguments are INVALID_ARGUMENT rejections and change nothing.
  await rejects(b.cachePeer({id: 1.5}), 'INVALID_ARGUMENT', 'non-integer peer id');
  await rejects(b.updateDc({dcId: 1, addr: '1.2.3.4:1', authKey: new Uint8Array(3)}), 'INVALID_ARGUMENT',
      'short auth key');
  await rejects(b.applyUpdateState({kind: 'nonsense'}), 'INVALID_ARGUMENT', 'unknown update kind');
  got = await loadOrFail(b, 'after bad arguments');
  check(got.equals(want), 'bad arguments change nothing');
  got.free();

  // Delete is idempotent; the backend is usable afterwards.
  await b.delete();
  check((await b.load()) === null, 'deleted');
  await b.delete();
  await b.cachePeer({id: 9n, accessHash: 9n});
  got = await loadOrFail(b, 'after delete + cachePeer');
  check(got.peers().length === 1, 'usable after delete');
  got.free();

  // Large session (100,000 peers) round-trips.
  const big = rich.clone();
  for (let i = 0; i < 100000; i++) {
    big.cachePeer(i % 3 === 0 ? {id: BigInt(i), accessHash: BigInt(i * 3), type: 'channel', channelKind: 'Megagroup'} :
      {id: BigInt(i), accessHash: BigInt(-i)});
  }
  await b.save(big);
  got = await loadOrFail(b, 'large');
  check(got.equals(big), 'a 100,000-peer session round-trips');
  got.free();
  big.free();
  await b.delete();
  await b.close();
  await rejects(b.load(), b.name.startsWith('indexeddb') ? 'UNAVAILABLE' : 'FAILED_PRECONDITION',
      'a closed backend refuses');
  want.free();
  rich.free();
}

// Two backends on the same storage without locks: the second writer must not
// silently overwrite the first (version check), and reading again resolves it.
export async function twoWriters(tgs, openA, openB) {
  const a = await openA();
  const b = await openB();
  const s = await richSession(tgs);
  await a.save(s);
  const seenByB = await b.load();
  check(seenByB && seenByB.equals(s), 'B sees what A saved');
  seenByB.free();
  await a.cachePeer({id: 42n, accessHash: 42n});
  // B has not seen A's change: each kind of write is refused.
  await rejects(b.save(s), 'ABORTED', 'stale save');
  await rejects(b.cachePeer({id: 43n, accessHash: 43n}), 'ABORTED', 'stale granular write');
  await rejects(b.delete(), 'ABORTED', 'stale delete');
  const now = await b.load();
  check(now.findPeer(42n) !== null, "B's load sees A's change");
  now.free();
  await b.cachePeer({id: 43n, accessHash: 43n});
  await rejects(a.setHomeDc(3), 'ABORTED', 'A is stale now');
  const fin = await a.load();
  check(fin.findPeer(42n) && fin.findPeer(43n), 'nothing was lost');
  fin.free();
  s.free();
  await a.close();
  await b.close();
}

// What saving `session` to backend `b` gave: 'saved', or "CODE: message".
export async function saveOutcome(b, session) {
  try {
    await b.save(session);
    return 'saved';
  } catch (e) {
    return `${e.codeName}: ${e.message}`;
  }
}

// IndexedDB past its quota (the drivers set one): a save of `peers`
// incompressible peers fails, the stored session stays, and small writes
// still work afterwards (Firefox needs the backend to reopen its connection
// for that). Returns {save: 'saved' | "CODE: message", intact, peers}.
export async function overQuota(tgs, peers) {
  const b = await tgs.IndexedDbBackend.open('quota');
  const rich = await richSession(tgs);
  await b.save(rich);
  const big = rich.clone();
  let x = 12345n;
  for (let i = 0; i < peers; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 63n) - 1n);
    big.cachePeer({id: BigInt(i), accessHash: x});
  }
  const out = {save: await saveOutcome(b, big)};
  let got = await b.load();
  out.intact = got.equals(rich);
  got.free();
  await b.cachePeer({id: 1n});
  got = await b.load();
  out.peers = got.peers().length;
  for (const s of [got, big, rich]) s.free();
  await b.delete();
  await b.close();
  return out;
}

// A browser (or its renderer) killed during a save: crashSaveStart saves the
// rich session to IndexedDB store 'crash' and starts, without waiting, the
// save of a larger one; the driver then kills the page and, in a new one,
// crashSaveFound says which session the store holds: 'old', 'new', or
// 'mixed: ...' (never acceptable). It deletes the store.
async function crashBigSession(tgs) {
  const big = await richSession(tgs);
  big.setHomeDc(5);
  for (let i = 0; i < 150000; i++) big.cachePeer({id: BigInt(i), accessHash: BigInt(-i)});
  return big;
}

export async function crashSaveStart(tgs) {
  const b = await tgs.IndexedDbBackend.open('crash');
  const old = await richSession(tgs);
  await b.save(old);
  const big = await crashBigSession(tgs);
  globalThis.saving = b.save(big);  // not awaited: the page dies during it
}

export async function crashSaveFound(tgs) {
  const b = await tgs.IndexedDbBackend.open('crash', {lock: 'wait'});
  const got = await b.load();
  const old = await richSession(tgs);
  const big = await crashBigSession(tgs);
  const out = got.equals(old) ? 'old' : got.equals(big) ? 'new' : `mixed: ${String(got)}`;
  for (const s of [got, old, big]) s.free();
  await b.delete();
  await b.close();
  return out;
}
