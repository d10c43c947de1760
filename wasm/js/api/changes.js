// tgsession's JavaScript API: what Session and the backends share: the
// module's records read back, and the granular changes checked and packed.

const PEER_TYPES = ['user', 'channel', 'chat'];
// Formats whose export is bytes (files); every other one is text.
const BINARY_FORMATS = new Set(['ferogram-binary', 'ferogram-sqlite', 'telethon-sqlite', 'pyrogram-sqlite']);
const CHANNEL_KINDS = ['Broadcast', 'Megagroup', 'Gigagroup'];
const POLICIES = {auto: 0, v8: 1, v9: 2};

const freer = typeof FinalizationRegistry === 'function' ?
  new FinalizationRegistry((h) => { if (M) M._tgs_session_free(h); }) : null;

function readPeer(r) {
  const id = r.i64();
  const accessHash = r.i64();
  const type = PEER_TYPES[r.u8()];
  const k = r.u8();
  return {id, accessHash, type, channelKind: k === 0xff ? null : CHANNEL_KINDS[k], isCommunity: r.u8() === 1};
}

function readInfo(bytes) {
  const r = new Rd(bytes);
  const info = {format: r.str(), binaryVersion: r.u32(), readAsV1Fallback: r.u8() === 1,
    trailingBytes: r.u32(), anomalyCount: r.u32(), layout: r.str()};
  const hasUser = r.u8() === 1;
  const uid = r.i64();
  info.userId = hasUser ? uid : null;
  info.warnings = [];
  for (let n = r.u32(); n > 0; n--) info.warnings.push(jsTerms(r.str()));
  return info;
}

function packState(st) {
  const ch = st.channels || [];
  const b = new Uint8Array(20 + 12 * ch.length);
  const v = new DataView(b.buffer);
  ['pts', 'qts', 'date', 'seq'].forEach((k, i) => v.setInt32(4 * i, i32(st[k] ?? 0, k), true));
  v.setUint32(16, ch.length, true);
  ch.forEach((c, i) => {
    v.setBigInt64(20 + 12 * i, i64(c.channelId, 'channelId'), true);
    v.setInt32(28 + 12 * i, i32(c.pts, 'pts'), true);
  });
  return b;
}

// The granular changes, shared by Session's methods and the backends. Each
// applies to handle `h`; with `record` set it returns the change's journal
// record (Uint8Array), otherwise undefined.
function finishOp(r, record) {
  check(r);
  return record ? takeOut(r) : undefined;
}

function opSetHomeDc(h, dcId, record) {
  return finishOp(M._tgs_set_home_dc(h, i32(dcId, 'dcId'), record ? 1 : 0), record);
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIpv6(host) {
  if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) return false;
  try {
    new URL(`http://[${host}]/`);  // the URL parser's IPv6 grammar
    return true;
  } catch (e) {
    return false;
  }
}

// A DNS name (RFC 1123 labels; the last one not all digits, so a bad IPv4
// address is not taken for a name). GramJS in browsers connects to
// "venus.web.telegram.org:443".
function isHostName(host) {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1]);
}

// A DC address as Telegram's DC table holds it: "a.b.c.d:port",
// "[ipv6]:port" or "host.name:port", port 1..65535. Checked where it enters
// (upsertDc and the backends' updateDc), so a bad one never reaches a stored
// session.
function checkDcAddr(addr) {
  const form = '"ip:port", "[ipv6]:port" or "host.name:port"';
  if (typeof addr !== 'string') throw badArg(`addr must be a string, ${form}`);
  const shown = JSON.stringify(addr.length > 64 ? addr.slice(0, 64) + '...' : addr);
  let host;
  let port;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(addr);
  if (v6) {
    [, host, port] = v6;
    if (!isIpv6(host)) throw badArg(`addr ${shown}: ${JSON.stringify(host)} is not an IPv6 address`);
  } else if (addr.startsWith('[')) {
    throw badArg(`addr ${shown}: expected "[ipv6]:port"`);
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon < 0) throw badArg(`addr ${shown}: missing ":port" (expected ${form})`);
    host = addr.slice(0, colon);
    port = addr.slice(colon + 1);
    if (host.includes(':')) throw badArg(`addr ${shown}: an IPv6 host must be bracketed, as in "[2001:db8::1]:443"`);
    if (!IPV4.test(host) && !isHostName(host)) {
      throw badArg(`addr ${shown}: ${JSON.stringify(host)} is not an IPv4 address or a host name (expected ${form})`);
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw badArg(`addr ${shown}: port ${JSON.stringify(port)} is not a number in 1..65535`);
  }
}

function opUpsertDc(h, e, record) {
  if (!e || typeof e !== 'object') throw badArg('DC entry must be an object');
  const dcId = i32(e.dcId, 'dcId');
  checkDcAddr(e.addr);
  const salt = i64(e.firstSalt ?? 0n, 'firstSalt');
  const offset = i32(e.timeOffset ?? 0, 'timeOffset');
  const flags = i32(e.flags ?? 0, 'flags', 0, 255);
  const key = e.authKey == null ? null : bytesArg(e.authKey, 'authKey');
  if (key && key.length !== 256) throw badArg(`authKey must be 256 bytes, got ${key.length}`);
  const addr = utf8.encode(e.addr);
  const call = (kp) => withBytes(addr, (ap, an) =>
    M._tgs_upsert_dc(h, dcId, ap, an, kp, salt, offset, flags, record ? 1 : 0));
  return finishOp(key ? withBytes(key, (kp) => call(kp)) : call(0), record);
}

function opUpdateState(h, c, record) {
  if (!c || typeof c !== 'object') throw badArg('update state change must be an object');
  const rec = record ? 1 : 0;
  let r;
  switch (c.kind) {
    case 'primary':
      r = M._tgs_apply_update(h, 1, i32(c.pts, 'pts'), i32(c.date, 'date'), i32(c.seq, 'seq'), 0n, rec);
      break;
    case 'secondary':
      r = M._tgs_apply_update(h, 2, i32(c.qts, 'qts'), 0, 0, 0n, rec);
      break;
    case 'channel':
      r = M._tgs_apply_update(h, 3, i32(c.pts, 'pts'), 0, 0, i64(c.channelId, 'channelId'), rec);
      break;
    case 'all':
      r = withBytes(packState(c.state || {}), (p, n) => M._tgs_set_update_state(h, p, n, rec));
      break;
    default:
      throw badArg('update state change kind must be "primary", "secondary", "channel" or "all"');
  }
  return finishOp(r, record);
}

function opCachePeer(h, p, record) {
  if (!p || typeof p !== 'object') throw badArg('peer must be an object');
  const type = PEER_TYPES.indexOf(p.type ?? 'user');
  if (type < 0) throw badArg('peer type must be "user", "channel" or "chat"');
  const kind = p.channelKind == null ? 0xff : CHANNEL_KINDS.indexOf(p.channelKind);
  if (kind < 0) throw badArg('channelKind must be "Broadcast", "Megagroup", "Gigagroup" or null');
  return finishOp(M._tgs_cache_peer(h, i64(p.id, 'id'), i64(p.accessHash ?? 0n, 'accessHash'), type, kind,
      p.isCommunity ? 1 : 0, record ? 1 : 0), record);
}

// A batch ({peers, minPeers, updates}) packed as tgs_apply_changes reads
// it. Every value is checked here, before anything reaches C++.
function packChanges(c) {
  if (!c || typeof c !== 'object') throw badArg('changes must be an object {peers, minPeers, updates}');
  const peers = c.peers ?? [];
  const mins = c.minPeers ?? [];
  const updates = c.updates ?? [];
  for (const [v, what] of [[peers, 'peers'], [mins, 'minPeers'], [updates, 'updates']]) {
    if (!Array.isArray(v)) throw badArg(`changes.${what} must be an array`);
  }
  let size = 12 + 19 * peers.length + 20 * mins.length;
  for (const u of updates) {
    if (!u || typeof u !== 'object') throw badArg('update state change must be an object');
    size += u.kind === 'all' ? 21 + 12 * ((u.state && u.state.channels) || []).length : 13;
  }
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  let at = 0;
  const u8 = (x) => { b[at++] = x; };
  const u32 = (x) => { v.setUint32(at, x, true); at += 4; };
  const i32v = (x, what) => { v.setInt32(at, i32(x, what), true); at += 4; };
  const i64v = (x, what) => { v.setBigInt64(at, i64(x, what), true); at += 8; };
  u32(peers.length);
  peers.forEach((p, i) => {
    if (!p || typeof p !== 'object') throw badArg(`peers[${i}] must be an object`);
    const type = PEER_TYPES.indexOf(p.type ?? 'user');
    if (type < 0) throw badArg(`peers[${i}].type must be "user", "channel" or "chat"`);
    const kind = p.channelKind == null ? 0xff : CHANNEL_KINDS.indexOf(p.channelKind);
    if (kind < 0) throw badArg(`peers[${i}].channelKind must be "Broadcast", "Megagroup", "Gigagroup" or null`);
    i64v(p.id, `peers[${i}].id`);
    i64v(p.accessHash ?? 0n, `peers[${i}].accessHash`);
    u8(type);
    u8(kind);
    u8(p.isCommunity ? 1 : 0);
  });
  u32(mins.length);
  mins.forEach((m, i) => {
    if (!m || typeof m !== 'object') throw badArg(`minPeers[${i}] must be an object`);
    i64v(m.userId, `minPeers[${i}].userId`);
    i64v(m.peerId, `minPeers[${i}].peerId`);
    i32v(m.msgId, `minPeers[${i}].msgId`);
  });
  u32(updates.length);
  updates.forEach((c2, i) => {
    switch (c2.kind) {
      case 'primary':
        u8(1); i32v(c2.pts, 'pts'); i32v(c2.date, 'date'); i32v(c2.seq, 'seq');
        break;
      case 'secondary':
        u8(2); i32v(c2.qts, 'qts');
        break;
      case 'channel':
        u8(3); i64v(c2.channelId, 'channelId'); i32v(c2.pts, 'pts');
        break;
      case 'all': {
        u8(4);
        const st = c2.state || {};
        for (const k of ['pts', 'qts', 'date', 'seq']) i32v(st[k] ?? 0, k);
        const ch = st.channels || [];
        u32(ch.length);
        for (const x of ch) { i64v(x.channelId, 'channelId'); i32v(x.pts, 'pts'); }
        break;
      }
      default:
        throw badArg(`updates[${i}].kind must be "primary", "secondary", "channel" or "all"`);
    }
  });
  return b.subarray(0, at);
}

function isEmptyChanges(c) {
  return !(c.peers && c.peers.length) && !(c.minPeers && c.minPeers.length) && !(c.updates && c.updates.length);
}

function opApplyChanges(h, packed, record) {
  return finishOp(withBytes(packed, (p, n) => M._tgs_apply_changes(h, p, n, record ? 1 : 0)), record);
}
