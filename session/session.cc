#include "session/session.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "session/binary_codec.h"

namespace tgsession {

std::string DcFlags::ToString() const {
  if (bits == 0) return "NONE";
  std::vector<absl::string_view> names;
  if (Has(kIpv6)) names.push_back("IPV6");
  if (Has(kMediaOnly)) names.push_back("MEDIA_ONLY");
  if (Has(kTcpoOnly)) names.push_back("TCPO_ONLY");
  if (Has(kCdn)) names.push_back("CDN");
  if (Has(kStatic)) names.push_back("STATIC");
  std::string out = absl::StrJoin(names, "|");
  const uint8_t unknown = bits & static_cast<uint8_t>(~kKnownMask);
  if (unknown != 0) {
    absl::StrAppend(&out, out.empty() ? "" : "|", "UNKNOWN_BITS_0x", absl::Hex(unknown, absl::kZeroPad2));
  }
  return out;
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view addr) {
  HostPort out;
  absl::string_view port_text;
  if (!addr.empty() && addr.front() == '[') {
    const size_t close = addr.find(']');
    if (close == absl::string_view::npos || close + 1 >= addr.size() || addr[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("DC address \"", addr, "\": expected \"[ipv6]:port\""));
    }
    out.host = std::string(addr.substr(1, close - 1));
    out.is_ipv6_literal = true;
    port_text = addr.substr(close + 2);
  } else {
    const size_t colon = addr.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("DC address \"", addr, "\": missing \":port\""));
    }
    out.host = std::string(addr.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("DC address \"", addr, "\": IPv6 hosts must be bracketed, as in \"[::1]:443\""));
    }
    port_text = addr.substr(colon + 1);
  }
  uint32_t port = 0;
  if (out.host.empty() || port_text.empty() || !absl::SimpleAtoi(port_text, &port) || port > 65535 ||
      port_text.find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("DC address \"", addr, "\": bad host or port"));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::string FormatHostPort(absl::string_view host, uint16_t port) {
  if (host.find(':') != absl::string_view::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

DcEntry DcEntry::FromParts(int32_t dc_id, absl::string_view ip, uint16_t port, DcFlags flags) {
  DcEntry e;
  e.dc_id = dc_id;
  e.addr = FormatHostPort(ip, port);
  e.flags = flags;
  return e;
}

bool operator==(const DcEntry& a, const DcEntry& b) {
  return a.dc_id == b.dc_id && a.addr == b.addr && a.auth_key == b.auth_key &&
         a.first_salt == b.first_salt && a.time_offset == b.time_offset && a.flags == b.flags;
}

void UpdatesState::SetChannelPts(int64_t channel_id, int32_t new_pts) {
  if (ChannelPts* c = channels_.FindMutable(channel_id)) {
    c->pts = new_pts;
  } else {
    channels_.Upsert(ChannelPts{channel_id, new_pts});
  }
}

std::optional<int32_t> UpdatesState::FindChannelPts(int64_t channel_id) const {
  const ChannelPts* c = channels_.Find(channel_id);
  if (c == nullptr) return std::nullopt;
  return c->pts;
}

int32_t UpdatesState::ChannelPtsOr0(int64_t channel_id) const {
  return FindChannelPts(channel_id).value_or(0);
}

bool UpdatesState::RemoveChannelPts(int64_t channel_id) { return channels_.Remove(channel_id); }

bool operator==(const UpdatesState& a, const UpdatesState& b) {
  return a.pts == b.pts && a.qts == b.qts && a.date == b.date && a.seq == b.seq &&
         a.channels_ == b.channels_;
}

UpdateStateChange UpdateStateChange::All(UpdatesState state) {
  UpdateStateChange c;
  c.kind = Kind::kAll;
  c.all = std::move(state);
  return c;
}

UpdateStateChange UpdateStateChange::Primary(int32_t pts, int32_t date, int32_t seq) {
  UpdateStateChange c;
  c.kind = Kind::kPrimary;
  c.pts = pts;
  c.date = date;
  c.seq = seq;
  return c;
}

UpdateStateChange UpdateStateChange::Secondary(int32_t qts) {
  UpdateStateChange c;
  c.kind = Kind::kSecondary;
  c.qts = qts;
  return c;
}

UpdateStateChange UpdateStateChange::Channel(int64_t channel_id, int32_t pts) {
  UpdateStateChange c;
  c.kind = Kind::kChannel;
  c.channel_id = channel_id;
  c.pts = pts;
  return c;
}

void UpdateStateChange::ApplyTo(UpdatesState& state) const {
  switch (kind) {
    case Kind::kAll:
      state = all;
      return;
    case Kind::kPrimary:
      state.pts = pts;
      state.date = date;
      state.seq = seq;
      return;
    case Kind::kSecondary:
      state.qts = qts;
      return;
    case Kind::kChannel:
      state.SetChannelPts(channel_id, pts);
      return;
  }
}

absl::string_view PeerTypeName(PeerType t) {
  switch (t) {
    case PeerType::kUser:
      return "user";
    case PeerType::kChannel:
      return "channel";
    case PeerType::kChat:
      return "chat";
  }
  return "unknown";
}

absl::string_view ChannelKindName(ChannelKind k) {
  switch (k) {
    case ChannelKind::kBroadcast:
      return "Broadcast";
    case ChannelKind::kMegagroup:
      return "Megagroup";
    case ChannelKind::kGigagroup:
      return "Gigagroup";
  }
  return "unknown";
}

CachedPeer CachedPeer::User(int64_t id, int64_t access_hash) {
  CachedPeer p;
  p.id = id;
  p.access_hash = access_hash;
  p.type = PeerType::kUser;
  return p;
}

CachedPeer CachedPeer::Channel(int64_t id, int64_t access_hash, std::optional<ChannelKind> kind) {
  CachedPeer p;
  p.id = id;
  p.access_hash = access_hash;
  p.type = PeerType::kChannel;
  p.channel_kind = kind;
  return p;
}

CachedPeer CachedPeer::Chat(int64_t id) {
  CachedPeer p;
  p.id = id;
  p.type = PeerType::kChat;
  return p;
}

int DcPreferenceRank(const DcEntry& e, bool prefer_ipv6) {
  const bool special = e.flags.Has(DcFlags::kMediaOnly) || e.flags.Has(DcFlags::kCdn);
  const bool family_ok = e.is_ipv6() == prefer_ipv6;
  return (special ? 2 : 0) + (family_ok ? 0 : 1);
}

const DcEntry* Session::DcFor(int32_t dc_id, bool prefer_ipv6) const {
  const DcEntry* best = nullptr;
  int best_rank = std::numeric_limits<int>::max();
  for (const DcEntry& e : dcs) {
    if (e.dc_id != dc_id) continue;
    const int rank = DcPreferenceRank(e, prefer_ipv6);
    if (rank < best_rank) {
      best = &e;
      best_rank = rank;
      if (rank == 0) break;
    }
  }
  return best;
}

std::vector<const DcEntry*> Session::AllDcsFor(int32_t dc_id) const {
  std::vector<const DcEntry*> out;
  for (const DcEntry& e : dcs) {
    if (e.dc_id == dc_id) out.push_back(&e);
  }
  return out;
}

void Session::UpsertDc(DcEntry entry) {
  constexpr uint8_t kIdentity = DcFlags::kIpv6 | DcFlags::kMediaOnly;
  for (DcEntry& e : dcs) {
    if (e.dc_id == entry.dc_id && (e.flags.bits & kIdentity) == (entry.flags.bits & kIdentity)) {
      e = std::move(entry);
      return;
    }
  }
  dcs.push_back(std::move(entry));
}

size_t Session::SetAuthKey(int32_t dc_id, const AuthKey& key) {
  size_t n = 0;
  for (DcEntry& e : dcs) {
    if (e.dc_id == dc_id) {
      e.auth_key = key;
      ++n;
    }
  }
  return n;
}

absl::StatusOr<size_t> Session::SetAuthKey(int32_t dc_id, absl::Span<const uint8_t> key_bytes) {
  absl::StatusOr<AuthKey> key = AuthKey::FromBytes(key_bytes);
  if (!key.ok()) return key.status();
  return SetAuthKey(dc_id, *key);
}

SessionStats Session::Stats() const {
  SessionStats s;
  s.home_dc_id = home_dc_id;
  s.dcs_total = dcs.size();
  for (const DcEntry& e : dcs) {
    if (e.auth_key.has_value()) ++s.dcs_with_auth_key;
  }
  s.peers_total = peers.size();
  for (const CachedPeer& p : peers) {
    switch (p.type) {
      case PeerType::kUser:
        ++s.peers_users;
        break;
      case PeerType::kChannel:
        ++s.peers_channels;
        break;
      case PeerType::kChat:
        ++s.peers_chats;
        break;
    }
  }
  s.min_peers = min_peers.size();
  s.channel_pts_entries = updates_state.channels().size();
  s.updates_initialised = updates_state.is_initialised();
  s.approx_bytes = BinaryEncodedSize(*this, ChooseBinaryVersion(*this));
  return s;
}

std::string Session::DebugString() const {
  std::string out = absl::StrCat("Session{home_dc=", home_dc_id, ", dcs=[");
  for (size_t i = 0; i < dcs.size(); ++i) {
    const DcEntry& e = dcs[i];
    absl::StrAppend(&out, i ? ", " : "", e.dc_id, "@", e.addr, e.auth_key ? " key=<redacted>" : "",
                    e.flags.bits ? absl::StrCat(" ", e.flags.ToString()) : "");
  }
  absl::StrAppend(&out, "], pts=", updates_state.pts, ", qts=", updates_state.qts,
                  ", date=", updates_state.date, ", seq=", updates_state.seq,
                  ", channel_pts=", updates_state.channels().size(), ", peers=", peers.size(),
                  ", min_peers=", min_peers.size(),
                  ", future_auth_token=", future_auth_token ? "<redacted>" : "none", "}");
  return out;
}

bool operator==(const Session& a, const Session& b) {
  return a.home_dc_id == b.home_dc_id && a.dcs == b.dcs && a.updates_state == b.updates_state &&
         a.peers == b.peers && a.min_peers == b.min_peers && a.future_auth_token == b.future_auth_token;
}

std::vector<DcEntry> DefaultDcTable() {
  struct Row {
    int32_t id;
    const char* ip;
  };
  static constexpr Row kRows[] = {{1, "149.154.175.53"},
                                  {2, "149.154.167.51"},
                                  {3, "149.154.175.100"},
                                  {4, "149.154.167.91"},
                                  {5, "91.108.56.130"}};
  std::vector<DcEntry> out;
  out.reserve(5);
  for (const Row& r : kRows) out.push_back(DcEntry::FromParts(r.id, r.ip, 443, DcFlags()));
  return out;
}

Session NewSessionWithDefaults() {
  Session s;
  s.home_dc_id = 2;
  s.dcs = DefaultDcTable();
  return s;
}

}  // namespace tgsession
