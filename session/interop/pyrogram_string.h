// Pyrogram's session strings (pyrogram/storage/storage.py).
//
// base64url WITHOUT padding of a Python struct (big-endian, '?' is one byte):
//   351 characters  ">B?256sI?"   dc_id, test_mode, auth_key, u32 user_id, is_bot
//                   (Pyrogram 1.x, user ids below 2^31 - 1)
//   356 characters  ">B?256sQ?"   the same with a u64 user_id (Pyrogram 1.x)
//   362 characters  ">BI?256sQ?"  dc_id, u32 api_id, test_mode, auth_key,
//                   u64 user_id, is_bot (Pyrogram 2.x)
// Pyrogram picks the layout by the text length alone; 2.x reads all three.
// There is no server address: Pyrogram connects to the address it compiles
// in for the DC id (known_dcs.h), and there is no update state or peer cache.
#ifndef TGSESSION_SESSION_INTEROP_PYROGRAM_STRING_H_
#define TGSESSION_SESSION_INTEROP_PYROGRAM_STRING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/extras.h"
#include "session/interop/read_options.h"
#include "session/secret.h"

namespace tgsession {
namespace interop {

enum class PyrogramStringLayout {
  kV1UserId32,  // 351 characters
  kV1UserId64,  // 356 characters
  kV2,          // 362 characters, with api_id
};

// "351 characters (Pyrogram 1, 32-bit user id)", ...
absl::string_view PyrogramStringLayoutName(PyrogramStringLayout layout);

struct PyrogramStringSession {
  PyrogramStringLayout layout = PyrogramStringLayout::kV2;
  uint8_t dc_id = 0;
  std::optional<int32_t> api_id;  // kV2 only
  bool test_mode = false;
  AuthKey auth_key;
  int64_t user_id = 0;
  bool is_bot = false;

  friend bool operator==(const PyrogramStringSession& a, const PyrogramStringSession& b) {
    return a.layout == b.layout && a.dc_id == b.dc_id && a.api_id == b.api_id && a.test_mode == b.test_mode &&
           a.auth_key == b.auth_key && a.user_id == b.user_id && a.is_bot == b.is_bot;
  }
};

// Bool bytes other than 0/1 (Python reads any non-zero byte as True), a
// user id above 2^63 - 1 or an api_id above 2^31 - 1 are anomalies.
absl::StatusOr<PyrogramStringSession> DecodePyrogramString(absl::string_view text,
                                                           const ReadOptions& options = {},
                                                           DecodeInfo* info = nullptr);

// Writes s.layout. kInvalidArgument if the values do not fit it (api_id in a
// v1 layout, a user id of 2^32 or more in the 32-bit layout, a v2 layout
// without api_id).
absl::StatusOr<std::string> EncodePyrogramString(const PyrogramStringSession& s);

// The layout Pyrogram itself writes: v2 when api_id is known (Pyrogram 2),
// else the v1 layout Pyrogram 1.4 picks (32-bit below 2^31 - 1).
PyrogramStringLayout ChoosePyrogramStringLayout(const std::optional<int32_t>& api_id, int64_t user_id);

// Home DC = dc_id with the address Pyrogram uses for it (known_dcs.h; noted
// in `info`), the key, and user_id, is_bot, test_mode and api_id as extras.
// kFailedPrecondition for a DC id Pyrogram does not know.
absl::StatusOr<SessionWithExtras> PyrogramStringToSession(const PyrogramStringSession& s,
                                                          DecodeInfo* info = nullptr);

// Needs extras.user_id: Pyrogram treats a user id of 0 as "not logged in" and
// asks for a phone number, so none is invented (kFailedPrecondition).
// is_bot and test_mode default to false, which `missing` reports.
absl::StatusOr<PyrogramStringSession> PyrogramStringFromSession(const Session& s, const SessionExtras& extras);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_PYROGRAM_STRING_H_
