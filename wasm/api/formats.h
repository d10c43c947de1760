// Session formats as the WebAssembly API names them, through the format
// registry (session/interop/formats.h: PortableFormats()), packed for the C
// ABI (tgsession_api.cc) so the JavaScript API stays format-agnostic. The
// conversion summary comes back with every encoding. The SQLite formats
// (telethon-sqlite, pyrogram-sqlite, ferogram-sqlite) are kUnimplemented in
// the core module: the optional SQLite module (sqlite_module_api.cc) reads
// and writes them with the same code over SqliteFileFormats().
#ifndef TGSESSION_WASM_API_FORMATS_H_
#define TGSESSION_WASM_API_FORMATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/formats.h"
#include "session/session.h"

namespace tgsession {
namespace wasm_api {

// A session with what other libraries' formats carry beside it.
struct HeldSession {
  Session session;
  interop::SessionExtras extras;
  // The format it was read from (summaries name it); ferogram binary for
  // sessions made in JavaScript.
  interop::Format source = interop::Format::kFerogramBinary;
};

struct DecodeResult {
  std::string format;  // "ferogram-native", "telethon-string", ...
  HeldSession held;
  int binary_version = 0;  // ferogram binary and native: 1..9
  bool read_as_v1_fallback = false;
  size_t trailing_bytes = 0;
  size_t anomaly_count = 0;
  std::string layout;  // format-specific layout ("V2", "IPv4", ...)
  std::vector<std::string> warnings;

  // Little-endian: str format, i32 binary_version, u8 v1_fallback,
  // u32 trailing_bytes, u32 anomaly_count, str layout, u8 has_user_id,
  // i64 user_id, u32 n, n x str warning; str = u32 length + UTF-8 bytes.
  std::string PackInfo() const;
};

// `format` "" or "auto" detects (Formats::Detect: every string format,
// refusing to guess between two); otherwise a name from FormatList().
// `strict` rejects what a correct writer never produces.
absl::StatusOr<DecodeResult> DecodeFormat(absl::string_view input, absl::string_view format, bool strict);
// The same over another set of formats (the SQLite module's).
absl::StatusOr<DecodeResult> DecodeFormatIn(const interop::Formats& formats, absl::string_view input,
                                            absl::string_view format, bool strict);

// Encodes `held` as `format`. `option`: binary version policy (0 auto, 1 v8,
// 2 v9) for ferogram binary and native strings, the compact string version
// (0 = 2, 1, 2) for ferogram compact strings. `user_id` (if non-zero)
// overrides the held extras' user id. Result, little-endian: u32 n, n bytes
// of data, then the conversion summary as three lists (missing, dropped,
// warnings), each u32 count + count x str.
absl::StatusOr<std::string> EncodeFormat(const HeldSession& held, absl::string_view format, int32_t option,
                                         int64_t user_id);
// The same over another set of formats; `now_unix` (0: the current time) is
// the time the SQLite formats write into their rows.
absl::StatusOr<std::string> EncodeFormatIn(const interop::Formats& formats, const HeldSession& held,
                                           absl::string_view format, int32_t option, int64_t user_id,
                                           int64_t now_unix);

// Extras, little-endian: u8 has_user_id, i64 user_id, i8 is_bot (-1 unknown),
// i8 test_mode (-1 unknown), u8 has_api_id, i32 api_id, u8 has_takeout_id,
// i64 takeout_id, u32 peers with extras.
std::string PackExtras(const interop::SessionExtras& e);

// "<readable formats, space-separated>\n<writable formats>".
std::string FormatList();

}  // namespace wasm_api
}  // namespace tgsession

#endif  // TGSESSION_WASM_API_FORMATS_H_
