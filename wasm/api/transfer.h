// A held session (session, extras, source format) as bytes, to move it
// between two WebAssembly instances: the core module and the optional SQLite
// module (wasm/api/sqlite_module_api.cc) have separate memories, so a session
// read from a .session file crosses to the core as these bytes, and back for
// an export. Lossless: the session as ferogram binary v9, every extra
// (peer usernames, phones, names and bot flags included) and the source
// format, so conversion summaries read as they do natively.
//
// Layout, little-endian: u8 version (1), u8 source format (interop::Format),
// str session (binary v9), u8 presence bits (user_id, is_bot, test_mode,
// api_id, takeout_id), i64 user_id, u8 is_bot, u8 test_mode, i32 api_id,
// i64 takeout_id, u32 n, n x {i64 marked peer id, u8 presence bits
// (username, phone, name, is_bot), str username, str phone, str name,
// u8 is_bot}; str = u32 length + bytes. Absent values are written as zeros.
#ifndef TGSESSION_WASM_API_TRANSFER_H_
#define TGSESSION_WASM_API_TRANSFER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/secret.h"
#include "wasm/api/formats.h"

namespace tgsession {
namespace wasm_api {

// The bytes of `held` (they hold its auth keys: callers wipe them).
absl::StatusOr<SecretString> PackHeld(const HeldSession& held);

// Reads PackHeld's bytes back. kInvalidArgument naming the field and byte
// offset for anything truncated, unknown or trailing.
absl::StatusOr<HeldSession> UnpackHeld(absl::string_view bytes);

}  // namespace wasm_api
}  // namespace tgsession

#endif  // TGSESSION_WASM_API_TRANSFER_H_
