// A tiny JavaScript-facing module for wasm_module's tests and size numbers:
// absl::StatusOr results turned into a C ABI that JavaScript calls.

#include <emscripten/emscripten.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace {

std::string& LastError() {
  static std::string* const error = new std::string;
  return *error;
}

absl::StatusOr<int> ParseDcId(absl::string_view text) {
  int id = 0;
  if (!absl::SimpleAtoi(text, &id)) {
    return absl::InvalidArgumentError(absl::StrCat("not a dc id: '", text, "'"));
  }
  if (id < 1 || id > 5) {
    return absl::OutOfRangeError(absl::StrCat("no such dc: ", id));
  }
  return id;
}

}  // namespace

extern "C" {

// The DC id in `text`, or -1 with the reason left for tgs_last_error().
EMSCRIPTEN_KEEPALIVE int tgs_parse_dc_id(const char* text) {
  absl::StatusOr<int> id = ParseDcId(text == nullptr ? "" : text);
  if (!id.ok()) {
    LastError() = id.status().ToString();
    return -1;
  }
  LastError().clear();
  return *id;
}

EMSCRIPTEN_KEEPALIVE const char* tgs_last_error() { return LastError().c_str(); }

}  // extern "C"
