#include "backends/memory_backend.h"

namespace tgsession {

absl::Status InMemoryBackend::Save(const Session& session) {
  Session copy = session;  // copy outside the lock
  absl::MutexLock lock(&mu_);
  session_ = std::move(copy);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Session>> InMemoryBackend::Load() {
  absl::MutexLock lock(&mu_);
  return session_;
}

absl::Status InMemoryBackend::Delete() {
  absl::MutexLock lock(&mu_);
  session_.reset();
  return absl::OkStatus();
}

Session& InMemoryBackend::MutableLocked() {
  if (!session_) session_.emplace();
  return *session_;
}

absl::Status InMemoryBackend::UpdateDc(const DcEntry& entry) {
  absl::MutexLock lock(&mu_);
  MutableLocked().UpsertDc(entry);
  return absl::OkStatus();
}

absl::Status InMemoryBackend::SetHomeDc(int32_t dc_id) {
  absl::MutexLock lock(&mu_);
  MutableLocked().home_dc_id = dc_id;
  return absl::OkStatus();
}

absl::Status InMemoryBackend::ApplyUpdateState(const UpdateStateChange& change) {
  absl::MutexLock lock(&mu_);
  MutableLocked().ApplyUpdateState(change);
  return absl::OkStatus();
}

absl::Status InMemoryBackend::CachePeer(const CachedPeer& peer) {
  absl::MutexLock lock(&mu_);
  MutableLocked().CachePeer(peer);
  return absl::OkStatus();
}

absl::Status InMemoryBackend::ApplyChanges(const SessionChanges& changes) {
  if (changes.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  changes.ApplyTo(MutableLocked());
  return absl::OkStatus();
}

}  // namespace tgsession
