#include "backends/backend.h"

namespace tgsession {

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

}  // namespace tgsession
