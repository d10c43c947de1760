#include "session/json.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "session/secret.h"
#include "session/status_macros.h"
#include "session/utf8.h"
#include "session/wiping_json.h"

namespace tgsession {
namespace {

constexpr char kRedacted[] = "<redacted>";
// The binary formats store an address length in at most 16 bits.
constexpr size_t kMaxAddrBytes = 65535;


void WriteKeyHex(JsonWriter& w, const std::optional<AuthKey>& key, bool reveal) {
  if (!key) {
    w.Null();
  } else if (!reveal) {
    w.Utf8String(kRedacted);
  } else {
    SecretString hex(key->RevealHex(kRevealSecrets));
    w.Utf8String(hex.view());
  }
}

}  // namespace

void WriteSessionMembers(JsonWriter& w, const Session& s, const JsonWriteOptions& o) {
  if (!o.format.empty()) {
    w.Key("format");
    w.Utf8String(o.format);
  }
  w.Int64Member("home_dc_id", s.home_dc_id);
  w.Key("dcs");
  w.StartArray();
  for (const DcEntry& e : s.dcs) {
    w.StartObject();
    w.Int64Member("dc_id", e.dc_id);
    w.StringMember("addr", e.addr);
    w.Key("auth_key_hex");
    WriteKeyHex(w, e.auth_key, o.reveal_secrets);
    w.Int64Member("first_salt", e.first_salt);
    w.Int64Member("time_offset", e.time_offset);
    w.Uint64Member("flags", e.flags.bits);
    w.EndObject();
  }
  w.EndArray();
  const UpdatesState& u = s.updates_state;
  w.Key("updates_state");
  w.StartObject();
  w.Int64Member("pts", u.pts);
  w.Int64Member("qts", u.qts);
  w.Int64Member("date", u.date);
  w.Int64Member("seq", u.seq);
  w.Key("channels");
  w.StartArray();
  for (const ChannelPts& c : u.channels()) {
    w.StartObject();
    w.Int64Member("channel_id", c.channel_id);
    w.Int64Member("pts", c.pts);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("peers");
  w.StartArray();
  for (const CachedPeer& p : s.peers) {
    w.StartObject();
    w.Int64Member("id", p.id);
    w.Int64Member("access_hash", p.access_hash);
    w.BoolMember("is_channel", p.is_channel());
    w.BoolMember("is_chat", p.is_chat());
    w.Key("channel_kind");
    if (p.channel_kind) {
      w.Utf8String(ChannelKindName(*p.channel_kind));
    } else {
      w.Null();
    }
    w.BoolMember("is_community", p.is_community);
    w.EndObject();
  }
  w.EndArray();
  w.Key("min_peers");
  w.StartArray();
  for (const CachedMinPeer& m : s.min_peers) {
    w.StartObject();
    w.Int64Member("user_id", m.user_id);
    w.Int64Member("peer_id", m.peer_id);
    w.Int64Member("msg_id", m.msg_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("future_auth_token_hex");
  if (!s.future_auth_token) {
    w.Null();
  } else if (!o.reveal_secrets) {
    w.Utf8String(kRedacted);
  } else {
    SecretString hex(s.future_auth_token->RevealHex(kRevealSecrets));
    w.Utf8String(hex.view());
  }
}

namespace {

// --- reading ------------------------------------------------------------------

using Value = WipingJsonDocument::ValueType;

absl::Status Bad(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("JSON session: ", path, ": ", what));
}

// Rejects members other than `allowed`.
absl::Status OnlyFields(const Value& obj, absl::string_view path, std::initializer_list<const char*> allowed) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    const absl::string_view name(it->name.GetString(), it->name.GetStringLength());
    bool ok = false;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok) return Bad(path, absl::StrCat("unknown field \"", name, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<const Value*> Field(const Value& obj, absl::string_view path, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return Bad(path, absl::StrCat("missing field \"", name, "\""));
  return &it->value;
}

absl::StatusOr<int32_t> GetI32(const Value& obj, absl::string_view path, const char* name) {
  TGS_ASSIGN_OR_RETURN(const Value* v, Field(obj, path, name));
  if (!v->IsInt()) return Bad(path, absl::StrCat("\"", name, "\" must be an integer in the int32 range"));
  return v->GetInt();
}

absl::StatusOr<int64_t> GetI64(const Value& obj, absl::string_view path, const char* name) {
  TGS_ASSIGN_OR_RETURN(const Value* v, Field(obj, path, name));
  if (!v->IsInt64()) return Bad(path, absl::StrCat("\"", name, "\" must be an integer in the int64 range"));
  return v->GetInt64();
}

absl::StatusOr<bool> GetBool(const Value& obj, absl::string_view path, const char* name) {
  TGS_ASSIGN_OR_RETURN(const Value* v, Field(obj, path, name));
  if (!v->IsBool()) return Bad(path, absl::StrCat("\"", name, "\" must be true or false"));
  return v->GetBool();
}

absl::StatusOr<const Value*> GetArray(const Value& obj, absl::string_view path, const char* name, uint32_t limit) {
  TGS_ASSIGN_OR_RETURN(const Value* v, Field(obj, path, name));
  if (!v->IsArray()) return Bad(path, absl::StrCat("\"", name, "\" must be an array"));
  if (v->Size() > limit) {
    return Bad(path, absl::StrCat("\"", name, "\" has ", v->Size(), " entries, over the limit of ", limit));
  }
  return v;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes hex into `out` (wiped by the caller when secret).
absl::Status DecodeHex(const Value& v, absl::string_view path, std::string* out, size_t max_bytes) {
  const absl::string_view s(v.GetString(), v.GetStringLength());
  if (s == kRedacted) {
    return Bad(path, "is \"<redacted>\": the secret was not exported (use --show-secrets / reveal_secrets)");
  }
  if (s.size() % 2 != 0) return Bad(path, "hex must have an even number of digits");
  if (s.size() / 2 > max_bytes) return Bad(path, absl::StrCat("more than ", max_bytes, " bytes"));
  out->resize(s.size() / 2);
  for (size_t i = 0; i < out->size(); ++i) {
    const int hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return Bad(path, absl::StrCat("not a hex digit at position ", hi < 0 ? 2 * i : 2 * i + 1));
    (*out)[i] = static_cast<char>((hi << 4) | lo);
  }
  return absl::OkStatus();
}

absl::Status ReadDc(const Value& v, const std::string& path, DcEntry* e) {
  if (!v.IsObject()) return Bad(path, "must be an object");
  TGS_RETURN_IF_ERROR(
      OnlyFields(v, path, {"dc_id", "addr", "addr_hex", "auth_key_hex", "first_salt", "time_offset", "flags"}));
  TGS_ASSIGN_OR_RETURN(e->dc_id, GetI32(v, path, "dc_id"));
  TGS_ASSIGN_OR_RETURN(const Value* addr, Field(v, path, "addr"));
  if (!addr->IsString()) return Bad(path, "\"addr\" must be a string");
  const absl::string_view addr_text(addr->GetString(), addr->GetStringLength());
  auto addr_hex = v.FindMember("addr_hex");
  if (addr_hex != v.MemberEnd()) {
    // An address that is not UTF-8, byte for byte (json_writer.h).
    if (!addr_hex->value.IsString()) return Bad(path, "\"addr_hex\" must be a hex string");
    std::string raw;
    TGS_RETURN_IF_ERROR(DecodeHex(addr_hex->value, path + ".addr_hex", &raw, kMaxAddrBytes));
    if (Utf8Lossy(raw) != addr_text) return Bad(path, "\"addr_hex\" does not hold the bytes of \"addr\"");
    e->addr.assign(raw.data(), raw.size());
  } else {
    e->addr.assign(addr_text.data(), addr_text.size());
  }
  TGS_ASSIGN_OR_RETURN(const Value* key, Field(v, path, "auth_key_hex"));
  if (key->IsString()) {
    std::string raw;
    absl::Status st = DecodeHex(*key, path + ".auth_key_hex", &raw, AuthKey::kSize);
    if (st.ok() && raw.size() != AuthKey::kSize) {
      st = Bad(path + ".auth_key_hex", absl::StrCat("must be 512 hex digits (256 bytes), got ", raw.size(), " bytes"));
    }
    if (st.ok()) e->auth_key = AuthKey::FromRawUnchecked(reinterpret_cast<const uint8_t*>(raw.data()));
    if (!raw.empty()) SecureZero(&raw[0], raw.size());
    TGS_RETURN_IF_ERROR(st);
  } else if (!key->IsNull()) {
    return Bad(path, "\"auth_key_hex\" must be a hex string or null");
  }
  TGS_ASSIGN_OR_RETURN(e->first_salt, GetI64(v, path, "first_salt"));
  TGS_ASSIGN_OR_RETURN(e->time_offset, GetI32(v, path, "time_offset"));
  TGS_ASSIGN_OR_RETURN(const Value* flags, Field(v, path, "flags"));
  if (!flags->IsUint() || flags->GetUint() > 255) return Bad(path, "\"flags\" must be an integer 0..255");
  e->flags = DcFlags(static_cast<uint8_t>(flags->GetUint()));
  return absl::OkStatus();
}

absl::Status ReadPeer(const Value& v, const std::string& path, CachedPeer* p) {
  if (!v.IsObject()) return Bad(path, "must be an object");
  TGS_RETURN_IF_ERROR(
      OnlyFields(v, path, {"id", "access_hash", "is_channel", "is_chat", "channel_kind", "is_community"}));
  TGS_ASSIGN_OR_RETURN(p->id, GetI64(v, path, "id"));
  TGS_ASSIGN_OR_RETURN(p->access_hash, GetI64(v, path, "access_hash"));
  TGS_ASSIGN_OR_RETURN(const bool is_channel, GetBool(v, path, "is_channel"));
  TGS_ASSIGN_OR_RETURN(const bool is_chat, GetBool(v, path, "is_chat"));
  if (is_channel && is_chat) return Bad(path, "a peer cannot be both a channel and a chat");
  p->type = is_chat ? PeerType::kChat : is_channel ? PeerType::kChannel : PeerType::kUser;
  TGS_ASSIGN_OR_RETURN(const Value* kind, Field(v, path, "channel_kind"));
  if (kind->IsNull()) {
    p->channel_kind.reset();
  } else if (kind->IsString()) {
    const absl::string_view k(kind->GetString(), kind->GetStringLength());
    if (k == "Broadcast") {
      p->channel_kind = ChannelKind::kBroadcast;
    } else if (k == "Megagroup") {
      p->channel_kind = ChannelKind::kMegagroup;
    } else if (k == "Gigagroup") {
      p->channel_kind = ChannelKind::kGigagroup;
    } else {
      return Bad(path, absl::StrCat("\"channel_kind\" \"", k, "\" is not Broadcast, Megagroup or Gigagroup"));
    }
  } else {
    return Bad(path, "\"channel_kind\" must be a string or null");
  }
  TGS_ASSIGN_OR_RETURN(p->is_community, GetBool(v, path, "is_community"));
  return absl::OkStatus();
}

// Maximum nesting of a valid session document is 4; anything much deeper is
// refused before parsing so hostile input cannot make the parser build huge
// nested structures.
bool NestingWithin(absl::string_view json, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

std::string SessionToJson(const Session& session, const JsonWriteOptions& options) {
  JsonWriter w(options.pretty);
  w.StartObject();
  WriteSessionMembers(w, session, options);
  w.EndObject();
  return w.str();
}

absl::StatusOr<Session> SessionFromJson(absl::string_view json, const JsonReadOptions& options) {
  if (json.size() > options.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON session of ", json.size(), " bytes is over the limit of ", options.max_bytes));
  }
  if (!NestingWithin(json, 16)) return absl::InvalidArgumentError("JSON session: nesting deeper than 16 levels");
  WipingJsonDocument doc;
  doc.Parse<kUntrustedJsonParseFlags>(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat("JSON session: parse error at offset ", doc.GetErrorOffset(), ": ",
                                                   rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) return Bad("$", "must be an object");
  TGS_RETURN_IF_ERROR(OnlyFields(doc, "$", {"format", "home_dc_id", "dcs", "updates_state", "peers", "min_peers",
                                            "future_auth_token_hex"}));
  auto fmt = doc.FindMember("format");
  if (fmt != doc.MemberEnd() && !fmt->value.IsString()) return Bad("$", "\"format\" must be a string");

  Session s;
  const DecodeLimits& lim = options.limits;
  TGS_ASSIGN_OR_RETURN(s.home_dc_id, GetI32(doc, "$", "home_dc_id"));

  TGS_ASSIGN_OR_RETURN(const Value* dcs, GetArray(doc, "$", "dcs", lim.max_dcs));
  s.dcs.resize(dcs->Size());
  for (rapidjson::SizeType i = 0; i < dcs->Size(); ++i) {
    TGS_RETURN_IF_ERROR(ReadDc((*dcs)[i], absl::StrCat("dcs[", i, "]"), &s.dcs[i]));
  }

  TGS_ASSIGN_OR_RETURN(const Value* us, Field(doc, "$", "updates_state"));
  if (!us->IsObject()) return Bad("updates_state", "must be an object");
  TGS_RETURN_IF_ERROR(OnlyFields(*us, "updates_state", {"pts", "qts", "date", "seq", "channels"}));
  TGS_ASSIGN_OR_RETURN(s.updates_state.pts, GetI32(*us, "updates_state", "pts"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.qts, GetI32(*us, "updates_state", "qts"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.date, GetI32(*us, "updates_state", "date"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.seq, GetI32(*us, "updates_state", "seq"));
  TGS_ASSIGN_OR_RETURN(const Value* chs, GetArray(*us, "updates_state", "channels", lim.max_channels));
  std::vector<ChannelPts> channels(chs->Size());
  for (rapidjson::SizeType i = 0; i < chs->Size(); ++i) {
    const std::string path = absl::StrCat("updates_state.channels[", i, "]");
    const Value& c = (*chs)[i];
    if (!c.IsObject()) return Bad(path, "must be an object");
    TGS_RETURN_IF_ERROR(OnlyFields(c, path, {"channel_id", "pts"}));
    TGS_ASSIGN_OR_RETURN(channels[i].channel_id, GetI64(c, path, "channel_id"));
    TGS_ASSIGN_OR_RETURN(channels[i].pts, GetI32(c, path, "pts"));
  }
  s.updates_state.mutable_channels().Assign(std::move(channels));

  TGS_ASSIGN_OR_RETURN(const Value* peers, GetArray(doc, "$", "peers", lim.max_peers));
  std::vector<CachedPeer> plist(peers->Size());
  for (rapidjson::SizeType i = 0; i < peers->Size(); ++i) {
    TGS_RETURN_IF_ERROR(ReadPeer((*peers)[i], absl::StrCat("peers[", i, "]"), &plist[i]));
  }
  s.peers.Assign(std::move(plist));

  TGS_ASSIGN_OR_RETURN(const Value* mins, GetArray(doc, "$", "min_peers", lim.max_min_peers));
  std::vector<CachedMinPeer> mlist(mins->Size());
  for (rapidjson::SizeType i = 0; i < mins->Size(); ++i) {
    const std::string path = absl::StrCat("min_peers[", i, "]");
    const Value& m = (*mins)[i];
    if (!m.IsObject()) return Bad(path, "must be an object");
    TGS_RETURN_IF_ERROR(OnlyFields(m, path, {"user_id", "peer_id", "msg_id"}));
    TGS_ASSIGN_OR_RETURN(mlist[i].user_id, GetI64(m, path, "user_id"));
    TGS_ASSIGN_OR_RETURN(mlist[i].peer_id, GetI64(m, path, "peer_id"));
    TGS_ASSIGN_OR_RETURN(mlist[i].msg_id, GetI32(m, path, "msg_id"));
  }
  s.min_peers.Assign(std::move(mlist));

  TGS_ASSIGN_OR_RETURN(const Value* tok, Field(doc, "$", "future_auth_token_hex"));
  if (tok->IsString()) {
    std::string raw;
    absl::Status st = DecodeHex(*tok, "future_auth_token_hex", &raw, lim.max_token_bytes);
    if (st.ok()) s.future_auth_token.emplace(absl::string_view(raw));
    if (!raw.empty()) SecureZero(&raw[0], raw.size());
    TGS_RETURN_IF_ERROR(st);
  } else if (!tok->IsNull()) {
    return Bad("future_auth_token_hex", "must be a hex string or null");
  }
  return s;
}

}  // namespace tgsession
