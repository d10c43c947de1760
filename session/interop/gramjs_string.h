// GramJS's StringSession (npm `telegram`, gramjs/sessions/StringSession.ts;
// checked against 2.26.22).
//
//   '1' + standard base64 WITH padding of (big-endian):
//     u8   dc_id
//     u16  address length L            (GramJS writes it as a signed int16)
//     L bytes  address text (UTF-8): an IPv4 or IPv6 literal or a host name
//     u16  port                        (GramJS: signed int16, see below)
//     256 bytes  auth key              (GramJS: everything that is left)
//
// Differences from GramJS itself, each on purpose:
//   * Ports above 32767. GramJS writes the port with writeInt16BE, which
//     throws for 32768..65535, and reads it with readInt16BE, which turns
//     50443 into -15093. Such strings exist (mtcute's converter writes the
//     port unsigned), so we read and write the port as an unsigned 16-bit
//     number and warn that GramJS itself cannot use it.
//   * GramJS's reader also accepts Telethon strings (a text length of 352
//     means Telethon IPv4; an address length above 100 means Telethon IPv6).
//     We read only GramJS's own layout and point at telethon-string for the
//     others, so a string is never read in two ways silently.
//   * The key must be exactly 256 bytes; GramJS takes whatever follows.
#ifndef TGSESSION_SESSION_INTEROP_GRAMJS_STRING_H_
#define TGSESSION_SESSION_INTEROP_GRAMJS_STRING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/extras.h"
#include "session/interop/read_options.h"
#include "session/secret.h"

namespace tgsession {
namespace interop {

// GramJS reads an address length above this as the start of a Telethon IPv6
// address, so longer addresses cannot be stored.
inline constexpr size_t kGramjsMaxAddressLength = 100;

struct GramjsStringSession {
  uint8_t dc_id = 0;
  std::string server_address;  // without brackets for IPv6
  uint16_t port = 0;
  AuthKey auth_key;

  friend bool operator==(const GramjsStringSession& a, const GramjsStringSession& b) {
    return a.dc_id == b.dc_id && a.server_address == b.server_address && a.port == b.port &&
           a.auth_key == b.auth_key;
  }
};

absl::StatusOr<GramjsStringSession> DecodeGramjsString(absl::string_view text,
                                                       const ReadOptions& options = {},
                                                       DecodeInfo* info = nullptr);

// The text GramJS's save() writes (for ports up to 32767; above that, what it
// would write if it used an unsigned port). kInvalidArgument for an address
// GramJS cannot read back (empty, longer than 100 bytes, not host text).
absl::StatusOr<std::string> EncodeGramjsString(const GramjsStringSession& s);

// Home DC = dc_id; one DC entry, flagged IPv6 for an IPv6 literal.
SessionWithExtras GramjsStringToSession(const GramjsStringSession& s, DecodeInfo* info = nullptr);

// The home DC's entry with a key (IPv4 preferred). Adds to `warnings` when
// the port is above 32767 (GramJS reads it as negative).
absl::StatusOr<GramjsStringSession> GramjsStringFromSession(const Session& s, std::vector<std::string>* warnings);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_GRAMJS_STRING_H_
