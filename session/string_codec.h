// Text forms of a session: ferogram's native string and its compact
// StringSession (V1/V2). Recognising which format an input is:
// interop/formats.h.
//
// Native string: URL-safe base64 without padding of the binary encoding
// (binary_codec.h). Surrounding Unicode whitespace is ignored, as ferogram
// trims it.
//
// Compact string (ferogram's StringSession), URL-safe base64 without padding
// of (big-endian):
//   V2: u8 2, u8 dc_id, u8 ip_type (4|6), 4 or 16 IP bytes, u16 port,
//       i64 user_id, 256-byte auth key                     (273 / 285 bytes)
//   V1: u8 1, u8 dc_id, u8 ip_type, IP, u16 port, i64 user_id,
//       i64 server_salt, u32 seq_no, u32 layer, auth key   (289 / 301 bytes)
// It carries one DC and the user id; a Session carries no user id, so
// converting drops it (and says so) unless the caller keeps CompactSession.
//
// All decoders return kInvalidArgument for text that is not a session: these
// strings come from users, environment variables and clipboards.
#ifndef TGSESSION_SESSION_STRING_CODEC_H_
#define TGSESSION_SESSION_STRING_CODEC_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/binary_codec.h"
#include "session/secret.h"
#include "session/session.h"

namespace tgsession {

// Limits on text input, checked before anything is decoded or allocated.
struct StringDecodeLimits {
  // 64 MiB of text is a ~48 MB binary session (about 2.5 million peers);
  // anything longer is refused at once.
  size_t max_chars = 64u << 20;
};

struct StringDecodeOptions {
  DecodeOptions binary;  // for the binary session inside a native string
  StringDecodeLimits limits;
};

// --- native ---------------------------------------------------------------

// Session -> native string. Allocates exactly once (the result).
absl::StatusOr<std::string> EncodeNativeString(const Session& session, const EncodeOptions& options = {});

absl::StatusOr<Session> DecodeNativeString(absl::string_view text, const StringDecodeOptions& options = {},
                                           DecodeInfo* info = nullptr);

// --- compact ----------------------------------------------------------------

// An IPv4 or IPv6 address in network byte order.
struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // "149.154.167.51", or RFC 5952 text for IPv6 ("2001:db8::1"), with
  // IPv4-mapped addresses as "::ffff:1.2.3.4" (the same text Rust prints).
  std::string ToString() const;
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v6 == b.is_v6 && a.bytes == b.bytes;
  }
};

struct CompactSession {
  int version = 2;  // 1 (full) or 2 (minimal)
  uint8_t dc_id = 0;
  IpAddress ip;
  uint16_t port = 0;
  int64_t user_id = 0;
  AuthKey auth_key;
  // Only in V1.
  int64_t server_salt = 0;
  uint32_t seq_no = 0;
  uint32_t layer = 0;

  friend bool operator==(const CompactSession& a, const CompactSession& b);
};

// Decodes V1 or V2. In DecodeMode::kCompatible trailing bytes after the
// layout are ignored (as ferogram does) and reported through `info`.
absl::StatusOr<CompactSession> DecodeCompactString(absl::string_view text,
                                                   const StringDecodeOptions& options = {},
                                                   DecodeInfo* info = nullptr);

// Encodes as `version` (2 by default, as ferogram's encode()). Writing V1
// from a V2 value is kFailedPrecondition (ferogram panics): salt, seq_no and
// layer are unknown.
absl::StatusOr<std::string> EncodeCompactString(const CompactSession& compact, int version = 2);

// The session a compact string describes: home DC = dc_id, one DC entry
// with the key (and the V1 server salt as first_salt). The user id is not
// part of Session.
Session CompactToSession(const CompactSession& compact);

// The compact form of a session's home DC: needs an entry for the home DC
// with an auth key and an IP-literal address; `user_id` is not stored in a
// Session, so the caller supplies it (0 when unknown).
absl::StatusOr<CompactSession> SessionToCompact(const Session& session, int64_t user_id = 0);

}  // namespace tgsession

#endif  // TGSESSION_SESSION_STRING_CODEC_H_
