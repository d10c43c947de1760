// tgsession's JavaScript API: the JSON form of a session (Session.fromJSON,
// JSON.stringify), and the lists of formats and of live sessions.

const JSON_FORMAT = 'tgsession-json';
const JSON_VERSION = 1;

function toBase64(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text, what, length) {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw badArg(`${what} must be standard base64 text`);
  }
  const raw = atob(text);
  if (length !== undefined && raw.length !== length) throw badArg(`${what} must be ${length} bytes, got ${raw.length}`);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function jsonRoot(json) {
  let j = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch (e) {
      // Not e.message: engines quote the text, which may hold keys.
      const at = /position (\d+)/.exec(e.message);
      throw badArg(`session JSON does not parse${at ? ` (at character ${at[1]})` : ''}`);
    }
  }
  const o = jsonObject(j, 'session JSON', ['format', 'version', 'homeDcId', 'dcs', 'updatesState', 'peers',
    'minPeers', 'hasFutureAuthToken', 'futureAuthToken', 'extras']);
  if (o.format !== JSON_FORMAT) throw badArg(`session JSON: format must be "${JSON_FORMAT}", got ${shortJson(o.format)}`);
  if (o.version !== JSON_VERSION) throw badArg(`session JSON: version must be ${JSON_VERSION}, got ${shortJson(o.version)}`);
  return o;
}

function shortJson(v) {
  const t = v === undefined ? 'nothing' : JSON.stringify(v);
  return t.length > 40 ? t.slice(0, 40) + '...' : t;
}

// A plain object with only the `allowed` keys (a typo is an error, not a
// silently dropped field).
function jsonObject(v, what, allowed) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badArg(`${what} must be an object`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw badArg(`${what}: unknown field ${shortJson(k)}`);
  }
  return v;
}

function jsonArray(v, what) {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badArg(`${what} must be an array`);
  return v;
}

// 64-bit values travel as decimal strings (JSON numbers lose precision past 2^53).
function jsonI64(v, what) {
  if (typeof v !== 'string' || !/^-?(0|[1-9]\d{0,18})$/.test(v)) {
    throw badArg(`${what} must be a 64-bit integer as a decimal string, got ${shortJson(v)}`);
  }
  return i64(BigInt(v), what);
}

function jsonI32(v, what) {
  if (typeof v !== 'number') throw badArg(`${what} must be a number, got ${shortJson(v)}`);
  return i32(v, what);
}

function jsonTri(v, what) {
  if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
  throw badArg(`${what} must be true, false or null, got ${shortJson(v)}`);
}

function fillFromJson(s, j, withoutKeys) {
  if (j.homeDcId !== undefined) s.setHomeDc(jsonI32(j.homeDcId, 'homeDcId'));
  jsonArray(j.dcs, 'dcs').forEach((d, i) => {
    const w = `dcs[${i}]`;
    jsonObject(d, w, ['dcId', 'addr', 'flags', 'firstSalt', 'timeOffset', 'hasAuthKey', 'authKey']);
    if (d.hasAuthKey !== undefined && typeof d.hasAuthKey !== 'boolean') throw badArg(`${w}.hasAuthKey must be a boolean`);
    if (d.hasAuthKey === false && d.authKey !== undefined) throw badArg(`${w}: authKey given but hasAuthKey is false`);
    if (d.hasAuthKey && d.authKey === undefined && !withoutKeys) {
      throw tgsErr(9, `${w} (DC ${shortJson(d.dcId)}) had an auth key that this JSON leaves out (exported without ` +
          '{secrets: true}); Session.fromJSON(json, {withoutKeys: true}) loads it without');
    }
    if (typeof d.addr !== 'string') throw badArg(`${w}.addr must be a string, got ${shortJson(d.addr)}`);
    try {
      s.upsertDc({dcId: jsonI32(d.dcId, `${w}.dcId`), addr: d.addr,
        flags: d.flags === undefined ? 0 : jsonI32(d.flags, `${w}.flags`),
        firstSalt: d.firstSalt === undefined ? 0n : jsonI64(d.firstSalt, `${w}.firstSalt`),
        timeOffset: d.timeOffset === undefined ? 0 : jsonI32(d.timeOffset, `${w}.timeOffset`),
        authKey: d.authKey === undefined ? null : fromBase64(d.authKey, `${w}.authKey`, 256)});
    } catch (e) {
      throw e.message.startsWith(w) ? e : tgsErr(e.code, `${w}: ${e.message}`);
    }
  });
  if (j.updatesState !== undefined) {
    const u = jsonObject(j.updatesState, 'updatesState', ['pts', 'qts', 'date', 'seq', 'channels']);
    const state = {channels: jsonArray(u.channels, 'updatesState.channels').map((c, i) => {
      jsonObject(c, `updatesState.channels[${i}]`, ['channelId', 'pts']);
      return {channelId: jsonI64(c.channelId, `updatesState.channels[${i}].channelId`),
        pts: jsonI32(c.pts, `updatesState.channels[${i}].pts`)};
    })};
    for (const k of ['pts', 'qts', 'date', 'seq']) state[k] = u[k] === undefined ? 0 : jsonI32(u[k], `updatesState.${k}`);
    s.applyUpdateState({kind: 'all', state});
  }
  const peers = jsonArray(j.peers, 'peers').map((p, i) => {
    const w = `peers[${i}]`;
    jsonObject(p, w, ['id', 'accessHash', 'type', 'channelKind', 'isCommunity']);
    if (p.isCommunity !== undefined && typeof p.isCommunity !== 'boolean') throw badArg(`${w}.isCommunity must be a boolean`);
    return {id: jsonI64(p.id, `${w}.id`), accessHash: p.accessHash === undefined ? 0n : jsonI64(p.accessHash, `${w}.accessHash`),
      type: p.type, channelKind: p.channelKind, isCommunity: p.isCommunity};
  });
  const minPeers = jsonArray(j.minPeers, 'minPeers').map((m, i) => {
    const w = `minPeers[${i}]`;
    jsonObject(m, w, ['userId', 'peerId', 'msgId']);
    return {userId: jsonI64(m.userId, `${w}.userId`), peerId: jsonI64(m.peerId, `${w}.peerId`), msgId: jsonI32(m.msgId, `${w}.msgId`)};
  });
  s.applyChanges({peers, minPeers});
  if (j.hasFutureAuthToken !== undefined && typeof j.hasFutureAuthToken !== 'boolean') {
    throw badArg('hasFutureAuthToken must be a boolean');
  }
  if (j.futureAuthToken !== undefined) {
    if (j.hasFutureAuthToken === false) throw badArg('futureAuthToken given but hasFutureAuthToken is false');
    s.setFutureAuthToken(fromBase64(j.futureAuthToken, 'futureAuthToken'));
  } else if (j.hasFutureAuthToken && !withoutKeys) {
    throw tgsErr(9, 'the session had a future auth token that this JSON leaves out (exported without ' +
        '{secrets: true}); Session.fromJSON(json, {withoutKeys: true}) loads it without');
  }
  if (j.extras !== undefined) {
    const x = jsonObject(j.extras, 'extras', ['userId', 'isBot', 'testMode', 'apiId']);
    s.setExtras({userId: x.userId == null ? null : jsonI64(x.userId, 'extras.userId'),
      isBot: jsonTri(x.isBot, 'extras.isBot'), testMode: jsonTri(x.testMode, 'extras.testMode'),
      apiId: x.apiId == null ? null : jsonI32(x.apiId, 'extras.apiId')});
  }
}

/**
 * Formats read and written now: the core module's, plus the SQLite formats
 * once the SQLite module is loaded (loadSqliteSupport()).
 */
export async function formats() {
  await ready();
  const [read, write] = utf8d.decode(takeOut(check(M._tgs_formats()))).split('\n');
  const sqlite = Q ? [...SQLITE_FORMATS] : [];
  return {read: read.split(' ').concat(sqlite), write: write.split(' ').concat(sqlite)};
}

/** Sessions currently held in wasm memory (for leak checks). */
export async function liveSessions() { await ready(); return M._tgs_live_sessions(); }
