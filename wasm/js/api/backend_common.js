// tgsession's JavaScript API: what both backends use: Web Locks, one
// operation at a time, DOM errors as TgsError.

// Holds a Web Lock named `name` until the returned release() (Web Locks API
// where present); release() resolves once the lock is free again. lock:
// "fail" (default) rejects with FAILED_PRECONDITION when another tab or
// worker holds it, "wait" waits for it, false does not lock.
async function acquireLock(name, mode) {
  const locks = typeof navigator === 'object' && navigator && navigator.locks;
  if (mode === false || !locks) return async () => {};
  let unlock;
  const held = new Promise((r) => { unlock = r; });
  let granted;
  const got = new Promise((r) => { granted = r; });
  const done = locks.request(name, {ifAvailable: mode !== 'wait'}, (lock) => {
    granted(!!lock);
    return lock ? held : undefined;
  });
  if (!(await Promise.race([got, done.then(() => false)]))) {
    throw tgsErr(9, `session "${name}" is open in another tab or worker (Web Lock held); close it there first`);
  }
  return () => {
    unlock();
    return done.catch(() => {});
  };
}

function conflict(what) {
  return tgsErr(10, `${what} was changed by another tab or worker since this backend last read it; load() it again`);
}

// Runs backend operations one at a time, in call order.
class Serial {
  constructor() { this.tail = Promise.resolve(); }
  run(fn) {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => {});
    return r;
  }
}

function domError(e, what) {
  if (e instanceof TgsError) return e;
  const name = e && e.name;
  const msg = `${what}: ${name || 'Error'}${e && e.message ? ': ' + e.message : ''}`;
  const codes = {QuotaExceededError: 8, VersionError: 9, InvalidStateError: 14, AbortError: 10, UnknownError: 14,
    SecurityError: 7, NotFoundError: 9, TransactionInactiveError: 13, DataError: 13, DataCloneError: 13,
    ConstraintError: 13};
  const err = tgsErr(codes[name] ?? 2, msg);
  if (name) err.domName = name;
  return err;
}
