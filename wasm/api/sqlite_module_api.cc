// The C ABI of tgsession's optional SQLite module (tgsession_sqlite.wasm):
// telethon-sqlite, pyrogram-sqlite and ferogram-sqlite read from and written
// to bytes with the native code (//session/interop/sqlite over SQLite built
// from the same source, in memory). Only wasm/js/tgsession_api.js calls it,
// with the core module's conventions (tgsession_api.cc): -1 on failure with
// tgs_error_code() / tgs_error_message(), results in one output buffer the
// caller copies and wipes, inputs in memory the caller malloc'ed.
//
// Sessions do not live here: they cross to and from the core module as
// transfer bytes (transfer.h).
#include <emscripten/emscripten.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "session/secret.h"
#include "wasm/api/call_result.h"
#include "wasm/api/formats.h"
#include "wasm/api/transfer.h"

using namespace tgsession;            // NOLINT: a C ABI file
using namespace tgsession::wasm_api;  // NOLINT

extern "C" {

// Reads SQLite file bytes as `format` ("" or "auto": whichever SQLite format
// its tables say). Output: u32 n, n bytes of decode info (DecodeResult::
// PackInfo), then the session's transfer bytes (transfer.h), for the core
// module's tgs_session_import.
EMSCRIPTEN_KEEPALIVE int32_t tgs_sqlite_decode(const char* input, size_t input_len, const char* format,
                                               size_t format_len, int32_t strict) {
  absl::StatusOr<DecodeResult> r =
      DecodeFormatIn(interop::SqliteFileFormats(), In(input, input_len), In(format, format_len), strict != 0);
  if (!r.ok()) return Fail(r.status());
  absl::StatusOr<SecretString> held = PackHeld(r->held);
  if (!held.ok()) return Fail(held.status());
  const std::string info = r->PackInfo();
  SecretString out;
  const uint32_t n = static_cast<uint32_t>(info.size());
  const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 24)};
  out.Append(absl::string_view(len, 4));
  out.Append(info);
  out.Append(held->view());
  return SetOut(std::move(out));
}

// Writes a session given as transfer bytes (the core module's
// tgs_session_export) as an SQLite `format`. `user_id` (non-zero) overrides
// the session's; `now_unix` (0: the current time) is the time written into
// rows that carry one. Output: as the core's tgs_encode (EncodeFormat).
EMSCRIPTEN_KEEPALIVE int32_t tgs_sqlite_encode(const char* transfer, size_t transfer_len, const char* format,
                                               size_t format_len, int64_t user_id, int64_t now_unix) {
  absl::StatusOr<HeldSession> held = UnpackHeld(In(transfer, transfer_len));
  if (!held.ok()) return Fail(held.status());
  absl::StatusOr<std::string> r =
      EncodeFormatIn(interop::SqliteFileFormats(), *held, In(format, format_len), 0, user_id, now_unix);
  if (!r.ok()) return Fail(r.status());
  return SetOut(SecretString(*std::move(r)));
}

}  // extern "C"
