// Measurement only: what session/json (RapidJSON) would add to the module if
// the JavaScript API offered JSON export. See wasm/measure/README.md.
#include <emscripten/emscripten.h>

#include <string>

#include "session/interop/formats.h"
#include "session/json.h"

extern "C" EMSCRIPTEN_KEEPALIVE int tgs_probe_json(const char* p, size_t n) {
  absl::StatusOr<tgsession::interop::ImportedSession> d =
      tgsession::interop::PortableFormats().Detect(absl::string_view(p, n));
  if (!d.ok()) return -1;
  static std::string* const out = new std::string;
  *out = tgsession::SessionToJson(d->session);
  absl::StatusOr<tgsession::Session> back = tgsession::SessionFromJson(*out);
  return back.ok() ? static_cast<int>(out->size()) : -1;
}
