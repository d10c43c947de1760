#include "session/interop/telethon_string.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "session/base64.h"
#include "session/byte_io.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "telethon-string";
constexpr size_t kFixed = 1 + 2 + AuthKey::kSize;  // dc_id, port, key
constexpr size_t kV4Size = kFixed + 4;             // 263
constexpr size_t kV6Size = kFixed + 16;            // 275

}  // namespace

absl::StatusOr<TelethonStringSession> DecodeTelethonString(absl::string_view text,
                                                           const ReadOptions& options,
                                                           DecodeInfo* info) {
  TGS_ASSIGN_OR_RETURN(const absl::string_view t, internal::StartDecode(text, options, kWhat, info));
  if (t.empty() || t[0] != '1') {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": must start with the version character '1'"));
  }
  internal::SecretBuffer buf;
  absl::Status decoded = buf.DecodeBase64(t.substr(1), kBase64UrlPadded, kWhat);
  if (!decoded.ok()) {
    // Telethon writes base64url; '+' or '/' mean another writer, most likely
    // GramJS (whose strings also start with '1').
    if (t.find_first_of("+/") != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          decoded.message(), " (standard base64: a GramJS string? try --from gramjs-string)"));
    }
    return decoded;
  }
  const size_t n = buf.size();
  if (n != kV4Size && n != kV6Size) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", n, " bytes after base64 decoding; a Telethon string has ",
                                                   kV4Size, " (IPv4) or ", kV6Size, " (IPv6)"));
  }
  internal::Reader r(buf.data(), n, kWhat);
  internal::Anomalies anomalies(options.mode, info, kWhat);
  TelethonStringSession s;
  s.dc_id = r.U8();
  if (s.dc_id == 0) TGS_RETURN_IF_ERROR(anomalies.Report("dc_id 0 at byte 0 names no DC"));
  const size_t ip_len = n == kV4Size ? 4 : 16;
  s.ip.is_v6 = ip_len == 16;
  std::memcpy(s.ip.bytes.data(), r.Bytes(ip_len), ip_len);
  s.port = r.U16BE();
  if (s.port == 0) TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat("port 0 at byte ", 1 + ip_len)));
  s.auth_key = AuthKey::FromRawUnchecked(r.Bytes(AuthKey::kSize));
  if (internal::IsAllZero(s.auth_key)) {
    anomalies.Note("the auth key is all zeros: Telethon treats that as no key");
  }
  if (info != nullptr) info->layout = s.ip.is_v6 ? "IPv6" : "IPv4";
  return s;
}

std::string EncodeTelethonString(const TelethonStringSession& s) {
  const size_t ip_len = s.ip.is_v6 ? 16 : 4;
  const size_t n = kFixed + ip_len;
  // '1' then the base64 of the payload, built in place in the result.
  std::string out(1 + Base64EncodedLength(n, kBase64UrlPadded), '\0');
  out[0] = '1';
  auto* d = reinterpret_cast<uint8_t*>(&out[1]);
  size_t p = 0;
  d[p++] = s.dc_id;
  std::memcpy(d + p, s.ip.bytes.data(), ip_len);
  p += ip_len;
  byte_io::PutU16BE(d + p, s.port);
  p += 2;
  std::memcpy(d + p, s.auth_key.data(), AuthKey::kSize);
  Base64EncodeInPlace(&out[1], n, kBase64UrlPadded);
  return out;
}

SessionWithExtras TelethonStringToSession(const TelethonStringSession& s, DecodeInfo* info) {
  SessionWithExtras out;
  out.session.home_dc_id = s.dc_id;
  DcEntry e = DcEntry::FromParts(s.dc_id, s.ip.ToString(), s.port,
                                 s.ip.is_v6 ? DcFlags(DcFlags::kIpv6) : DcFlags());
  if (!internal::IsAllZero(s.auth_key)) {
    e.auth_key = s.auth_key;
  } else if (info != nullptr) {
    info->warnings.push_back("auth key: all zeros, read as no key (as Telethon does)");
  }
  out.session.dcs.push_back(std::move(e));
  return out;
}

absl::StatusOr<TelethonStringSession> TelethonStringFromSession(const Session& s) {
  if (s.home_dc_id < 1 || s.home_dc_id > 255) {
    return absl::FailedPreconditionError(
        absl::StrCat("home DC ", s.home_dc_id, " does not fit the one-byte dc_id of a Telethon string"));
  }
  TGS_ASSIGN_OR_RETURN(const DcEntry* e, internal::HomeEntryWithKey(s, kWhat));
  absl::StatusOr<HostPort> hp = e->ParseAddress();
  if (!hp.ok()) return absl::FailedPreconditionError(hp.status().message());
  absl::StatusOr<IpAddress> ip = IpAddress::Parse(hp->host);
  if (!ip.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("home DC address ", internal::Quote(e->addr),
                                                      " is not an IP address; Telethon strings store an IP"));
  }
  TelethonStringSession t;
  t.dc_id = static_cast<uint8_t>(s.home_dc_id);
  t.ip = *ip;
  t.port = hp->port;
  t.auth_key = *e->auth_key;
  return t;
}

}  // namespace interop
}  // namespace tgsession
