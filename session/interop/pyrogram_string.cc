#include "session/interop/pyrogram_string.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "session/base64.h"
#include "session/byte_io.h"
#include "session/interop/known_dcs.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "pyrogram-string";

// Python's struct.unpack('?') reads any non-zero byte as True.
absl::Status ReadBool(internal::Reader& r, internal::Anomalies& anomalies, absl::string_view field, bool* out) {
  const size_t at = r.pos();
  const uint8_t b = r.U8();
  if (b > 1) {
    TGS_RETURN_IF_ERROR(anomalies.Report(
        absl::StrCat(field, " byte ", static_cast<int>(b), " at byte ", at, " is not 0 or 1 (read as true)")));
  }
  *out = b != 0;
  return absl::OkStatus();
}

size_t PayloadSize(PyrogramStringLayout l) {
  switch (l) {
    case PyrogramStringLayout::kV1UserId32:
      return 1 + 1 + AuthKey::kSize + 4 + 1;  // 263
    case PyrogramStringLayout::kV1UserId64:
      return 1 + 1 + AuthKey::kSize + 8 + 1;  // 267
    case PyrogramStringLayout::kV2:
      return 1 + 4 + 1 + AuthKey::kSize + 8 + 1;  // 271
  }
  return 0;
}

}  // namespace

absl::string_view PyrogramStringLayoutName(PyrogramStringLayout layout) {
  switch (layout) {
    case PyrogramStringLayout::kV1UserId32:
      return "351 characters (Pyrogram 1, 32-bit user id)";
    case PyrogramStringLayout::kV1UserId64:
      return "356 characters (Pyrogram 1, 64-bit user id)";
    case PyrogramStringLayout::kV2:
      return "362 characters (Pyrogram 2, with api_id)";
  }
  return "unknown";
}

absl::StatusOr<PyrogramStringSession> DecodePyrogramString(absl::string_view text,
                                                           const ReadOptions& options,
                                                           DecodeInfo* info) {
  TGS_ASSIGN_OR_RETURN(const absl::string_view t, internal::StartDecode(text, options, kWhat, info));
  PyrogramStringSession s;
  // Pyrogram decides by the length of the text, as we do.
  if (t.size() == 351) {
    s.layout = PyrogramStringLayout::kV1UserId32;
  } else if (t.size() == 356) {
    s.layout = PyrogramStringLayout::kV1UserId64;
  } else if (t.size() == 362) {
    s.layout = PyrogramStringLayout::kV2;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        kWhat, ": ", t.size(), " characters; a Pyrogram string has 351, 356 or 362 (without '=' padding)"));
  }
  internal::SecretBuffer buf;
  TGS_RETURN_IF_ERROR(buf.DecodeBase64(t, kBase64UrlNoPad, kWhat));
  if (buf.size() != PayloadSize(s.layout)) {  // cannot happen for these lengths; kept as a guard
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": decoded to ", buf.size(), " bytes"));
  }
  internal::Reader r(buf.data(), buf.size(), kWhat);
  internal::Anomalies anomalies(options.mode, info, kWhat);
  s.dc_id = r.U8();
  if (s.dc_id == 0) TGS_RETURN_IF_ERROR(anomalies.Report("dc_id 0 at byte 0 names no DC"));
  if (s.layout == PyrogramStringLayout::kV2) {
    const uint32_t api_id = r.U32BE();
    if (api_id > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWhat, ": api_id ", api_id, " at byte 1 does not fit Telegram's int32 api_id"));
    }
    s.api_id = static_cast<int32_t>(api_id);
  }
  TGS_RETURN_IF_ERROR(ReadBool(r, anomalies, "test_mode", &s.test_mode));
  s.auth_key = AuthKey::FromRawUnchecked(r.Bytes(AuthKey::kSize));
  const size_t uid_at = r.pos();
  const uint64_t uid = s.layout == PyrogramStringLayout::kV1UserId32 ? r.U32BE() : r.U64BE();
  if (uid > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": user_id ", uid, " at byte ", uid_at, " is above 2^63 - 1"));
  }
  s.user_id = static_cast<int64_t>(uid);
  if (s.user_id == 0) {
    anomalies.Note("user_id is 0: Pyrogram treats the session as not logged in");
  }
  TGS_RETURN_IF_ERROR(ReadBool(r, anomalies, "is_bot", &s.is_bot));
  if (internal::IsAllZero(s.auth_key)) anomalies.Note("the auth key is all zeros");
  if (info != nullptr) info->layout = std::string(PyrogramStringLayoutName(s.layout));
  return s;
}

absl::StatusOr<std::string> EncodePyrogramString(const PyrogramStringSession& s) {
  if (s.layout == PyrogramStringLayout::kV2 && !s.api_id) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": the 362-character layout needs an api_id"));
  }
  if (s.layout != PyrogramStringLayout::kV2 && s.api_id) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": the ", PyrogramStringLayoutName(s.layout),
                                                   " layout has no api_id"));
  }
  if (s.api_id && *s.api_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": api_id ", *s.api_id, " is negative"));
  }
  if (s.user_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": user_id ", s.user_id, " is negative"));
  }
  if (s.layout == PyrogramStringLayout::kV1UserId32 && s.user_id > 0xffffffffLL) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat, ": user_id ", s.user_id, " does not fit the 32-bit layout"));
  }
  const size_t n = PayloadSize(s.layout);
  std::string out(Base64EncodedLength(n, kBase64UrlNoPad), '\0');
  auto* d = reinterpret_cast<uint8_t*>(&out[0]);
  size_t p = 0;
  d[p++] = s.dc_id;
  if (s.layout == PyrogramStringLayout::kV2) {
    byte_io::PutU32BE(d + p, static_cast<uint32_t>(*s.api_id));
    p += 4;
  }
  d[p++] = s.test_mode ? 1 : 0;
  std::memcpy(d + p, s.auth_key.data(), AuthKey::kSize);
  p += AuthKey::kSize;
  if (s.layout == PyrogramStringLayout::kV1UserId32) {
    byte_io::PutU32BE(d + p, static_cast<uint32_t>(s.user_id));
    p += 4;
  } else {
    byte_io::PutU64BE(d + p, static_cast<uint64_t>(s.user_id));
    p += 8;
  }
  d[p++] = s.is_bot ? 1 : 0;
  Base64EncodeInPlace(&out[0], p, kBase64UrlNoPad);
  return out;
}

PyrogramStringLayout ChoosePyrogramStringLayout(const std::optional<int32_t>& api_id, int64_t user_id) {
  if (api_id) return PyrogramStringLayout::kV2;
  // Pyrogram 1.4: "if user_id < utils.MAX_USER_ID_OLD" (2^31 - 1).
  return user_id < 2147483647 ? PyrogramStringLayout::kV1UserId32 : PyrogramStringLayout::kV1UserId64;
}

absl::StatusOr<SessionWithExtras> PyrogramStringToSession(const PyrogramStringSession& s, DecodeInfo* info) {
  std::optional<HostPort> hp = PyrogramDcAddress(s.dc_id, s.test_mode);
  if (!hp) {
    return absl::FailedPreconditionError(absl::StrCat("pyrogram-string: DC ", static_cast<int>(s.dc_id),
                                                      s.test_mode ? " (test)" : "",
                                                      " has no address Pyrogram knows, and the string stores none"));
  }
  SessionWithExtras out;
  out.session.home_dc_id = s.dc_id;
  DcEntry e = DcEntry::FromParts(s.dc_id, hp->host, hp->port, DcFlags());
  if (!internal::IsAllZero(s.auth_key)) e.auth_key = s.auth_key;
  out.session.dcs.push_back(std::move(e));
  if (info != nullptr) {
    info->warnings.push_back(absl::StrCat("DC address: not stored in Pyrogram strings; using ",
                                          FormatHostPort(hp->host, hp->port), ", Pyrogram's address for DC ",
                                          static_cast<int>(s.dc_id), s.test_mode ? " (test)" : ""));
  }
  out.extras.user_id = s.user_id;
  out.extras.is_bot = s.is_bot;
  out.extras.test_mode = s.test_mode;
  if (s.api_id) out.extras.api_id = *s.api_id;
  return out;
}

absl::StatusOr<PyrogramStringSession> PyrogramStringFromSession(const Session& s, const SessionExtras& extras) {
  if (s.home_dc_id < 1 || s.home_dc_id > 255) {
    return absl::FailedPreconditionError(
        absl::StrCat("home DC ", s.home_dc_id, " does not fit the one-byte dc_id of a Pyrogram string"));
  }
  if (!extras.user_id || *extras.user_id <= 0) {
    return absl::FailedPreconditionError(
        "pyrogram-string needs the account's user id, which the source does not hold (pass --user-id); "
        "Pyrogram treats a session without one as logged out");
  }
  TGS_ASSIGN_OR_RETURN(const DcEntry* e, internal::HomeEntryWithKey(s, kWhat));
  PyrogramStringSession p;
  p.dc_id = static_cast<uint8_t>(s.home_dc_id);
  p.api_id = extras.api_id;
  p.test_mode = extras.test_mode.value_or(false);
  p.auth_key = *e->auth_key;
  p.user_id = *extras.user_id;
  p.is_bot = extras.is_bot.value_or(false);
  p.layout = ChoosePyrogramStringLayout(p.api_id, p.user_id);
  return p;
}

}  // namespace interop
}  // namespace tgsession
