// tgsession/file (node only): a session in one file in ferogram's binary
// format, the file BinaryFileBackend writes, so native tools and ferogram
// read it. Contract: file_backend.d.ts; design: docs/gramjs.md.
//
// Every change is applied to the backend's copy of the session at once and
// then written as a whole snapshot (temp file 0600 beside it, fsync, rename,
// fsync of the folder). Changes made while a snapshot is being written go
// into the next one, so a burst of calls costs one or two writes; each
// call's promise resolves once a snapshot holding it is durable.
import {open, readFile, rename, stat, unlink} from 'node:fs/promises';
import {hostname} from 'node:os';
import {basename, dirname, join} from 'node:path';
import {Session, StatusCode, TgsError} from './tgsession.node.mjs';

const tgsError = (codeName, message) => new TgsError(StatusCode[codeName], message);

function ioError(what, path, e) {
  const code = e.code === 'EACCES' || e.code === 'EPERM' ? 'PERMISSION_DENIED'
    : e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'RESOURCE_EXHAUSTED'
      : e.code === 'ENOENT' ? 'NOT_FOUND' : 'UNAVAILABLE';
  return tgsError(code, `${what} ${path}: ${e.message}`);
}

async function writeAtomically(path, bytes) {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  let fh;
  try {
    fh = await open(tmp, 'wx', 0o600);
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = null;
    await rename(tmp, path);
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw ioError('writing', path, e);
  }
  let dir;
  try {
    dir = await open(dirname(path), 'r');
    await dir.sync();
  } catch (e) {
    throw ioError('syncing the folder of', path, e);
  } finally {
    if (dir) await dir.close().catch(() => {});
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// PATH.nodelock, created exclusively, names its holder. A holder on this
// host whose process is gone left it behind: it is taken over.
async function takeLock(path) {
  const lockPath = `${path}.nodelock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(JSON.stringify({pid: process.pid, host: hostname(), since: new Date().toISOString()}));
      await fh.close();
      return lockPath;
    } catch (e) {
      if (e.code !== 'EEXIST') throw ioError('locking', path, e);
    }
    let holder = null;
    try {
      holder = JSON.parse(await readFile(lockPath, 'utf8'));
    } catch {
      // Unreadable or half-written by a holder starting now: treat as held.
    }
    if (holder && holder.host === hostname() && !alive(holder.pid)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
    throw tgsError('FAILED_PRECONDITION', `${path} is open in ${who}; close it there first ` +
      '(two clients on one session end in AUTH_KEY_DUPLICATED)');
  }
  throw tgsError('FAILED_PRECONDITION', `${path}: could not take ${lockPath}`);
}

export class FileBackend {
  /**
   * Opens (without creating) the session file at `path`.
   * @param options {lock: 'fail' (default) | false}
   */
  static async open(path, options = {}) {
    if (typeof path !== 'string' || path === '') throw tgsError('INVALID_ARGUMENT', 'FileBackend.open: path must be a file path');
    const journal = await stat(`${path}.journal`).catch(() => null);
    if (journal && journal.size > 0) {
      throw tgsError('FAILED_PRECONDITION', `${path} has unfolded changes in ${path}.journal (a native ` +
        'BinaryFileBackend did not close it): open and close it once with the tgsession CLI or library');
    }
    const lockPath = options.lock === false ? null : await takeLock(path);
    const b = new FileBackend(path, lockPath);
    try {
      const stored = await b._read();
      b._exists = stored !== null;
      b._session = stored ?? await Session.create();
    } catch (e) {
      if (lockPath) await unlink(lockPath).catch(() => {});
      throw e;
    }
    return b;
  }

  /** @internal */
  constructor(path, lockPath) {
    this.name = path;
    this._path = path;
    this._lockPath = lockPath;
    this._session = null;   // what the file holds once pending writes land
    this._exists = false;   // whether it holds anything (granular changes start from an empty session)
    this._writing = null;
    this._next = null;
    this._closed = false;
  }

  async _read() {
    let bytes;
    try {
      bytes = await readFile(this._path);
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw ioError('reading', this._path, e);
    }
    try {
      return await Session.fromBytes(bytes, {format: 'ferogram-binary'});
    } finally {
      bytes.fill(0);
    }
  }

  _open() {
    if (this._closed) throw tgsError('FAILED_PRECONDITION', `FileBackend ${this._path} is closed`);
  }

  // The snapshot that will hold every change made so far.
  _commit() {
    if (!this._next) {
      const after = this._writing ?? Promise.resolve();
      this._next = after.catch(() => {}).then(() => {
        this._next = null;
        if (!this._exists) return unlink(this._path).catch((e) => {
          if (e.code !== 'ENOENT') throw ioError('deleting', this._path, e);
        });
        const bytes = this._session.toBytes();
        this._writing = writeAtomically(this._path, bytes).finally(() => {
          bytes.fill(0);
          this._writing = null;
        });
        return this._writing;
      });
    }
    return this._next;
  }

  _change(apply) {
    this._open();
    apply(this._session);
    this._exists = true;
    return this._commit();
  }

  async save(session) {
    this._open();
    const copy = session.clone();
    this._session.free();
    this._session = copy;
    this._exists = true;
    return this._commit();
  }

  async load() {
    this._open();
    await (this._next ?? this._writing ?? Promise.resolve()).catch(() => {});
    return this._exists ? this._session.clone() : null;
  }

  async delete() {
    this._open();
    const empty = await Session.create();
    this._session.free();
    this._session = empty;
    this._exists = false;
    return this._commit();
  }

  async updateDc(entry) { return this._change((s) => s.upsertDc(entry)); }
  async setHomeDc(dcId) { return this._change((s) => s.setHomeDc(dcId)); }
  async applyUpdateState(change) { return this._change((s) => s.applyUpdateState(change)); }
  async cachePeer(peer) { return this._change((s) => s.cachePeer(peer)); }
  async applyChanges(changes) { return this._change((s) => s.applyChanges(changes)); }
  async cachePeers(peers) { return this.applyChanges({peers}); }
  async cacheMinPeers(minPeers) { return this.applyChanges({minPeers}); }
  async applyUpdateStates(updates) { return this.applyChanges({updates}); }

  /** Waits for pending writes, then releases the lock. */
  async close() {
    if (this._closed) return;
    this._closed = true;
    try {
      await (this._next ?? this._writing);
    } finally {
      this._session.free();
      this._session = null;
      if (this._lockPath) await unlink(this._lockPath).catch(() => {});
    }
  }
}
