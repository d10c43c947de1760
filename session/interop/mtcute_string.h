// mtcute's string session, version 3 (@mtcute/core, utils/string-session.ts
// and utils/dcs.ts; checked against 0.29.7 and 0.27.9).
//
// base64url WITHOUT padding of (little-endian, TL framing):
//   u8   version = 3
//   i32  flags: 1 = self user present, 2 = test mode (old strings),
//               4 = a separate media DC follows
//   bytes  main DC option        (TL "bytes": length, data, zero padding to 4)
//   bytes  media DC option       if flags & 4
//   i64  self user id (int53)    if flags & 1
//   u32  self is_bot: boolTrue 0x997275b5 / boolFalse 0xbc799737   if flags & 1
//   bytes  auth key (256 bytes)
// A DC option is: u8 version (1 or 2), u8 dc id, u8 flags (1 = IPv6,
// 2 = media only, 4 = test mode; version 2 only), TL string address,
// i32 port.
//
// TL "bytes": a length below 254 is one byte, otherwise 0xFE and three bytes
// little-endian; then the data, then zero bytes up to a multiple of 4.
// Versions 1 and 2 of the string (TL-serialized dcOption objects) are not
// supported; mtcute itself has deprecated them.
#ifndef TGSESSION_SESSION_INTEROP_MTCUTE_STRING_H_
#define TGSESSION_SESSION_INTEROP_MTCUTE_STRING_H_

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

struct MtcuteDcOption {
  static constexpr uint8_t kIpv6 = 1;
  static constexpr uint8_t kMediaOnly = 2;
  static constexpr uint8_t kTestMode = 4;  // version 2 only

  uint8_t version = 2;
  uint8_t id = 0;
  uint8_t flags = 0;
  std::string ip_address;  // IP literal or host name, IPv6 without brackets
  int32_t port = 0;

  bool test_mode() const { return version == 2 && (flags & kTestMode) != 0; }
  friend bool operator==(const MtcuteDcOption& a, const MtcuteDcOption& b) {
    return a.version == b.version && a.id == b.id && a.flags == b.flags && a.ip_address == b.ip_address &&
           a.port == b.port;
  }
};

struct MtcuteSelf {
  int64_t user_id = 0;
  bool is_bot = false;
  friend bool operator==(const MtcuteSelf& a, const MtcuteSelf& b) {
    return a.user_id == b.user_id && a.is_bot == b.is_bot;
  }
};

struct MtcuteStringSession {
  static constexpr int32_t kHasSelf = 1;
  static constexpr int32_t kTestModeOld = 2;
  static constexpr int32_t kHasMedia = 4;

  // Only the test-mode bit is kept from the flags read; the others follow
  // from `media` and `self` when encoding.
  bool test_mode_flag = false;
  MtcuteDcOption main;
  std::optional<MtcuteDcOption> media;  // absent: the media DC is the main DC
  std::optional<MtcuteSelf> self;
  AuthKey auth_key;

  // Test mode as mtcute reads it (the old flag, or the DC options' flag).
  bool test_mode() const { return test_mode_flag || main.test_mode(); }

  friend bool operator==(const MtcuteStringSession& a, const MtcuteStringSession& b) {
    return a.test_mode_flag == b.test_mode_flag && a.main == b.main && a.media == b.media && a.self == b.self &&
           a.auth_key == b.auth_key;
  }
};

// Unknown flag bits, non-zero TL padding, trailing bytes and DC options with
// trailing bytes are anomalies; a key that is not 256 bytes, a bad bool
// constructor or DC options that disagree on test mode (mtcute throws) are
// errors.
absl::StatusOr<MtcuteStringSession> DecodeMtcuteString(absl::string_view text,
                                                       const ReadOptions& options = {},
                                                       DecodeInfo* info = nullptr);

// The exact text mtcute's writeStringSession() writes. kInvalidArgument for
// values mtcute could not write or read back (a DC id over 255 is impossible
// by type; an address over 253 bytes, a self user id beyond 2^53).
absl::StatusOr<std::string> EncodeMtcuteString(const MtcuteStringSession& s);

// Home DC = main.id with the key; the media DC, if any, as a second entry
// flagged MEDIA_ONLY (with the key when it is the same DC); self user and
// test mode as extras.
absl::StatusOr<SessionWithExtras> MtcuteStringToSession(const MtcuteStringSession& s,
                                                        DecodeInfo* info = nullptr);

// main = the home DC's entry with a key (IPv4 preferred), media = a
// MEDIA_ONLY entry of the home DC in the same address family if there is one.
// The self user is written only when both extras.user_id and extras.is_bot
// are known (mtcute stores them together); otherwise `notes` says it was
// left out. Test mode comes from extras.test_mode (false if unknown).
absl::StatusOr<MtcuteStringSession> MtcuteStringFromSession(const Session& s, const SessionExtras& extras,
                                                            std::vector<std::string>* notes);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_MTCUTE_STRING_H_
