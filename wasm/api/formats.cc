#include "wasm/api/formats.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
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

// The formats this module reads and writes (ferogram's alone in the size
// measurement build without other libraries' formats).
const interop::Formats& ApiFormats() {
#ifdef TGS_API_NO_INTEROP
  return interop::FerogramFormats();
#else
  return interop::PortableFormats();
#endif
}

// A format named from JavaScript.
absl::StatusOr<Format> Named(const interop::Formats& formats, absl::string_view name, bool for_writing) {
  std::optional<Format> f = interop::FormatFromName(name);
  if (!f) return absl::InvalidArgumentError(absl::StrCat("unknown session format '", name, "'"));
  if (!formats.CanRead(*f) && interop::Spec(*f).detection == interop::Detection::kSqlite) {
    return absl::UnimplementedError(absl::StrCat(name, " is an SQLite file: it needs the SQLite module"));
  }
  if (!formats.CanRead(*f) && interop::Spec(*f).native_only) {
    return absl::UnimplementedError(absl::StrCat(
        name, " is a file format: the WebAssembly build reads and writes session bytes and strings only"));
  }
  if (!formats.CanRead(*f)) return absl::UnimplementedError("built without other libraries' formats");
  if (for_writing && !interop::Spec(*f).writable) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is read-only"));
  }
  return *f;
}

DecodeResult FromImported(interop::ImportedSession in) {
  DecodeResult r;
  r.format = std::string(interop::FormatName(in.format));
  const bool binary = in.format == Format::kFerogramBinary || in.format == Format::kFerogramNative;
  r.binary_version = binary ? in.info.version : 0;
  r.read_as_v1_fallback = in.info.read_as_v1_fallback;
  r.trailing_bytes = in.info.trailing_bytes;
  r.anomaly_count = in.info.anomaly_count;
  r.layout = std::move(in.info.layout);
  r.warnings = std::move(in.info.warnings);
  for (std::string& n : in.not_carried) r.warnings.push_back(absl::StrCat("not carried: ", n));
  r.held.source = in.format;
  r.held.session = std::move(in.session);
  r.held.extras = std::move(in.extras);
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
  return DecodeFormatIn(ApiFormats(), input, format, strict);
}

absl::StatusOr<DecodeResult> DecodeFormatIn(const interop::Formats& formats, absl::string_view input,
                                            absl::string_view format, bool strict) {
  interop::ReadOptions options;
  options.mode = strict ? DecodeMode::kStrict : DecodeMode::kCompatible;
  // Session strings of other libraries are short; ferogram's can be large.
  options.max_chars = StringDecodeLimits().max_chars;
  if (format.empty() || format == "auto") {
    TGS_ASSIGN_OR_RETURN(interop::ImportedSession in, formats.Detect(input, options));
    return FromImported(std::move(in));
  }
  TGS_ASSIGN_OR_RETURN(Format f, Named(formats, format, false));
  TGS_ASSIGN_OR_RETURN(interop::ImportedSession in, formats.Read(input, f, options));
  return FromImported(std::move(in));
}

absl::StatusOr<std::string> EncodeFormat(const HeldSession& held, absl::string_view format, int32_t option,
                                         int64_t user_id) {
  return EncodeFormatIn(ApiFormats(), held, format, option, user_id, 0);
}

absl::StatusOr<std::string> EncodeFormatIn(const interop::Formats& formats, const HeldSession& held,
                                           absl::string_view format, int32_t option, int64_t user_id,
                                           int64_t now_unix) {
  TGS_ASSIGN_OR_RETURN(Format f, Named(formats, format, true));
  interop::WriteOptions wo;
  wo.now_unix = now_unix;
  if (f == Format::kFerogramBinary || f == Format::kFerogramNative) {
    TGS_ASSIGN_OR_RETURN(wo.binary, BinaryPolicy(option));
  } else if (f == Format::kFerogramCompact) {
    if (option != 0 && option != 1 && option != 2) {
      return absl::InvalidArgumentError("compact string version must be 1 or 2");
    }
    wo.compact_version = option == 0 ? 2 : option;
  }
  interop::ImportedSession in;
  in.format = held.source;
  in.session = held.session;
  in.extras = held.extras;
  if (user_id != 0) in.extras.user_id = user_id;
  TGS_ASSIGN_OR_RETURN(interop::ExportResult r, formats.Write(in, f, wo));
  return Pack(r.data.view(), r.summary);
}

std::string FormatList() {
  std::string read, write;
  for (const interop::FormatSpec& f : interop::AllFormats()) {
    if (!ApiFormats().CanRead(f.format)) continue;
    absl::StrAppend(&read, read.empty() ? "" : " ", f.name);
    if (ApiFormats().CanWrite(f.format)) absl::StrAppend(&write, write.empty() ? "" : " ", f.name);
  }
  return absl::StrCat(read, "\n", write);
}

}  // namespace wasm_api
}  // namespace tgsession
