// Telegram DC addresses that libraries compile in, for formats that store
// only a DC id (Pyrogram) and for recognising test servers by address.
#ifndef TGSESSION_SESSION_INTEROP_KNOWN_DCS_H_
#define TGSESSION_SESSION_INTEROP_KNOWN_DCS_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "session/session.h"

namespace tgsession {
namespace interop {

// The IPv4 address and port Pyrogram connects to for `dc_id`
// (pyrogram/session/internals/data_center.py, DataCenter(dc_id, test_mode,
// ipv6=False, media=False)): production DCs 1-5 on port 443, test DCs 1-3 on
// port 80. nullopt for a DC Pyrogram does not know.
std::optional<HostPort> PyrogramDcAddress(int32_t dc_id, bool test_mode);

// True if `host` is one of Telegram's test-server IPv4 or IPv6 addresses
// (the TEST tables of Pyrogram, mtcute and Telethon agree on them).
// Used to deduce test mode for formats that do not store it, as mtcute's
// converter does, always with a warning.
bool IsTelegramTestDcHost(absl::string_view host);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_KNOWN_DCS_H_
