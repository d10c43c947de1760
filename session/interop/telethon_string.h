// Telethon's StringSession (telethon/sessions/string.py, Telethon 1.x).
//
//   '1' + base64url WITH padding of (big-endian):
//     u8   dc_id
//     4 or 16 bytes  IPv4 or IPv6 address
//     u16  port
//     256 bytes  auth key
//   263 bytes (353 characters) for IPv4, 275 bytes (369 characters) for IPv6.
//
// Telethon tells the two apart by the text length alone (352 characters after
// the '1' means IPv4, anything else IPv6) and decodes with Python's lenient
// base64 (standard '+' '/' are accepted too). It treats an all-zero key as no
// key. The string carries no user id, update state or peers.
//
// GramJS strings also start with '1' (gramjs_string.h) and each library
// misreads the other's strings: Telethon reads a GramJS string for a
// 14-character IPv4 address as the IPv6 address e:3134:392e:... We decode
// strictly (base64url only, padding required, exact length) so a GramJS
// string, which uses '+' and '/', is not taken for a Telethon one; when a
// string is valid in both layouts, convert.h's detection says so and asks.
#ifndef TGSESSION_SESSION_INTEROP_TELETHON_STRING_H_
#define TGSESSION_SESSION_INTEROP_TELETHON_STRING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/extras.h"
#include "session/interop/read_options.h"
#include "session/secret.h"
#include "session/string_codec.h"

namespace tgsession {
namespace interop {

struct TelethonStringSession {
  uint8_t dc_id = 0;
  IpAddress ip;
  uint16_t port = 0;
  AuthKey auth_key;  // as stored; all zeros means "no key" to Telethon

  friend bool operator==(const TelethonStringSession& a, const TelethonStringSession& b) {
    return a.dc_id == b.dc_id && a.ip == b.ip && a.port == b.port && a.auth_key == b.auth_key;
  }
};

// kInvalidArgument for text that is not exactly a Telethon string.
// Anomalies (dc_id 0, port 0) follow options.mode.
absl::StatusOr<TelethonStringSession> DecodeTelethonString(absl::string_view text,
                                                           const ReadOptions& options = {},
                                                           DecodeInfo* info = nullptr);

// The exact text Telethon's StringSession.save() writes.
std::string EncodeTelethonString(const TelethonStringSession& s);

// Home DC = dc_id, one DC entry ("ip:port" or "[ipv6]:port") with the key;
// an all-zero key becomes "no key" (as Telethon reads it), with a warning.
SessionWithExtras TelethonStringToSession(const TelethonStringSession& s, DecodeInfo* info = nullptr);

// The home DC's entry with a key (IPv4 preferred). kFailedPrecondition if
// there is none, if its address is a host name (Telethon stores an IP) or if
// the DC id does not fit one byte.
absl::StatusOr<TelethonStringSession> TelethonStringFromSession(const Session& s);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_TELETHON_STRING_H_
