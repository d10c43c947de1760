// tgsession/gramjs and tgsession/file against the real GramJS (npm
// `telegram`): its TelegramClient calls the session the way it does when it
// connects, stores auth keys, switches DCs and caches entities (no network:
// only the calls that would open sockets are replaced).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync, statSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createRequire} from 'node:module';
import {TelegramClient, Api, sessions, utils} from 'telegram';
import {AuthKey} from 'telegram/crypto/AuthKey.js';
import {_handleUpdate} from 'telegram/client/updates.js';
import bigInt from 'big-integer';
import {IDBFactory} from 'fake-indexeddb';
import {Session, StatusCode} from 'tgsession';
import {TgsessionSession, importGramJsSession} from 'tgsession/gramjs';
import {FileBackend} from 'tgsession/file';

const key = (seed) => Buffer.from(Array.from({length: 256}, (_, i) => (seed + i * 13) & 0xff));
async function authKey(seed) {
  const k = new AuthKey();
  await k.setKey(key(seed));
  return k;
}
const tmp = () => mkdtempSync(join(tmpdir(), 'tgs-gramjs-'));
const quiet = {connectionRetries: 0, baseLogger: {info() {}, warn() {}, debug() {}, error() {}, canSend: () => false,
  setLevel() {}}};

function clientOn(session) {
  const client = new TelegramClient(session, 12345, '0123456789abcdef0123456789abcdef', quiet);
  // What would open a socket: the DC table (help.getConfig) and reconnects.
  client.getDC = async (dcId) => ({id: dcId, ipAddress: `149.154.175.${50 + dcId}`, port: 443});
  client._disconnect = async () => {};
  client.connect = async () => true;
  return client;
}

const alice = () => new Api.User({id: bigInt(1001), accessHash: bigInt('-8000000000000000001'), username: 'Alice',
  firstName: 'Alice', phone: '15550001'});
const news = () => new Api.Channel({id: bigInt(2002), accessHash: bigInt(77), title: 'News', broadcast: true,
  photo: new Api.ChatPhotoEmpty(), date: 0});
const group = () => new Api.Chat({id: bigInt(3003), title: 'Group', photo: new Api.ChatPhotoEmpty(),
  participantsCount: 2, date: 0, version: 1});

function updatesWith(users, chats) {
  return new Api.Updates({updates: [], users, chats, date: 0, seq: 0});
}

test('TelegramClient loads it, stores keys per DC, switches DCs and resolves cached entities', async () => {
  const dir = tmp();
  const path = join(dir, 'me.session');
  const session = new TgsessionSession({backend: FileBackend.open(path)});
  const client = clientOn(session);
  await client._initSession();  // GramJS: session.load(), then its default DC (4) when none is stored
  assert.equal(session.dcId, 4);
  assert.equal(session.getAuthKey(), undefined);
  session.setDC(2, '149.154.167.51', 443);  // what a migrate error leads GramJS to do before it has a key

  await client._authKeyCallback(await authKey(1), 2);
  await client._authKeyCallback(await authKey(2), 4);  // an exported sender's DC
  assert.deepEqual(session.getAuthKey(2).getKey(), key(1));
  assert.deepEqual(session.getAuthKey(4).getKey(), key(2));

  _handleUpdate(client, updatesWith([alice()], [news(), group()]));
  const user = await client.getInputEntity(1001);
  assert.ok(user instanceof Api.InputPeerUser);
  assert.equal(user.accessHash.toString(), '-8000000000000000001');
  const byName = await client.getInputEntity('alice');
  assert.equal(byName.userId.toString(), '1001');
  const channel = await client.getInputEntity(utils.getPeerId(new Api.PeerChannel({channelId: bigInt(2002)})));
  assert.ok(channel instanceof Api.InputPeerChannel);
  assert.equal(channel.accessHash.toString(), '77');
  assert.ok((await client.getInputEntity(-3003)) instanceof Api.InputPeerChat);

  client._sender = {authKey: session.getAuthKey(2), disconnect: async () => {}};
  await client._switchDC(4);
  assert.equal(session.dcId, 4);
  assert.equal(session.serverAddress, '149.154.175.54');
  assert.equal(session.getAuthKey(4), undefined, 'GramJS drops the key of the DC it switches to');
  assert.deepEqual(session.getAuthKey(2).getKey(), key(1), 'the old DC keeps its key (GramJS cleared its own copy)');
  await session.close();

  // What the file holds: a ferogram binary session that tgsession reads...
  const stored = await Session.fromBytes(readFileSync(path), {format: 'ferogram-binary'});
  assert.equal(stored.homeDcId, 4);
  assert.deepEqual(stored.authKey(2), new Uint8Array(key(1)));
  assert.equal(stored.authKey(4), null);
  assert.deepEqual(stored.findPeer(2002n), {id: 2002n, accessHash: 77n, type: 'channel', channelKind: 'Broadcast',
    isCommunity: false});
  stored.free();
  assert.equal(statSync(path).mode & 0o777, 0o600);

  // ...and a new client after a restart resolves the entities by id.
  const again = new TgsessionSession({backend: FileBackend.open(path)});
  const client2 = clientOn(again);
  await client2._initSession();
  assert.equal(again.dcId, 4);
  assert.equal(again.serverAddress, '149.154.175.54');
  assert.equal(again.port, 443);
  const u = await client2.getInputEntity(1001);
  assert.equal(u.accessHash.toString(), '-8000000000000000001');
  // Usernames are not stored (the model keeps ids and access hashes), so
  // GramJS goes to the network, which this test does not have.
  await assert.rejects(client2.getInputEntity('alice'), /while disconnected/);
  await again.close();
});

test('min entities (GramJS makes no row of them) do not replace a stored access hash', async () => {
  const session = new TgsessionSession({backend: FileBackend.open(join(tmp(), 's'))});
  await session.load();
  session.processEntities(updatesWith([alice()], []));
  session.processEntities(updatesWith([new Api.User({id: bigInt(1001), accessHash: bigInt(5), min: true})], []));
  assert.equal(session.tgsession.findPeer(1001n).accessHash, -8000000000000000001n);
  await session.close();
});

test('unchanged entities write nothing', async () => {
  const session = new TgsessionSession({backend: FileBackend.open(join(tmp(), 's'))});
  await session.load();
  let writes = 0;
  const backend = await session._options.backend;
  const original = backend.cachePeers.bind(backend);
  backend.cachePeers = (peers) => { writes++; return original(peers); };
  session.processEntities(updatesWith([alice()], [news()]));
  session.processEntities(updatesWith([alice()], [news()]));
  await session.save();
  assert.equal(writes, 1);
  await session.close();
});

test('a second process on the same file gets a clear error, not AUTH_KEY_DUPLICATED later', async () => {
  const path = join(tmp(), 'shared.session');
  const first = await FileBackend.open(path);
  await assert.rejects(FileBackend.open(path), (e) => e.code === StatusCode.FAILED_PRECONDITION &&
    /is open in process \d+ on .* since /.test(e.message) && /AUTH_KEY_DUPLICATED/.test(e.message));
  const s = new TgsessionSession({backend: FileBackend.open(path)});
  await assert.rejects(clientOn(s)._initSession(), (e) => e.code === StatusCode.FAILED_PRECONDITION);
  await first.close();
  const second = await FileBackend.open(path);  // released by close()
  await second.close();
});

test('a lock left by a process that died is taken over', async () => {
  const path = join(tmp(), 'stale.session');
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
  writeFileSync(`${path}.nodelock`, JSON.stringify({pid: dead, host: (await import('node:os')).hostname(),
    since: '2026-01-01T00:00:00Z'}));
  const b = await FileBackend.open(path);
  await b.close();
  assert.equal(existsSync(`${path}.nodelock`), false);
});

test('a file with an unfolded native journal is refused, not half-read', async () => {
  const path = join(tmp(), 'crashed.session');
  writeFileSync(`${path}.journal`, Buffer.from([1, 2, 3]));
  await assert.rejects(FileBackend.open(path), (e) => e.code === StatusCode.FAILED_PRECONDITION &&
    e.message.includes('.journal'));
});

test('files move between tgsession/file and the native BinaryFileBackend', {skip: !process.env.TGS_NATIVE_TOOL &&
  'TGS_NATIVE_TOOL unset'}, async () => {
  const dir = tmp();
  const native = join(dir, 'native.session');
  execFileSync(process.env.TGS_NATIVE_TOOL, ['write', native]);
  const session = new TgsessionSession({backend: FileBackend.open(native)});
  await clientOn(session)._initSession();
  assert.equal(session.dcId, 2);
  assert.ok(session.getAuthKey(2));
  session.processEntities(updatesWith([alice()], []));
  await session.close();
  const resaved = join(dir, 'resaved.session');
  execFileSync(process.env.TGS_NATIVE_TOOL, ['resave', native, resaved]);
  assert.deepEqual(readFileSync(resaved), readFileSync(native), 'BinaryFileBackend reads it and writes the same bytes');
});

test('GramJS StringSession: imported on first load, and exported as GramJS reads it', async () => {
  const src = new sessions.StringSession('');
  src.setDC(2, '149.154.167.51', 443);
  src.setAuthKey(await authKey(9));
  const text = src.save();

  const path = join(tmp(), 'imported.session');
  const session = new TgsessionSession({backend: FileBackend.open(path), importFrom: text});
  await clientOn(session)._initSession();
  assert.equal(session.dcId, 2);
  assert.equal(session.serverAddress, '149.154.167.51');
  assert.deepEqual(session.getAuthKey().getKey(), key(9));
  assert.equal(session.toStringSession(), text, 'our export is byte for byte what GramJS wrote');
  const back = new sessions.StringSession(session.toStringSession());
  await back.load();
  assert.equal(back.save(), text);
  await session.close();

  // Stored now: a second start does not import again.
  const other = new sessions.StringSession('');
  other.setDC(5, '91.108.56.130', 443);
  const again = new TgsessionSession({backend: FileBackend.open(path), importFrom: other.save()});
  await again.load();
  assert.equal(again.dcId, 2);
  await again.close();
});

test('GramJS StoreSession with cached entities is imported', async () => {
  const dir = tmp();
  const cwd = process.cwd();
  process.chdir(dir);  // StoreSession keeps its node folder relative to the working directory
  try {
    const store = new sessions.StoreSession('legacy');
    store.setDC(4, '149.154.167.91', 443);
    store.authKey = await authKey(3);
    store.processEntities(updatesWith([alice()], [news()]));
    const s = await importGramJsSession(new sessions.StoreSession('legacy'));
    assert.equal(s.homeDcId, 4);
    assert.deepEqual(s.authKey(4), new Uint8Array(key(3)));
    assert.equal(s.findPeer(1001n).accessHash, -8000000000000000001n);
    assert.equal(s.findPeer(2002n).type, 'channel');
    s.free();
  } finally {
    process.chdir(cwd);
  }
});

test('IndexedDB backend (an injected implementation): reload keeps keys and entities', async () => {
  const indexedDB = new IDBFactory();
  const session = new TgsessionSession('acct', {indexedDB, lock: false});
  const client = clientOn(session);
  await client._initSession();
  await client._authKeyCallback(await authKey(4), 4);
  _handleUpdate(client, updatesWith([alice()], []));
  await session.close();
  const again = new TgsessionSession('acct', {indexedDB, lock: false});
  await clientOn(again)._initSession();
  assert.deepEqual(again.getAuthKey(4).getKey(), key(4));
  assert.equal((await clientOn(again).getInputEntity(1001)).accessHash.toString(), '-8000000000000000001');
  await again.delete();  // GramJS's log_out
  await again.close();
  const empty = new TgsessionSession('acct', {indexedDB, lock: false});
  await empty.load();
  assert.equal(empty.getAuthKey(4), undefined);
  await empty.close();
});

test('update state: the account state and channel pts survive a reload', async () => {
  const path = join(tmp(), 'state.session');
  const session = new TgsessionSession({backend: FileBackend.open(path)});
  await session.load();
  session.setUpdateState(0, {pts: 10, qts: 2, date: 1700000000, seq: 5});
  session.setUpdateState(2002, {pts: 99});
  await session.close();
  const again = new TgsessionSession({backend: FileBackend.open(path)});
  await again.load();
  assert.deepEqual(again.getUpdateState(0), {pts: 10, qts: 2, date: 1700000000, seq: 5});
  assert.deepEqual(again.getUpdateState(2002), {pts: 99});
  assert.equal(again.getUpdateState(1), undefined);
  await again.close();
});

test('misuse gets specific errors', async () => {
  assert.throws(() => new TgsessionSession(), (e) => e.code === StatusCode.INVALID_ARGUMENT);
  const session = new TgsessionSession({backend: FileBackend.open(join(tmp(), 's'))});
  assert.throws(() => session.setDC(2, '1.2.3.4', 443), (e) => e.code === StatusCode.FAILED_PRECONDITION &&
    e.message.includes('load()'));
  await session.load();
  const short = new AuthKey();
  await short.setKey(Buffer.alloc(8));
  assert.throws(() => session.setAuthKey(short, 2), (e) => e.code === StatusCode.INVALID_ARGUMENT &&
    e.message.includes('256'));
  await session.close();
  const noIdb = new TgsessionSession('x');
  await assert.rejects(noIdb.load(), (e) => e.code === StatusCode.INVALID_ARGUMENT &&
    e.message.includes("'tgsession/file'"));
});

test('require(): tgsession/gramjs and tgsession/file as CommonJS, with the GramJS a CommonJS app loads', async () => {
  const require = createRequire(join(process.cwd(), 'app.cjs'));
  const cjs = require('tgsession/gramjs');
  const {FileBackend: CjsFileBackend} = require('tgsession/file');
  const {StatusCode: CjsStatusCode} = require('tgsession');
  assert.match(require.resolve('tgsession/gramjs'), /gramjs\.node\.cjs$/);
  assert.match(require.resolve('tgsession/file'), /file_backend\.cjs$/);
  const {TelegramClient: CjsClient} = require('telegram');
  const {MemorySession} = require('telegram/sessions/Memory.js');
  const path = join(tmp(), 'cjs.session');
  const session = new cjs.TgsessionSession({backend: CjsFileBackend.open(path)});
  assert.ok(session instanceof MemorySession);
  const client = new CjsClient(session, 12345, '0123456789abcdef0123456789abcdef', quiet);
  client.connect = async () => true;
  await client._initSession();
  session.setDC(4, '149.154.167.91', 443);
  session.setAuthKey(await authKey(9), 4);
  session.processEntities(updatesWith([alice()], []));
  await session.close();
  const again = new cjs.TgsessionSession({backend: CjsFileBackend.open(path)});
  await again.load();
  assert.equal(again.dcId, 4);
  assert.deepEqual(Buffer.from(again.getAuthKey(4).getKey()), key(9));
  assert.equal(again.getInputEntity(1001).accessHash.toString(), '-8000000000000000001');
  await again.close();
  await assert.rejects(CjsFileBackend.open(''), (e) => e.code === CjsStatusCode.INVALID_ARGUMENT);
});
