// Session formats as the WebAssembly API names them: one table from format
// names to decoders and encoders, so the C ABI (tgsession_api.cc) and the
// JavaScript API stay format-agnostic. Other libraries' formats (Telethon,
// Pyrogram, GramJS, mtcute: session/interop) plug in here.
#ifndef TGSESSION_WASM_API_FORMATS_H_
#define TGSESSION_WASM_API_FORMATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/session.h"

namespace tgsession {
namespace wasm_api {

struct DecodeResult {
  std::string format;  // "ferogram-native", ...
  Session session;
  int binary_version = 0;  // ferogram binary and native: 1..9
  bool read_as_v1_fallback = false;
  size_t trailing_bytes = 0;
  size_t anomaly_count = 0;
  std::string layout;  // format-specific layout ("V2", "IPv4", ...)
  std::optional<int64_t> user_id;  // formats that carry the account's id
  std::vector<std::string> warnings;

  // Little-endian: str format, i32 binary_version, u8 v1_fallback,
  // u32 trailing_bytes, u32 anomaly_count, str layout, u8 has_user_id,
  // i64 user_id, u32 n, n x str warning; str = u32 length + UTF-8 bytes.
  std::string PackInfo() const;
};

// `format` "" or "auto" detects (DecodeAnySession); otherwise a name from
// FormatList(). `strict` rejects what a correct writer never produces.
absl::StatusOr<DecodeResult> DecodeFormat(absl::string_view input, absl::string_view format, bool strict);

// See tgs_encode in tgsession_api.cc for `option` and `user_id`.
absl::StatusOr<std::string> EncodeFormat(const Session& session, absl::string_view format, int32_t option,
                                         int64_t user_id);

// "<readable formats, space-separated>\n<writable formats>".
std::string FormatList();

}  // namespace wasm_api
}  // namespace tgsession

#endif  // TGSESSION_WASM_API_FORMATS_H_
