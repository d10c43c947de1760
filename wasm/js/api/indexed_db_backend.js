// tgsession's JavaScript API: IndexedDbBackend.

const IDB_SCHEMA_VERSION = 1;

// IndexedDB layout (database `dbName`, default "tgsession", version 1):
//   meta       key: session name -> {generation, nextSeq, journalBytes,
//              snapshotBytes}. generation grows by one with every write and
//              is the version check between tabs; the record stays after
//              delete() so the count never goes back.
//   snapshots  key: session name -> Uint8Array, the session in ferogram's
//              binary format (v8, or v9 when it does not fit): the same bytes
//              BinaryFileBackend writes. Absent = no session.
//   journal    key: [session name, seq] -> Uint8Array, one framed journal
//              record (backends/journal.h) per granular change since the
//              snapshot, replayed in seq order on load.
// save() and delete() are one readwrite transaction over the three stores
// (snapshot replaced, journal cleared, meta bumped), so a crash or a closed
// tab leaves the old or the new session. A granular change adds one journal
// record and updates meta in one transaction; once the journal outgrows
// max(compactMinBytes, snapshot size) the change is folded into a new
// snapshot instead, in the same transaction.
export class IndexedDbBackend {
  /**
   * opts: dbName ("tgsession"), indexedDB (globalThis.indexedDB) and its
   * IDBKeyRange (optional with an injected indexedDB: faster loads), lock
   * ("fail" | "wait" | false), durability ("strict" | "relaxed" | "default";
   * "strict" by default: a resolved write is on disk), compactMinBytes
   * (1 MiB).
   */
  /** Names of the sessions stored in the database (sorted); none when it does not exist yet. */
  static async list(opts = {}) {
    const idb = opts.indexedDB ?? globalThis.indexedDB;
    if (!idb) throw tgsErr(12, 'IndexedDB is not available here');
    const dbName = opts.dbName ?? 'tgsession';
    // Listing must not create the database as a side effect.
    if (typeof idb.databases === 'function' && !(await idb.databases()).some((d) => d.name === dbName)) return [];
    const db = await openDb(idb, dbName, opts.schemaVersion ?? IDB_SCHEMA_VERSION);
    try {
      const keys = await new Promise((resolve, reject) => {
        let req;
        try {
          req = db.transaction('snapshots', 'readonly').objectStore('snapshots').getAllKeys();
        } catch (e) {
          reject(domError(e, `listing IndexedDB database ${dbName}`));
          return;
        }
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(domError(req.error, `listing IndexedDB database ${dbName}`));
      });
      return keys.filter((k) => typeof k === 'string').sort();
    } finally {
      db.close();
    }
  }

  static async open(name, opts = {}) {
    await ready();
    if (typeof name !== 'string' || !name) throw badArg('backend name must be a non-empty string');
    const idb = opts.indexedDB ?? globalThis.indexedDB;
    if (!idb) throw tgsErr(12, 'IndexedDB is not available here');
    const dbName = opts.dbName ?? 'tgsession';
    const release = await acquireLock(`tgsession-idb:${dbName}/${name}`, opts.lock ?? 'fail');
    let db;
    try {
      db = await openDb(idb, dbName, opts.schemaVersion ?? IDB_SCHEMA_VERSION);
    } catch (e) {
      await release();
      throw e;
    }
    const b = new IndexedDbBackend(db, dbName, name, release, {...opts, indexedDB: idb});
    try {
      await b.#refresh();  // the baseline for the version check
    } catch (e) {
      await b.close();
      throw e;
    }
    return b;
  }

  /** @internal */
  constructor(db, dbName, name, release, opts) {
    this._dbName = dbName;
    this._key = name;
    this._release = release;
    this._durability = opts.durability ?? 'strict';
    this._compactMin = opts.compactMinBytes ?? (1 << 20);
    // Key ranges of the implementation in use: the global IDBKeyRange only
    // goes with the global indexedDB (another implementation's ranges are
    // not valid keys for an injected one). Without one, the journal is read
    // and cleared key by key: its keys are [name, 0..meta.nextSeq-1].
    this._keyRange = opts.IDBKeyRange ?? (opts.indexedDB ? null : globalThis.IDBKeyRange) ?? null;
    this._q = new Serial();
    this._meta = null;     // meta as last read or written; null = not yet read
    this._cache = null;    // the stored session (a Session), or null for none
    this._closed = null;   // why the connection is unusable for good, or null
    this._idb = opts.indexedDB;
    this._schemaVersion = opts.schemaVersion ?? IDB_SCHEMA_VERSION;
    this.#watch(db);
  }

  #watch(db) {
    this._db = db;
    this._lost = false;    // the browser closed the connection: the next operation reopens it
    db.onversionchange = () => {
      db.close();
      this._closed = 'another tab or worker is upgrading or deleting the database';
    };
    db.onclose = () => { this._lost = true; };
  }

  get name() { return `indexeddb:${this._dbName}/${this._key}`; }

  #op(fn) {
    return this._q.run(() => {
      if (this._closed) throw tgsErr(14, `${this.name}: ${this._closed}`);
      return fn();
    });
  }

  // One transaction (see #tx1), on a new connection once if this one has
  // become unusable: closed by the browser (storage pressure), or, in
  // Firefox, refusing every write after a transaction failed with
  // QuotaExceededError (InvalidStateError "did not allow mutations"). The
  // failed transaction changed nothing, so running it again loses nothing
  // and does nothing twice.
  async #tx(mode, body) {
    if (this._lost) await this.#reopen();
    try {
      return await this.#tx1(mode, body);
    } catch (e) {
      if (!(e && e.domName === 'InvalidStateError')) throw e;
      await this.#reopen();
      return this.#tx1(mode, body);
    }
  }

  async #reopen() {
    try {
      this._db.close();
    } catch (e) { /* already closed */ }
    this.#watch(await openDb(this._idb, this._dbName, this._schemaVersion));
  }

  // One transaction; body(stores, abort) issues requests and may call
  // abort(error). Resolves with the value body's requests set through `out`
  // once the transaction commits.
  #tx1(mode, body) {
    return new Promise((resolve, reject) => {
      let t;
      try {
        t = this._db.transaction(['meta', 'snapshots', 'journal'], mode,
            mode === 'readwrite' ? {durability: this._durability} : undefined);
      } catch (e) {
        reject(domError(e, this.name));
        return;
      }
      let failure = null;
      const out = {};
      const abort = (err) => {
        failure = err;
        try { t.abort(); } catch (e) { /* already finished */ }
      };
      t.oncomplete = () => (failure ? reject(failure) : resolve(out));
      t.onabort = () => reject(failure || domError(t.error, `${this.name}: transaction aborted`));
      t.onerror = (ev) => { if (!failure) failure = domError(ev.target.error, this.name); };
      try {
        body({meta: t.objectStore('meta'), snap: t.objectStore('snapshots'), journal: t.objectStore('journal')},
            out, abort);
      } catch (e) {
        abort(e instanceof TgsError ? e : domError(e, this.name));
      }
    });
  }

  #range() { return this._keyRange.bound([this._key, -Infinity], [this._key, Infinity]); }

  // Reads the journal records [name, 0..nextSeq-1] into o.journal, in order.
  #readJournal(s, nextSeq, o) {
    if (this._keyRange) {
      s.journal.getAll(this.#range()).onsuccess = (ev) => { o.journal = ev.target.result; };
      return;
    }
    o.journal = new Array(nextSeq);
    for (let i = 0; i < nextSeq; i++) {
      s.journal.get([this._key, i]).onsuccess = (ev) => { o.journal[i] = ev.target.result; };
    }
  }

  #clearJournal(s, nextSeq) {
    if (this._keyRange) {
      s.journal.delete(this.#range());
      return;
    }
    for (let i = 0; i < nextSeq; i++) s.journal.delete([this._key, i]);
  }

  // Reads meta and, when its generation differs from what the cache holds,
  // the snapshot and journal too: one readonly transaction, so what is read
  // is one committed state.
  async #refresh() {
    const known = this._meta ? this._meta.generation : -1;
    const out = await this.#tx('readonly', (s, o) => {
      s.meta.get(this._key).onsuccess = (ev) => {
        o.meta = ev.target.result;
        if ((o.meta ? o.meta.generation : 0) === known) return;
        o.changed = true;
        s.snap.get(this._key).onsuccess = (e2) => { o.snap = e2.target.result; };
        this.#readJournal(s, o.meta ? o.meta.nextSeq : 0, o);
      };
    });
    if (!out.changed) return;
    const meta = out.meta || {generation: 0, nextSeq: 0, journalBytes: 0, snapshotBytes: 0};
    if (out.journal.some((r) => !(r instanceof Uint8Array))) {
      throw tgsErr(15, `${this.name}: journal record missing or not bytes (meta says ${meta.nextSeq} records)`);
    }
    let session = null;
    if (out.snap) {
      session = decodeTo(out.snap, {format: 'ferogram-binary'});
      if (out.journal.length) {
        let total = 0;
        for (const r of out.journal) total += r.length;
        const all = new Uint8Array(total);
        let at = 0;
        for (const r of out.journal) { all.set(r, at); at += r.length; }
        try {
          check(withBytes(all, (p, n) => M._tgs_replay(session.handle, p, n)));
        } catch (e) {
          session.free();
          throw e;
        } finally {
          all.fill(0);
        }
      }
    } else if (out.journal.length) {
      throw tgsErr(15, `${this.name}: journal records without a snapshot`);
    }
    this.#setCache(session);
    this._meta = meta;
  }

  #setCache(s) {
    if (this._cache && this._cache !== s) this._cache.free();
    this._cache = s;
  }

  // Writes in one readwrite transaction after checking that nobody else
  // wrote since we last read (meta.generation). `write(stores)` issues the
  // puts and returns the new meta. A failed transaction changed nothing, so
  // the cache stays valid; after a conflict every write keeps failing until
  // load() reads the other writer's changes.
  async #write(write) {
    const expect = this._meta.generation;
    const out = await this.#tx('readwrite', (s, o, abort) => {
      s.meta.get(this._key).onsuccess = (ev) => {
        const stored = ev.target.result;
        if ((stored ? stored.generation : 0) !== expect) return abort(conflict(this.name));
        try {
          const next = write(s, stored);
          next.generation = expect + 1;
          s.meta.put(next, this._key);
          o.meta = next;
        } catch (e) {
          abort(domError(e, this.name));  // e.g. a synchronous QuotaExceededError or DataCloneError
        }
      };
    });
    this._meta = out.meta;
  }

  #putSnapshot(s, stored, bytes) {
    s.snap.put(bytes, this._key);
    this.#clearJournal(s, stored ? stored.nextSeq : 0);
    return {nextSeq: 0, journalBytes: 0, snapshotBytes: bytes.length};
  }

  /** The stored session (yours to free), or null when there is none. */
  load() {
    return this.#op(async () => {
      await this.#refresh();
      return this._cache ? this._cache.clone() : null;
    });
  }

  save(session) {
    return this.#op(async () => {
      const bytes = session.toBytes();
      const copy = session.clone();
      try {
        await this.#write((s, stored) => this.#putSnapshot(s, stored, bytes));
      } catch (e) {
        copy.free();
        throw e;
      }
      this.#setCache(copy);
    });
  }

  delete() {
    return this.#op(async () => {
      await this.#write((s, stored) => {
        s.snap.delete(this._key);
        this.#clearJournal(s, stored ? stored.nextSeq : 0);
        return {nextSeq: 0, journalBytes: 0, snapshotBytes: 0};
      });
      this.#setCache(null);
    });
  }

  // A granular change: one journal record, or a new snapshot when there is
  // no session yet or the journal has grown past the compaction threshold.
  #granular(op) { return this.#op(() => this.#granularNow(op)); }

  async #granularNow(op) {
    const next = this._cache ? this._cache.clone() : new Session(check(M._tgs_session_new(0)));
    try {
      const rec = op(next.handle);
      const m = this._meta;
      const fold = !this._cache || m.journalBytes + rec.length > Math.max(this._compactMin, m.snapshotBytes);
      const snapshot = fold ? next.toBytes() : null;
      await this.#write((s, stored) => {
        if (snapshot) return this.#putSnapshot(s, stored, snapshot);
        s.journal.put(rec, [this._key, m.nextSeq]);
        return {nextSeq: m.nextSeq + 1, journalBytes: m.journalBytes + rec.length, snapshotBytes: m.snapshotBytes};
      });
    } catch (e) {
      next.free();
      throw e;
    }
    this.#setCache(next);
  }

  updateDc(entry) { return this.#granular((h) => opUpsertDc(h, entry, true)); }
  setHomeDc(dcId) { return this.#granular((h) => opSetHomeDc(h, dcId, true)); }
  applyUpdateState(change) { return this.#granular((h) => opUpdateState(h, change, true)); }
  cachePeer(peer) { return this.#granular((h) => opCachePeer(h, peer, true)); }
  /**
   * A batch {peers, minPeers, updates}: one journal record in one readwrite
   * transaction, so a crash or a closed tab keeps all of it or none
   * (nothing is written for an empty batch).
   */
  applyChanges(changes) {
    return this.#op(async () => {
      const packed = packChanges(changes);
      if (!isEmptyChanges(changes)) await this.#granularNow((h) => opApplyChanges(h, packed, true));
    });
  }
  cachePeers(peers) { return this.applyChanges({peers}); }
  cacheMinPeers(minPeers) { return this.applyChanges({minPeers}); }
  applyUpdateStates(updates) { return this.applyChanges({updates}); }

  /** Journal records and bytes since the last snapshot (for tests and tuning). */
  get journalStats() {
    const m = this._meta;
    return m ? {records: m.nextSeq, bytes: m.journalBytes, snapshotBytes: m.snapshotBytes} : null;
  }

  /** Closes the connection and releases the lock. */
  close() {
    return this._q.run(() => {
      this.#setCache(null);
      this._closed = this._closed || 'closed';
      this._db.close();
      return this._release();
    });
  }
}

function openDb(idb, dbName, version) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = idb.open(dbName, version);
    } catch (e) {
      reject(domError(e, `opening IndexedDB database ${dbName}`));
      return;
    }
    let settled = false;
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const store of ['meta', 'snapshots', 'journal']) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      if (settled) {
        db.close();  // we gave up on it (blocked)
        return;
      }
      settled = true;
      for (const store of ['meta', 'snapshots', 'journal']) {
        if (!db.objectStoreNames.contains(store)) {
          db.close();
          reject(tgsErr(9, `IndexedDB database ${dbName} exists without tgsession's "${store}" store`));
          return;
        }
      }
      resolve(db);
    };
    req.onerror = () => {
      if (!settled) reject(domError(req.error, `opening IndexedDB database ${dbName}`));
      settled = true;
    };
    req.onblocked = () => {
      if (!settled) {
        reject(tgsErr(14, `opening IndexedDB database ${dbName}: upgrade blocked by a connection in another tab`));
      }
      settled = true;
    };
  });
}
