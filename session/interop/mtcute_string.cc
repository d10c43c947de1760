#include "session/interop/mtcute_string.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "session/base64.h"
#include "session/byte_io.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"
#include "session/utf8.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "mtcute-string";
constexpr uint32_t kBoolTrue = 0x997275b5;
constexpr uint32_t kBoolFalse = 0xbc799737;
constexpr int64_t kMaxInt53 = (int64_t{1} << 53) - 1;
constexpr uint8_t kKnownDcFlags = MtcuteDcOption::kIpv6 | MtcuteDcOption::kMediaOnly | MtcuteDcOption::kTestMode;
constexpr int32_t kKnownFlags =
    MtcuteStringSession::kHasSelf | MtcuteStringSession::kTestModeOld | MtcuteStringSession::kHasMedia;

// Reads TL "bytes" (or "string") at the reader's position: the data, framing
// checked. `base` is the offset of the reader's range in the whole payload,
// for error messages.
absl::Status ReadTlBytes(internal::Reader& r, internal::Anomalies& anomalies, absl::string_view field, size_t base,
                         absl::string_view* out) {
  const size_t start = r.pos();
  TGS_RETURN_IF_ERROR(r.Need(1, absl::StrCat(field, " length")));
  const uint8_t first = r.U8();
  size_t len;
  size_t header;
  if (first < 254) {
    len = first;
    header = 1;
  } else if (first == 254) {
    TGS_RETURN_IF_ERROR(r.Need(3, absl::StrCat(field, " length")));
    const uint8_t* p = r.Bytes(3);
    len = static_cast<size_t>(p[0]) | (static_cast<size_t>(p[1]) << 8) | (static_cast<size_t>(p[2]) << 16);
    header = 4;
    if (len < 254) {
      TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat(field, " at byte ", base + start, ": length ", len,
                                                        " in the long form (mtcute writes the short form)")));
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": ", field, " at byte ", base + start, ": bad TL length byte 0xff"));
  }
  TGS_RETURN_IF_ERROR(r.Need(len, field));
  *out = absl::string_view(reinterpret_cast<const char*>(r.Bytes(len)), len);
  const size_t pad = (4 - (header + len) % 4) % 4;
  TGS_RETURN_IF_ERROR(r.Need(pad, absl::StrCat(field, " padding")));
  const uint8_t* p = r.Bytes(pad);
  for (size_t i = 0; i < pad; ++i) {
    if (p[i] != 0) {
      TGS_RETURN_IF_ERROR(anomalies.Report(
          absl::StrCat(field, ": non-zero padding byte at byte ", base + r.pos() - pad + i)));
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseDcOption(absl::string_view blob, size_t base, absl::string_view field,
                           internal::Anomalies& anomalies, MtcuteDcOption* out) {
  internal::Reader r(reinterpret_cast<const uint8_t*>(blob.data()), blob.size(), kWhat);
  TGS_RETURN_IF_ERROR(r.Need(3, absl::StrCat(field, " header")));
  out->version = r.U8();
  if (out->version != 1 && out->version != 2) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", field, " at byte ", base, ": version ",
                                                   static_cast<int>(out->version), " (expected 1 or 2)"));
  }
  out->id = r.U8();
  out->flags = r.U8();
  if ((out->flags & ~kKnownDcFlags) != 0) {
    TGS_RETURN_IF_ERROR(anomalies.Report(
        absl::StrCat(field, " at byte ", base + 2, ": unknown flag bits 0x", absl::Hex(out->flags & ~kKnownDcFlags))));
  }
  absl::string_view ip;
  TGS_RETURN_IF_ERROR(ReadTlBytes(r, anomalies, absl::StrCat(field, " address"), base, &ip));
  if (!IsValidUtf8(ip) || !internal::IsHostText(ip)) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", field, " address at byte ", base + 3,
                                                   " is not an IP address or host name"));
  }
  out->ip_address = std::string(ip);
  TGS_RETURN_IF_ERROR(r.Need(4, absl::StrCat(field, " port")));
  const size_t port_at = base + r.pos();
  out->port = static_cast<int32_t>(r.U32LE());
  if (out->port <= 0 || out->port > 65535) {
    TGS_RETURN_IF_ERROR(
        anomalies.Report(absl::StrCat(field, " port ", out->port, " at byte ", port_at, " is not 1..65535")));
  }
  if (r.remaining() != 0) {
    TGS_RETURN_IF_ERROR(anomalies.Report(
        absl::StrCat(field, ": ", r.remaining(), " trailing bytes at byte ", base + r.pos())));
  }
  return absl::OkStatus();
}

void PutTlBytes(std::string* out, absl::string_view data) {
  size_t header;
  if (data.size() < 254) {
    out->push_back(static_cast<char>(data.size()));
    header = 1;
  } else {
    out->push_back(static_cast<char>(254));
    out->push_back(static_cast<char>(data.size() & 0xff));
    out->push_back(static_cast<char>((data.size() >> 8) & 0xff));
    out->push_back(static_cast<char>((data.size() >> 16) & 0xff));
    header = 4;
  }
  out->append(data.data(), data.size());
  out->append((4 - (header + data.size()) % 4) % 4, '\0');
}

void PutU32LE(std::string* out, uint32_t v) {
  uint8_t b[4];
  byte_io::PutU32LE(b, v);
  out->append(reinterpret_cast<const char*>(b), 4);
}

std::string SerializeDcOption(const MtcuteDcOption& dc) {
  std::string out;
  out.push_back(static_cast<char>(dc.version));
  out.push_back(static_cast<char>(dc.id));
  out.push_back(static_cast<char>(dc.flags));
  PutTlBytes(&out, dc.ip_address);
  PutU32LE(&out, static_cast<uint32_t>(dc.port));
  return out;
}

absl::Status CheckDcOption(const MtcuteDcOption& dc, absl::string_view field) {
  if (dc.version != 1 && dc.version != 2) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", field, " version must be 1 or 2"));
  }
  if (dc.ip_address.size() > 0xffffff) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", field, " address too long"));
  }
  // The writer refuses what the reader (ToDcEntry) refuses, so a string we
  // write always reads back (fuzz finding: a compact string with port 0).
  if (dc.port <= 0 || dc.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": ", field, " port ", dc.port, " is not a TCP port"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DcEntry> ToDcEntry(const MtcuteDcOption& dc, absl::string_view field) {
  if (dc.port <= 0 || dc.port > 65535) {
    return absl::FailedPreconditionError(
        absl::StrCat(kWhat, ": ", field, " port ", dc.port, " is not a TCP port"));
  }
  DcFlags flags;
  if (dc.flags & MtcuteDcOption::kIpv6) flags.Set(DcFlags::kIpv6);
  if (dc.flags & MtcuteDcOption::kMediaOnly) flags.Set(DcFlags::kMediaOnly);
  return DcEntry::FromParts(dc.id, dc.ip_address, static_cast<uint16_t>(dc.port), flags);
}

absl::StatusOr<MtcuteDcOption> FromDcEntry(const DcEntry& e, bool test_mode) {
  TGS_ASSIGN_OR_RETURN(HostPort hp, e.ParseAddress());
  if (!internal::IsHostText(hp.host)) {
    return absl::FailedPreconditionError(
        absl::StrCat("DC address ", internal::Quote(e.addr), " cannot be stored in an mtcute string"));
  }
  if (e.dc_id < 0 || e.dc_id > 255) {
    return absl::FailedPreconditionError(
        absl::StrCat("DC ", e.dc_id, " does not fit the one-byte DC id of an mtcute string"));
  }
  MtcuteDcOption dc;
  dc.version = 2;
  dc.id = static_cast<uint8_t>(e.dc_id);
  dc.flags = static_cast<uint8_t>((e.is_ipv6() ? MtcuteDcOption::kIpv6 : 0) |
                                  (e.is_media_only() ? MtcuteDcOption::kMediaOnly : 0) |
                                  (test_mode ? MtcuteDcOption::kTestMode : 0));
  dc.ip_address = hp.host;
  dc.port = hp.port;
  return dc;
}

}  // namespace

absl::StatusOr<MtcuteStringSession> DecodeMtcuteString(absl::string_view text, const ReadOptions& options,
                                                       DecodeInfo* info) {
  TGS_ASSIGN_OR_RETURN(const absl::string_view t, internal::StartDecode(text, options, kWhat, info));
  internal::SecretBuffer buf;
  TGS_RETURN_IF_ERROR(buf.DecodeBase64(t, kBase64UrlNoPad, kWhat));
  internal::Reader r(buf.data(), buf.size(), kWhat);
  internal::Anomalies anomalies(options.mode, info, kWhat);
  TGS_RETURN_IF_ERROR(r.Need(5, "version and flags"));
  const uint8_t version = r.U8();
  if (version != 3) {
    if (version == 1 || version == 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          kWhat, ": version ", static_cast<int>(version), " strings (deprecated by mtcute) are not supported"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": version byte ", static_cast<int>(version), " (expected 3)"));
  }
  const int32_t flags = static_cast<int32_t>(r.U32LE());
  if ((flags & ~kKnownFlags) != 0) {
    TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat("unknown flag bits 0x",
                                                      absl::Hex(static_cast<uint32_t>(flags & ~kKnownFlags)),
                                                      " at byte 1")));
  }
  MtcuteStringSession s;
  s.test_mode_flag = (flags & MtcuteStringSession::kTestModeOld) != 0;
  absl::string_view blob;
  size_t at = r.pos();
  TGS_RETURN_IF_ERROR(ReadTlBytes(r, anomalies, "main DC option", 0, &blob));
  TGS_RETURN_IF_ERROR(ParseDcOption(blob, at + (blob.size() < 254 ? 1 : 4), "main DC option", anomalies, &s.main));
  if (flags & MtcuteStringSession::kHasMedia) {
    at = r.pos();
    TGS_RETURN_IF_ERROR(ReadTlBytes(r, anomalies, "media DC option", 0, &blob));
    MtcuteDcOption media;
    TGS_RETURN_IF_ERROR(ParseDcOption(blob, at + (blob.size() < 254 ? 1 : 4), "media DC option", anomalies, &media));
    s.media = std::move(media);
  }
  if (!s.test_mode_flag && s.media && s.media->test_mode() != s.main.test_mode()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": the main and media DC options disagree on test mode (mtcute rejects this)"));
  }
  if (flags & MtcuteStringSession::kHasSelf) {
    TGS_RETURN_IF_ERROR(r.Need(12, "self user"));
    const size_t id_at = r.pos();
    const int64_t id = static_cast<int64_t>(r.U64LE());
    if (id < -kMaxInt53 || id > kMaxInt53) {
      TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat("self user id ", id, " at byte ", id_at,
                                                        " is outside mtcute's 53-bit range")));
    }
    const size_t bool_at = r.pos();
    const uint32_t b = r.U32LE();
    if (b != kBoolTrue && b != kBoolFalse) {
      return absl::InvalidArgumentError(absl::StrCat(kWhat, ": self is_bot at byte ", bool_at, ": 0x", absl::Hex(b),
                                                     " is not boolTrue or boolFalse"));
    }
    s.self = MtcuteSelf{id, b == kBoolTrue};
  }
  const size_t key_at = r.pos();
  TGS_RETURN_IF_ERROR(ReadTlBytes(r, anomalies, "auth key", 0, &blob));
  if (blob.size() != AuthKey::kSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": the auth key at byte ", key_at, " is ", blob.size(), " bytes (expected 256)"));
  }
  s.auth_key = AuthKey::FromRawUnchecked(reinterpret_cast<const uint8_t*>(blob.data()));
  if (r.remaining() != 0) {
    TGS_RETURN_IF_ERROR(anomalies.Report(absl::StrCat(r.remaining(), " trailing bytes at byte ", r.pos())));
  }
  if (internal::IsAllZero(s.auth_key)) anomalies.Note("the auth key is all zeros");
  if (info != nullptr) {
    info->layout = absl::StrCat("v3", s.media ? ", media DC" : "", s.self ? ", self user" : "",
                                s.test_mode() ? ", test mode" : "");
  }
  return s;
}

absl::StatusOr<std::string> EncodeMtcuteString(const MtcuteStringSession& s) {
  TGS_RETURN_IF_ERROR(CheckDcOption(s.main, "main DC option"));
  if (s.media) TGS_RETURN_IF_ERROR(CheckDcOption(*s.media, "media DC option"));
  if (s.self && (s.self->user_id < -kMaxInt53 || s.self->user_id > kMaxInt53)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": self user id ", s.self->user_id, " is outside mtcute's 53-bit range"));
  }
  const int32_t flags = (s.self ? MtcuteStringSession::kHasSelf : 0) |
                        (s.test_mode_flag ? MtcuteStringSession::kTestModeOld : 0) |
                        (s.media ? MtcuteStringSession::kHasMedia : 0);
  SecretString payload;
  std::string* p = payload.mutable_str();
  p->reserve(1 + 4 + 2 * 300 + 12 + 4 + AuthKey::kSize);
  p->push_back(3);
  PutU32LE(p, static_cast<uint32_t>(flags));
  PutTlBytes(p, SerializeDcOption(s.main));
  if (s.media) PutTlBytes(p, SerializeDcOption(*s.media));
  if (s.self) {
    const auto id = static_cast<uint64_t>(s.self->user_id);
    PutU32LE(p, static_cast<uint32_t>(id));
    PutU32LE(p, static_cast<uint32_t>(id >> 32));
    PutU32LE(p, s.self->is_bot ? kBoolTrue : kBoolFalse);
  }
  PutTlBytes(p, absl::string_view(reinterpret_cast<const char*>(s.auth_key.data()), AuthKey::kSize));
  return Base64Encode(payload.view(), kBase64UrlNoPad);
}

absl::StatusOr<SessionWithExtras> MtcuteStringToSession(const MtcuteStringSession& s, DecodeInfo* info) {
  SessionWithExtras out;
  out.session.home_dc_id = s.main.id;
  TGS_ASSIGN_OR_RETURN(DcEntry main, ToDcEntry(s.main, "main DC option"));
  const bool has_key = !internal::IsAllZero(s.auth_key);
  if (has_key) {
    main.auth_key = s.auth_key;
  } else if (info != nullptr) {
    info->warnings.push_back("auth key: all zeros, read as no key");
  }
  out.session.dcs.push_back(std::move(main));
  if (s.media && !(*s.media == s.main)) {
    TGS_ASSIGN_OR_RETURN(DcEntry media, ToDcEntry(*s.media, "media DC option"));
    // mtcute uses this option for media whatever its own flag says.
    media.flags.Set(DcFlags::kMediaOnly);
    // Auth keys belong to a DC, not an address: the media DC of the same DC
    // uses the same key.
    if (has_key && s.media->id == s.main.id) media.auth_key = s.auth_key;
    out.session.dcs.push_back(std::move(media));
  }
  out.extras.test_mode = s.test_mode();
  if (s.self) {
    out.extras.user_id = s.self->user_id;
    out.extras.is_bot = s.self->is_bot;
  }
  return out;
}

absl::StatusOr<MtcuteStringSession> MtcuteStringFromSession(const Session& s, const SessionExtras& extras,
                                                            std::vector<std::string>* notes) {
  TGS_ASSIGN_OR_RETURN(const DcEntry* main, internal::HomeEntryWithKey(s, kWhat));
  const bool test_mode = extras.test_mode.value_or(false);
  MtcuteStringSession m;
  TGS_ASSIGN_OR_RETURN(m.main, FromDcEntry(*main, test_mode));
  m.main.flags &= static_cast<uint8_t>(~MtcuteDcOption::kMediaOnly);
  if (main->is_media_only() && notes != nullptr) {
    notes->push_back("the home DC's only entry with a key is media-only; written as the main DC");
  }
  for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
    if (e == main || !e->is_media_only() || e->is_ipv6() != main->is_ipv6()) continue;
    TGS_ASSIGN_OR_RETURN(MtcuteDcOption media, FromDcEntry(*e, test_mode));
    m.media = std::move(media);
    break;
  }
  if (extras.user_id && extras.is_bot) {
    m.self = MtcuteSelf{*extras.user_id, *extras.is_bot};
  } else if (extras.user_id && notes != nullptr) {
    notes->push_back("user_id: not written: mtcute stores the self user only together with is_bot, which is unknown");
  }
  m.auth_key = *main->auth_key;
  return m;
}

}  // namespace interop
}  // namespace tgsession
