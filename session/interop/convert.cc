#include "session/interop/convert.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "session/base64.h"
#include "session/interop/gramjs_string.h"
#include "session/interop/known_dcs.h"
#include "session/interop/mtcute_string.h"
#include "session/interop/pyrogram_string.h"
#include "session/interop/telethon_string.h"
#include "session/status_macros.h"
#include "session/string_codec.h"
#include "session/utf8.h"

namespace tgsession {
namespace interop {
namespace {

constexpr uint32_t Bit(Field f) { return uint32_t{1} << static_cast<int>(f); }

constexpr uint32_t kFerogramFields =
    Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kOtherDcs) | Bit(Field::kMediaDc) |
    Bit(Field::kSaltAndOffset) | Bit(Field::kUpdateState) | Bit(Field::kChannelPts) | Bit(Field::kPeers) |
    Bit(Field::kChannelKinds) | Bit(Field::kMinPeers) | Bit(Field::kFutureAuthToken);

struct FormatInfo {
  Format format;
  const char* name;
  bool is_string;
  bool native;
  bool writable;
  uint32_t fields;
};

constexpr FormatInfo kFormats[] = {
    {Format::kFerogramBinary, "ferogram-binary", false, false, true, kFerogramFields},
    {Format::kFerogramNative, "ferogram-native", true, false, true, kFerogramFields},
    {Format::kFerogramCompact, "ferogram-compact", true, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kUserId)},
    {Format::kFerogramSqlite, "ferogram-sqlite", false, true, true, kFerogramFields},
    {Format::kTelethonString, "telethon-string", true, false, true, Bit(Field::kAuthKey) | Bit(Field::kDcAddress)},
    {Format::kTelethonSqlite, "telethon-sqlite", false, true, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kUserId) | Bit(Field::kTakeoutId) |
         Bit(Field::kUpdateState) | Bit(Field::kChannelPts) | Bit(Field::kPeers) | Bit(Field::kPeerUsernames) |
         Bit(Field::kPeerPhones) | Bit(Field::kPeerNames)},
    {Format::kPyrogramString, "pyrogram-string", true, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kUserId) | Bit(Field::kIsBot) | Bit(Field::kTestMode) | Bit(Field::kApiId)},
    {Format::kPyrogramSqlite, "pyrogram-sqlite", false, true, true,
     Bit(Field::kAuthKey) | Bit(Field::kUserId) | Bit(Field::kIsBot) | Bit(Field::kTestMode) | Bit(Field::kApiId) |
         Bit(Field::kPeers) | Bit(Field::kChannelKinds) | Bit(Field::kPeerUsernames) | Bit(Field::kPeerPhones) |
         Bit(Field::kPeerBotFlags)},
    {Format::kGramjsString, "gramjs-string", true, false, true, Bit(Field::kAuthKey) | Bit(Field::kDcAddress)},
    {Format::kGramjsStore, "gramjs-store", false, true, false,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kPeers) | Bit(Field::kPeerUsernames) |
         Bit(Field::kPeerPhones) | Bit(Field::kPeerNames)},
    {Format::kMtcuteString, "mtcute-string", true, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kMediaDc) | Bit(Field::kUserId) |
         Bit(Field::kIsBot) | Bit(Field::kTestMode)},
};

const FormatInfo& Info(Format f) {
  for (const FormatInfo& i : kFormats) {
    if (i.format == f) return i;
  }
  return kFormats[0];
}

InteropDecodeInfo FromDecodeInfo(const DecodeInfo& d, bool with_version) {
  InteropDecodeInfo out;
  if (with_version && d.version > 0) {
    out.layout = absl::StrCat("v", d.version, d.read_as_v1_fallback ? " (v1 file whose first byte looks like a version)" : "");
  }
  out.warnings = d.warnings;
  if (d.anomaly_count > d.warnings.size()) {
    out.warnings.push_back(absl::StrCat(d.anomaly_count - d.warnings.size(), " more anomalies"));
  }
  out.anomaly_count = d.anomaly_count;
  return out;
}

ImportedSession FromParts(Format f, SessionWithExtras parts, InteropDecodeInfo info) {
  ImportedSession out;
  out.format = f;
  out.session = std::move(parts.session);
  out.extras = std::move(parts.extras);
  out.info = std::move(info);
  return out;
}

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

template <typename Pred>
size_t CountPeerExtras(const SessionExtras& x, Pred pred) {
  size_t n = 0;
  for (const auto& kv : x.peers) {
    if (pred(kv.second)) ++n;
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
      return CountPeerExtras(x, [](const PeerExtras& p) { return p.username.has_value(); }) > 0;
    case Field::kPeerPhones:
      return CountPeerExtras(x, [](const PeerExtras& p) { return p.phone.has_value(); }) > 0;
    case Field::kPeerNames:
      return CountPeerExtras(x, [](const PeerExtras& p) { return p.name.has_value(); }) > 0;
    case Field::kPeerBotFlags:
      return CountPeerExtras(x, [](const PeerExtras& p) { return p.is_bot.has_value(); }) > 0;
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
      return absl::StrCat("usernames of ", Plural(CountPeerExtras(x, [](const PeerExtras& p) {
                                                    return p.username.has_value();
                                                  }),
                                                  "peer", "peers"));
    case Field::kPeerPhones:
      return absl::StrCat("phone numbers of ", Plural(CountPeerExtras(x, [](const PeerExtras& p) {
                                                        return p.phone.has_value();
                                                      }),
                                                      "peer", "peers"));
    case Field::kPeerNames:
      return absl::StrCat("names of ", Plural(CountPeerExtras(x, [](const PeerExtras& p) {
                                                return p.name.has_value();
                                              }),
                                              "peer", "peers"));
    case Field::kPeerBotFlags:
      return absl::StrCat("bot flags of ", Plural(CountPeerExtras(x, [](const PeerExtras& p) {
                                                    return p.is_bot.has_value();
                                                  }),
                                                  "user", "users"));
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

bool LooksTextual(absl::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '-' || c == '_' || c == '=';
    if (!ok) return false;
  }
  return true;
}

constexpr absl::string_view kSqliteMagic("SQLite format 3\0", 16);

// Whether bytes may be a ferogram binary session (whole, damaged or cut
// short) rather than a file of another kind. The header is read as ferogram
// reads it: "\x09tgs" starts v9; a first byte 2..8 is the version, with the
// home DC id (i32) after it, or, as our decoder also tries, v1's home DC id
// 2..8; any other first byte starts v1's home DC id. A session's home DC id
// is small: Telegram's DCs are 1..5, test and CDN DCs run to the hundreds or
// +10000, the vectors hold -1. So its two high bytes are both 00 or both ff,
// where other files have text, magic numbers or lengths ("\x89PNG" reads as
// home DC 1196314761, a JPEG as -520103681). Bytes a short input lacks are
// not held against it.
bool PlausiblyFerogramBinary(absl::string_view b) {
  if (b.substr(0, 4) == absl::string_view("\x09tgs", 4)) return true;
  const auto small_id_at = [&](size_t at) {
    const absl::string_view high = b.substr(std::min(b.size(), at + 2), 2);
    for (char c : high) {
      if (c != high[0] || (c != '\x00' && c != '\xff')) return false;
    }
    return true;
  };
  const unsigned char first = static_cast<unsigned char>(b[0]);
  return small_id_at(0) || (first >= 2 && first <= 8 && small_id_at(1));
}

// What bytes that are no session look like, for the message.
std::string DescribeForeignBytes(absl::string_view b) {
  static constexpr struct {
    absl::string_view magic;
    const char* kind;
  } kKinds[] = {
      {absl::string_view("\x89PNG\r\n\x1a\n", 8), "a PNG image"},
      {absl::string_view("\xff\xd8\xff", 3), "a JPEG image"},
      {absl::string_view("GIF8", 4), "a GIF image"},
      {absl::string_view("\x1f\x8b", 2), "gzip-compressed data"},
      {absl::string_view("PK\x03\x04", 4), "a ZIP archive"},
      {absl::string_view("PK\x05\x06", 4), "an empty ZIP archive"},
      {absl::string_view("%PDF-", 5), "a PDF document"},
      {absl::string_view("\x7f" "ELF", 4), "an ELF program"},
      {absl::string_view("BZh", 3), "bzip2-compressed data"},
      {absl::string_view("\xfd" "7zXZ\x00", 6), "xz-compressed data"},
      {absl::string_view("7z\xbc\xaf\x27\x1c", 6), "a 7-Zip archive"},
      {absl::string_view("\x28\xb5\x2f\xfd", 4), "zstd-compressed data"},
  };
  for (const auto& k : kKinds) {
    if (absl::StartsWith(b, k.magic)) return k.kind;
  }
  bool text = IsValidUtf8(b);
  for (char c : b) text = text && (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\r' || c == '\t');
  if (text) return "text, but not one word of base64 as session strings are";
  return "binary data";
}

}  // namespace

absl::string_view FormatName(Format f) { return Info(f).name; }

std::optional<Format> FormatFromName(absl::string_view name) {
  for (const FormatInfo& i : kFormats) {
    if (name == i.name) return i.format;
  }
  return std::nullopt;
}

const std::vector<Format>& AllFormats() {
  static const std::vector<Format>* all = [] {
    auto* v = new std::vector<Format>();
    for (const FormatInfo& i : kFormats) v->push_back(i.format);
    return v;
  }();
  return *all;
}

bool IsStringFormat(Format f) { return Info(f).is_string; }
bool NeedsNativeBackend(Format f) { return Info(f).native; }
bool IsWritable(Format f) { return Info(f).writable; }
bool FormatHolds(Format f, Field field) { return (Info(f).fields & Bit(field)) != 0; }

absl::string_view FieldName(Field f) {
  switch (f) {
    case Field::kAuthKey:
      return "auth key";
    case Field::kDcAddress:
      return "DC address";
    case Field::kOtherDcs:
      return "other DC entries";
    case Field::kMediaDc:
      return "media DC";
    case Field::kSaltAndOffset:
      return "server salt and time offset";
    case Field::kUserId:
      return "user_id";
    case Field::kIsBot:
      return "is_bot";
    case Field::kTestMode:
      return "test_mode";
    case Field::kApiId:
      return "api_id";
    case Field::kTakeoutId:
      return "takeout_id";
    case Field::kUpdateState:
      return "update state";
    case Field::kChannelPts:
      return "per-channel pts";
    case Field::kPeers:
      return "peer cache";
    case Field::kChannelKinds:
      return "channel kinds";
    case Field::kPeerUsernames:
      return "peer usernames";
    case Field::kPeerPhones:
      return "peer phone numbers";
    case Field::kPeerNames:
      return "peer names";
    case Field::kPeerBotFlags:
      return "peer bot flags";
    case Field::kMinPeers:
      return "min peers";
    case Field::kFutureAuthToken:
      return "future auth token";
  }
  return "unknown";
}

absl::StatusOr<ImportedSession> Import(absl::string_view input, Format format, const InteropDecodeOptions& options) {
  if (NeedsNativeBackend(format)) {
    return absl::UnimplementedError(absl::StrCat(FormatName(format),
                                                 " needs the native build (the tgsession CLI or "
                                                 "//backends:session_files)"));
  }
  InteropDecodeInfo info;
  switch (format) {
    case Format::kFerogramBinary: {
      DecodeOptions o;
      o.mode = options.mode;
      DecodeInfo di;
      TGS_ASSIGN_OR_RETURN(Session s, DecodeBinary(input, o, &di));
      return FromParts(format, SessionWithExtras{std::move(s), {}}, FromDecodeInfo(di, true));
    }
    case Format::kFerogramNative: {
      StringDecodeOptions o;
      o.binary.mode = options.mode;
      DecodeInfo di;
      TGS_ASSIGN_OR_RETURN(Session s, DecodeNativeString(input, o, &di));
      return FromParts(format, SessionWithExtras{std::move(s), {}}, FromDecodeInfo(di, true));
    }
    case Format::kFerogramCompact: {
      StringDecodeOptions o;
      o.binary.mode = options.mode;
      DecodeInfo di;
      TGS_ASSIGN_OR_RETURN(CompactSession c, DecodeCompactString(input, o, &di));
      SessionWithExtras parts{CompactToSession(c), {}};
      // ferogram writes 0 when it does not know the user.
      if (c.user_id != 0) parts.extras.user_id = c.user_id;
      InteropDecodeInfo i = FromDecodeInfo(di, false);
      i.layout = absl::StrCat("V", c.version, c.ip.is_v6 ? ", IPv6" : ", IPv4");
      if (c.version == 1) absl::StrAppend(&i.layout, ", layer ", c.layer, ", seq_no ", c.seq_no);
      return FromParts(format, std::move(parts), std::move(i));
    }
    case Format::kTelethonString: {
      TGS_ASSIGN_OR_RETURN(TelethonStringSession t, DecodeTelethonString(input, options, &info));
      return FromParts(format, TelethonStringToSession(t, &info), info);
    }
    case Format::kGramjsString: {
      TGS_ASSIGN_OR_RETURN(GramjsStringSession g, DecodeGramjsString(input, options, &info));
      return FromParts(format, GramjsStringToSession(g, &info), info);
    }
    case Format::kPyrogramString: {
      TGS_ASSIGN_OR_RETURN(PyrogramStringSession p, DecodePyrogramString(input, options, &info));
      TGS_ASSIGN_OR_RETURN(SessionWithExtras parts, PyrogramStringToSession(p, &info));
      return FromParts(format, std::move(parts), info);
    }
    case Format::kMtcuteString: {
      TGS_ASSIGN_OR_RETURN(MtcuteStringSession m, DecodeMtcuteString(input, options, &info));
      TGS_ASSIGN_OR_RETURN(SessionWithExtras parts, MtcuteStringToSession(m, &info));
      return FromParts(format, std::move(parts), info);
    }
    default:
      break;
  }
  return absl::UnimplementedError(absl::StrCat("cannot read ", FormatName(format)));
}

absl::StatusOr<ImportedSession> DetectAndImport(absl::string_view input, const InteropDecodeOptions& options) {
  if (TrimUnicodeWhitespace(input).empty()) {
    return absl::InvalidArgumentError(
        input.empty() ? "empty input: not a session" : "only white space: not a session");
  }
  if (input.substr(0, kSqliteMagic.size()) == kSqliteMagic) {
    return absl::UnimplementedError(
        "an SQLite session file: reading it needs the native build (the tgsession CLI or //backends:session_files)");
  }
  const absl::string_view t = TrimUnicodeWhitespace(input);
  if (!LooksTextual(t)) {
    // Only a plausible header is decoded: ferogram's v1 reading accepts
    // almost any bytes (a JPEG reads as a v1 session without DCs plus
    // trailing bytes), and a file of another kind is better named as such
    // than reported as a session "truncated at byte 41".
    if (PlausiblyFerogramBinary(input)) return Import(input, Format::kFerogramBinary, options);
    return absl::InvalidArgumentError(absl::StrCat(
        "not a session in any known format: ", DescribeForeignBytes(input),
        " (tried ferogram-binary, whose first bytes are a version and a small home DC id; the SQLite formats, "
        "which start with \"SQLite format 3\"; and session strings. A ferogram-binary file all the same? "
        "Name it: --from ferogram-binary)"));
  }

  InteropDecodeOptions strict = options;
  strict.mode = DecodeMode::kStrict;
  std::vector<ImportedSession> readings;
  std::vector<std::string> reasons;
  for (Format f : {Format::kTelethonString, Format::kGramjsString, Format::kPyrogramString, Format::kMtcuteString,
                   Format::kFerogramNative, Format::kFerogramCompact}) {
    absl::StatusOr<ImportedSession> r = Import(t, f, strict);
    if (r.ok() && r->info.anomaly_count == 0) {
      readings.push_back(*std::move(r));
    } else {
      reasons.push_back(absl::StrCat("as ", FormatName(f), ": ",
                                     r.ok() ? "anomalies" : std::string(r.status().message())));
    }
  }
  if (readings.size() == 1) return std::move(readings[0]);
  if (readings.size() > 1) {
    std::vector<std::string> parts, flags;
    for (const ImportedSession& r : readings) {
      parts.push_back(absl::StrCat(FormatName(r.format), " (", DescribeForMessage(r), ")"));
      flags.push_back(absl::StrCat("--from ", FormatName(r.format)));
    }
    return absl::InvalidArgumentError(absl::StrCat("the text is valid in more than one format: ",
                                                   absl::StrJoin(parts, " and "), "; say which it is (",
                                                   absl::StrJoin(flags, " or "), ")"));
  }
  // A ferogram binary session whose bytes all happen to be base64 symbols.
  {
    DecodeOptions o;
    o.mode = options.mode;
    DecodeInfo di;
    absl::StatusOr<Session> bin = DecodeBinary(input, o, &di);
    if (bin.ok() && di.trailing_bytes == 0) {
      return FromParts(Format::kFerogramBinary, SessionWithExtras{*std::move(bin), {}}, FromDecodeInfo(di, true));
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a session string in any known format: ", absl::StrJoin(reasons, "; ")));
}

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

absl::StatusOr<ExportResult> Export(const ImportedSession& in, Format to, const ExportOptions& options) {
  if (!IsWritable(to)) {
    return absl::InvalidArgumentError(absl::StrCat(FormatName(to), " is read-only"));
  }
  if (NeedsNativeBackend(to)) {
    return absl::UnimplementedError(
        absl::StrCat("writing ", FormatName(to), " needs the native build (//backends:session_files)"));
  }
  ExportPlan plan = PlanExport(in, to);
  ExportResult out;
  out.summary = std::move(plan.summary);
  const Session& s = in.session;
  std::vector<std::string>& warnings = out.summary.warnings;
  switch (to) {
    case Format::kFerogramBinary: {
      TGS_ASSIGN_OR_RETURN(std::string bin, EncodeBinary(s, options.binary));
      if (!bin.empty() && static_cast<uint8_t>(bin[0]) == kExtendedBinaryVersion) {
        warnings.push_back("written as tgsession binary v9: the session does not fit ferogram's v8 counts");
      }
      out.data = SecretString(std::move(bin));
      return out;
    }
    case Format::kFerogramNative: {
      TGS_ASSIGN_OR_RETURN(std::string text, EncodeNativeString(s, options.binary));
      out.data = SecretString(std::move(text));
      return out;
    }
    case Format::kFerogramCompact: {
      TGS_ASSIGN_OR_RETURN(CompactSession c, SessionToCompact(s, plan.extras.user_id.value_or(0)));
      TGS_ASSIGN_OR_RETURN(std::string text, EncodeCompactString(c));
      out.data = SecretString(std::move(text));
      return out;
    }
    case Format::kTelethonString: {
      TGS_ASSIGN_OR_RETURN(TelethonStringSession t, TelethonStringFromSession(s));
      out.data = SecretString(EncodeTelethonString(t));
      return out;
    }
    case Format::kGramjsString: {
      TGS_ASSIGN_OR_RETURN(GramjsStringSession g, GramjsStringFromSession(s, &warnings));
      TGS_ASSIGN_OR_RETURN(std::string text, EncodeGramjsString(g));
      out.data = SecretString(std::move(text));
      return out;
    }
    case Format::kPyrogramString: {
      TGS_ASSIGN_OR_RETURN(PyrogramStringSession p, PyrogramStringFromSession(s, plan.extras));
      TGS_ASSIGN_OR_RETURN(std::string text, EncodePyrogramString(p));
      out.data = SecretString(std::move(text));
      return out;
    }
    case Format::kMtcuteString: {
      TGS_ASSIGN_OR_RETURN(MtcuteStringSession m, MtcuteStringFromSession(s, plan.extras, &warnings));
      TGS_ASSIGN_OR_RETURN(std::string text, EncodeMtcuteString(m));
      out.data = SecretString(std::move(text));
      return out;
    }
    default:
      break;
  }
  return absl::UnimplementedError(absl::StrCat("cannot write ", FormatName(to)));
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
