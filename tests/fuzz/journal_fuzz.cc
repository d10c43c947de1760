// Fuzz target: replay of a session journal (untrusted bytes after a valid
// header). Properties: no crash or unbounded allocation; the valid prefix
// plus the torn tail covers the input exactly; the replayed session encodes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/journal.h"
#include "session/binary_codec.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string j = journal::EncodeHeader(journal::Header{});
  j.append(reinterpret_cast<const char*>(data), size);
  Session s = NewSessionWithDefaults();
  absl::StatusOr<journal::ReplayResult> r = journal::Replay(j, &s);
  if (!r.ok()) return 0;
  FuzzCheck(r->valid_bytes + r->torn_bytes == j.size());
  FuzzCheck(r->valid_bytes >= journal::kHeaderSize);
  FuzzCheck(EncodeBinary(s, EncodeOptions{VersionPolicy::kExtended}).ok() || !CheckFitsBinaryVersion(s, 9).ok());
  // Re-encoding the replayed prefix's ops is not possible from the session,
  // but replaying the valid prefix again must give the same session.
  Session again = NewSessionWithDefaults();
  absl::StatusOr<journal::ReplayResult> r2 = journal::Replay(absl::string_view(j).substr(0, r->valid_bytes), &again);
  FuzzCheck(r2.ok() && r2->records == r->records && again == s);
  return 0;
}
