// A bot's session, start to finish: open the file, log in once (a DC and its
// auth key), cache the peers it meets, close, and read it all back on the
// next start. Every failure is a status, propagated to main.
//
//   bazel run //examples/bot -- /tmp/bot.session
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backends/binary_file_backend.h"
#include "session/status_macros.h"

namespace {

using tgsession::BinaryFileBackend;
using tgsession::CachedPeer;
using tgsession::Session;

constexpr int kPeers = 10000;

// The first start: no session yet, so log in (here: a made-up key for DC 2).
absl::Status FirstStart(const std::string& path) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<BinaryFileBackend> store, BinaryFileBackend::Open(path));
  TGS_ASSIGN_OR_RETURN(Session session, store->LoadOrNew());
  if (session.dcs.empty()) {
    session.home_dc_id = 2;
    session.UpsertDc(tgsession::DcEntry::FromParts(2, "149.154.167.51", 443));
    const std::vector<uint8_t> key(256, 0x5a);  // from the MTProto handshake
    TGS_RETURN_IF_ERROR(session.SetAuthKey(2, key).status());
    TGS_RETURN_IF_ERROR(store->Save(session));  // durable when it returns
  }
  // Peers as updates bring them: one small journal append each.
  for (int64_t id = 1; id <= kPeers; ++id) {
    TGS_RETURN_IF_ERROR(store->CachePeer(CachedPeer::User(id, id * 7919)));
  }
  // Folds the journal into the file and reports whether that worked.
  return store->Close();
}

// The next start: everything is there.
absl::Status NextStart(const std::string& path) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<BinaryFileBackend> store, BinaryFileBackend::Open(path));
  TGS_ASSIGN_OR_RETURN(Session session, store->LoadOrNew());
  const tgsession::DcEntry* home = session.HomeDc();
  const CachedPeer* peer = session.FindPeer(kPeers);
  if (home == nullptr || !home->auth_key.has_value() || session.peers.size() != kPeers || peer == nullptr ||
      peer->access_hash != int64_t{kPeers} * 7919) {
    return absl::DataLossError("the session read back is not the one saved");
  }
  std::cout << "home DC " << session.home_dc_id << ", " << session.peers.size() << " peers\n";
  return store->Close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bot FILE\n";
    return 2;
  }
  absl::Status s = FirstStart(argv[1]);
  if (s.ok()) s = NextStart(argv[1]);
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  return 0;
}
