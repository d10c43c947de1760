#include "session/interop/gramjs_string.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "session/base64.h"
#include "session/byte_io.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"
#include "session/string_codec.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "gramjs-string";
constexpr size_t kFixed = 1 + 2 + 2 + AuthKey::kSize;  // dc_id, length, port, key: 261 + L bytes

std::string PortWarning(uint16_t port) {
  return absl::StrCat("port ", port, " is above 32767: GramJS 2.26 reads it as ",
                      static_cast<int>(port) - 65536, " and cannot connect (tgsession reads it correctly)");
}

}  // namespace

absl::StatusOr<GramjsStringSession> DecodeGramjsString(absl::string_view text, const ReadOptions& options,
                                                       DecodeInfo* info) {
  TGS_ASSIGN_OR_RETURN(const absl::string_view t, internal::StartDecode(text, options, kWhat, info));
  if (t.empty() || t[0] != '1') {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": must start with the version character '1'"));
  }
  internal::SecretBuffer buf;
  absl::Status decoded = buf.DecodeBase64(t.substr(1), kBase64StdPadded, kWhat);
  if (!decoded.ok()) {
    // GramJS writes standard base64; '-' or '_' mean a base64url writer,
    // most likely Telethon (GramJS itself would read that string as one).
    if (t.find_first_of("-_") != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          decoded.message(), " (base64url: a Telethon string? try --from telethon-string)"));
    }
    return decoded;
  }
  internal::Reader r(buf.data(), buf.size(), kWhat);
  internal::Anomalies anomalies(options.mode, info, kWhat);
  TGS_RETURN_IF_ERROR(r.Need(3, "dc_id and address length"));
  GramjsStringSession s;
  s.dc_id = r.U8();
  if (s.dc_id == 0) TGS_RETURN_IF_ERROR(anomalies.Report("dc_id 0 at byte 0 names no DC"));
  const size_t len = r.U16BE();
  // Exactly 261 + L bytes: GramJS itself would fold any extra bytes into the
  // key, and a Telethon string read this way has a nonsense length.
  if (buf.size() != kFixed + len) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWhat, ": the address length ", len, " at byte 1 implies ", kFixed + len, " bytes, but there are ",
        buf.size(), (buf.size() == 263 || buf.size() == 275) ? " (the size of a Telethon string: --from telethon-string?)"
                                                            : ""));
  }
  const absl::string_view addr(reinterpret_cast<const char*>(r.Bytes(len)), len);
  if (!internal::IsHostText(addr)) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": the address at byte 3 (", len,
                                                   " bytes) is not an IP address or host name"));
  }
  if (len > kGramjsMaxAddressLength) {
    TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat("address length ", len,
                                                      " is above 100: GramJS reads that as a Telethon IPv6 address")));
  }
  s.server_address = std::string(addr);
  s.port = r.U16BE();
  if (s.port == 0) TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat("port 0 at byte ", 3 + len)));
  if (s.port > 32767) anomalies.Note(PortWarning(s.port));
  s.auth_key = AuthKey::FromRawUnchecked(r.Bytes(AuthKey::kSize));
  if (internal::IsAllZero(s.auth_key)) anomalies.Note("the auth key is all zeros");
  if (info != nullptr) info->layout = absl::StrCat("address of ", len, " characters");
  return s;
}

absl::StatusOr<std::string> EncodeGramjsString(const GramjsStringSession& s) {
  const size_t len = s.server_address.size();
  if (!internal::IsHostText(s.server_address)) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": the address ", internal::Quote(s.server_address),
                                                   " is not an IP address or host name"));
  }
  if (len > kGramjsMaxAddressLength) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": the address is ", len,
                                                   " bytes; GramJS misreads addresses over 100 bytes"));
  }
  const size_t n = kFixed + len;
  std::string out(1 + Base64EncodedLength(n, kBase64StdPadded), '\0');
  out[0] = '1';
  auto* d = reinterpret_cast<uint8_t*>(&out[1]);
  size_t p = 0;
  d[p++] = s.dc_id;
  byte_io::PutU16BE(d + p, static_cast<uint16_t>(len));
  p += 2;
  std::memcpy(d + p, s.server_address.data(), len);
  p += len;
  byte_io::PutU16BE(d + p, s.port);
  p += 2;
  std::memcpy(d + p, s.auth_key.data(), AuthKey::kSize);
  Base64EncodeInPlace(&out[1], n, kBase64StdPadded);
  return out;
}

SessionWithExtras GramjsStringToSession(const GramjsStringSession& s, DecodeInfo* info) {
  SessionWithExtras out;
  out.session.home_dc_id = s.dc_id;
  const bool v6 = s.server_address.find(':') != std::string::npos;
  DcEntry e = DcEntry::FromParts(s.dc_id, s.server_address, s.port, v6 ? DcFlags(DcFlags::kIpv6) : DcFlags());
  if (!internal::IsAllZero(s.auth_key)) {
    e.auth_key = s.auth_key;
  } else if (info != nullptr) {
    info->warnings.push_back("auth key: all zeros, read as no key");
  }
  out.session.dcs.push_back(std::move(e));
  return out;
}

absl::StatusOr<GramjsStringSession> GramjsStringFromSession(const Session& s, std::vector<std::string>* warnings) {
  if (s.home_dc_id < 1 || s.home_dc_id > 255) {
    return absl::FailedPreconditionError(
        absl::StrCat("home DC ", s.home_dc_id, " does not fit the one-byte dc_id of a GramJS string"));
  }
  TGS_ASSIGN_OR_RETURN(const DcEntry* e, internal::HomeEntryWithKey(s, kWhat));
  absl::StatusOr<HostPort> hp = e->ParseAddress();
  if (!hp.ok()) return absl::FailedPreconditionError(hp.status().message());
  if (!internal::IsHostText(hp->host) || hp->host.size() > kGramjsMaxAddressLength) {
    return absl::FailedPreconditionError(absl::StrCat("home DC address ", internal::Quote(e->addr),
                                                      " cannot be stored in a GramJS string"));
  }
  GramjsStringSession g;
  g.dc_id = static_cast<uint8_t>(s.home_dc_id);
  g.server_address = hp->host;
  g.port = hp->port;
  g.auth_key = *e->auth_key;
  if (g.port > 32767 && warnings != nullptr) warnings->push_back(PortWarning(g.port));
  return g;
}

}  // namespace interop
}  // namespace tgsession
