// tgsession's JavaScript API: LocalStorageBackend.

/**
 * Keeps the session as its native string under `<prefix><name>` in
 * localStorage (or any Storage). A full store (QuotaExceededError) is a
 * RESOURCE_EXHAUSTED error and leaves the previous value. Before every write
 * the stored string is compared with the one this backend last read or wrote:
 * if another tab changed it, the write fails with ABORTED.
 */
export class LocalStorageBackend {
  /** Names of the sessions stored under the prefix (sorted). */
  static async list(opts = {}) {
    const storage = opts.storage ?? globalThis.localStorage;
    if (!storage) throw tgsErr(12, 'localStorage is not available here');
    const prefix = opts.prefix ?? 'tgsession:';
    const names = [];
    try {
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k !== null && k.startsWith(prefix) && k.length > prefix.length) names.push(k.slice(prefix.length));
      }
    } catch (e) {
      throw domError(e, 'listing localStorage');
    }
    return names.sort();
  }

  static async open(name, opts = {}) {
    await ready();
    if (typeof name !== 'string' || !name) throw badArg('backend name must be a non-empty string');
    const storage = opts.storage ?? globalThis.localStorage;
    if (!storage) throw tgsErr(12, 'localStorage is not available here');
    const key = (opts.prefix ?? 'tgsession:') + name;
    const release = await acquireLock('tgsession-ls:' + key, opts.lock ?? 'fail');
    const b = new LocalStorageBackend(storage, key, release);
    try {
      b._last = b.#get();
    } catch (e) {
      await release();
      throw e;
    }
    return b;
  }

  /** @internal */
  constructor(storage, key, release) {
    this._s = storage;
    this._key = key;
    this._release = release;
    this._q = new Serial();
    this._last = null;
    this._open = true;
  }

  get name() { return 'local-storage:' + this._key; }

  #get() {
    try {
      return this._s.getItem(this._key);
    } catch (e) {
      throw domError(e, `reading ${this.name}`);
    }
  }

  #op(fn) {
    return this._q.run(() => {
      if (!this._open) throw tgsErr(9, `${this.name} is closed`);
      return fn();
    });
  }

  #write(text) {
    if (this.#get() !== this._last) throw conflict(this.name);
    try {
      if (text === null) this._s.removeItem(this._key); else this._s.setItem(this._key, text);
    } catch (e) {
      throw domError(e, `writing ${this.name}`);
    }
    this._last = text;
  }

  #decode(text) {
    if (text === null || text.trim() === '') return null;
    return decodeTo(text, {format: 'ferogram-native'});
  }

  /** The stored session (yours to free), or null when there is none. */
  load() {
    return this.#op(() => {
      const text = this.#get();
      const s = this.#decode(text);
      this._last = text;
      return s;
    });
  }

  save(session) { return this.#op(() => this.#write(session.toNativeString())); }
  delete() { return this.#op(() => this.#write(null)); }

  #mutate(apply) { return this.#op(() => this.#mutateNow(apply)); }

  #mutateNow(apply) {
    const text = this.#get();
    if (text !== this._last) throw conflict(this.name);
    const s = this.#decode(text) || new Session(check(M._tgs_session_new(0)));
    try {
      apply(s.handle);
      this.#write(s.toNativeString());
    } finally {
      s.free();
    }
  }

  updateDc(entry) { return this.#mutate((h) => opUpsertDc(h, entry, false)); }
  setHomeDc(dcId) { return this.#mutate((h) => opSetHomeDc(h, dcId, false)); }
  applyUpdateState(change) { return this.#mutate((h) => opUpdateState(h, change, false)); }
  cachePeer(peer) { return this.#mutate((h) => opCachePeer(h, peer, false)); }
  /** A batch {peers, minPeers, updates}: one setItem (nothing for an empty batch). */
  applyChanges(changes) {
    return this.#op(() => {
      const packed = packChanges(changes);
      if (!isEmptyChanges(changes)) this.#mutateNow((h) => opApplyChanges(h, packed, false));
    });
  }
  cachePeers(peers) { return this.applyChanges({peers}); }
  cacheMinPeers(minPeers) { return this.applyChanges({minPeers}); }
  applyUpdateStates(updates) { return this.applyChanges({updates}); }

  /** Releases the lock; the backend cannot be used afterwards. */
  close() {
    return this.#op(() => {
      this._open = false;
      return this._release();
    });
  }
}
