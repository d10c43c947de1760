// tgsession's JavaScript API: Session, a session in WebAssembly memory.

function decodeTo(input, opts = {}) {
  const format = opts.format ?? 'auto';
  const bytes = typeof input === 'string' ? utf8.encode(input) : bytesArg(input, 'session input');
  if (SQLITE_FORMATS.has(format) || (format === 'auto' && typeof input !== 'string' && isSqliteBytes(bytes))) {
    return sqliteDecode(bytes, opts);
  }
  const h = withBytes(bytes, (p, n) => withText(format, (fp, fn) => M._tgs_decode(p, n, fp, fn, opts.strict ? 1 : 0)));
  if (!h) throw lastError();
  return new Session(h, readInfo(takeOut(M._tgs_out_len())));
}

/** A session in WebAssembly memory. Free it with free() (or let the GC do it). */
export class Session {
  /** @internal */
  constructor(handle, info) {
    if (typeof handle !== 'number' || !M) throw badArg('use Session.create/fromBytes/fromString/load');
    this._h = handle;
    this.info = info || null;
    if (freer) freer.register(this, handle, this);
  }

  /** An empty session, or ferogram's default DC table with home DC 2 ({defaults: true}). */
  static async create(opts = {}) {
    await ready();
    return new Session(check(M._tgs_session_new(opts.defaults ? 1 : 0)));
  }

  /**
   * Decodes a session: bytes (ferogram binary v1..v9, or an SQLite session
   * file: the SQLite module is loaded first) or text (any session string).
   * `format` names one format ("auto" detects); `strict` rejects what a
   * correct writer never produces. `session.info` tells what was read.
   */
  static async load(input, opts) {
    await ready();
    const format = opts && opts.format != null ? opts.format : 'auto';
    if (SQLITE_FORMATS.has(format) || (format === 'auto' && typeof input !== 'string' &&
        isSqliteBytes(bytesArg(input, 'session input')))) {
      await loadSqliteSupport();
    }
    return decodeTo(input, opts);
  }

  static async fromBytes(bytes, opts = {}) {
    return Session.load(bytesArg(bytes, 'bytes'), Object.assign({format: 'ferogram-binary'}, opts));
  }

  static async fromString(text, opts = {}) {
    if (typeof text !== 'string') throw badArg('session string must be a string');
    return Session.load(text, opts);
  }

  /**
   * The session from its JSON form (toJSON(); an object or its text). Every
   * field is checked: INVALID_ARGUMENT names the first bad one. An entry that
   * had an auth key the JSON leaves out (exported without {secrets: true}) is
   * FAILED_PRECONDITION unless opts.withoutKeys accepts a keyless session.
   */
  static async fromJSON(json, opts = {}) {
    await ready();
    const j = jsonRoot(json);
    const s = new Session(check(M._tgs_session_new(0)));
    try {
      fillFromJson(s, j, !!opts.withoutKeys);
    } catch (e) {
      s.free();
      throw e;
    }
    return s;
  }

  get handle() {
    if (!this._h) throw tgsErr(9, 'session was freed');
    return this._h;
  }

  /** Releases the wasm memory (keys are wiped). Further use throws. */
  free() {
    if (this._h) {
      M._tgs_session_free(this._h);
      if (freer) freer.unregister(this);
      this._h = 0;
    }
  }

  clone() { const h = M._tgs_session_clone(this.handle); if (!h) throw lastError(); return new Session(h); }
  equals(other) { return check(M._tgs_session_equals(this.handle, other.handle)) === 1; }

  #read(section) { return new Rd(takeOut(check(M._tgs_read(this.handle, section)))); }

  get homeDcId() { return this.#read(0).i32(); }
  set homeDcId(v) { this.setHomeDc(v); }
  setHomeDc(dcId) { opSetHomeDc(this.handle, dcId, false); }

  /** The DC table in order. Keys are not included: see authKey(). */
  dcs() {
    const r = this.#read(1);
    const out = [];
    for (let n = r.u32(); n > 0; n--) {
      const dcId = r.i32();
      const hasAuthKey = r.u8() === 1;
      const flags = r.u8();
      out.push({dcId, hasAuthKey, flags, firstSalt: r.i64(), timeOffset: r.i32(), addr: r.str()});
    }
    return out;
  }

  /** The 256-byte auth key of a DC (a secret), or null. */
  authKey(dcId) {
    const n = check(M._tgs_auth_key(this.handle, i32(dcId, 'dcId')));
    return n ? takeOut(n) : null;
  }

  /** Inserts or replaces (same DC id, address family and media flag) a DC entry. */
  upsertDc(entry) { opUpsertDc(this.handle, entry, false); }

  /** Sets the key of every entry of the DC; returns how many were set. */
  setAuthKey(dcId, key) {
    const k = bytesArg(key, 'authKey');
    if (k.length !== 256) throw badArg(`authKey must be 256 bytes, got ${k.length}`);
    return check(withBytes(k, (p) => M._tgs_set_auth_key(this.handle, i32(dcId, 'dcId'), p)));
  }

  updatesState() {
    const r = this.#read(0);
    r.i32();
    const st = {pts: r.i32(), qts: r.i32(), date: r.i32(), seq: r.i32(), channels: []};
    for (let n = r.u32(); n > 0; n--) st.channels.push({channelId: r.i64(), pts: r.i32()});
    return st;
  }

  applyUpdateState(change) { opUpdateState(this.handle, change, false); }

  peers() {
    const r = this.#read(2);
    const out = [];
    for (let n = r.u32(); n > 0; n--) out.push(readPeer(r));
    return out;
  }

  findPeer(id) {
    const n = check(M._tgs_find_peer(this.handle, i64(id, 'id')));
    return n ? readPeer(new Rd(takeOut(n))) : null;
  }

  cachePeer(peer) { opCachePeer(this.handle, peer, false); }
  /**
   * Applies {peers, minPeers, updates} in that order, all or nothing (a bad
   * value anywhere changes nothing).
   */
  applyChanges(changes) { opApplyChanges(this.handle, packChanges(changes), false); }
  removePeer(id) { return check(M._tgs_remove_peer(this.handle, i64(id, 'id'))) === 1; }

  minPeers() {
    const r = this.#read(3);
    const out = [];
    for (let n = r.u32(); n > 0; n--) out.push({userId: r.i64(), peerId: r.i64(), msgId: r.i32()});
    return out;
  }

  cacheMinPeer(m) {
    check(M._tgs_cache_min_peer(this.handle, i64(m.userId, 'userId'), i64(m.peerId, 'peerId'),
        i32(m.msgId, 'msgId')));
  }

  /** The future auth token (a secret), or null. */
  futureAuthToken() {
    const n = M._tgs_read(this.handle, 4);
    if (n < 0) {
      const e = lastError();
      if (e.code === 5) return null;
      throw e;
    }
    return takeOut(n);
  }

  setFutureAuthToken(token) {
    if (token == null) return void check(M._tgs_set_token(this.handle, 0, 0, 0));
    check(withBytes(bytesArg(token, 'token'), (p, n) => M._tgs_set_token(this.handle, p, n, 1)));
  }

  stats() {
    const r = this.#read(5);
    const v = [];
    for (let i = 0; i < 10; i++) v.push(r.u32());
    return {homeDcId: v[0] | 0, dcsTotal: v[1], dcsWithAuthKey: v[2], peersTotal: v[3], peersUsers: v[4],
      peersChannels: v[5], peersChats: v[6], minPeers: v[7], channelPtsEntries: v[8], approxBytes: v[9],
      updatesInitialised: r.u8() === 1};
  }

  /**
   * Converts to `format` and says what the conversion kept: {data, summary:
   * {missing, dropped, warnings}}. data is bytes for file formats
   * (ferogram-binary, the SQLite ones), text otherwise. opts.version:
   * "auto" (v8 when it fits, else v9), "v8" or "v9" for ferogram binary and
   * native; 1 or 2 for ferogram compact.
   * opts.userId overrides the user id of extras() for formats that carry one.
   * The SQLite formats need the SQLite module (`await loadSqliteSupport()`,
   * or a Session.load() of an SQLite file, loads it) and write opts.now
   * (Unix seconds; default the current time) where their rows hold a time.
   */
  convert(format, opts = {}) {
    const fmt = String(format);
    let option = 0;
    if (fmt === 'ferogram-compact') {
      option = opts.version == null ? 2 : i32(opts.version, 'version', 1, 2);
    } else if (opts.version != null) {
      option = POLICIES[opts.version];
      if (option === undefined) throw badArg('version must be "auto", "v8" or "v9"');
    }
    const userId = i64(opts.userId ?? 0n, 'userId');
    let r;
    if (SQLITE_FORMATS.has(fmt)) {
      if (!Q) {
        throw tgsErr(9, `${fmt} needs the SQLite module: call \`await loadSqliteSupport()\` first ` +
            '(Session.load() of an SQLite file loads it too)');
      }
      const now = opts.now == null ? 0n : i64(opts.now, 'now');
      r = new Rd(sqliteEncode(this.handle, fmt, userId, now));
    } else {
      r = new Rd(takeOut(check(withText(fmt, (fp, fn) => M._tgs_encode(this.handle, fp, fn, option, userId)))));
    }
    const n = r.u32();
    const raw = r.b.slice(r.p, r.p + n);
    r.b.fill(0, r.p, r.p + n);
    r.p += n;
    const list = () => { const out = []; for (let k = r.u32(); k > 0; k--) out.push(jsTerms(r.str())); return out; };
    const summary = {missing: list(), dropped: list(), warnings: list()};
    return {data: BINARY_FORMATS.has(fmt) ? raw : utf8d.decode(raw), summary};
  }

  /** convert(format, opts).data: the session in another format (a secret). */
  export(format, opts) { return this.convert(format, opts).data; }

  /**
   * What other libraries' formats carry beside the session: {userId, isBot,
   * testMode, apiId, takeoutId}, each null when unknown. Set by decoding such
   * a format or by setExtras(); not stored by the backends.
   */
  extras() {
    const r = this.#read(7);
    const has = r.u8();
    const userId = r.i64();
    const tri = (v) => (v === 255 ? null : v === 1);
    const isBot = tri(r.u8());
    const testMode = tri(r.u8());
    const hasApi = r.u8();
    const apiId = r.i32();
    const hasTakeout = r.u8();
    const takeoutId = r.i64();
    return {userId: has ? userId : null, isBot, testMode, apiId: hasApi ? apiId : null,
      takeoutId: hasTakeout ? takeoutId : null};
  }

  /** Replaces userId, isBot, testMode and apiId of extras() (null/absent = unknown). */
  /** Fields left out keep their value; null makes one unknown. */
  setExtras(changes = {}) {
    const cur = this.extras();
    const e = {};
    for (const k of ['userId', 'isBot', 'testMode', 'apiId']) e[k] = changes[k] === undefined ? cur[k] : changes[k];
    const tri = (v, what) => (v == null ? -1 : typeof v === 'boolean' ? (v ? 1 : 0) : (() => { throw badArg(`${what} must be a boolean or null`); })());
    check(M._tgs_set_extras(this.handle, e.userId == null ? 0 : 1, e.userId == null ? 0n : i64(e.userId, 'userId'),
        tri(e.isBot, 'isBot'), tri(e.testMode, 'testMode'), e.apiId == null ? 0 : 1,
        e.apiId == null ? 0 : i32(e.apiId, 'apiId')));
  }

  toBytes(opts) { return this.export('ferogram-binary', opts); }
  toNativeString(opts) { return this.export('ferogram-native', opts); }
  toCompactString(opts) { return this.export('ferogram-compact', opts); }

  /**
   * The session as plain JSON data (what JSON.stringify(session) writes):
   * 64-bit values as decimal strings, keys and the future auth token as
   * base64 only with {secrets: true}. Format: README "The JSON form".
   */
  toJSON(opts) {
    const secrets = !!(opts && typeof opts === 'object' && opts.secrets);  // JSON.stringify passes a key string
    const st = this.updatesState();
    const x = this.extras();
    const j = {
      format: JSON_FORMAT,
      version: JSON_VERSION,
      homeDcId: this.homeDcId,
      dcs: this.dcs().map((d) => Object.assign({dcId: d.dcId, addr: d.addr, flags: d.flags,
        firstSalt: String(d.firstSalt), timeOffset: d.timeOffset, hasAuthKey: d.hasAuthKey},
      secrets && d.hasAuthKey ? {authKey: toBase64(this.#keyOf(d))} : {})),
      updatesState: {pts: st.pts, qts: st.qts, date: st.date, seq: st.seq,
        channels: st.channels.map((c) => ({channelId: String(c.channelId), pts: c.pts}))},
      peers: this.peers().map((p) => ({id: String(p.id), accessHash: String(p.accessHash), type: p.type,
        channelKind: p.channelKind, isCommunity: p.isCommunity})),
      minPeers: this.minPeers().map((m) => ({userId: String(m.userId), peerId: String(m.peerId), msgId: m.msgId})),
      hasFutureAuthToken: this.futureAuthToken() !== null,
      extras: {userId: x.userId === null ? null : String(x.userId), isBot: x.isBot, testMode: x.testMode,
        apiId: x.apiId},
    };
    if (secrets && j.hasFutureAuthToken) j.futureAuthToken = toBase64(this.futureAuthToken());
    return j;
  }

  // The key of one entry: authKey(dcId) gives the DC's first keyed entry,
  // which every entry of the DC shares after setAuthKey.
  #keyOf(d) { return this.authKey(d.dcId); }

  /** A one-line summary with secrets redacted. */
  toString() { return this._h ? utf8d.decode(this.#read(6).b) : 'Session{freed}'; }
}

if (typeof Symbol.dispose === 'symbol') Session.prototype[Symbol.dispose] = Session.prototype.free;
