#include "session/interop/gramjs_store.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"
#include "session/wiping_json.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "gramjs-store";
// A value larger than this is not something StoreSession writes (the auth
// key, the largest, is about 1 KB of JSON).
constexpr size_t kMaxValueBytes = 64 << 10;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::Status Bad(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(kWhat, ": key \"", key, "\": ", problem));
}

using JsonValue = WipingJsonDocument::ValueType;

absl::StatusOr<WipingJsonDocument> ParseValue(const StoreItem& item) {
  if (item.value.size() > kMaxValueBytes) return Bad(item.key, "value over 64 KiB");
  WipingJsonDocument d;  // the authKey value is the key as 256 numbers
  d.Parse<kUntrustedJsonParseFlags>(item.value.data(), item.value.size());
  if (d.HasParseError()) return Bad(item.key, absl::StrCat("not JSON (offset ", d.GetErrorOffset(), ")"));
  return d;
}

// A 64-bit integer written as a JSON string (GramJS's big integers) or an
// exact JSON integer.
std::optional<int64_t> Int64Of(const JsonValue& v) {
  int64_t out;
  if (v.IsString() && absl::SimpleAtoi(absl::string_view(v.GetString(), v.GetStringLength()), &out)) return out;
  if (v.IsInt64()) return v.GetInt64();
  return std::nullopt;
}

std::optional<std::string> OptString(const JsonValue& v, bool* ok) {
  *ok = true;
  if (v.IsNull()) return std::nullopt;
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsInt64()) return absl::StrCat(v.GetInt64());
  *ok = false;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::string> DecodeUriComponent(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (s.size() - i < 3 || HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad %-escape at offset ", i, " in \"", s, "\""));
    }
    out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
    i += 2;
  }
  return out;
}

std::vector<std::string> GramjsStoreSessionNames(const std::vector<StoreItem>& items) {
  std::vector<std::string> names;
  for (const StoreItem& it : items) {
    if (absl::EndsWith(it.key, ":authKey")) names.push_back(it.key.substr(0, it.key.size() - 8));
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<SessionWithExtras> DecodeGramjsStore(const std::vector<StoreItem>& items, absl::string_view name,
                                                    DecodeInfo* info) {
  if (info != nullptr) *info = DecodeInfo();
  const std::string prefix = absl::StrCat(name, ":");
  SessionWithExtras out;
  std::optional<AuthKey> key;
  std::optional<int64_t> dc_id, port;
  std::optional<std::string> address;
  for (const StoreItem& it : items) {
    if (!absl::StartsWith(it.key, prefix)) continue;
    const absl::string_view field = absl::string_view(it.key).substr(prefix.size());
    TGS_ASSIGN_OR_RETURN(WipingJsonDocument v, ParseValue(it));
    if (field == "authKey") {
      if (!v.IsObject() || !v.HasMember("data") || !v["data"].IsArray()) {
        return Bad(it.key, "expected {\"type\":\"Buffer\",\"data\":[...]}");
      }
      const auto& data = v["data"];
      if (data.Size() != AuthKey::kSize) {
        return Bad(it.key, absl::StrCat(data.Size(), " bytes (expected 256)"));
      }
      uint8_t bytes[AuthKey::kSize];
      for (rapidjson::SizeType i = 0; i < data.Size(); ++i) {
        if (!data[i].IsInt() || data[i].GetInt() < 0 || data[i].GetInt() > 255) {
          SecureZero(bytes, sizeof bytes);
          return Bad(it.key, absl::StrCat("data[", i, "] is not a byte"));
        }
        bytes[i] = static_cast<uint8_t>(data[i].GetInt());
      }
      key = AuthKey(bytes);
      SecureZero(bytes, sizeof bytes);  // the document's numbers are wiped with its memory
    } else if (field == "dcId") {
      if (!v.IsInt64() || v.GetInt64() < 1 || v.GetInt64() > 255) return Bad(it.key, "not a DC id");
      dc_id = v.GetInt64();
    } else if (field == "port") {
      if (!v.IsInt64() || v.GetInt64() < 1 || v.GetInt64() > 65535) return Bad(it.key, "not a TCP port");
      port = v.GetInt64();
    } else if (field == "serverAddress") {
      if (!v.IsString() || !internal::IsHostText(absl::string_view(v.GetString(), v.GetStringLength()))) {
        return Bad(it.key, "not an IP address or host name");
      }
      address = std::string(v.GetString(), v.GetStringLength());
    } else {
      int64_t marked;
      if (!absl::SimpleAtoi(field, &marked)) {
        if (info != nullptr) info->warnings.push_back(absl::StrCat("key \"", it.key, "\" ignored (unknown)"));
        continue;
      }
      // An entity row: [id, hash, username, phone, name, date].
      if (!v.IsArray() || v.Size() < 2) return Bad(it.key, "expected an entity row array");
      const std::optional<int64_t> id = Int64Of(v[0]);
      const std::optional<int64_t> hash = Int64Of(v[1]);
      if (!id || *id != marked || !hash) return Bad(it.key, "entity id or hash is not an integer matching the key");
      absl::StatusOr<BarePeerId> bare = UnmarkPeerId(marked);
      if (!bare.ok()) return Bad(it.key, bare.status().message());
      CachedPeer p;
      p.id = bare->id;
      p.type = bare->type;
      p.access_hash = *hash;
      if (out.session.FindPeer(p.id) != nullptr) {
        if (info != nullptr) {
          info->warnings.push_back(absl::StrCat("entity ", marked, " skipped: another has the same bare id"));
          info->anomaly_count += 1;
        }
        continue;
      }
      out.session.CachePeer(p);
      PeerExtras x;
      bool ok = true;
      if (v.Size() > 2) x.username = OptString(v[2], &ok);
      if (ok && v.Size() > 3) x.phone = OptString(v[3], &ok);
      if (ok && v.Size() > 4) x.name = OptString(v[4], &ok);
      if (!ok) return Bad(it.key, "username, phone and name must be strings or null");
      if (!x.empty()) out.extras.peers[marked] = std::move(x);
    }
  }
  if (!key) return absl::NotFoundError(absl::StrCat(kWhat, ": session \"", name, "\" has no authKey"));
  if (!dc_id || !port || !address) {
    return absl::NotFoundError(absl::StrCat(kWhat, ": session \"", name, "\" has no dcId, port or serverAddress"));
  }
  out.session.home_dc_id = static_cast<int32_t>(*dc_id);
  DcEntry e = DcEntry::FromParts(static_cast<int32_t>(*dc_id), *address, static_cast<uint16_t>(*port),
                                 address->find(':') != std::string::npos ? DcFlags(DcFlags::kIpv6) : DcFlags());
  e.auth_key = *std::move(key);
  out.session.dcs.push_back(std::move(e));
  if (info != nullptr) info->layout = absl::StrCat("StoreSession \"", name, "\"");
  return out;
}

}  // namespace interop
}  // namespace tgsession
