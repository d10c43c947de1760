// The smallest program a device would ship: decode a session (1,000 peers,
// five DCs with keys), save it through BinaryFileBackend, open the file
// again and load it back. tools/bench/footprint.sh measures its stripped
// size, and, built with TGS_FOOTPRINT_COUNT_HEAP, the peak of heap memory in
// use from the decode to the end (printed as "peak_heap_bytes=N").
//
//   footprint [FOLDER]   (a scratch folder is made in FOLDER, default /tmp)
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "backends/binary_file_backend.h"
#include "session/binary_codec.h"

#ifdef TGS_FOOTPRINT_COUNT_HEAP
#include "tools/bench/counting_allocator.h"
#endif

namespace tgsession {
namespace {

Session Make(int peers) {
  Session s = NewSessionWithDefaults();
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(i * 7 + 1);
  for (DcEntry& dc : s.dcs) dc.auth_key = AuthKey(raw);
  s.updates_state.pts = 1000;
  s.updates_state.date = 1700000000;
  for (int i = 0; i < peers; ++i) {
    switch (i % 3) {
      case 0:
        s.CachePeer(CachedPeer::User(100000 + i, i * 7919));
        break;
      case 1:
        s.CachePeer(CachedPeer::Channel(1000000000 + i, -i, ChannelKind::kMegagroup));
        s.updates_state.SetChannelPts(1000000000 + i, i);
        break;
      default:
        s.CachePeer(CachedPeer::Chat(5000 + i));
        break;
    }
  }
  return s;
}

int Fail(const absl::Status& status) {
  std::fputs(absl::StrCat("footprint: ", status.ToString(), "\n").c_str(), stderr);
  return 1;
}

int Run(const char* parent) {
  std::string dir = absl::StrCat(parent, "/tgs-footprint-XXXXXX");
  if (::mkdtemp(&dir[0]) == nullptr) return Fail(absl::InternalError(absl::StrCat("cannot make ", dir)));
  const std::string path = dir + "/session";

  // The bytes a device reads from storage.
  std::string input;
  {
    absl::StatusOr<std::string> encoded = EncodeBinary(Make(1000));
    if (!encoded.ok()) return Fail(encoded.status());
    input = *std::move(encoded);
  }
#ifdef TGS_FOOTPRINT_COUNT_HEAP
  counting_allocator::ResetPeak();
#endif
  absl::StatusOr<Session> decoded = DecodeBinary(input);
  if (!decoded.ok()) return Fail(decoded.status());
  {
    absl::StatusOr<std::unique_ptr<BinaryFileBackend>> backend = BinaryFileBackend::Open(path);
    if (!backend.ok()) return Fail(backend.status());
    if (absl::Status saved = (*backend)->Save(*decoded); !saved.ok()) return Fail(saved);
  }
  {
    absl::StatusOr<std::unique_ptr<BinaryFileBackend>> backend = BinaryFileBackend::Open(path);
    if (!backend.ok()) return Fail(backend.status());
    absl::StatusOr<std::optional<Session>> loaded = (*backend)->Load();
    if (!loaded.ok()) return Fail(loaded.status());
    if (!loaded->has_value() || **loaded != *decoded) {
      return Fail(absl::DataLossError("the session read back differs from the one saved"));
    }
  }
#ifdef TGS_FOOTPRINT_COUNT_HEAP
  std::fputs(absl::StrCat("peak_heap_bytes=", counting_allocator::Peak(), " input_bytes=", input.size(),
                          " peers=", decoded->peers.size(), "\n")
                 .c_str(),
             stdout);
#endif
  ::unlink(path.c_str());
  ::unlink((path + ".lock").c_str());
  ::rmdir(dir.c_str());
  return 0;
}

}  // namespace
}  // namespace tgsession

int main(int argc, char** argv) { return tgsession::Run(argc > 1 ? argv[1] : "/tmp"); }
