#include "tests/differential/compare.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/json.h"
#include "session/string_codec.h"
#include "session/utf8.h"

namespace tgsession {
namespace differential {
namespace {

using Value = rapidjson::Value;

// --- reading the oracle's JSON --------------------------------------------

const Value* Member(const Value& o, const char* name) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(name);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

// The value as text, for messages.
std::string Show(const Value* v) {
  if (v == nullptr) return "(missing)";
  if (v->IsNull()) return "null";
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  if (v->IsInt64()) return absl::StrCat(v->GetInt64());
  if (v->IsUint64()) return absl::StrCat(v->GetUint64());
  if (v->IsString()) return absl::StrCat("\"", absl::string_view(v->GetString(), v->GetStringLength()), "\"");
  return "(other)";
}

bool IsString(const Value* v, absl::string_view s) {
  return v != nullptr && v->IsString() && absl::string_view(v->GetString(), v->GetStringLength()) == s;
}

// Field-by-field comparison that stops at the first difference and names it.
class Matcher {
 public:
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }

  void Int(const Value& o, const char* name, int64_t ours, absl::string_view path) {
    if (!ok()) return;
    const Value* v = Member(o, name);
    if (v == nullptr || !v->IsInt64() || v->GetInt64() != ours) Fail(path, name, absl::StrCat(ours), Show(v));
  }
  void Bool(const Value& o, const char* name, bool ours, absl::string_view path) {
    if (!ok()) return;
    const Value* v = Member(o, name);
    if (v == nullptr || !v->IsBool() || v->GetBool() != ours) Fail(path, name, ours ? "true" : "false", Show(v));
  }
  // `ours` nullopt: JSON null expected.
  void Str(const Value& o, const char* name, const std::optional<std::string>& ours, absl::string_view path) {
    if (!ok()) return;
    const Value* v = Member(o, name);
    const bool same = ours ? IsString(v, *ours) : (v != nullptr && v->IsNull());
    if (!same) Fail(path, name, ours ? absl::StrCat("\"", *ours, "\"") : "null", Show(v));
  }
  const Value* Array(const Value& o, const char* name, size_t ours, absl::string_view path) {
    if (!ok()) return nullptr;
    const Value* v = Member(o, name);
    if (v == nullptr || !v->IsArray() || v->Size() != ours) {
      Fail(path, name, absl::StrCat(ours, " entries"),
           v != nullptr && v->IsArray() ? absl::StrCat(v->Size(), " entries") : Show(v));
      return nullptr;
    }
    return v;
  }
  // Matches each of `ours` with the element at the same index of the
  // same-size array `name`: match(element, item, "<path><name>[i].").
  template <typename Items, typename MatchOne>
  void Each(const Value& o, const char* name, const Items& ours, absl::string_view path, MatchOne match) {
    const Value* a = Array(o, name, ours.size(), path);
    for (size_t i = 0; a != nullptr && i < ours.size() && ok(); ++i) {
      match((*a)[static_cast<rapidjson::SizeType>(i)], ours[i], absl::StrCat(path, name, "[", i, "]."));
    }
  }
  void Fail(absl::string_view path, absl::string_view name, absl::string_view ours, absl::string_view theirs) {
    if (ok()) why_ = absl::StrCat(path, name, ": ours ", ours, ", ferogram ", theirs);
  }

 private:
  std::string why_;
};

enum class AddrRule {
  kExact,  // our bytes equal ferogram's string
  kLossy,  // our bytes, shown as from_utf8_lossy shows them, equal it
};

std::optional<std::string> KeyHex(const std::optional<AuthKey>& k) {
  if (!k) return std::nullopt;
  return k->RevealHex(kRevealSecrets);
}

// True when `s` is the session of ferogram's JSON `j` ({"home_dc_id",...}).
bool MatchSession(const Session& s, const Value& j, AddrRule rule, std::string* why) {
  Matcher m;
  m.Int(j, "home_dc_id", s.home_dc_id, "");
  m.Each(j, "dcs", s.dcs, "", [&](const Value& d, const DcEntry& e, const std::string& p) {
    m.Int(d, "dc_id", e.dc_id, p);
    m.Str(d, "addr", rule == AddrRule::kLossy ? Utf8Lossy(e.addr) : e.addr, p);
    m.Str(d, "auth_key_hex", KeyHex(e.auth_key), p);
    m.Int(d, "first_salt", e.first_salt, p);
    m.Int(d, "time_offset", e.time_offset, p);
    m.Int(d, "flags", e.flags.bits, p);
  });
  const Value* u = Member(j, "updates_state");
  if (u == nullptr) {
    m.Fail("", "updates_state", "an object", "(missing)");
  } else {
    const UpdatesState& us = s.updates_state;
    m.Int(*u, "pts", us.pts, "updates_state.");
    m.Int(*u, "qts", us.qts, "updates_state.");
    m.Int(*u, "date", us.date, "updates_state.");
    m.Int(*u, "seq", us.seq, "updates_state.");
    m.Each(*u, "channels", us.channels(), "updates_state.",
           [&](const Value& c, const ChannelPts& ours, const std::string& p) {
             m.Int(c, "channel_id", ours.channel_id, p);
             m.Int(c, "pts", ours.pts, p);
           });
  }
  m.Each(j, "peers", s.peers.items(), "", [&](const Value& v, const CachedPeer& p, const std::string& path) {
    m.Int(v, "id", p.id, path);
    m.Int(v, "access_hash", p.access_hash, path);
    m.Bool(v, "is_channel", p.is_channel(), path);
    m.Bool(v, "is_chat", p.is_chat(), path);
    m.Str(v, "channel_kind",
          p.channel_kind ? std::optional<std::string>(std::string(ChannelKindName(*p.channel_kind))) : std::nullopt,
          path);
    m.Bool(v, "is_community", p.is_community, path);
  });
  m.Each(j, "min_peers", s.min_peers.items(), "",
         [&](const Value& v, const CachedMinPeer& mp, const std::string& path) {
           m.Int(v, "user_id", mp.user_id, path);
           m.Int(v, "peer_id", mp.peer_id, path);
           m.Int(v, "msg_id", mp.msg_id, path);
         });
  m.Str(j, "future_auth_token_hex",
        s.future_auth_token ? std::optional<std::string>(s.future_auth_token->RevealHex(kRevealSecrets)) : std::nullopt,
        "");
  if (!m.ok() && why != nullptr) *why = m.why();
  return m.ok();
}

// --- our emulation of ferogram ----------------------------------------------

DecodeOptions WithoutTrailingLimit() {
  DecodeOptions o;
  o.limits.max_trailing_bytes = std::numeric_limits<size_t>::max();
  return o;
}

// ferogram's from_bytes in terms of our decoder: the first byte picks v2..v8,
// anything else is v1; bytes after the session are ignored, however many.
int FerogramVersion(absl::string_view bytes) {
  const uint8_t first = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]);
  return first >= 2 && first <= 8 ? first : 1;
}

absl::StatusOr<Session> FerogramReading(absl::string_view bytes) {
  return DecodeBinaryAsVersion(bytes, FerogramVersion(bytes), WithoutTrailingLimit());
}

bool HasNonUtf8Address(const Session& s) {
  for (const DcEntry& e : s.dcs) {
    if (!IsValidUtf8(e.addr)) return true;
  }
  return false;
}

Session Lossy(const Session& s) {
  Session out = s;
  for (DcEntry& e : out.dcs) e.addr = Utf8Lossy(e.addr);
  return out;
}

bool IsV9Header(absl::string_view b) { return b.size() >= 4 && b.substr(0, 4) == absl::string_view("\x09tgs", 4); }

size_t FirstDifference(absl::string_view a, absl::string_view b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// ferogram's text for an error of from_bytes itself (as opposed to its
// base64 decoding or the wrapper's UTF-8 check).
bool IsBinaryError(const Value& line) {
  const Value* e = Member(line, "error");
  return IsString(e, "truncated session") || IsString(e, "empty session data");
}

Verdict Unlisted(Verdict v, std::string detail) {
  v.difference = Difference::kUnlisted;
  v.detail = std::move(detail);
  return v;
}

std::string Outcome(const absl::Status& s) { return s.ok() ? "accepts" : absl::StrCat("refuses (", s.message(), ")"); }

std::string Outcome(const Value& line) {
  if (const Value* p = Member(line, "panic")) return absl::StrCat("PANICS (", Show(p), ")");
  const Value* ok = Member(line, "ok");
  if (ok != nullptr && ok->IsBool() && ok->GetBool()) return "accepts";
  return absl::StrCat("refuses (", Show(Member(line, "error")), ")");
}

// Step 1 of compare.h: ferogram's answer `line` for `bytes` against our
// emulation of its reader, and its re-encodings against ours. Returns "" or
// what differs.
std::string CheckFerogramModel(absl::string_view bytes, const Value& line, bool theirs_ok, int* reencodes) {
  const absl::StatusOr<Session> model = FerogramReading(bytes);
  const int version = FerogramVersion(bytes);
  if (model.ok() != theirs_ok) {
    return absl::StrCat("ferogram ", Outcome(line), ", our reader as v", version, " ", Outcome(model.status()));
  }
  if (!theirs_ok) return "";
  std::string why;
  if (!MatchSession(*model, *Member(line, "session"), AddrRule::kLossy, &why)) {
    return absl::StrCat("read as v", version, ": ", why);
  }
  const Value* to_bytes = Member(line, "to_bytes_hex");
  const Value* to_string = Member(line, "to_string");
  if (to_bytes == nullptr || to_string == nullptr) return "";  // asked without --with-reencode
  // ferogram saves the addresses it shows (U+FFFD for bad bytes); a session
  // that then no longer fits v8 is written wrapped (kExceedsV8), nothing to
  // compare against.
  const Session saved = Lossy(*model);
  if (ChooseBinaryVersion(saved) != 8) return "";
  EncodeOptions v8;
  v8.policy = VersionPolicy::kFerogramOnly;
  const absl::StatusOr<std::string> bin = EncodeBinary(saved, v8);
  const absl::StatusOr<std::string> text = EncodeNativeString(saved, v8);
  if (!bin.ok() || !text.ok()) return absl::StrCat("our v8 encoder refuses: ", bin.status().ToString());
  const std::string theirs_bin =
      absl::HexStringToBytes(absl::string_view(to_bytes->GetString(), to_bytes->GetStringLength()));
  const absl::string_view theirs_text(to_string->GetString(), to_string->GetStringLength());
  *reencodes += 2;
  if (*bin != theirs_bin) {
    return absl::StrCat("to_bytes differs from our EncodeBinary at byte ", FirstDifference(*bin, theirs_bin), " (ours ",
                        bin->size(), " bytes, ferogram ", theirs_bin.size(), ")");
  }
  if (*text != theirs_text) {
    return absl::StrCat("to_string differs from our EncodeNativeString at character ",
                        FirstDifference(*text, theirs_text));
  }
  return "";
}

// Step 2: our decoder's outcome `ours` (with `info`) for the binary session
// `bytes` against ferogram's.
Verdict Classify(absl::string_view bytes, const absl::StatusOr<Session>& ours, const DecodeInfo& info,
                 const Value& line, Verdict v) {
  v.ours_ok = ours.ok();
  const Value* theirs = v.theirs_ok ? Member(line, "session") : nullptr;
  if (!ours.ok() && !v.theirs_ok) return v;
  std::string why;
  if (ours.ok() && v.theirs_ok && MatchSession(*ours, *theirs, AddrRule::kExact, &why)) {
    const size_t trailing = info.trailing_bytes > 0 ? 1 : 0;
    v.difference = info.anomaly_count > trailing ? Difference::kLenientValue
                   : trailing > 0                ? Difference::kTrailingBytes
                                                 : Difference::kNone;
    // A warning must mean strict mode refuses, and no warning that it accepts.
    DecodeOptions strict;
    strict.mode = DecodeMode::kStrict;
    if (DecodeBinary(bytes, strict).ok() != (info.anomaly_count == 0)) {
      return Unlisted(v, absl::StrCat(info.anomaly_count, " warnings, but strict mode ",
                                      Outcome(DecodeBinary(bytes, strict).status())));
    }
    return v;
  }
  if (IsV9Header(bytes)) {
    // Step 1 checked ferogram's v1 reading; ours is v9 or nothing.
    if (ours.ok() && info.version != 9) return Unlisted(v, "09 't' 'g' 's' input not read as v9");
    v.difference = Difference::kV9;
    return v;
  }
  if (ours.ok() && info.read_as_v1_fallback) {
    // Only under the documented rule: first byte 2..8 and bytes 1..3 zero
    // (home DC = first byte), at least one DC, the v1 reading consumes the
    // input exactly, the versioned one does not.
    const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
    DecodeInfo versioned_info;
    const bool versioned_fits = DecodeBinaryAsVersion(bytes, d[0], WithoutTrailingLimit(), &versioned_info).ok() &&
                                versioned_info.trailing_bytes == 0;
    if (bytes.size() < 5 || d[0] < 2 || d[0] > 8 || d[1] != 0 || d[2] != 0 || d[3] != 0 || d[4] == 0 ||
        info.version != 1 || info.trailing_bytes != 0 || versioned_fits) {
      return Unlisted(v, "read as v1 outside the rule of docs/ferogram-differences.md (v1-home-dc-2-to-8)");
    }
    v.difference = Difference::kV1HomeDc2To8;
    return v;
  }
  if (ours.ok() && v.theirs_ok && HasNonUtf8Address(*ours) && MatchSession(*ours, *theirs, AddrRule::kLossy, nullptr)) {
    v.difference = Difference::kNonUtf8Address;
    return v;
  }
  if (!ours.ok() && v.theirs_ok) {
    DecodeInfo relaxed_info;
    const absl::StatusOr<Session> relaxed = DecodeBinary(bytes, WithoutTrailingLimit(), &relaxed_info);
    if (relaxed.ok() && relaxed_info.trailing_bytes > DecodeLimits().max_trailing_bytes &&
        MatchSession(*relaxed, *theirs, AddrRule::kLossy, nullptr)) {
      v.difference = Difference::kTrailingBytesOverLimit;
      return v;
    }
  }
  if (why.empty() && ours.ok() && v.theirs_ok) MatchSession(*ours, *theirs, AddrRule::kExact, &why);
  return Unlisted(v, absl::StrCat("ours ", Outcome(ours.status()), ", ferogram ", Outcome(line),
                                  why.empty() ? "" : "; first difference: ", why));
}

bool ParseLine(absl::string_view line, rapidjson::Document* d, Verdict* v) {
  d->Parse(line.data(), line.size());
  if (d->HasParseError() || !d->IsObject()) {
    *v = Unlisted(*v, absl::StrCat("unreadable oracle line: ", line.substr(0, 200)));
    return false;
  }
  const Value* ok = Member(*d, "ok");
  v->theirs_ok = ok != nullptr && ok->IsBool() && ok->GetBool();
  if (Member(*d, "panic") != nullptr) {
    *v = Unlisted(*v, absl::StrCat("ferogram panicked: ", line.substr(0, 300)));
    return false;
  }
  return true;
}

Verdict CheckBinaryBytes(absl::string_view bytes, const absl::StatusOr<Session>& ours, const DecodeInfo& info,
                         const Value& line, Verdict v) {
  const std::string model = CheckFerogramModel(bytes, line, v.theirs_ok, &v.reencodes);
  if (!model.empty()) {
    v.ours_ok = ours.ok();
    return Unlisted(v, model);
  }
  return Classify(bytes, ours, info, line, v);
}

}  // namespace

Verdict CheckBinary(absl::string_view input, absl::string_view line) {
  Verdict v;
  rapidjson::Document d;
  if (!ParseLine(line, &d, &v)) return v;
  DecodeInfo info;
  const absl::StatusOr<Session> ours = DecodeBinary(input, DecodeOptions(), &info);
  return CheckBinaryBytes(input, ours, info, d, v);
}

Verdict CheckNative(absl::string_view text, absl::string_view line) {
  Verdict v;
  rapidjson::Document d;
  if (!ParseLine(line, &d, &v)) return v;
  DecodeInfo info;
  const absl::StatusOr<Session> ours = DecodeNativeString(text, StringDecodeOptions(), &info);
  v.ours_ok = ours.ok();
  // Our base64 layer on its own, to tell its verdict from the binary one.
  const absl::StatusOr<std::string> bytes = Base64Decode(TrimUnicodeWhitespace(text), kBase64UrlNoPad);
  if (!bytes.ok()) {
    if (ours.ok()) return Unlisted(v, "DecodeNativeString accepts text its base64 decoder refuses");
    if (v.theirs_ok || IsBinaryError(d)) {
      return Unlisted(v, absl::StrCat("we refuse the base64 (", bytes.status().message(), "), ferogram ",
                                      v.theirs_ok ? "accepts" : "decodes it and refuses the session"));
    }
    return v;  // both refuse the text before reading a session
  }
  if (!IsValidUtf8(text)) return Unlisted(v, "we decode text that is not UTF-8 (ferogram takes only &str)");
  if (!v.theirs_ok && !IsBinaryError(d)) {
    return Unlisted(v,
                    absl::StrCat("ferogram refuses the text (", Show(Member(d, "error")), "), our base64 decodes it"));
  }
  return CheckBinaryBytes(*bytes, ours, info, d, v);
}

Verdict CheckCompact(absl::string_view text, absl::string_view line) {
  Verdict v;
  rapidjson::Document d;
  if (!ParseLine(line, &d, &v)) return v;
  DecodeInfo info;
  const absl::StatusOr<CompactSession> ours = DecodeCompactString(text, StringDecodeOptions(), &info);
  v.ours_ok = ours.ok();
  if (!ours.ok() && !v.theirs_ok) return v;
  // Without the trailing-bytes limit our reading is ferogram's.
  StringDecodeOptions relaxed_options;
  relaxed_options.binary = WithoutTrailingLimit();
  DecodeInfo relaxed_info;
  const absl::StatusOr<CompactSession> model = DecodeCompactString(text, relaxed_options, &relaxed_info);
  if (model.ok() != v.theirs_ok) {
    return Unlisted(v, absl::StrCat("ours ", Outcome(ours.status()), ", ferogram ", Outcome(d)));
  }
  const Value* c = Member(d, "compact");
  Matcher m;
  const CompactSession& s = *model;
  m.Str(*c, "variant", absl::StrCat("V", s.version), "compact.");
  m.Int(*c, "version", s.version, "compact.");
  m.Int(*c, "dc_id", s.dc_id, "compact.");
  m.Str(*c, "ip", s.ip.ToString(), "compact.");
  m.Int(*c, "ip_type", s.ip.is_v6 ? 6 : 4, "compact.");
  m.Int(*c, "port", s.port, "compact.");
  m.Int(*c, "user_id", s.user_id, "compact.");
  if (s.version == 1) {
    m.Int(*c, "server_salt", s.server_salt, "compact.");
    m.Int(*c, "seq_no", s.seq_no, "compact.");
    m.Int(*c, "layer", s.layer, "compact.");
  } else if (Member(*c, "server_salt") != nullptr) {
    m.Fail("compact.", "server_salt", "(none in V2)", Show(Member(*c, "server_salt")));
  }
  m.Str(*c, "auth_key_hex", s.auth_key.RevealHex(kRevealSecrets), "compact.");
  // Re-encodings: encode() writes V2, encode_v1() V1 or (on a V2 value)
  // panics, which the oracle reports as null; we refuse.
  const absl::StatusOr<std::string> v2 = EncodeCompactString(s, 2);
  const absl::StatusOr<std::string> v1 = EncodeCompactString(s, 1);
  m.Str(d, "encode", v2.ok() ? std::optional<std::string>(*v2) : std::nullopt, "");
  m.Str(d, "encode_v1", v1.ok() ? std::optional<std::string>(*v1) : std::nullopt, "");
  if (s.version == 2 && v1.status().code() != absl::StatusCode::kFailedPrecondition) {
    m.Fail("", "encode_v1 of V2", "kFailedPrecondition", "null");
  }
  v.reencodes += 2;
  if (!m.ok()) return Unlisted(v, m.why());
  if (ours.ok()) {
    if (!(*ours == s)) return Unlisted(v, "the trailing-bytes limit changed the session");
    v.difference = info.trailing_bytes > 0 ? Difference::kTrailingBytes : Difference::kNone;
    return v;
  }
  if (relaxed_info.trailing_bytes > DecodeLimits().max_trailing_bytes) {
    v.difference = Difference::kTrailingBytesOverLimit;
    return v;
  }
  return Unlisted(v, absl::StrCat("ours ", Outcome(ours.status()), ", ferogram accepts"));
}

std::string OracleJson(const Session& session) {
  JsonWriteOptions o;
  o.reveal_secrets = true;
  o.pretty = false;
  return SessionToJson(session, o);
}

Verdict CheckEncode(const Session& session, absl::string_view line) {
  Verdict v;
  v.ours_ok = true;
  rapidjson::Document d;
  if (!ParseLine(line, &d, &v)) return v;
  if (HasNonUtf8Address(session)) return Unlisted(v, "harness error: a non-UTF-8 address cannot go through JSON");
  if (!v.theirs_ok) return Unlisted(v, absl::StrCat("the oracle refuses our JSON: ", Show(Member(d, "error"))));
  const Value* hex = Member(d, "hex");
  const Value* text = Member(d, "native_string");
  if (hex == nullptr || !hex->IsString() || text == nullptr || !text->IsString()) {
    return Unlisted(v, "encode-binary answer without hex / native_string");
  }
  const std::string theirs_bin = absl::HexStringToBytes(absl::string_view(hex->GetString(), hex->GetStringLength()));
  const absl::string_view theirs_text(text->GetString(), text->GetStringLength());
  v.reencodes = 2;
  if (ChooseBinaryVersion(session) == 8) {
    const absl::StatusOr<std::string> bin = EncodeBinary(session);
    const absl::StatusOr<std::string> str = EncodeNativeString(session);
    if (!bin.ok() || !str.ok()) return Unlisted(v, absl::StrCat("our encoder refuses: ", bin.status().ToString()));
    if (*bin != theirs_bin) {
      return Unlisted(v, absl::StrCat("EncodeBinary differs from to_bytes at byte ", FirstDifference(*bin, theirs_bin),
                                      " (ours ", bin->size(), " bytes, ferogram ", theirs_bin.size(), ")"));
    }
    if (*str != theirs_text) {
      return Unlisted(v, absl::StrCat("EncodeNativeString differs from to_string at character ",
                                      FirstDifference(*str, theirs_text)));
    }
    return v;
  }
  // Too big for v8: we refuse v8 and write a v9 that reads back whole;
  // ferogram writes a v8 that does not hold the session.
  EncodeOptions v8;
  v8.policy = VersionPolicy::kFerogramOnly;
  if (EncodeBinary(session, v8).status().code() != absl::StatusCode::kOutOfRange) {
    return Unlisted(v, "a session past v8's limits is not kOutOfRange under kFerogramOnly");
  }
  const absl::StatusOr<std::string> v9 = EncodeBinary(session);
  DecodeInfo info;
  const absl::StatusOr<Session> back = v9.ok() ? DecodeBinary(*v9, DecodeOptions(), &info) : v9.status();
  if (!back.ok() || info.version != 9 || !(*back == session)) {
    return Unlisted(v, absl::StrCat("our v9 does not round-trip: ", back.status().ToString()));
  }
  const absl::StatusOr<Session> theirs_back = FerogramReading(theirs_bin);
  if (theirs_back.ok() && *theirs_back == session) {
    return Unlisted(v, "ferogram's to_bytes holds a session past v8's limits after all");
  }
  v.difference = Difference::kExceedsV8;
  return v;
}

}  // namespace differential
}  // namespace tgsession
