// Fuzz target: the JSON session reader. Properties: accepted JSON writes
// back (secrets revealed) to JSON that reads to the same session, and the
// session encodes in binary.
#include <cstddef>
#include <cstdint>
#include <string>

#include "session/binary_codec.h"
#include "session/json.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Session> s = SessionFromJson(in);
  if (!s.ok()) return 0;
  JsonWriteOptions o;
  o.reveal_secrets = true;
  const std::string json = SessionToJson(*s, o);
  absl::StatusOr<Session> back = SessionFromJson(json);
  FuzzCheck(back.ok());
  // Addresses that are not UTF-8 round-trip too, through "addr_hex".
  FuzzCheck(*back == *s);
  FuzzCheck(EncodeBinary(*s, EncodeOptions{VersionPolicy::kExtended}).ok() ||
            !CheckFitsBinaryVersion(*s, 9).ok());
  return 0;
}
