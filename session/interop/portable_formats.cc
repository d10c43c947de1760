// The codecs of the portable formats: each adapts a format's own decoder and
// encoder (string_codec.h, binary_codec.h, *_string.h) to FormatCodec.
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/interop/formats.h"
#include "session/interop/gramjs_string.h"
#include "session/interop/mtcute_string.h"
#include "session/interop/pyrogram_string.h"
#include "session/interop/telethon_string.h"
#include "session/status_macros.h"
#include "session/string_codec.h"

namespace tgsession {
namespace interop {
namespace {

ImportedSession FromParts(Format f, SessionWithExtras parts, DecodeInfo info) {
  ImportedSession out;
  out.format = f;
  out.session = std::move(parts.session);
  out.extras = std::move(parts.extras);
  out.info = std::move(info);
  return out;
}

// "v8", or for a v1 file read through the fallback, says so.
std::string BinaryLayout(const DecodeInfo& d) {
  if (d.version <= 0) return "";
  return absl::StrCat("v", d.version, d.read_as_v1_fallback ? " (v1 file whose first byte looks like a version)" : "");
}

// --- ferogram's formats ----------------------------------------------------------

absl::StatusOr<ImportedSession> ReadFerogramBinary(absl::string_view input, const ReadOptions& options) {
  DecodeOptions o;
  o.mode = options.mode;
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(Session s, DecodeBinary(input, o, &info));
  info.layout = BinaryLayout(info);
  return FromParts(Format::kFerogramBinary, SessionWithExtras{std::move(s), {}}, std::move(info));
}

absl::StatusOr<SecretString> WriteFerogramBinary(const ImportedSession& in, const SessionExtras&,
                                                 const WriteOptions& options, ConversionSummary* summary) {
  TGS_ASSIGN_OR_RETURN(std::string bin, EncodeBinary(in.session, options.binary));
  SecretString out(std::move(bin));
  if (!out.view().empty() && static_cast<uint8_t>(out.view()[0]) == kExtendedBinaryVersion) {
    summary->warnings.push_back("written as tgsession binary v9: the session does not fit ferogram's v8 counts");
  }
  return out;
}

absl::StatusOr<ImportedSession> ReadFerogramNative(absl::string_view input, const ReadOptions& options) {
  StringDecodeOptions o;
  o.binary.mode = options.mode;
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(Session s, DecodeNativeString(input, o, &info));
  info.layout = BinaryLayout(info);
  return FromParts(Format::kFerogramNative, SessionWithExtras{std::move(s), {}}, std::move(info));
}

absl::StatusOr<SecretString> WriteFerogramNative(const ImportedSession& in, const SessionExtras&,
                                                 const WriteOptions& options, ConversionSummary*) {
  TGS_ASSIGN_OR_RETURN(std::string text, EncodeNativeString(in.session, options.binary));
  return SecretString(std::move(text));
}

absl::StatusOr<ImportedSession> ReadFerogramCompact(absl::string_view input, const ReadOptions& options) {
  StringDecodeOptions o;
  o.binary.mode = options.mode;
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(CompactSession c, DecodeCompactString(input, o, &info));
  SessionWithExtras parts{CompactToSession(c), {}};
  // ferogram writes 0 when it does not know the user.
  if (c.user_id != 0) parts.extras.user_id = c.user_id;
  info.layout = absl::StrCat("V", c.version, c.ip.is_v6 ? ", IPv6" : ", IPv4");
  if (c.version == 1) absl::StrAppend(&info.layout, ", layer ", c.layer, ", seq_no ", c.seq_no);
  return FromParts(Format::kFerogramCompact, std::move(parts), std::move(info));
}

absl::StatusOr<SecretString> WriteFerogramCompact(const ImportedSession& in, const SessionExtras& extras,
                                                  const WriteOptions& options, ConversionSummary*) {
  TGS_ASSIGN_OR_RETURN(CompactSession c, SessionToCompact(in.session, extras.user_id.value_or(0)));
  TGS_ASSIGN_OR_RETURN(std::string text, EncodeCompactString(c, options.compact_version));
  return SecretString(std::move(text));
}

// --- other libraries' strings -------------------------------------------------------

absl::StatusOr<ImportedSession> ReadTelethonString(absl::string_view input, const ReadOptions& options) {
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(TelethonStringSession t, DecodeTelethonString(input, options, &info));
  SessionWithExtras parts = TelethonStringToSession(t, &info);
  return FromParts(Format::kTelethonString, std::move(parts), std::move(info));
}

absl::StatusOr<SecretString> WriteTelethonString(const ImportedSession& in, const SessionExtras&, const WriteOptions&,
                                                 ConversionSummary*) {
  TGS_ASSIGN_OR_RETURN(TelethonStringSession t, TelethonStringFromSession(in.session));
  return SecretString(EncodeTelethonString(t));
}

absl::StatusOr<ImportedSession> ReadGramjsString(absl::string_view input, const ReadOptions& options) {
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(GramjsStringSession g, DecodeGramjsString(input, options, &info));
  SessionWithExtras parts = GramjsStringToSession(g, &info);
  return FromParts(Format::kGramjsString, std::move(parts), std::move(info));
}

absl::StatusOr<SecretString> WriteGramjsString(const ImportedSession& in, const SessionExtras&, const WriteOptions&,
                                               ConversionSummary* summary) {
  TGS_ASSIGN_OR_RETURN(GramjsStringSession g, GramjsStringFromSession(in.session, &summary->warnings));
  TGS_ASSIGN_OR_RETURN(std::string text, EncodeGramjsString(g));
  return SecretString(std::move(text));
}

absl::StatusOr<ImportedSession> ReadPyrogramString(absl::string_view input, const ReadOptions& options) {
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(PyrogramStringSession p, DecodePyrogramString(input, options, &info));
  TGS_ASSIGN_OR_RETURN(SessionWithExtras parts, PyrogramStringToSession(p, &info));
  return FromParts(Format::kPyrogramString, std::move(parts), std::move(info));
}

absl::StatusOr<SecretString> WritePyrogramString(const ImportedSession& in, const SessionExtras& extras,
                                                 const WriteOptions&, ConversionSummary*) {
  TGS_ASSIGN_OR_RETURN(PyrogramStringSession p, PyrogramStringFromSession(in.session, extras));
  TGS_ASSIGN_OR_RETURN(std::string text, EncodePyrogramString(p));
  return SecretString(std::move(text));
}

absl::StatusOr<ImportedSession> ReadMtcuteString(absl::string_view input, const ReadOptions& options) {
  DecodeInfo info;
  TGS_ASSIGN_OR_RETURN(MtcuteStringSession m, DecodeMtcuteString(input, options, &info));
  TGS_ASSIGN_OR_RETURN(SessionWithExtras parts, MtcuteStringToSession(m, &info));
  return FromParts(Format::kMtcuteString, std::move(parts), std::move(info));
}

absl::StatusOr<SecretString> WriteMtcuteString(const ImportedSession& in, const SessionExtras& extras,
                                               const WriteOptions&, ConversionSummary* summary) {
  TGS_ASSIGN_OR_RETURN(MtcuteStringSession m, MtcuteStringFromSession(in.session, extras, &summary->warnings));
  TGS_ASSIGN_OR_RETURN(std::string text, EncodeMtcuteString(m));
  return SecretString(std::move(text));
}

std::vector<FormatCodec> FerogramCodecs() {
  return {
      {Format::kFerogramBinary, ReadFerogramBinary, WriteFerogramBinary},
      {Format::kFerogramNative, ReadFerogramNative, WriteFerogramNative},
      {Format::kFerogramCompact, ReadFerogramCompact, WriteFerogramCompact},
  };
}

}  // namespace

const Formats& PortableFormats() {
  static const Formats* const formats = [] {
    // Detection tries string formats in this order (messages list them so).
    std::vector<FormatCodec> codecs = {
        {Format::kTelethonString, ReadTelethonString, WriteTelethonString},
        {Format::kGramjsString, ReadGramjsString, WriteGramjsString},
        {Format::kPyrogramString, ReadPyrogramString, WritePyrogramString},
        {Format::kMtcuteString, ReadMtcuteString, WriteMtcuteString},
    };
    for (const FormatCodec& c : FerogramCodecs()) codecs.push_back(c);
    return new Formats(std::move(codecs));
  }();
  return *formats;
}

const Formats& FerogramFormats() {
  static const Formats* const formats = new Formats(FerogramCodecs());
  return *formats;
}

}  // namespace interop
}  // namespace tgsession
