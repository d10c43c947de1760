// SessionBackend: the one interface every session store implements, built-in
// or user-written (Redis, a cloud KV, ...).
//
// A backend stores one session. The granular operations exist because a
// client changes its session constantly (a peer seen, an update received) and
// rewriting everything for each change is slow; their default implementations
// are load-mutate-save, which is correct for any backend, and backends that
// can do better (a database row, an append-only journal) override them.
// ApplyChanges takes many of them at once (changes.h): the peers of a dialog
// page, the pts of an update and its users, in one call that is stored as one
// unit.
//
// Contract for implementations:
//   * Load() returns std::nullopt when nothing is stored, and an error only
//     when something is stored but cannot be read, or the store failed.
//   * A failed Save() (or granular op) leaves the previously stored session
//     loadable.
//   * ApplyChanges is all or nothing: after an error, or a crash of the
//     process at any moment, the store holds all of the batch or none of it.
//   * Every method may be called from several threads at once.
//   * Auth keys never appear in error messages or logs.
//
// A minimal custom backend only needs Save, Load, Delete and Name; see
// backends/example_custom_backend.cc.
#ifndef TGSESSION_BACKENDS_BACKEND_H_
#define TGSESSION_BACKENDS_BACKEND_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "backends/changes.h"
#include "session/session.h"

namespace tgsession {

class SessionBackend {
 public:
  virtual ~SessionBackend() = default;

  // Replaces the stored session with `session`.
  virtual absl::Status Save(const Session& session) = 0;
  // The stored session, or std::nullopt if there is none.
  virtual absl::StatusOr<std::optional<Session>> Load() = 0;
  // Removes the stored session. Deleting nothing is not an error.
  virtual absl::Status Delete() = 0;
  // A short description for logs and error messages ("binary-file:/x.session").
  virtual std::string Name() const = 0;

  // The stored session, or a new empty Session when nothing is stored; an
  // error only when Load() fails.
  absl::StatusOr<Session> LoadOrNew();

  // Finishes with the store and reports what finishing it did: the final
  // fold and sync of a file, closing a database, releasing a lease. Writes
  // after Close() fail with kFailedPrecondition (backends that hold nothing
  // open, the default, accept them); a second Close() returns OK. The
  // destructors of the built-in backends close too, but can only ignore an
  // error: call Close() to see it.
  virtual absl::Status Close() { return absl::OkStatus(); }

  // --- granular updates (default: load, mutate, save) ----------------------
  // Inserts or replaces a DC entry (same dc_id, address family and
  // MEDIA_ONLY flag; see Session::UpsertDc).
  virtual absl::Status UpdateDc(const DcEntry& entry);
  // Changes the home DC (after a *_MIGRATE error).
  virtual absl::Status SetHomeDc(int32_t dc_id);
  // Applies one update-state change (pts/qts/date/seq or a channel's pts).
  virtual absl::Status ApplyUpdateState(const UpdateStateChange& change);
  // Inserts or replaces (by id) a cached peer.
  virtual absl::Status CachePeer(const CachedPeer& peer);

  // --- batches (default: one load, mutate, save) ---------------------------
  // Applies `changes` (changes.h) as one unit. An empty batch writes nothing.
  virtual absl::Status ApplyChanges(const SessionChanges& changes);
  // One batch each.
  absl::Status CachePeers(absl::Span<const CachedPeer> peers);
  absl::Status CacheMinPeers(absl::Span<const CachedMinPeer> min_peers);
  absl::Status ApplyUpdateStates(absl::Span<const UpdateStateChange> changes);

 protected:
  // Helper for the defaults: loads (or starts from an empty session), lets
  // `mutate` change it, saves. Calls are serialized so two threads' granular
  // updates cannot overwrite each other (a concurrent full Save() still
  // replaces everything, as its contract says). A batch is as atomic as the
  // backend's Save.
  template <typename F>
  absl::Status LoadMutateSave(F mutate) {
    absl::MutexLock lock(&load_mutate_save_mu_);
    absl::StatusOr<Session> s = LoadOrNew();
    if (!s.ok()) return s.status();
    mutate(*s);
    return Save(*s);
  }

 private:
  absl::Mutex load_mutate_save_mu_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_BACKEND_H_
