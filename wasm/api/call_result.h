// How the WebAssembly modules' C functions report results (the core module,
// wasm/api/tgsession_api.cc, and the SQLite module, sqlite_module_api.cc;
// conventions in tgsession_api.cc's header). A failure is recorded as a
// status that JavaScript reads with tgs_error_code() / tgs_error_message();
// a result that is not a number goes to the one output buffer, read with
// tgs_out_ptr() / tgs_out_len() and wiped with tgs_out_wipe(). Those five
// exported functions are defined once, in call_result.cc.
#ifndef TGSESSION_WASM_API_CALL_RESULT_H_
#define TGSESSION_WASM_API_CALL_RESULT_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "session/secret.h"

namespace tgsession {
namespace wasm_api {

// Records `status` (not OK) for tgs_error_*; returns -1.
int32_t Fail(const absl::Status& status);
// Clears the recorded error (a call that succeeded).
void ClearError();
// Replaces (and wipes) the output buffer with `bytes`, clears the error and
// returns the length.
int32_t SetOut(SecretString bytes);
// (pointer, length) from JavaScript as a view; a null pointer is empty.
absl::string_view In(const char* p, size_t n);

}  // namespace wasm_api
}  // namespace tgsession

#endif  // TGSESSION_WASM_API_CALL_RESULT_H_
