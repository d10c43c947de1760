// Fuzz target: replay of a session journal (untrusted bytes after a valid
// header). Properties: no crash or unbounded allocation; the valid prefix
// plus the torn tail covers the input exactly; every applied record carries
// the CRC of its payload (recomputed here independently: a replay that
// skipped the check would apply damaged records); the replayed session
// encodes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/journal.h"
#include "session/binary_codec.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;

namespace {

// CRC-32C, bit by bit, and LevelDB's mask: the journal's record checksum,
// written without the library's code.
uint32_t MaskedCrc32c(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string j = journal::EncodeHeader(journal::Header{});
  j.append(reinterpret_cast<const char*>(data), size);
  Session s = NewSessionWithDefaults();
  absl::StatusOr<journal::ReplayResult> r = journal::Replay(j, &s);
  if (!r.ok()) return 0;
  FuzzCheck(r->valid_bytes + r->torn_bytes == j.size());
  FuzzCheck(r->valid_bytes >= journal::kHeaderSize);
  // The applied records, walked again: each is whole and checks out, and
  // they end where the valid prefix ends.
  const auto* p = reinterpret_cast<const uint8_t*>(j.data());
  size_t pos = journal::kHeaderSize;
  for (size_t i = 0; i < r->records; ++i) {
    FuzzCheck(j.size() - pos >= journal::kRecordOverhead);
    const uint32_t len = Le32(p + pos);
    FuzzCheck(j.size() - pos - journal::kRecordOverhead >= len);
    FuzzCheck(MaskedCrc32c(p + pos + journal::kRecordOverhead, len) == Le32(p + pos + 4));
    pos += journal::kRecordOverhead + len;
  }
  FuzzCheck(pos == r->valid_bytes);
  FuzzCheck(EncodeBinary(s, EncodeOptions{VersionPolicy::kExtended}).ok() || !CheckFitsBinaryVersion(s, 9).ok());
  // Re-encoding the replayed prefix's ops is not possible from the session,
  // but replaying the valid prefix again must give the same session.
  Session again = NewSessionWithDefaults();
  absl::StatusOr<journal::ReplayResult> r2 = journal::Replay(absl::string_view(j).substr(0, r->valid_bytes), &again);
  FuzzCheck(r2.ok() && r2->records == r->records && again == s);
  return 0;
}
