// Measurement only: the smallest useful module, the ferogram codecs alone
// (any format in, native string or binary out), to separate what the codecs
// cost from what the API and the journal add. See wasm/measure/README.md.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
#include "session/string_codec.h"

namespace {
std::string& Out() {
  static std::string* const s = new std::string;
  return *s;
}
}  // namespace

extern "C" {

// Decodes any format and re-encodes it as binary (kind 0) or a native string
// (kind 1); returns the length of the result or -absl code.
EMSCRIPTEN_KEEPALIVE int tgs_codec_convert(const char* p, size_t n, int kind) {
  absl::StatusOr<tgsession::interop::ImportedSession> d =
      tgsession::interop::FerogramFormats().Detect(absl::string_view(p, n));
  if (!d.ok()) return -static_cast<int>(d.status().code());
  absl::StatusOr<std::string> out =
      kind == 0 ? tgsession::EncodeBinary(d->session) : tgsession::EncodeNativeString(d->session);
  if (!out.ok()) return -static_cast<int>(out.status().code());
  Out() = *std::move(out);
  return static_cast<int>(Out().size());
}

EMSCRIPTEN_KEEPALIVE const char* tgs_codec_out() { return Out().data(); }

}  // extern "C"
