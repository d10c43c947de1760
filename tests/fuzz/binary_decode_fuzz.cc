// Fuzz target: the binary decoder (v1-v9, both modes) and the encoder.
// Properties: accepted input re-encodes (v8 or v9, never wrapped) to bytes
// that decode to the same session; strict acceptance implies compatible
// acceptance of the same session; EncodedSize is exact.
#include <cstddef>
#include <cstdint>
#include <string>

#include "session/binary_codec.h"
#include "session/utf8.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  DecodeOptions compat;
  DecodeOptions strict;
  strict.mode = DecodeMode::kStrict;
  DecodeInfo info;
  absl::StatusOr<Session> s = DecodeBinary(in, compat, &info);
  absl::StatusOr<Session> t = DecodeBinary(in, strict);
  if (t.ok()) {
    FuzzCheck(s.ok());
    FuzzCheck(*s == *t);
  }
  if (!s.ok()) {
    FuzzCheck(!s.status().message().empty());
    return 0;
  }
  FuzzCheck(info.version >= 1 && info.version <= 9);
  const int v = ChooseBinaryVersion(*s);
  absl::StatusOr<std::string> enc = EncodeBinary(*s);
  FuzzCheck(enc.ok());
  FuzzCheck(enc->size() == BinaryEncodedSize(*s, v));
  FuzzCheck(static_cast<uint8_t>((*enc)[0]) == v);
  // What we write we read back, unchanged. (Strictly, too, unless an address
  // is not UTF-8: we keep such bytes, a correct ferogram writer never makes
  // them, and strict mode is exactly the check for that.)
  absl::StatusOr<Session> back = DecodeBinary(*enc, compat);
  FuzzCheck(back.ok());
  FuzzCheck(*back == *s);
  bool utf8 = true;
  for (const DcEntry& e : s->dcs) utf8 = utf8 && IsValidUtf8(e.addr);
  if (utf8 || v == 9) FuzzCheck(DecodeBinary(*enc, strict).ok());
  // A clean current-version file re-encodes byte for byte.
  if (t.ok() && (info.version == 8 || info.version == 9) && info.trailing_bytes == 0 && v == info.version) {
    FuzzCheck(*enc == in);
  }
  return 0;
}
