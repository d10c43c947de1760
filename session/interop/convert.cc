#include "session/interop/convert.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "session/interop/known_dcs.h"

namespace tgsession {
namespace interop {
namespace {

// The home entry single-address formats write, for summaries and deductions.
const DcEntry* PrimaryEntry(const Session& s) {
  const DcEntry* best = nullptr;
  // Keyed entries first, then as Session::DcFor orders them (a CDN entry was
  // chosen before: fuzz finding, kept in tests/fuzz/findings/interop).
  auto rank = [](const DcEntry* e) { return (e->auth_key ? 0 : 4) + DcPreferenceRank(*e, false); };
  for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
    if (best == nullptr || rank(e) < rank(best)) best = e;
  }
  return best;
}

// DC entries a target cannot hold: all but the primary (and, for formats with
// a media DC, one media entry of the home DC).
size_t OtherDcCount(const Session& s, Format to) {
  if (FormatHolds(to, Field::kOtherDcs)) return 0;
  const DcEntry* primary = PrimaryEntry(s);
  if (primary == nullptr) return s.dcs.size();
  size_t kept = 1;
  if (FormatHolds(to, Field::kMediaDc)) {
    for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
      if (e != primary && e->is_media_only() && e->is_ipv6() == primary->is_ipv6()) {
        ++kept;
        break;
      }
    }
  }
  return s.dcs.size() - kept;
}

// How many peers' extras hold `field`.
template <typename V>
size_t CountPeerExtras(const SessionExtras& x, std::optional<V> PeerExtras::*field) {
  size_t n = 0;
  for (const auto& kv : x.peers) {
    if ((kv.second.*field).has_value()) ++n;
  }
  return n;
}

size_t ChannelKindCount(const Session& s) {
  size_t n = 0;
  for (const CachedPeer& p : s.peers.items()) {
    if (p.is_channel() && p.channel_kind) ++n;
  }
  return n;
}

bool Present(const ImportedSession& in, const SessionExtras& x, Field f, Format to) {
  const Session& s = in.session;
  switch (f) {
    case Field::kAuthKey:
      for (const DcEntry& e : s.dcs) {
        if (e.auth_key) return true;
      }
      return false;
    case Field::kDcAddress:
      return PrimaryEntry(s) != nullptr;
    case Field::kOtherDcs:
      return OtherDcCount(s, to) > 0;
    case Field::kMediaDc:
      return false;  // counted with kOtherDcs
    case Field::kSaltAndOffset:
      for (const DcEntry& e : s.dcs) {
        if (e.first_salt != 0 || e.time_offset != 0) return true;
      }
      return false;
    case Field::kUserId:
      return x.user_id.has_value();
    case Field::kIsBot:
      return x.is_bot.has_value();
    case Field::kTestMode:
      return x.test_mode.has_value();
    case Field::kApiId:
      return x.api_id.has_value();
    case Field::kTakeoutId:
      return x.takeout_id.has_value();
    case Field::kUpdateState:
      return s.updates_state.pts != 0 || s.updates_state.qts != 0 || s.updates_state.date != 0 ||
             s.updates_state.seq != 0;
    case Field::kChannelPts:
      return !s.updates_state.channels().empty();
    case Field::kPeers:
      return !s.peers.items().empty();
    case Field::kChannelKinds:
      return ChannelKindCount(s) > 0;
    case Field::kPeerUsernames:
      return CountPeerExtras(x, &PeerExtras::username) > 0;
    case Field::kPeerPhones:
      return CountPeerExtras(x, &PeerExtras::phone) > 0;
    case Field::kPeerNames:
      return CountPeerExtras(x, &PeerExtras::name) > 0;
    case Field::kPeerBotFlags:
      return CountPeerExtras(x, &PeerExtras::is_bot) > 0;
    case Field::kMinPeers:
      return !s.min_peers.items().empty();
    case Field::kFutureAuthToken:
      return s.future_auth_token.has_value();
  }
  return false;
}

std::string Plural(size_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

// "" when nothing is actually lost.
std::string DroppedText(const ImportedSession& in, const SessionExtras& x, Field f, Format to) {
  const Session& s = in.session;
  switch (f) {
    case Field::kDcAddress: {
      const DcEntry* e = PrimaryEntry(s);
      if (e == nullptr) return "";
      std::optional<HostPort> py = PyrogramDcAddress(s.home_dc_id, x.test_mode.value_or(false));
      if (py && FormatHostPort(py->host, py->port) == e->addr) return "";
      return absl::StrCat("DC address ", e->addr, " (", FormatName(to), " stores none; Pyrogram connects to ",
                          py ? FormatHostPort(py->host, py->port) : std::string("no address it knows"),
                          " for DC ", s.home_dc_id, ")");
    }
    case Field::kOtherDcs:
      return absl::StrCat(OtherDcCount(s, to), " DC entries besides the home DC");
    case Field::kSaltAndOffset:
      return "server salts and time offsets";
    case Field::kUserId:
      return absl::StrCat("user_id ", *x.user_id);
    case Field::kIsBot:
      return absl::StrCat("is_bot (", *x.is_bot ? "true" : "false", ")");
    case Field::kTestMode:
      return absl::StrCat("test_mode (", *x.test_mode ? "true" : "false", ")");
    case Field::kApiId:
      return absl::StrCat("api_id ", *x.api_id);
    case Field::kTakeoutId:
      return absl::StrCat("takeout_id ", *x.takeout_id);
    case Field::kUpdateState: {
      const UpdatesState& u = s.updates_state;
      return absl::StrCat("update state (pts ", u.pts, ", qts ", u.qts, ", date ", u.date, ", seq ", u.seq, ")");
    }
    case Field::kChannelPts:
      return absl::StrCat("pts of ", Plural(s.updates_state.channels().size(), "channel", "channels"));
    case Field::kPeers:
      return absl::StrCat("access hashes of ", Plural(s.peers.items().size(), "peer", "peers"));
    case Field::kChannelKinds:
      return absl::StrCat("kinds (broadcast/megagroup) of ", Plural(ChannelKindCount(s), "channel", "channels"));
    case Field::kPeerUsernames:
      return absl::StrCat("usernames of ", Plural(CountPeerExtras(x, &PeerExtras::username), "peer", "peers"));
    case Field::kPeerPhones:
      return absl::StrCat("phone numbers of ", Plural(CountPeerExtras(x, &PeerExtras::phone), "peer", "peers"));
    case Field::kPeerNames:
      return absl::StrCat("names of ", Plural(CountPeerExtras(x, &PeerExtras::name), "peer", "peers"));
    case Field::kPeerBotFlags:
      return absl::StrCat("bot flags of ", Plural(CountPeerExtras(x, &PeerExtras::is_bot), "user", "users"));
    case Field::kMinPeers:
      return Plural(s.min_peers.items().size(), "min-peer context", "min-peer contexts");
    case Field::kFutureAuthToken:
      return "future auth token";
    case Field::kAuthKey:
    case Field::kMediaDc:
      return "";
  }
  return "";
}

// What was written instead of a field the source format cannot hold; ""
// for fields not worth reporting as missing.
std::string MissingConsequence(Field f, Format to) {
  switch (f) {
    case Field::kUserId:
      if (to == Format::kFerogramCompact) return "written as 0 (pass --user-id)";
      if (to == Format::kTelethonSqlite) return "no self-id entity row written (pass --user-id)";
      if (to == Format::kMtcuteString) return "no self user written (pass --user-id and --bot/--no-bot)";
      return "not written";
    case Field::kIsBot:
      if (to == Format::kMtcuteString) return "no self user written (pass --bot or --no-bot)";
      return "written as false (pass --bot if the account is a bot)";
    case Field::kTestMode:
      return "written as false (production servers)";
    case Field::kApiId:
      if (to == Format::kPyrogramString) {
        return "written in Pyrogram 1's layout, which has none (pass --api-id for Pyrogram 2's)";
      }
      return "left empty (pass --api-id)";
    case Field::kUpdateState:
      return "left empty: the client fetches the current state and misses updates sent in between";
    case Field::kChannelPts:
      return "left empty";
    case Field::kPeers:
      return "the peer cache starts empty";
    case Field::kPeerBotFlags:
      return "users written with type \"user\" (bots too)";
    case Field::kPeerUsernames:
    case Field::kPeerPhones:
    case Field::kPeerNames:
      return "peers written without them";
    case Field::kChannelKinds:
      return to == Format::kPyrogramSqlite ? "channels written with type \"channel\"" : "";
    default:
      return "";
  }
}

bool IsPeerDetail(Field f) {
  return f == Field::kPeerUsernames || f == Field::kPeerPhones || f == Field::kPeerNames ||
         f == Field::kPeerBotFlags || f == Field::kChannelKinds;
}

}  // namespace

ExportPlan PlanExport(const ImportedSession& in, Format to) {
  ExportPlan plan;
  plan.extras = in.extras;
  SessionExtras& x = plan.extras;
  ConversionSummary& sum = plan.summary;
  if (FormatHolds(to, Field::kTestMode) && !x.test_mode) {
    const DcEntry* e = PrimaryEntry(in.session);
    absl::StatusOr<HostPort> hp = e != nullptr ? e->ParseAddress() : absl::StatusOr<HostPort>(absl::NotFoundError(""));
    if (hp.ok() && IsTelegramTestDcHost(hp->host)) {
      x.test_mode = true;
      sum.warnings.push_back(absl::StrCat("test_mode: not stored in ", FormatName(in.format), "; written as true: ",
                                          hp->host, " is a Telegram test DC"));
    }
  }
  const bool source_has_peers = Present(in, x, Field::kPeers, to);
  for (int i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    const bool present = Present(in, x, f, to);
    if (present && !FormatHolds(to, f)) {
      std::string text = DroppedText(in, x, f, to);
      if (!text.empty()) sum.dropped.push_back(std::move(text));
    }
    if (!present && FormatHolds(to, f) && !FormatHolds(in.format, f)) {
      if (IsPeerDetail(f) && !source_has_peers) continue;
      std::string consequence = MissingConsequence(f, to);
      if (!consequence.empty()) {
        sum.missing.push_back(absl::StrCat(FieldName(f), ": missing in ", FormatName(in.format), ", ", consequence));
      }
    }
  }
  for (const std::string& n : in.not_carried) sum.dropped.push_back(n);
  return plan;
}

std::string DescribeForMessage(const ImportedSession& s) {
  std::string out = absl::StrCat("DC ", s.session.home_dc_id);
  if (const DcEntry* e = PrimaryEntry(s.session)) {
    absl::StrAppend(&out, " at ", e->addr, e->auth_key ? ", key" : ", no key");
  }
  if (s.extras.user_id) absl::StrAppend(&out, ", user ", *s.extras.user_id);
  return out;
}

}  // namespace interop
}  // namespace tgsession
