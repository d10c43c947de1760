// InMemoryBackend: keeps the session in process memory. Nothing survives the
// process; for tests, ephemeral bots, and as the reference fake when testing
// code written against SessionBackend.
#ifndef TGSESSION_BACKENDS_MEMORY_BACKEND_H_
#define TGSESSION_BACKENDS_MEMORY_BACKEND_H_

#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "backends/backend.h"

namespace tgsession {

class InMemoryBackend : public SessionBackend {
 public:
  InMemoryBackend() = default;
  explicit InMemoryBackend(Session initial) : session_(std::move(initial)) {}

  absl::Status Save(const Session& session) override;
  absl::StatusOr<std::optional<Session>> Load() override;
  absl::Status Delete() override;
  std::string Name() const override { return "in-memory"; }

  // Granular operations mutate the held session in place under the lock: no
  // copy of the session is made.
  absl::Status UpdateDc(const DcEntry& entry) override;
  absl::Status SetHomeDc(int32_t dc_id) override;
  absl::Status ApplyUpdateState(const UpdateStateChange& change) override;
  absl::Status CachePeer(const CachedPeer& peer) override;
  absl::Status ApplyChanges(const SessionChanges& changes) override;

  // Runs `f` on the held session (or nullptr) under the lock, without
  // copying it.
  template <typename F>
  void Inspect(F f) const {
    absl::MutexLock lock(&mu_);
    f(session_ ? &*session_ : nullptr);
  }

 private:
  Session& MutableLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::optional<Session> session_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_MEMORY_BACKEND_H_
