#include "session/string_codec.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "session/base64.h"
#include "session/byte_io.h"
#include "session/status_macros.h"

namespace tgsession {
namespace {

// Decodes base64url text into a buffer that is wiped when it goes out of
// scope (it holds auth keys): all of it, unless WipeOnly() narrowed the
// wipe to the ranges a successful decode reported as holding secrets.
class DecodedText {
 public:
  DecodedText() = default;
  DecodedText(const DecodedText&) = delete;
  DecodedText& operator=(const DecodedText&) = delete;
  ~DecodedText() {
    if (buf_ == nullptr) return;
    if (narrowed_) {
      SecureZero(buf_.get(), std::min(head_, len_));
      if (tail_ < len_) SecureZero(buf_.get() + tail_, len_ - tail_);
      // Bytes past len_ were never written by the decoder.
    } else {
      SecureZero(buf_.get(), cap_);
    }
  }
  absl::Status Decode(absl::string_view text) {
    // Uninitialized on purpose: every byte we expose is written by the
    // decoder, and zero-filling megabytes first costs ~10% of a decode.
    cap_ = Base64DecodedMaxLength(text.size());
    buf_.reset(new uint8_t[cap_]);
    TGS_ASSIGN_OR_RETURN(size_t n, Base64DecodeTo(text, buf_.get(), kBase64UrlNoPad));
    len_ = n;
    return absl::OkStatus();
  }
  // Wipe only [0, head) and [tail, size) (what DecodeInfo reports for a
  // session decoded from this buffer).
  void WipeOnly(size_t head, size_t tail) {
    narrowed_ = true;
    head_ = head;
    tail_ = tail;
  }
  absl::string_view view() const { return absl::string_view(reinterpret_cast<const char*>(buf_.get()), len_); }

 private:
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
  size_t len_ = 0;
  bool narrowed_ = false;
  size_t head_ = 0;
  size_t tail_ = 0;
};

absl::Status CheckTextLimits(absl::string_view text, const StringDecodeLimits& limits) {
  if (text.size() > limits.max_chars) {
    return absl::InvalidArgumentError(absl::StrCat("session string of ", text.size(),
                                                   " characters is over the limit of ", limits.max_chars));
  }
  return absl::OkStatus();
}

absl::Status AsUserError(const absl::Status& s, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", s.message()));
}

constexpr size_t kCompactV2Fixed = 1 + 1 + 1 + 2 + 8 + AuthKey::kSize;  // + IP
constexpr size_t kCompactV1Extra = 8 + 4 + 4;

}  // namespace

absl::StatusOr<std::string> EncodeNativeString(const Session& session, const EncodeOptions& options) {
  TGS_ASSIGN_OR_RETURN(const int version, SelectBinaryVersion(session, options));
  const size_t bin = BinaryEncodedSize(session, version);
  // Encode the binary at the front of the final buffer, then expand it to
  // base64 in place: one allocation, no intermediate copy of the keys.
  std::string out(Base64EncodedLength(bin, kBase64UrlNoPad), '\0');
  absl::StatusOr<size_t> written =
      EncodeBinaryTo(session, version, absl::Span<uint8_t>(reinterpret_cast<uint8_t*>(&out[0]), out.size()));
  if (!written.ok()) {
    SecureZero(&out[0], out.size());
    return written.status();
  }
  Base64EncodeInPlace(&out[0], bin, kBase64UrlNoPad);
  return out;
}

absl::StatusOr<Session> DecodeNativeString(absl::string_view text, const StringDecodeOptions& options,
                                           DecodeInfo* info) {
  TGS_RETURN_IF_ERROR(CheckTextLimits(text, options.limits));
  const absl::string_view trimmed = TrimUnicodeWhitespace(text);
  if (trimmed.empty()) return absl::InvalidArgumentError("native session string: empty session data");
  DecodedText bytes;
  absl::Status st = bytes.Decode(trimmed);
  if (!st.ok()) return AsUserError(st, "native session string");
  DecodeInfo local_info;
  DecodeInfo* used_info = info != nullptr ? info : &local_info;
  absl::StatusOr<Session> s = DecodeBinary(bytes.view(), options.binary, used_info);
  if (!s.ok()) return AsUserError(s.status(), "native session string");
  // The peer tables between the two ranges hold no keys: skip wiping them
  // (a 65,535-peer session is 1.6 MB, almost none of it secret).
  bytes.WipeOnly(used_info->secrets_end, used_info->secrets_tail_begin);
  return s;
}

// --- IP addresses -------------------------------------------------------------

std::string IpAddress::ToString() const {
  if (!is_v6) return absl::StrCat(bytes[0], ".", bytes[1], ".", bytes[2], ".", bytes[3]);
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // IPv4-mapped (::ffff:a.b.c.d) prints the IPv4 part in dotted form.
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
    return absl::StrCat("::ffff:", bytes[12], ".", bytes[13], ".", bytes[14], ".", bytes[15]);
  }
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one
  // on a tie.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppend(&out, absl::Hex(g[i]));
  }
  return out;
}

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  IpAddress ip;
  const auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("not an IP address: \"", text, "\"")); };
  if (text.find(':') == absl::string_view::npos) {
    std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
    if (parts.size() != 4) return bad();
    for (int i = 0; i < 4; ++i) {
      uint32_t v;
      if (parts[i].empty() || parts[i].size() > 3 || !absl::SimpleAtoi(parts[i], &v) || v > 255 ||
          parts[i].find_first_not_of("0123456789") != absl::string_view::npos ||
          (parts[i].size() > 1 && parts[i][0] == '0')) {
        return bad();
      }
      ip.bytes[i] = static_cast<uint8_t>(v);
    }
    return ip;
  }
  ip.is_v6 = true;
  // Split around "::" (at most one).
  const size_t dc = text.find("::");
  if (dc != absl::string_view::npos && text.find("::", dc + 1) != absl::string_view::npos) return bad();
  const auto parse_groups = [&](absl::string_view s, std::vector<uint16_t>* out, bool allow_v4_tail) -> bool {
    if (s.empty()) return true;
    std::vector<absl::string_view> parts = absl::StrSplit(s, ':');
    for (size_t i = 0; i < parts.size(); ++i) {
      absl::string_view p = parts[i];
      if (allow_v4_tail && i + 1 == parts.size() && p.find('.') != absl::string_view::npos) {
        absl::StatusOr<IpAddress> v4 = IpAddress::Parse(p);
        if (!v4.ok() || v4->is_v6) return false;
        out->push_back(static_cast<uint16_t>((v4->bytes[0] << 8) | v4->bytes[1]));
        out->push_back(static_cast<uint16_t>((v4->bytes[2] << 8) | v4->bytes[3]));
        continue;
      }
      if (p.empty() || p.size() > 4 || p.find_first_not_of("0123456789abcdefABCDEF") != absl::string_view::npos) {
        return false;
      }
      uint32_t v = 0;
      for (char c : p) v = v * 16 + static_cast<uint32_t>(absl::ascii_isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
      out->push_back(static_cast<uint16_t>(v));
    }
    return true;
  };
  std::vector<uint16_t> head, tail;
  if (dc == absl::string_view::npos) {
    if (!parse_groups(text, &head, true) || head.size() != 8) return bad();
  } else {
    if (!parse_groups(text.substr(0, dc), &head, false) || !parse_groups(text.substr(dc + 2), &tail, true) ||
        head.size() + tail.size() > 7) {
      return bad();
    }
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  for (int i = 0; i < 8; ++i) {
    ip.bytes[2 * i] = static_cast<uint8_t>(head[i] >> 8);
    ip.bytes[2 * i + 1] = static_cast<uint8_t>(head[i]);
  }
  return ip;
}

// --- compact ------------------------------------------------------------------

bool operator==(const CompactSession& a, const CompactSession& b) {
  return a.version == b.version && a.dc_id == b.dc_id && a.ip == b.ip && a.port == b.port &&
         a.user_id == b.user_id && a.auth_key == b.auth_key && a.server_salt == b.server_salt &&
         a.seq_no == b.seq_no && a.layer == b.layer;
}

absl::StatusOr<CompactSession> DecodeCompactString(absl::string_view text, const StringDecodeOptions& options,
                                                   DecodeInfo* info) {
  TGS_RETURN_IF_ERROR(CheckTextLimits(text, options.limits));
  if (info != nullptr) *info = DecodeInfo();
  const absl::string_view trimmed = TrimUnicodeWhitespace(text);
  DecodedText decoded;
  absl::Status st = decoded.Decode(trimmed);
  if (!st.ok()) return AsUserError(st, "compact session string");
  const absl::string_view b = decoded.view();
  const auto* d = reinterpret_cast<const uint8_t*>(b.data());
  const size_t n = b.size();
  if (n == 0) return absl::InvalidArgumentError("compact session string: empty");
  CompactSession c;
  const uint8_t version = d[0];
  if (version != 1 && version != 2) {
    return absl::InvalidArgumentError(absl::StrCat("compact session string: unsupported version byte ",
                                                   static_cast<int>(version), " (expected 1 or 2)"));
  }
  c.version = version;
  if (n < 3) {
    return absl::InvalidArgumentError(absl::StrCat("compact session string: truncated at byte ", n,
                                                   n < 2 ? " reading dc_id" : " reading ip_type"));
  }
  c.dc_id = d[1];
  const uint8_t ip_type = d[2];
  size_t ip_len;
  if (ip_type == 4) {
    ip_len = 4;
  } else if (ip_type == 6) {
    ip_len = 16;
    c.ip.is_v6 = true;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("compact session string: ip_type byte ",
                                                   static_cast<int>(ip_type), " at byte 2 (expected 4 or 6)"));
  }
  const size_t need = kCompactV2Fixed + ip_len + (version == 1 ? kCompactV1Extra : 0);
  if (n < need) {
    return absl::InvalidArgumentError(absl::StrCat("compact session string: V", static_cast<int>(version),
                                                   " with IPv", static_cast<int>(ip_type), " needs ", need,
                                                   " bytes, got ", n, " (truncated)"));
  }
  size_t p = 3;
  std::memcpy(c.ip.bytes.data(), d + p, ip_len);
  p += ip_len;
  c.port = byte_io::GetU16BE(d + p);
  p += 2;
  c.user_id = static_cast<int64_t>(byte_io::GetU64BE(d + p));
  p += 8;
  if (version == 1) {
    c.server_salt = static_cast<int64_t>(byte_io::GetU64BE(d + p));
    p += 8;
    c.seq_no = byte_io::GetU32BE(d + p);
    p += 4;
    c.layer = byte_io::GetU32BE(d + p);
    p += 4;
  }
  c.auth_key = AuthKey::FromRawUnchecked(d + p);
  p += AuthKey::kSize;
  if (p != n) {
    if (n - p > options.binary.limits.max_trailing_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("compact session string: ", n - p,
                                                     " bytes follow the session: not a compact session"));
    }
    if (options.binary.mode == DecodeMode::kStrict) {
      return absl::InvalidArgumentError(
          absl::StrCat("compact session string: ", n - p, " trailing bytes at byte ", p));
    }
    if (info != nullptr) {
      info->trailing_bytes = n - p;
      info->anomaly_count += 1;
      info->warnings.push_back(
          absl::StrCat(n - p, " trailing bytes after the compact session at byte ", p, " ignored (as ferogram does)"));
    }
  }
  if (info != nullptr) info->version = version;
  return c;
}

absl::StatusOr<std::string> EncodeCompactString(const CompactSession& c, int version) {
  if (version != 1 && version != 2) {
    return absl::InvalidArgumentError(absl::StrCat("compact session version must be 1 or 2, not ", version));
  }
  if (version == 1 && c.version != 1) {
    return absl::FailedPreconditionError(
        "cannot encode a V2 compact session as V1: server_salt, seq_no and layer are unknown");
  }
  const size_t ip_len = c.ip.is_v6 ? 16 : 4;
  const size_t n = kCompactV2Fixed + ip_len + (version == 1 ? kCompactV1Extra : 0);
  std::string out(Base64EncodedLength(n, kBase64UrlNoPad), '\0');
  auto* d = reinterpret_cast<uint8_t*>(&out[0]);
  size_t p = 0;
  d[p++] = static_cast<uint8_t>(version);
  d[p++] = c.dc_id;
  d[p++] = c.ip.is_v6 ? 6 : 4;
  std::memcpy(d + p, c.ip.bytes.data(), ip_len);
  p += ip_len;
  byte_io::PutU16BE(d + p, c.port);
  p += 2;
  byte_io::PutU64BE(d + p, static_cast<uint64_t>(c.user_id));
  p += 8;
  if (version == 1) {
    byte_io::PutU64BE(d + p, static_cast<uint64_t>(c.server_salt));
    p += 8;
    byte_io::PutU32BE(d + p, c.seq_no);
    p += 4;
    byte_io::PutU32BE(d + p, c.layer);
    p += 4;
  }
  std::memcpy(d + p, c.auth_key.data(), AuthKey::kSize);
  p += AuthKey::kSize;
  Base64EncodeInPlace(&out[0], p, kBase64UrlNoPad);
  return out;
}

Session CompactToSession(const CompactSession& c) {
  Session s;
  s.home_dc_id = c.dc_id;
  DcEntry e = DcEntry::FromParts(c.dc_id, c.ip.ToString(), c.port,
                                 c.ip.is_v6 ? DcFlags(DcFlags::kIpv6) : DcFlags());
  e.auth_key = c.auth_key;
  if (c.version == 1) e.first_salt = c.server_salt;
  s.dcs.push_back(std::move(e));
  return s;
}

absl::StatusOr<CompactSession> SessionToCompact(const Session& s, int64_t user_id) {
  if (s.home_dc_id < 1 || s.home_dc_id > 255) {
    return absl::FailedPreconditionError(absl::StrCat("home DC ", s.home_dc_id,
                                                      " does not fit the compact format's one-byte dc_id"));
  }
  // Prefer an IPv4 entry with a key, then any entry with a key.
  const DcEntry* chosen = nullptr;
  for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
    if (!e->auth_key) continue;
    if (chosen == nullptr || (chosen->is_ipv6() && !e->is_ipv6())) chosen = e;
  }
  if (chosen == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("home DC ", s.home_dc_id, " has no entry with an auth key: nothing to export"));
  }
  TGS_ASSIGN_OR_RETURN(HostPort hp, chosen->ParseAddress());
  absl::StatusOr<IpAddress> ip = IpAddress::Parse(hp.host);
  if (!ip.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("home DC address \"", chosen->addr,
                                                      "\" is not an IP literal; the compact format stores an IP"));
  }
  CompactSession c;
  c.version = 2;
  c.dc_id = static_cast<uint8_t>(s.home_dc_id);
  c.ip = *ip;
  c.port = hp.port;
  c.user_id = user_id;
  c.auth_key = *chosen->auth_key;
  return c;
}

}  // namespace tgsession
