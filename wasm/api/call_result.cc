#include "wasm/api/call_result.h"

#include <emscripten/emscripten.h>

#include <string>
#include <utility>

namespace tgsession {
namespace wasm_api {
namespace {

struct Result {
  int error_code = 0;
  std::string error_message;
  SecretString out;
};

Result& R() {
  static Result* const result = new Result;
  return *result;
}

}  // namespace

int32_t Fail(const absl::Status& status) {
  R().error_code = static_cast<int>(status.code());
  R().error_message = std::string(status.message());
  return -1;
}

void ClearError() {
  R().error_code = 0;
  R().error_message.clear();
}

int32_t SetOut(SecretString bytes) {
  R().out = std::move(bytes);  // wipes the previous contents
  ClearError();
  return static_cast<int32_t>(R().out.str().size());
}

absl::string_view In(const char* p, size_t n) { return absl::string_view(p == nullptr ? "" : p, p ? n : 0); }

}  // namespace wasm_api
}  // namespace tgsession

using tgsession::wasm_api::R;  // NOLINT: a C ABI file

extern "C" {

EMSCRIPTEN_KEEPALIVE int32_t tgs_error_code() { return R().error_code; }
EMSCRIPTEN_KEEPALIVE const char* tgs_error_message() { return R().error_message.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* tgs_out_ptr() { return R().out.str().data(); }
EMSCRIPTEN_KEEPALIVE int32_t tgs_out_len() { return static_cast<int32_t>(R().out.str().size()); }
EMSCRIPTEN_KEEPALIVE void tgs_out_wipe() { R().out = tgsession::SecretString(); }

}  // extern "C"
