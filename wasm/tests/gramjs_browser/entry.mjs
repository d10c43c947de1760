// What the Chromium test drives: the real GramJS and tgsession/gramjs, bundled
// by build.mjs.
import {TelegramClient, Api, sessions} from 'telegram';
import {AuthKey} from 'telegram/crypto/AuthKey.js';
import {_handleUpdate} from 'telegram/client/updates.js';
import bigInt from 'big-integer';
import {TgsessionSession} from 'tgsession/gramjs';

const key = (seed) => new Uint8Array(256).map((_, i) => (seed + i * 13) & 0xff);
const quiet = {connectionRetries: 0, baseLogger: {info() {}, warn() {}, debug() {}, error() {}, canSend: () => false,
  setLevel() {}}};

// A TelegramClient on the session whose socket-opening calls are replaced; the
// DC addresses are the ones GramJS itself uses in browsers.
function client(session) {
  const c = new TelegramClient(session, 12345, '0123456789abcdef0123456789abcdef', quiet);
  const names = {1: 'pluto', 2: 'venus', 3: 'aurora', 4: 'vesta', 5: 'flora'};
  c.getDC = async (dcId) => ({id: dcId, ipAddress: `${names[dcId]}.web.telegram.org`, port: 443});
  c._disconnect = async () => {};
  c.connect = async () => true;
  return c;
}

async function authKey(seed) {
  const k = new AuthKey();
  await k.setKey(Buffer.from(key(seed)));
  return k;
}

const hex = (b) => Array.from(b || [], (x) => x.toString(16).padStart(2, '0')).join('');

window.G = {
  // First run in a tab: GramJS starts the session, stores keys, caches
  // entities, switches DC; the session stays open (and locked) in window.s.
  async firstRun(name) {
    const s = new TgsessionSession(name);
    const c = client(s);
    await c._initSession();
    const initial = {dcId: s.dcId, serverAddress: s.serverAddress};
    await c._authKeyCallback(await authKey(1), s.dcId);
    const user = new Api.User({id: bigInt(1001), accessHash: bigInt('-8000000000000000001'), firstName: 'A'});
    _handleUpdate(c, new Api.Updates({updates: [], users: [user], chats: [], date: 0, seq: 0}));
    const peer = await c.getInputEntity(1001);
    c._sender = {authKey: s.getAuthKey(), disconnect: async () => {}};
    await c._switchDC(2);
    await s.save();
    window.s = s;
    return {initial, peerHash: peer.accessHash.toString(), dcId: s.dcId, serverAddress: s.serverAddress,
      keyOf4: hex(s.getAuthKey(4)?.getKey()).slice(0, 16), want: hex(key(1)).slice(0, 16)};
  },
  async loadError(name) {
    const s = new TgsessionSession(name);
    try {
      await client(s)._initSession();
      await s.close();
      return 'loaded';
    } catch (e) {
      return `${e.codeName}: ${e.message}`;
    }
  },
  async closeFirst() { await window.s.close(); },
  // After a reload: what GramJS finds in storage.
  async secondRun(name) {
    const s = new TgsessionSession(name);
    const c = client(s);
    await c._initSession();
    c._entityCache.clear?.();
    const peer = await c.getInputEntity(1001);
    const out = {dcId: s.dcId, serverAddress: s.serverAddress, port: s.port,
      keyOf4: hex(s.getAuthKey(4)?.getKey()).slice(0, 16), peerHash: peer.accessHash.toString()};
    // A key on the new DC, then GramJS's own StringSession reads our export.
    await c._authKeyCallback(await authKey(2), 2);
    const back = new sessions.StringSession(s.toStringSession());
    await back.load();
    out.exported = {dcId: back.dcId, serverAddress: back.serverAddress, port: back.port,
      key: hex(back.getAuthKey()?.getKey()).slice(0, 16), want: hex(key(2)).slice(0, 16)};
    await s.delete();
    await s.close();
    return out;
  },
};
window.gramjsReady = true;
