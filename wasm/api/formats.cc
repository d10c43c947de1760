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

using interop::Format;

void PutU8(std::string* s, uint8_t v) { s->push_back(static_cast<char>(v)); }
void PutU32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}
void PutI64(std::string* s, int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  PutU32(s, static_cast<uint32_t>(u));
  PutU32(s, static_cast<uint32_t>(u >> 32));
}
void PutStr(std::string* s, absl::string_view v) {
  PutU32(s, static_cast<uint32_t>(v.size()));
  s->append(v.data(), v.size());
}
void PutList(std::string* s, const std::vector<std::string>& v) {
  PutU32(s, static_cast<uint32_t>(v.size()));
  for (const std::string& x : v) PutStr(s, x);
}

bool IsFerogram(Format f) {
  return f == Format::kFerogramBinary || f == Format::kFerogramNative || f == Format::kFerogramCompact;
}

absl::StatusOr<Format> Named(absl::string_view name, bool for_writing) {
  std::optional<Format> f = interop::FormatFromName(name);
  if (!f) return absl::InvalidArgumentError(absl::StrCat("unknown session format '", name, "'"));
  if (interop::NeedsNativeBackend(*f)) {
    return absl::UnimplementedError(absl::StrCat(
        name, " is a file format: the WebAssembly build reads and writes session bytes and strings only"));
  }
  if (for_writing && !interop::IsWritable(*f)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is read-only"));
  }
  return *f;
}

// ferogram's own decoders: the full DecodeInfo (binary version, trailing
// bytes), exactly as the native library reports it.
absl::StatusOr<DecodeResult> DecodeFerogram(absl::string_view input, Format f, bool strict) {
  StringDecodeOptions options;
  if (strict) options.binary.mode = DecodeMode::kStrict;
  DecodeResult r;
  r.format = std::string(interop::FormatName(f));
  r.held.source = f;
  DecodeInfo info;
  if (f == Format::kFerogramBinary) {
    TGS_ASSIGN_OR_RETURN(r.held.session, DecodeBinary(input, options.binary, &info));
  } else if (f == Format::kFerogramNative) {
    TGS_ASSIGN_OR_RETURN(r.held.session, DecodeNativeString(input, options, &info));
  } else {
    TGS_ASSIGN_OR_RETURN(CompactSession c, DecodeCompactString(input, options, &info));
    r.layout = absl::StrCat("V", c.version);
    // ferogram writes 0 when it does not know the user.
    if (c.user_id != 0) r.held.extras.user_id = c.user_id;
    r.held.session = CompactToSession(c);
  }
  r.binary_version = f == Format::kFerogramCompact ? 0 : info.version;
  r.read_as_v1_fallback = info.read_as_v1_fallback;
  r.trailing_bytes = info.trailing_bytes;
  r.anomaly_count = info.anomaly_count;
  r.warnings = info.warnings;
  return r;
}

DecodeResult FromImported(interop::ImportedSession in) {
  DecodeResult r;
  r.format = std::string(interop::FormatName(in.format));
  r.held.source = in.format;
  r.held.session = std::move(in.session);
  r.held.extras = std::move(in.extras);
  r.layout = in.info.layout;
  r.anomaly_count = in.info.anomaly_count;
  r.warnings = std::move(in.info.warnings);
  for (std::string& n : in.not_carried) r.warnings.push_back(absl::StrCat("not carried: ", n));
  return r;
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

std::string Pack(absl::string_view data, const interop::ConversionSummary& summary) {
  std::string out;
  out.reserve(data.size() + 16);
  PutStr(&out, data);
  PutList(&out, summary.missing);
  PutList(&out, summary.dropped);
  PutList(&out, summary.warnings);
  return out;
}

}  // namespace

std::string DecodeResult::PackInfo() const {
  std::string s;
  PutStr(&s, format);
  PutU32(&s, static_cast<uint32_t>(binary_version));
  PutU8(&s, read_as_v1_fallback ? 1 : 0);
  PutU32(&s, static_cast<uint32_t>(trailing_bytes));
  PutU32(&s, static_cast<uint32_t>(anomaly_count));
  PutStr(&s, layout);
  PutU8(&s, held.extras.user_id ? 1 : 0);
  PutI64(&s, held.extras.user_id.value_or(0));
  PutList(&s, warnings);
  return s;
}

std::string PackExtras(const interop::SessionExtras& e) {
  std::string s;
  PutU8(&s, e.user_id ? 1 : 0);
  PutI64(&s, e.user_id.value_or(0));
  PutU8(&s, static_cast<uint8_t>(e.is_bot ? (*e.is_bot ? 1 : 0) : -1));
  PutU8(&s, static_cast<uint8_t>(e.test_mode ? (*e.test_mode ? 1 : 0) : -1));
  PutU8(&s, e.api_id ? 1 : 0);
  PutU32(&s, static_cast<uint32_t>(e.api_id.value_or(0)));
  PutU8(&s, e.takeout_id ? 1 : 0);
  PutI64(&s, e.takeout_id.value_or(0));
  PutU32(&s, static_cast<uint32_t>(e.peers.size()));
  return s;
}

absl::StatusOr<DecodeResult> DecodeFormat(absl::string_view input, absl::string_view format, bool strict) {
  interop::InteropDecodeOptions options;
  options.mode = strict ? DecodeMode::kStrict : DecodeMode::kCompatible;
  // Session strings of other libraries are short; ferogram's can be large.
  options.max_chars = StringDecodeLimits().max_chars;
#ifdef TGS_API_NO_INTEROP  // size measurement only (wasm/measure): ferogram formats alone
  if (format.empty() || format == "auto") {
    StringDecodeOptions o;
    if (strict) o.binary.mode = DecodeMode::kStrict;
    TGS_ASSIGN_OR_RETURN(DecodedSession d, DecodeAnySession(input, o));
    const Format f = d.format == SessionFormat::kFerogramBinary   ? Format::kFerogramBinary
                     : d.format == SessionFormat::kFerogramNative ? Format::kFerogramNative
                                                                  : Format::kFerogramCompact;
    return DecodeFerogram(input, f, strict);
  }
  if (format == "ferogram-binary") return DecodeFerogram(input, Format::kFerogramBinary, strict);
  if (format == "ferogram-native") return DecodeFerogram(input, Format::kFerogramNative, strict);
  if (format == "ferogram-compact") return DecodeFerogram(input, Format::kFerogramCompact, strict);
  return absl::UnimplementedError("built without other libraries' formats");
#endif
  if (format.empty() || format == "auto") {
    TGS_ASSIGN_OR_RETURN(interop::ImportedSession in, interop::DetectAndImport(input, options));
    // Detection decided; ferogram formats are re-read by their own decoders
    // for the full report.
    if (IsFerogram(in.format)) return DecodeFerogram(input, in.format, strict);
    return FromImported(std::move(in));
  }
  TGS_ASSIGN_OR_RETURN(Format f, Named(format, false));
  if (IsFerogram(f)) return DecodeFerogram(input, f, strict);
  TGS_ASSIGN_OR_RETURN(interop::ImportedSession in, interop::Import(input, f, options));
  return FromImported(std::move(in));
}

absl::StatusOr<std::string> EncodeFormat(const HeldSession& held, absl::string_view format, int32_t option,
                                         int64_t user_id) {
#ifdef TGS_API_NO_INTEROP
  const Format f = format == "ferogram-binary"   ? Format::kFerogramBinary
                   : format == "ferogram-native" ? Format::kFerogramNative
                                                 : Format::kFerogramCompact;
#else
  TGS_ASSIGN_OR_RETURN(Format f, Named(format, true));
#endif
  const interop::ConversionSummary none;
  if (f == Format::kFerogramBinary || f == Format::kFerogramNative) {
    TGS_ASSIGN_OR_RETURN(EncodeOptions o, BinaryPolicy(option));
    TGS_ASSIGN_OR_RETURN(std::string data, f == Format::kFerogramBinary ? EncodeBinary(held.session, o)
                                                                         : EncodeNativeString(held.session, o));
    SecretString wiped(std::move(data));
    return Pack(wiped.view(), none);
  }
  if (f == Format::kFerogramCompact) {
    if (option != 0 && option != 1 && option != 2) {
      return absl::InvalidArgumentError("compact string version must be 1 or 2");
    }
    const int64_t uid = user_id != 0 ? user_id : held.extras.user_id.value_or(0);
    TGS_ASSIGN_OR_RETURN(CompactSession c, SessionToCompact(held.session, uid));
    TGS_ASSIGN_OR_RETURN(std::string data, EncodeCompactString(c, option == 0 ? 2 : option));
    SecretString wiped(std::move(data));
    return Pack(wiped.view(), none);
  }
#ifdef TGS_API_NO_INTEROP
  return absl::UnimplementedError("built without other libraries' formats");
#endif
  interop::ImportedSession in;
  in.format = held.source;
  in.session = held.session;
  in.extras = held.extras;
  if (user_id != 0) in.extras.user_id = user_id;
  TGS_ASSIGN_OR_RETURN(interop::ExportResult r, interop::Export(in, f));
  return Pack(r.data.view(), r.summary);
}

std::string FormatList() {
#ifdef TGS_API_NO_INTEROP
  return "ferogram-binary ferogram-native ferogram-compact\nferogram-binary ferogram-native ferogram-compact";
#endif
  std::string read, write;
  for (Format f : interop::AllFormats()) {
    if (interop::NeedsNativeBackend(f)) continue;
    absl::StrAppend(&read, read.empty() ? "" : " ", interop::FormatName(f));
    if (interop::IsWritable(f)) absl::StrAppend(&write, write.empty() ? "" : " ", interop::FormatName(f));
  }
  return absl::StrCat(read, "\n", write);
}

}  // namespace wasm_api
}  // namespace tgsession
