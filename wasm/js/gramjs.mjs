// tgsession/gramjs: a session for GramJS (npm `telegram`) that tgsession
// stores. Contract and examples: gramjs.d.ts and docs/gramjs.md.
//
// GramJS calls a session synchronously (getAuthKey, getInputEntity, setDC)
// and awaits only load() and, sometimes, save(). So this class keeps the
// session in WebAssembly memory (a tgsession Session), answers GramJS from it,
// and sends every change to the backend at once, in call order; save() and
// close() wait for those writes and report the first one that failed.
import {MemorySession} from 'telegram/sessions/Memory.js';
import {AuthKey} from 'telegram/crypto/AuthKey.js';
import {sha1, returnBigInt} from 'telegram/Helpers.js';
import {Api} from 'telegram/tl/index.js';
import {getPeerId, resolveId} from 'telegram/Utils.js';
import {Buffer} from 'buffer';
import {IndexedDbBackend, Session, StatusCode, TgsError} from './tgsession.mjs';

const AUTH_KEY_BYTES = 256;

const tgsError = (codeName, message) => new TgsError(StatusCode[codeName], message);

// GramJS's marked ids (users > 0, chats -id, channels -100id) against the
// model's bare id + type.
function markedIdOf(peer) {
  const id = returnBigInt(peer.id.toString());
  if (peer.type === 'user') return getPeerId(new Api.PeerUser({userId: id}));
  if (peer.type === 'chat') return getPeerId(new Api.PeerChat({chatId: id}));
  return getPeerId(new Api.PeerChannel({channelId: id}));
}

function unmark(marked) {
  const [bare, kind] = resolveId(returnBigInt(marked.toString()));
  const type = kind === Api.PeerUser ? 'user' : kind === Api.PeerChat ? 'chat' : 'channel';
  return {id: BigInt(bare.toString()), type};
}

// What the model keeps of an entity GramJS made a row of (GramJS itself
// skips min entities, whose access hash only works with their message).
function peerOf(entity) {
  if (!entity) return null;
  switch (entity.className) {
    case 'User':
      if (entity.accessHash === undefined) return null;
      return {id: BigInt(entity.id.toString()), accessHash: BigInt(entity.accessHash.toString()), type: 'user'};
    case 'Chat':
    case 'ChatForbidden':
      return {id: BigInt(entity.id.toString()), accessHash: 0n, type: 'chat'};
    case 'Channel':
    case 'ChannelForbidden': {
      if (entity.accessHash === undefined) return null;
      const channelKind = entity.gigagroup ? 'Gigagroup' : entity.megagroup ? 'Megagroup'
        : entity.broadcast ? 'Broadcast' : null;
      return {id: BigInt(entity.id.toString()), accessHash: BigInt(entity.accessHash.toString()),
        type: 'channel', channelKind};
    }
    default:
      return null;
  }
}

function samePeer(a, b) {
  return a.accessHash === b.accessHash && a.type === b.type && (a.channelKind ?? null) === (b.channelKind ?? null);
}

function hostPort(addr) {
  const m = /^\[(.*)\]:(\d+)$/.exec(addr) || /^([^:]*):(\d+)$/.exec(addr);
  return m ? {host: m[1], port: Number(m[2])} : null;
}

function formatAddr(host, port) {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

async function keyRecord(bytes) {
  const key = Buffer.from(bytes);
  return {key, hash: Buffer.from(await sha1(key))};
}

async function openDefaultBackend(name, options) {
  const idb = options.indexedDB ?? globalThis.indexedDB;
  if (!idb) {
    throw tgsError('INVALID_ARGUMENT', 'TgsessionSession: no IndexedDB here; pass {backend}, e.g. ' +
      "FileBackend.open('me.session') from 'tgsession/file' in node");
  }
  try {
    return await IndexedDbBackend.open(name, {indexedDB: idb, lock: options.lock ?? 'fail', dbName: options.dbName});
  } catch (e) {
    if (e.code === StatusCode.FAILED_PRECONDITION) {
      e.message += ' (two GramJS clients on one session end in AUTH_KEY_DUPLICATED)';
    }
    throw e;
  }
}

export class TgsessionSession extends MemorySession {
  /**
   * @param name  the session's name in the browser's IndexedDB (ignored with `backend`)
   * @param options  {backend, importFrom, indexedDB, dbName, lock}
   */
  constructor(name, options = {}) {
    super();
    if (typeof name === 'object' && name !== null) {
      options = name;
      name = undefined;
    }
    if (name === undefined && !options.backend) {
      throw tgsError('INVALID_ARGUMENT', 'TgsessionSession: give a name (the IndexedDB session) or {backend}');
    }
    this._name = name;
    this._options = options;
    this._backend = null;
    this._session = null;
    this._keys = new Map();        // dcId -> {key, hash}: the stored key and its SHA-1
    this._byUsername = new Map();  // lower-case username -> marked id (this process only)
    this._byPhone = new Map();
    this._byName = new Map();
    this._pending = Promise.resolve();
    this._failure = null;
    this._loaded = null;
  }

  /** Opens the backend, loads the stored session (or imports options.importFrom). */
  load() {
    if (!this._loaded) this._loaded = this._load();
    return this._loaded;
  }

  async _load() {
    this._backend = await (this._options.backend ?? openDefaultBackend(this._name, this._options));
    let session = await this._backend.load();
    if (!session && this._options.importFrom) {
      session = await importGramJsSession(this._options.importFrom);
      await this._backend.save(session);
    }
    this._session = session ?? await Session.create();
    await this._refreshFromModel();
  }

  async _refreshFromModel() {
    const s = this._session;
    this._keys.clear();
    for (const dc of s.dcs()) {
      if (dc.hasAuthKey && !this._keys.has(dc.dcId)) this._keys.set(dc.dcId, await keyRecord(s.authKey(dc.dcId)));
    }
    const home = s.dcs().find((d) => d.dcId === s.homeDcId && !(d.flags & 2));
    const hp = home && hostPort(home.addr);
    if (hp) super.setDC(s.homeDcId, hp.host, hp.port);
  }

  _live() {
    if (!this._session) {
      throw tgsError('FAILED_PRECONDITION', 'TgsessionSession: call (and await) load() first; ' +
        'TelegramClient.connect() does it');
    }
    return this._session;
  }

  // Queues a backend write after the earlier ones; the first failure is kept
  // for save()/close() to report.
  _write(op) {
    this._pending = this._pending.then(() => op(this._backend)).catch((e) => {
      if (!this._failure) this._failure = e;
    });
    return this._pending;
  }

  setDC(dcId, serverAddress, port) {
    super.setDC(dcId, serverAddress, port);
    const s = this._live();
    const addr = formatAddr(serverAddress, port);
    const flags = serverAddress.includes(':') ? 1 : 0;
    const old = s.dcs().find((d) => d.dcId === dcId && (d.flags & 1) === flags && !(d.flags & 2));
    const entry = {dcId, addr, flags: old ? old.flags : flags, authKey: s.authKey(dcId),
      firstSalt: old ? old.firstSalt : 0n, timeOffset: old ? old.timeOffset : 0};
    s.upsertDc(entry);
    s.setHomeDc(dcId);
    this._write((b) => b.updateDc(entry).then(() => b.setHomeDc(dcId)));
  }

  get authKey() { return this.getAuthKey(); }
  set authKey(value) { this.setAuthKey(value); }

  // A new object each time: GramJS clears the one its sender holds
  // (setKey(undefined)) when it leaves a DC, and the key must outlive that.
  getAuthKey(dcId) {
    const k = this._keys.get(dcId || this.dcId);
    return k ? new AuthKey(Buffer.from(k.key), Buffer.from(k.hash)) : undefined;
  }

  setAuthKey(authKey, dcId) {
    dcId = dcId || this.dcId;
    const s = this._live();
    const bytes = authKey && authKey.getKey();
    if (bytes && bytes.length !== AUTH_KEY_BYTES) {
      throw tgsError('INVALID_ARGUMENT', `setAuthKey: an auth key is ${AUTH_KEY_BYTES} bytes, got ${bytes.length}`);
    }
    if (bytes) {
      this._keys.set(dcId, {key: Buffer.from(bytes), hash: Buffer.from(authKey._hash)});
    } else {
      this._keys.delete(dcId);
    }
    const entries = s.dcs().filter((d) => d.dcId === dcId);
    if (entries.length === 0 && !bytes) return;
    if (entries.length === 0) {
      // A key for a DC GramJS has not told us the address of: keep the key
      // under the address GramJS uses when it has none stored.
      if (dcId !== this.dcId || !this.serverAddress) return;
      entries.push({dcId, addr: formatAddr(this.serverAddress, this.port), flags: 0, firstSalt: 0n, timeOffset: 0});
    }
    const updated = entries.map((d) => ({dcId: d.dcId, addr: d.addr, flags: d.flags, firstSalt: d.firstSalt,
      timeOffset: d.timeOffset, authKey: bytes ? new Uint8Array(bytes) : null}));
    for (const e of updated) s.upsertDc(e);
    this._write(async (b) => { for (const e of updated) await b.updateDc(e); });
  }

  _entityToRow(entity) {
    const row = super._entityToRow(entity);
    if (row) row.peer = peerOf(entity);
    return row;
  }

  processEntities(tlo) {
    const s = this._live();
    const changed = [];
    for (const row of this._entitiesToRows(tlo)) {
      const [marked, , username, phone, name] = row;
      if (username) this._byUsername.set(username, marked);
      if (phone) this._byPhone.set(phone, marked);
      if (name) this._byName.set(name, marked);
      if (!row.peer) continue;
      const old = s.findPeer(row.peer.id);
      if (old && samePeer(old, {channelKind: null, ...row.peer})) continue;
      changed.push(row.peer);
    }
    if (changed.length === 0) return;
    s.applyChanges({peers: changed});
    this._write((b) => b.cachePeers(changed));
  }

  _rowFor(marked) {
    if (marked === undefined) return undefined;
    const {id, type} = unmark(marked);
    const peer = this._live().findPeer(id);
    if (!peer || peer.type !== type) return undefined;
    return [returnBigInt(marked.toString()), returnBigInt(peer.accessHash.toString())];
  }

  getEntityRowsById(id, exact = true) {
    if (exact) return this._rowFor(id);
    const bare = returnBigInt(id.toString());
    for (const peer of [new Api.PeerUser({userId: bare}), new Api.PeerChat({chatId: bare}),
      new Api.PeerChannel({channelId: bare})]) {
      const row = this._rowFor(getPeerId(peer));
      if (row) return row;
    }
    return undefined;
  }

  getEntityRowsByUsername(username) { return this._rowFor(this._byUsername.get(username)); }
  getEntityRowsByPhone(phone) { return this._rowFor(this._byPhone.get(phone)); }
  getEntityRowsByName(name) { return this._rowFor(this._byName.get(name)); }

  /** Telethon's shape: entityId 0 is the account's state, else a channel's pts. */
  getUpdateState(entityId = 0) {
    const st = this._live().updatesState();
    if (!entityId) return {pts: st.pts, qts: st.qts, date: st.date, seq: st.seq};
    const ch = st.channels.find((c) => c.channelId === BigInt(entityId));
    return ch ? {pts: ch.pts} : undefined;
  }

  setUpdateState(entityId, state) {
    const change = entityId
      ? {kind: 'channel', channelId: BigInt(entityId), pts: state.pts}
      : {kind: 'all', state: {pts: state.pts, qts: state.qts, date: state.date, seq: state.seq}};
    this._live().applyUpdateState(change);
    this._write((b) => b.applyUpdateState(change));
  }

  /** Resolves once every change so far is stored; rejects with the first write that failed. */
  async save() {
    if (!this._session) return;
    await this._pending;
    if (this._failure) throw this._failure;
  }

  /** The session as a GramJS StringSession string (StringSession.save()'s format). */
  toStringSession() {
    return this._live().export('gramjs-string');
  }

  /** The tgsession Session behind this object (do not free it). */
  get tgsession() { return this._live(); }

  /** Waits for the writes, then releases the backend and its lock. */
  async close() {
    if (!this._loaded) return;
    await this._loaded.catch(() => {});
    if (!this._backend) return;
    await this._pending;
    const backend = this._backend;
    this._backend = null;
    await backend.close();
    if (this._session) this._session.free();
    this._session = null;
    this._keys.clear();
    if (this._failure) throw this._failure;
  }

  /** Removes the stored session (GramJS calls this on log out). */
  async delete() {
    const s = this._live();
    await this._pending;
    await this._backend.delete();
    this._session = await Session.create();
    s.free();
    this._keys.clear();
    super.setDC(0, undefined, undefined);
  }
}

/**
 * A tgsession Session from a GramJS session: a StringSession (or its
 * string), a StoreSession or a MemorySession. Carries the home DC, its
 * address and auth key, and, from a StoreSession or MemorySession, the
 * cached entities with an access hash.
 */
export async function importGramJsSession(source) {
  if (typeof source === 'string') return Session.load(source, {format: 'gramjs-string'});
  if (!source || typeof source.load !== 'function') {
    throw tgsError('INVALID_ARGUMENT', 'importFrom: expected a GramJS session (StringSession, StoreSession, ' +
      'MemorySession) or a StringSession string');
  }
  await source.load();
  const s = await Session.create();
  if (source.dcId && source.serverAddress) {
    const key = source.authKey && source.authKey.getKey();
    s.upsertDc({dcId: source.dcId, addr: formatAddr(source.serverAddress, source.port),
      flags: source.serverAddress.includes(':') ? 1 : 0, authKey: key ? new Uint8Array(key) : null});
    s.setHomeDc(source.dcId);
  }
  const peers = [];
  for (const row of gramJsEntityRows(source)) {
    const {id, type} = unmark(row[0]);
    peers.push({id, type, accessHash: type === 'chat' ? 0n : BigInt(row[1].toString())});
  }
  if (peers.length) s.applyChanges({peers});
  return s;
}

// The (markedId, hash, ...) rows a MemorySession or StoreSession holds.
function gramJsEntityRows(source) {
  const rows = [];
  if (source._entities instanceof Set) rows.push(...source._entities);
  if (source.store && typeof source.store.each === 'function' && source.sessionName) {
    source.store.each((key, value) => {
      if (Array.isArray(value) && value.length >= 2 && /^-?\d+$/.test(String(value[0]))) rows.push(value);
    });
  }
  return rows.filter((r) => r[1] !== undefined && r[1] !== null);
}
