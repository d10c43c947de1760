// Fuzz target: native and compact session strings and format detection.
// Properties: an accepted native string re-encodes to a string decoding to
// the same session; an accepted compact string re-encodes canonically (V2,
// or V1 when it was V1) and decodes to the same value; detection agrees
// with the decoder it picked.
#include <cstddef>
#include <cstdint>
#include <string>

#include "session/base64.h"
#include "session/interop/formats.h"
#include "session/string_codec.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Session> n = DecodeNativeString(in);
  if (n.ok()) {
    absl::StatusOr<std::string> again = EncodeNativeString(*n);
    FuzzCheck(again.ok());
    absl::StatusOr<Session> back = DecodeNativeString(*again);
    FuzzCheck(back.ok() && *back == *n);
  }
  absl::StatusOr<CompactSession> c = DecodeCompactString(in);
  if (c.ok()) {
    absl::StatusOr<std::string> again = EncodeCompactString(*c, c->version);
    FuzzCheck(again.ok());
    absl::StatusOr<CompactSession> back = DecodeCompactString(*again);
    FuzzCheck(back.ok() && *back == *c);
    Session s = CompactToSession(*c);
    FuzzCheck(s.dcs.size() == 1 && s.dcs[0].auth_key.has_value());
  }
  absl::StatusOr<interop::ImportedSession> any = interop::FerogramFormats().Detect(in);
  if (any.ok() && any->format == interop::Format::kFerogramNative) {
    FuzzCheck(n.ok() && *n == any->session);
  }
  if (any.ok() && any->format == interop::Format::kFerogramCompact) FuzzCheck(c.ok());
  // Base64 round trip of arbitrary bytes, both alphabets.
  for (Base64Format f : {kBase64UrlNoPad, kBase64StdPadded}) {
    const std::string text = Base64Encode(in, f);
    absl::StatusOr<std::string> back = Base64Decode(text, f);
    FuzzCheck(back.ok() && *back == in);
  }
  return 0;
}
