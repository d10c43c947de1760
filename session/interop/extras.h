// What other Telegram libraries keep in a session that ferogram's model
// (session.h) has no field for: the logged-in user, bot and test-mode flags,
// the api_id, Telethon's takeout id, and per-peer usernames, phone numbers
// and names. Converters carry these beside the Session so a conversion
// between two formats that both store, say, usernames keeps them, and a
// conversion to a format that cannot store them says so (convert.h).
//
// Peer ids: Telethon, Pyrogram and GramJS key their peer caches by "marked"
// ids (the Bot API convention): a user is its id, a basic group -id, a
// channel -(1000000000000 + id). ferogram's CachedPeer holds the bare id and
// a type; MarkPeerId / UnmarkPeerId convert between the two.
#ifndef TGSESSION_SESSION_INTEROP_EXTRAS_H_
#define TGSESSION_SESSION_INTEROP_EXTRAS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "session/session.h"

namespace tgsession {
namespace interop {

// Offset of marked channel ids: a channel with bare id N is -(10^12 + N).
inline constexpr int64_t kMarkedChannelOffset = 1000000000000;

// The marked id of a peer. kOutOfRange when the bare id has no marked form
// (not positive, a chat id of 10^12 or more, which would read back as a
// channel, or a channel id so large that the marked id overflows).
absl::StatusOr<int64_t> MarkPeerId(PeerType type, int64_t bare_id);

struct BarePeerId {
  PeerType type = PeerType::kUser;
  int64_t id = 0;
};

// Splits a marked id: positive -> user, -1..-(10^12 - 1) -> basic group,
// -(10^12 + 1) and below -> channel. kInvalidArgument for 0 and -10^12,
// which name no peer.
absl::StatusOr<BarePeerId> UnmarkPeerId(int64_t marked_id);

// Per-peer details other libraries cache for resolving @usernames and phone
// numbers. Every field is optional: absent means "the source did not say".
struct PeerExtras {
  std::optional<std::string> username;  // without '@', as stored (Telethon and Pyrogram lower-case it)
  std::optional<std::string> phone;     // digits as stored, without '+'
  std::optional<std::string> name;      // display name or title
  std::optional<bool> is_bot;           // users only (Pyrogram's "bot" type)

  bool empty() const { return !username && !phone && !name && !is_bot; }
  friend bool operator==(const PeerExtras& a, const PeerExtras& b) {
    return a.username == b.username && a.phone == b.phone && a.name == b.name && a.is_bot == b.is_bot;
  }
  friend bool operator!=(const PeerExtras& a, const PeerExtras& b) { return !(a == b); }
};

// Session-level fields ferogram's model lacks. Absent means unknown, never
// "false" or "0": a converter that needs a value it does not have reports it
// as missing instead of inventing one.
struct SessionExtras {
  std::optional<int64_t> user_id;  // the logged-in account
  std::optional<bool> is_bot;      // whether that account is a bot
  std::optional<bool> test_mode;   // Telegram's test servers
  std::optional<int32_t> api_id;   // the application id the key was created with (Pyrogram 2)
  std::optional<int64_t> takeout_id;  // Telethon's takeout session id
  // Keyed by marked peer id (see above); ordered so output is deterministic.
  std::map<int64_t, PeerExtras> peers;

  // The extras of a cached peer, or nullptr.
  const PeerExtras* FindPeer(const CachedPeer& peer) const;

  friend bool operator==(const SessionExtras& a, const SessionExtras& b) {
    return a.user_id == b.user_id && a.is_bot == b.is_bot && a.test_mode == b.test_mode && a.api_id == b.api_id &&
           a.takeout_id == b.takeout_id && a.peers == b.peers;
  }
  friend bool operator!=(const SessionExtras& a, const SessionExtras& b) { return !(a == b); }
};

// A session in our model plus what the model has no field for: what every
// importer produces and every exporter consumes.
struct SessionWithExtras {
  Session session;
  SessionExtras extras;
};

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_EXTRAS_H_
