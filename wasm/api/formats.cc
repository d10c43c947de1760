#include "wasm/api/formats.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "session/binary_codec.h"
#include "session/status_macros.h"
#include "session/string_codec.h"

namespace tgsession {
namespace wasm_api {
namespace {

constexpr absl::string_view kBinary = "ferogram-binary";
constexpr absl::string_view kNative = "ferogram-native";
constexpr absl::string_view kCompact = "ferogram-compact";

void PutU32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
void PutStr(std::string* s, absl::string_view v) {
  PutU32(s, static_cast<uint32_t>(v.size()));
  s->append(v.data(), v.size());
}

void TakeInfo(const DecodeInfo& info, DecodeResult* r) {
  r->binary_version = info.version;
  r->read_as_v1_fallback = info.read_as_v1_fallback;
  r->trailing_bytes = info.trailing_bytes;
  r->anomaly_count = info.anomaly_count;
  r->warnings = info.warnings;
}

absl::StatusOr<EncodeOptions> BinaryPolicy(int32_t option) {
  EncodeOptions o;
  switch (option) {
    case 0:
      o.policy = VersionPolicy::kAuto;
      break;
    case 1:
      o.policy = VersionPolicy::kFerogramOnly;
      break;
    case 2:
      o.policy = VersionPolicy::kExtended;
      break;
    default:
      return absl::InvalidArgumentError("binary version policy must be auto, v8 or v9");
  }
  return o;
}

}  // namespace

std::string DecodeResult::PackInfo() const {
  std::string s;
  PutStr(&s, format);
  PutU32(&s, static_cast<uint32_t>(binary_version));
  s.push_back(read_as_v1_fallback ? 1 : 0);
  PutU32(&s, static_cast<uint32_t>(trailing_bytes));
  PutU32(&s, static_cast<uint32_t>(anomaly_count));
  PutStr(&s, layout);
  s.push_back(user_id ? 1 : 0);
  const uint64_t uid = static_cast<uint64_t>(user_id.value_or(0));
  PutU32(&s, static_cast<uint32_t>(uid));
  PutU32(&s, static_cast<uint32_t>(uid >> 32));
  PutU32(&s, static_cast<uint32_t>(warnings.size()));
  for (const std::string& w : warnings) PutStr(&s, w);
  return s;
}

absl::StatusOr<DecodeResult> DecodeFormat(absl::string_view input, absl::string_view format, bool strict) {
  StringDecodeOptions options;
  if (strict) options.binary.mode = DecodeMode::kStrict;
  DecodeResult r;
  if (format.empty() || format == "auto") {
    TGS_ASSIGN_OR_RETURN(DecodedSession d, DecodeAnySession(input, options));
    r.format = std::string(SessionFormatName(d.format));
    TakeInfo(d.info, &r);
    if (d.compact) {
      r.layout = absl::StrCat("V", d.compact->version);
      r.user_id = d.compact->user_id;
    }
    r.session = std::move(d.session);
    return r;
  }
  DecodeInfo info;
  r.format = std::string(format);
  if (format == kBinary) {
    TGS_ASSIGN_OR_RETURN(r.session, DecodeBinary(input, options.binary, &info));
  } else if (format == kNative) {
    TGS_ASSIGN_OR_RETURN(r.session, DecodeNativeString(input, options, &info));
  } else if (format == kCompact) {
    TGS_ASSIGN_OR_RETURN(CompactSession c, DecodeCompactString(input, options, &info));
    r.layout = absl::StrCat("V", c.version);
    r.user_id = c.user_id;
    r.session = CompactToSession(c);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown session format '", format, "'"));
  }
  TakeInfo(info, &r);
  return r;
}

absl::StatusOr<std::string> EncodeFormat(const Session& session, absl::string_view format, int32_t option,
                                         int64_t user_id) {
  if (format == kBinary) {
    TGS_ASSIGN_OR_RETURN(EncodeOptions o, BinaryPolicy(option));
    return EncodeBinary(session, o);
  }
  if (format == kNative) {
    TGS_ASSIGN_OR_RETURN(EncodeOptions o, BinaryPolicy(option));
    return EncodeNativeString(session, o);
  }
  if (format == kCompact) {
    if (option != 0 && option != 1 && option != 2) {
      return absl::InvalidArgumentError("compact string version must be 1 or 2");
    }
    TGS_ASSIGN_OR_RETURN(CompactSession c, SessionToCompact(session, user_id));
    return EncodeCompactString(c, option == 0 ? 2 : option);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown or read-only session format '", format, "'"));
}

std::string FormatList() {
  return absl::StrCat(kBinary, " ", kNative, " ", kCompact, "\n", kBinary, " ", kNative, " ", kCompact);
}

}  // namespace wasm_api
}  // namespace tgsession
