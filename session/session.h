// The session model: everything a Telegram MTProto client keeps across
// restarts, as plain data. It holds what ferogram-session's PersistedSession
// holds, field for field, so every ferogram file maps onto it without loss.
//
//   Session
//     home_dc_id          the DC the account lives on
//     dcs                 DC table: addresses per DC, each with an optional
//                         256-byte auth key, first salt, time offset, flags
//     updates_state       pts / qts / date / seq and per-channel pts
//     peers               peer cache (access hashes) keyed by bare peer id
//     min_peers           where "min" users were seen (InputPeerUserFromMessage)
//     future_auth_token   the token from auth.authorization, if any
//
// Every table keeps insertion order (files are re-encoded byte for byte).
// Peers, min peers and channel pts are IndexedLists: read them as spans, look
// them up by id in O(1), change them through Upsert/Assign. Entries read from
// a file with the same id are all kept; lookups and updates act on the first,
// as ferogram does.
//
// Secrets come from secret.h, included here: an auth key is made from its 256
// bytes with AuthKey::FromBytes(bytes) (or set from them directly with
// Session::SetAuthKey(dc_id, bytes)), the token is a SecretBytes. Both wipe
// themselves and never print.
//
// Thread safety: like standard containers. Concurrent const access is safe;
// any mutation needs exclusive access.
#ifndef TGSESSION_SESSION_SESSION_H_
#define TGSESSION_SESSION_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "session/indexed_list.h"
#include "session/secret.h"

namespace tgsession {

// Per-DC option flags, stored as one byte (ferogram v3+). Bits outside
// kKnownMask are preserved as read.
struct DcFlags {
  static constexpr uint8_t kIpv6 = 1 << 0;
  static constexpr uint8_t kMediaOnly = 1 << 1;
  static constexpr uint8_t kTcpoOnly = 1 << 2;
  static constexpr uint8_t kCdn = 1 << 3;
  static constexpr uint8_t kStatic = 1 << 4;
  static constexpr uint8_t kKnownMask = 0x1f;

  uint8_t bits = 0;

  constexpr DcFlags() = default;
  constexpr explicit DcFlags(uint8_t b) : bits(b) {}
  constexpr bool Has(uint8_t flag) const { return (bits & flag) == flag; }
  void Set(uint8_t flag) { bits |= flag; }
  void Clear(uint8_t flag) { bits &= static_cast<uint8_t>(~flag); }
  // "IPV6|MEDIA_ONLY", "NONE", unknown bits as "UNKNOWN_BITS_0xe0".
  std::string ToString() const;

  friend bool operator==(DcFlags a, DcFlags b) { return a.bits == b.bits; }
  friend bool operator!=(DcFlags a, DcFlags b) { return a.bits != b.bits; }
};

// A host and port parsed from a DcEntry address.
struct HostPort {
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
  bool is_ipv6_literal = false;
};

// Parses "1.2.3.4:443", "[2001:db8::1]:443" or "host.name:443".
absl::StatusOr<HostPort> ParseHostPort(absl::string_view addr);
// Formats host and port the way DcEntry stores them ("[v6]:port" when the
// host contains ':').
std::string FormatHostPort(absl::string_view host, uint16_t port);

// One entry of the DC address table.
struct DcEntry {
  DcEntry() {}  // NOLINT: not `= default`, which zero-fills the key's room on value-initialization

  int32_t dc_id = 0;
  // "ip:port" or "[ipv6]:port". Kept as the exact bytes read from storage,
  // even when they are not valid UTF-8 (see binary_codec.h for the policy).
  std::string addr;
  std::optional<AuthKey> auth_key;
  int64_t first_salt = 0;
  int32_t time_offset = 0;
  DcFlags flags;

  bool is_ipv6() const { return flags.Has(DcFlags::kIpv6); }
  bool is_media_only() const { return flags.Has(DcFlags::kMediaOnly); }

  // Builds an entry from an IP and port as help.getConfig reports them; IPv6
  // hosts (containing ':') are bracketed.
  static DcEntry FromParts(int32_t dc_id, absl::string_view ip, uint16_t port, DcFlags flags = DcFlags());
  absl::StatusOr<HostPort> ParseAddress() const { return ParseHostPort(addr); }

  friend bool operator==(const DcEntry& a, const DcEntry& b);
  friend bool operator!=(const DcEntry& a, const DcEntry& b) { return !(a == b); }
};

// Per-channel pts.
struct ChannelPts {
  int64_t channel_id = 0;
  int32_t pts = 0;
  friend bool operator==(const ChannelPts& a, const ChannelPts& b) {
    return a.channel_id == b.channel_id && a.pts == b.pts;
  }
};

struct ChannelPtsKey {
  int64_t operator()(const ChannelPts& c) const { return c.channel_id; }
};

// MTProto update-sequence state. The four counters have no invariants and are
// plain fields; per-channel pts live in an indexed, ordered list.
class UpdatesState {
 public:
  int32_t pts = 0;   // main persistence counter
  int32_t qts = 0;   // secret-chat counter
  int32_t date = 0;  // date of the last update (Unix time)
  int32_t seq = 0;   // combined-container sequence number

  // True once the server gave us a real state (pts > 0), as ferogram defines it.
  bool is_initialised() const { return pts > 0; }

  // Sets (or appends) the pts of a channel. O(1).
  void SetChannelPts(int64_t channel_id, int32_t pts);
  // The stored pts of a channel, or nullopt. O(1).
  std::optional<int32_t> FindChannelPts(int64_t channel_id) const;
  // The stored pts of a channel, or 0 when unknown (ferogram's channel_pts()).
  int32_t ChannelPtsOr0(int64_t channel_id) const;
  // Removes a channel's entry; returns whether one existed.
  bool RemoveChannelPts(int64_t channel_id);

  absl::Span<const ChannelPts> channels() const { return channels_.items(); }
  IndexedList<ChannelPts, ChannelPtsKey>& mutable_channels() { return channels_; }
  const IndexedList<ChannelPts, ChannelPtsKey>& channel_list() const { return channels_; }

  friend bool operator==(const UpdatesState& a, const UpdatesState& b);
  friend bool operator!=(const UpdatesState& a, const UpdatesState& b) { return !(a == b); }

 private:
  IndexedList<ChannelPts, ChannelPtsKey> channels_;
};

// A change to the update state, applied by Session::ApplyUpdateState and by
// backends' granular ApplyUpdateState (ferogram's UpdateStateChange).
struct UpdateStateChange {
  enum class Kind { kAll, kPrimary, kSecondary, kChannel };

  // Replace the whole state (counters and channel pts).
  static UpdateStateChange All(UpdatesState state);
  // Set pts, date and seq.
  static UpdateStateChange Primary(int32_t pts, int32_t date, int32_t seq);
  // Set qts.
  static UpdateStateChange Secondary(int32_t qts);
  // Set one channel's pts.
  static UpdateStateChange Channel(int64_t channel_id, int32_t pts);

  void ApplyTo(UpdatesState& state) const;

  Kind kind = Kind::kPrimary;
  UpdatesState all;  // kAll only
  int32_t pts = 0;   // kPrimary, kChannel
  int32_t date = 0;  // kPrimary
  int32_t seq = 0;   // kPrimary
  int32_t qts = 0;   // kSecondary
  int64_t channel_id = 0;  // kChannel
};

// Peer type byte of the binary format.
enum class PeerType : uint8_t { kUser = 0, kChannel = 1, kChat = 2 };

// Channel kind byte of the binary format (v6+); 0xFF on disk means "none".
enum class ChannelKind : uint8_t { kBroadcast = 0, kMegagroup = 1, kGigagroup = 2 };

absl::string_view PeerTypeName(PeerType t);        // "user", "channel", "chat"
absl::string_view ChannelKindName(ChannelKind k);  // "Broadcast", "Megagroup", "Gigagroup"

// A cached access hash for a peer, so it can be addressed after a restart.
struct CachedPeer {
  int64_t id = 0;           // bare Telegram id
  int64_t access_hash = 0;  // 0 for basic group chats, which need none
  PeerType type = PeerType::kUser;
  // Set for channels; ferogram keeps whatever it was given, so a kind on a
  // non-channel is preserved too.
  std::optional<ChannelKind> channel_kind;
  // A "community" (forum-like supergroup or the user-side counterpart).
  bool is_community = false;

  bool is_user() const { return type == PeerType::kUser; }
  bool is_channel() const { return type == PeerType::kChannel; }
  bool is_chat() const { return type == PeerType::kChat; }

  static CachedPeer User(int64_t id, int64_t access_hash);
  static CachedPeer Channel(int64_t id, int64_t access_hash,
                            std::optional<ChannelKind> kind = std::nullopt);
  static CachedPeer Chat(int64_t id);

  friend bool operator==(const CachedPeer& a, const CachedPeer& b) {
    return a.id == b.id && a.access_hash == b.access_hash && a.type == b.type &&
           a.channel_kind == b.channel_kind && a.is_community == b.is_community;
  }
  friend bool operator!=(const CachedPeer& a, const CachedPeer& b) { return !(a == b); }
};

struct CachedPeerKey {
  int64_t operator()(const CachedPeer& p) const { return p.id; }
};

// A user seen only as "min" (no usable access hash): the message where it was
// seen, for InputPeerUserFromMessage.
struct CachedMinPeer {
  int64_t user_id = 0;
  int64_t peer_id = 0;  // chat/channel/user containing the message
  int32_t msg_id = 0;

  friend bool operator==(const CachedMinPeer& a, const CachedMinPeer& b) {
    return a.user_id == b.user_id && a.peer_id == b.peer_id && a.msg_id == b.msg_id;
  }
  friend bool operator!=(const CachedMinPeer& a, const CachedMinPeer& b) { return !(a == b); }
};

struct CachedMinPeerKey {
  int64_t operator()(const CachedMinPeer& m) const { return m.user_id; }
};

using PeerList = IndexedList<CachedPeer, CachedPeerKey>;
using MinPeerList = IndexedList<CachedMinPeer, CachedMinPeerKey>;

// Summary counts (ferogram's stats()).
struct SessionStats {
  int32_t home_dc_id = 0;
  size_t dcs_total = 0;
  size_t dcs_with_auth_key = 0;
  size_t peers_total = 0;
  size_t peers_users = 0;
  size_t peers_channels = 0;
  size_t peers_chats = 0;
  size_t min_peers = 0;
  size_t channel_pts_entries = 0;
  bool updates_initialised = false;
  size_t approx_bytes = 0;  // size of the binary encoding we would save
};

// Everything that survives a restart. See the file comment.
class Session {
 public:
  Session() = default;
  Session(const Session&) = default;
  Session& operator=(const Session&) = default;
  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;

  int32_t home_dc_id = 0;
  std::vector<DcEntry> dcs;
  UpdatesState updates_state;
  PeerList peers;
  MinPeerList min_peers;
  std::optional<SecretBytes> future_auth_token;

  // --- DC table -----------------------------------------------------------
  // The best entry for `dc_id`: the preferred address family if stored,
  // otherwise the first entry of that DC; nullptr for an unknown DC.
  // Media-only and CDN entries are used only when nothing else exists.
  const DcEntry* DcFor(int32_t dc_id, bool prefer_ipv6) const;
  // Every entry of `dc_id`, in table order.
  std::vector<const DcEntry*> AllDcsFor(int32_t dc_id) const;
  // The home DC's entry (IPv4 preferred), or nullptr.
  const DcEntry* HomeDc() const { return DcFor(home_dc_id, false); }
  // Replaces the entry with the same dc_id, address family (IPV6) and
  // MEDIA_ONLY flag, or appends. (ferogram replaces the first entry with the
  // same dc_id whatever its family, which lets an IPv6 update clobber the
  // IPv4 address; we keep both.)
  void UpsertDc(DcEntry entry);
  // Sets the auth key of every entry of `dc_id` (MTProto keys are per DC, not
  // per address). Returns how many entries were updated.
  size_t SetAuthKey(int32_t dc_id, const AuthKey& key);
  // The same from the key's bytes, as the MTProto handshake produces them;
  // kInvalidArgument unless there are exactly 256.
  absl::StatusOr<size_t> SetAuthKey(int32_t dc_id, absl::Span<const uint8_t> key_bytes);

  // --- update state -------------------------------------------------------
  void ApplyUpdateState(const UpdateStateChange& change) { change.ApplyTo(updates_state); }

  // --- peers --------------------------------------------------------------
  // Inserts or replaces (by id) a cached peer. O(1).
  void CachePeer(const CachedPeer& peer) { peers.Upsert(peer); }
  const CachedPeer* FindPeer(int64_t id) const { return peers.Find(id); }
  void CacheMinPeer(const CachedMinPeer& m) { min_peers.Upsert(m); }
  const CachedMinPeer* FindMinPeer(int64_t user_id) const { return min_peers.Find(user_id); }

  SessionStats Stats() const;

  // Compact human-readable summary with secrets redacted.
  std::string DebugString() const;

  friend bool operator==(const Session& a, const Session& b);
  friend bool operator!=(const Session& a, const Session& b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, const Session& s) {
    return os << s.DebugString();
  }
};

// How Session::DcFor orders the entries of one DC, lower first: an ordinary
// address of the wanted family, then the other family, then media-only and
// CDN entries (they cannot serve API calls). Everything that picks "the"
// entry of a DC ranks with this.
int DcPreferenceRank(const DcEntry& e, bool prefer_ipv6);

// The production DC table Telegram clients bootstrap from (ferogram's
// default_dc_addresses): DCs 1-5, IPv4, port 443, no keys.
std::vector<DcEntry> DefaultDcTable();

// A fresh session with the default DC table and home DC 2 (where Telegram
// sends new logins first).
Session NewSessionWithDefaults();

}  // namespace tgsession

#endif  // TGSESSION_SESSION_SESSION_H_
