#include "backends/backend.h"

namespace tgsession {

absl::StatusOr<Session> SessionBackend::LoadOrNew() {
  absl::StatusOr<std::optional<Session>> loaded = Load();
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return Session();
  return std::move(**loaded);
}

absl::Status SessionBackend::UpdateDc(const DcEntry& entry) {
  return LoadMutateSave([&](Session& s) { s.UpsertDc(entry); });
}

absl::Status SessionBackend::SetHomeDc(int32_t dc_id) {
  return LoadMutateSave([&](Session& s) { s.home_dc_id = dc_id; });
}

absl::Status SessionBackend::ApplyUpdateState(const UpdateStateChange& change) {
  return LoadMutateSave([&](Session& s) { s.ApplyUpdateState(change); });
}

absl::Status SessionBackend::CachePeer(const CachedPeer& peer) {
  return LoadMutateSave([&](Session& s) { s.CachePeer(peer); });
}

absl::Status SessionBackend::ApplyChanges(const SessionChanges& changes) {
  if (changes.empty()) return absl::OkStatus();
  return LoadMutateSave([&](Session& s) { changes.ApplyTo(s); });
}

absl::Status SessionBackend::CachePeers(absl::Span<const CachedPeer> peers) {
  SessionChanges c;
  c.peers = peers;
  return ApplyChanges(c);
}

absl::Status SessionBackend::CacheMinPeers(absl::Span<const CachedMinPeer> min_peers) {
  SessionChanges c;
  c.min_peers = min_peers;
  return ApplyChanges(c);
}

absl::Status SessionBackend::ApplyUpdateStates(absl::Span<const UpdateStateChange> changes) {
  SessionChanges c;
  c.updates = changes;
  return ApplyChanges(c);
}

}  // namespace tgsession
