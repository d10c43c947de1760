// LockHolder: who holds a session file's lock, written into the lock file so
// a second process that is refused can be told whom to stop.
//
// BinaryFileBackend takes an flock on PATH.lock; the flock alone decides who
// holds the session. Once it has the lock, the holder writes one line into
// the file:
//
//   tgsession-lock v1 pid=4242 host=worker-7 since=2026-12-05T10:11:12Z
//   boot=<kernel boot id> start=<process start, clock ticks since boot>
//
// (one line; wrapped here) and empties the file before it lets go. The line
// is only a description: it is read when the flock is refused, and checked
// before it is believed. A record left by a holder that crashed does no harm
// (the kernel released its flock, so the next opener gets the lock and
// replaces the line), but it could mislead when the flock is held by someone
// the line does not name: a child the holder forked (which shares its lock)
// still running after the holder died, another program flocking the file, or
// a new holder between taking the lock and writing its line. So on the same
// host the recorded process is looked up (same boot, a live process with that
// pid and that start time): a record that names a process that is gone is
// reported as such, never as the holder.
#ifndef TGSESSION_BACKENDS_LOCK_HOLDER_H_
#define TGSESSION_BACKENDS_LOCK_HOLDER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tgsession {

struct LockHolder {
  int64_t pid = 0;
  std::string host;
  absl::Time since;
  std::string boot_id;         // empty where the system has none
  uint64_t process_start = 0;  // 0: unknown

  // This process, now.
  static LockHolder Current();
};

// The record line (ends with '\n'; no field contains a space or a control
// character: the host name is sanitized).
std::string EncodeLockHolder(const LockHolder& h);
// nullopt for anything that is not a record this code wrote (empty, cut, or
// a different program's bytes).
std::optional<LockHolder> ParseLockHolder(absl::string_view text);

enum class HolderState {
  kAlive,       // same host and boot; that process runs
  kGone,        // same host: no such process, a later one with its pid, or an earlier boot
  kOtherHost,   // cannot be checked from here
};
HolderState CheckLockHolder(const LockHolder& h);

// Why `lock_path` could not be taken, for the error message: "in use by
// process 4242 on host worker-7 since 2026-12-05T10:11:12Z" or, when the
// record is missing, unreadable or names a process that is gone, what is
// known (never a dead process named as the holder).
std::string DescribeLockHolder(const std::optional<LockHolder>& h);

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_LOCK_HOLDER_H_
