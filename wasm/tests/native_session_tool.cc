// Native side of the byte-identity test between BinaryFileBackend and the
// browser (browser_test.mjs):
//   native_session_tool write OUT      a rich session saved by BinaryFileBackend
//                                      (Save, granular changes, clean close)
//   native_session_tool resave IN OUT  loads IN with BinaryFileBackend and
//                                      saves it to OUT with another one
// Exit status 0 on success; errors go to stderr.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "backends/binary_file_backend.h"
#include "session/session.h"

namespace tgsession {
namespace {

AuthKey PatternKey(uint8_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(seed + i * 7);
  return AuthKey(raw);
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "native_session_tool: %s\n", s.ToString().c_str());
  return 1;
}

int Write(const std::string& out) {
  Session s;
  s.home_dc_id = 2;
  DcEntry a = DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags());
  a.auth_key = PatternKey(1);
  a.first_salt = -1234567890123456789;
  a.time_offset = -3;
  s.dcs.push_back(a);
  s.dcs.push_back(DcEntry::FromParts(2, "2001:67c:4e8:f002::a", 443, DcFlags(DcFlags::kIpv6)));
  s.updates_state.pts = 12345;
  s.updates_state.SetChannelPts(1234567890123, 42);
  s.CachePeer(CachedPeer::User(777000, INT64_MAX));
  s.CachePeer(CachedPeer::Channel(1001, 43690, ChannelKind::kBroadcast));
  s.CacheMinPeer({555, 1001, 10});
  absl::StatusOr<std::unique_ptr<BinaryFileBackend>> b = BinaryFileBackend::Open(out);
  if (!b.ok()) return Fail(b.status());
  absl::Status st = (*b)->Save(s);
  if (st.ok()) st = (*b)->CachePeer(CachedPeer::Channel(-1002, -5, ChannelKind::kMegagroup));
  if (st.ok()) st = (*b)->ApplyUpdateState(UpdateStateChange::Primary(20000, 1700000100, 9));
  DcEntry dc4 = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags(DcFlags::kMediaOnly));
  dc4.auth_key = PatternKey(9);
  if (st.ok()) st = (*b)->UpdateDc(dc4);
  if (!st.ok()) return Fail(st);
  b->reset();  // folds the journal: a plain ferogram file
  return 0;
}

int Resave(const std::string& in, const std::string& out) {
  absl::StatusOr<std::optional<Session>> s = BinaryFileBackend::ReadSessionFiles(in);
  if (!s.ok()) return Fail(s.status());
  if (!s->has_value()) return Fail(absl::NotFoundError("no session in " + in));
  absl::StatusOr<std::unique_ptr<BinaryFileBackend>> b = BinaryFileBackend::Open(out);
  if (!b.ok()) return Fail(b.status());
  absl::Status st = (*b)->Save(**s);
  if (!st.ok()) return Fail(st);
  return 0;
}

}  // namespace
}  // namespace tgsession

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "write") == 0) return tgsession::Write(argv[2]);
  if (argc == 4 && std::strcmp(argv[1], "resave") == 0) return tgsession::Resave(argv[2], argv[3]);
  std::fprintf(stderr, "usage: native_session_tool write OUT | resave IN OUT\n");
  return 2;
}
