#include "session/interop/formats.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "session/base64.h"
#include "session/interop/convert.h"
#include "session/status_macros.h"
#include "session/string_codec.h"
#include "session/utf8.h"

namespace tgsession {
namespace interop {
namespace {

constexpr uint32_t Bit(Field f) { return uint32_t{1} << static_cast<int>(f); }

constexpr uint32_t kFerogramFields =
    Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kOtherDcs) | Bit(Field::kMediaDc) |
    Bit(Field::kSaltAndOffset) | Bit(Field::kUpdateState) | Bit(Field::kChannelPts) | Bit(Field::kPeers) |
    Bit(Field::kChannelKinds) | Bit(Field::kMinPeers) | Bit(Field::kFutureAuthToken);

// The registry: one row per format, in the order of Format.
const FormatSpec kSpecs[] = {
    {Format::kFerogramBinary, "ferogram-binary", "ferogram's binary file (v8 when the session fits, else v9)",
     Detection::kBinary, false, true, kFerogramFields},
    {Format::kFerogramNative, "ferogram-native", "base64url of the binary", Detection::kText, false, true,
     kFerogramFields},
    {Format::kFerogramCompact, "ferogram-compact", "ferogram's StringSession (V2)", Detection::kText, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kUserId)},
    {Format::kFerogramSqlite, "ferogram-sqlite", "ferogram's SqliteBackend database", Detection::kSqlite, true, true,
     kFerogramFields},
    {Format::kTelethonString, "telethon-string", "Telethon StringSession", Detection::kText, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress)},
    {Format::kTelethonSqlite, "telethon-sqlite", "Telethon 1.x .session file (schema 7)", Detection::kSqlite, true,
     true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kUserId) | Bit(Field::kTakeoutId) |
         Bit(Field::kUpdateState) | Bit(Field::kChannelPts) | Bit(Field::kPeers) | Bit(Field::kPeerUsernames) |
         Bit(Field::kPeerPhones) | Bit(Field::kPeerNames)},
    {Format::kPyrogramString, "pyrogram-string", "Pyrogram session string (351/356/362 characters)",
     Detection::kText, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kUserId) | Bit(Field::kIsBot) | Bit(Field::kTestMode) | Bit(Field::kApiId)},
    {Format::kPyrogramSqlite, "pyrogram-sqlite", "Pyrogram .session file (schema 2/3; writes 3)", Detection::kSqlite,
     true, true,
     Bit(Field::kAuthKey) | Bit(Field::kUserId) | Bit(Field::kIsBot) | Bit(Field::kTestMode) | Bit(Field::kApiId) |
         Bit(Field::kPeers) | Bit(Field::kChannelKinds) | Bit(Field::kPeerUsernames) | Bit(Field::kPeerPhones) |
         Bit(Field::kPeerBotFlags)},
    {Format::kGramjsString, "gramjs-string", "GramJS StringSession", Detection::kText, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress)},
    {Format::kGramjsStore, "gramjs-store", "GramJS StoreSession folder (read only)", Detection::kFolder, true, false,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kPeers) | Bit(Field::kPeerUsernames) |
         Bit(Field::kPeerPhones) | Bit(Field::kPeerNames)},
    {Format::kMtcuteString, "mtcute-string", "mtcute string session v3", Detection::kText, false, true,
     Bit(Field::kAuthKey) | Bit(Field::kDcAddress) | Bit(Field::kMediaDc) | Bit(Field::kUserId) |
         Bit(Field::kIsBot) | Bit(Field::kTestMode)},
};

// Anomalies the SQLite and folder readers record as warnings (extra session
// rows, duplicate bare ids, bool columns of 2) fail a strict read here; the
// string and binary decoders reject them themselves.
absl::StatusOr<ImportedSession> StrictCheck(absl::StatusOr<ImportedSession> s, const ReadOptions& options) {
  if (s.ok() && options.mode == DecodeMode::kStrict && s->info.anomaly_count > 0) {
    return absl::DataLossError(absl::StrCat(FormatName(s->format), ": ", s->info.warnings.empty()
                                                                             ? std::string("anomalies")
                                                                             : s->info.warnings.front()));
  }
  return s;
}

// Text made only of base64 symbols (either alphabet, with padding): what a
// session string is made of.
bool LooksTextual(absl::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '-' || c == '_' || c == '=';
    if (!ok) return false;
  }
  return true;
}

constexpr absl::string_view kSqliteMagic("SQLite format 3\0", 16);

// Whether bytes may be a ferogram binary session (whole, damaged or cut
// short) rather than a file of another kind. The header is read as ferogram
// reads it: "\x09tgs" starts v9; a first byte 2..8 is the version, with the
// home DC id (i32) after it, or, as our decoder also tries, v1's home DC id
// 2..8; any other first byte starts v1's home DC id. A session's home DC id
// is small: Telegram's DCs are 1..5, test and CDN DCs run to the hundreds or
// +10000, the vectors hold -1. So its two high bytes are both 00 or both ff,
// where other files have text, magic numbers or lengths ("\x89PNG" reads as
// home DC 1196314761, a JPEG as -520103681). Bytes a short input lacks are
// not held against it.
bool PlausiblyFerogramBinary(absl::string_view b) {
  if (b.substr(0, 4) == absl::string_view("\x09tgs", 4)) return true;
  const auto small_id_at = [&](size_t at) {
    const absl::string_view high = b.substr(std::min(b.size(), at + 2), 2);
    for (char c : high) {
      if (c != high[0] || (c != '\x00' && c != '\xff')) return false;
    }
    return true;
  };
  const unsigned char first = static_cast<unsigned char>(b[0]);
  return small_id_at(0) || (first >= 2 && first <= 8 && small_id_at(1));
}

// What bytes that are no session look like, for the message (judged by
// their first 4 KiB: the input may be huge).
std::string DescribeForeignBytes(absl::string_view input) {
  const absl::string_view b = input.substr(0, 4096);
  static constexpr struct {
    absl::string_view magic;
    const char* kind;
  } kKinds[] = {
      {absl::string_view("\x89PNG\r\n\x1a\n", 8), "a PNG image"},
      {absl::string_view("\xff\xd8\xff", 3), "a JPEG image"},
      {absl::string_view("GIF8", 4), "a GIF image"},
      {absl::string_view("\x1f\x8b", 2), "gzip-compressed data"},
      {absl::string_view("PK\x03\x04", 4), "a ZIP archive"},
      {absl::string_view("PK\x05\x06", 4), "an empty ZIP archive"},
      {absl::string_view("%PDF-", 5), "a PDF document"},
      {absl::string_view("\x7f" "ELF", 4), "an ELF program"},
      {absl::string_view("BZh", 3), "bzip2-compressed data"},
      {absl::string_view("\xfd" "7zXZ\x00", 6), "xz-compressed data"},
      {absl::string_view("7z\xbc\xaf\x27\x1c", 6), "a 7-Zip archive"},
      {absl::string_view("\x28\xb5\x2f\xfd", 4), "zstd-compressed data"},
  };
  for (const auto& k : kKinds) {
    if (absl::StartsWith(b, k.magic)) return k.kind;
  }
  if (LooksTextual(TrimUnicodeWhitespace(b))) {
    return absl::StrCat("base64 text of ", input.size(), " bytes, longer than any session string");
  }
  bool text = IsValidUtf8(b);
  for (char c : b) text = text && (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\r' || c == '\t');
  if (text) return "text, but not one word of base64 as session strings are";
  return "binary data";
}

}  // namespace

// --- the registry -------------------------------------------------------------------

const std::vector<FormatSpec>& AllFormats() {
  static const std::vector<FormatSpec>* const all = new std::vector<FormatSpec>(std::begin(kSpecs), std::end(kSpecs));
  return *all;
}

const FormatSpec& Spec(Format f) {
  for (const FormatSpec& s : kSpecs) {
    if (s.format == f) return s;
  }
  return kSpecs[0];
}

absl::string_view FormatName(Format f) { return Spec(f).name; }

std::optional<Format> FormatFromName(absl::string_view name) {
  for (const FormatSpec& s : kSpecs) {
    if (name == s.name) return s.format;
  }
  return std::nullopt;
}

bool FormatHolds(Format f, Field field) { return (Spec(f).fields & Bit(field)) != 0; }

absl::string_view FieldName(Field f) {
  switch (f) {
    case Field::kAuthKey:
      return "auth key";
    case Field::kDcAddress:
      return "DC address";
    case Field::kOtherDcs:
      return "other DC entries";
    case Field::kMediaDc:
      return "media DC";
    case Field::kSaltAndOffset:
      return "server salt and time offset";
    case Field::kUserId:
      return "user_id";
    case Field::kIsBot:
      return "is_bot";
    case Field::kTestMode:
      return "test_mode";
    case Field::kApiId:
      return "api_id";
    case Field::kTakeoutId:
      return "takeout_id";
    case Field::kUpdateState:
      return "update state";
    case Field::kChannelPts:
      return "per-channel pts";
    case Field::kPeers:
      return "peer cache";
    case Field::kChannelKinds:
      return "channel kinds";
    case Field::kPeerUsernames:
      return "peer usernames";
    case Field::kPeerPhones:
      return "peer phone numbers";
    case Field::kPeerNames:
      return "peer names";
    case Field::kPeerBotFlags:
      return "peer bot flags";
    case Field::kMinPeers:
      return "min peers";
    case Field::kFutureAuthToken:
      return "future auth token";
  }
  return "unknown";
}

Formats::Formats(std::vector<FormatCodec> codecs, SqliteFileReader sqlite_reader)
    : codecs_(std::move(codecs)), sqlite_reader_(sqlite_reader) {}

const FormatCodec* Formats::Find(Format f) const {
  for (const FormatCodec& c : codecs_) {
    if (c.format == f) return &c;
  }
  return nullptr;
}

bool Formats::CanWrite(Format f) const {
  const FormatCodec* c = Find(f);
  return c != nullptr && c->write != nullptr;
}

absl::StatusOr<ImportedSession> Formats::Read(absl::string_view input, Format format,
                                              const ReadOptions& options) const {
  const FormatCodec* codec = Find(format);
  if (codec == nullptr) {
    if (Spec(format).detection == Detection::kFolder) {
      return absl::InvalidArgumentError(
          absl::StrCat(FormatName(format), " is a folder (GramJS StoreSession files), not a single input"));
    }
    return absl::UnimplementedError(absl::StrCat(FormatName(format),
                                                 " needs the native build (the tgsession CLI or "
                                                 "//session/interop/sqlite)"));
  }
  return StrictCheck(codec->read(input, options), options);
}

absl::StatusOr<ImportedSession> Formats::Detect(absl::string_view input, const ReadOptions& options) const {
  const absl::string_view t = TrimUnicodeWhitespace(input);
  if (t.empty()) {
    return absl::InvalidArgumentError(input.empty() ? "empty input: not a session" : "only white space: not a session");
  }
  if (absl::StartsWith(input, kSqliteMagic)) {
    if (sqlite_reader_ == nullptr) {
      return absl::UnimplementedError(
          "an SQLite session file: reading it needs the native build (the tgsession CLI or "
          "//session/interop/sqlite)");
    }
    return StrictCheck(sqlite_reader_(input, options), options);
  }
  // Text longer than every string format's limit can only be a binary
  // session; checking first keeps a huge input from being scanned as text.
  const size_t max_text = std::max(options.max_chars, StringDecodeLimits().max_chars);
  if (t.size() <= max_text && LooksTextual(t)) return DetectText(t, input, options);
  // Only a plausible header is decoded: ferogram's v1 reading accepts almost
  // any bytes (a JPEG reads as a v1 session without DCs plus trailing
  // bytes), and a file of another kind is better named as such than
  // reported as a session "truncated at byte 41".
  if (CanRead(Format::kFerogramBinary) && PlausiblyFerogramBinary(input)) {
    return Read(input, Format::kFerogramBinary, options);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "not a session in any known format: ", DescribeForeignBytes(input),
      " (tried ferogram-binary, whose first bytes are a version and a small home DC id; the SQLite formats, "
      "which start with \"SQLite format 3\"; and session strings. A ferogram-binary file all the same? "
      "Name it: --from ferogram-binary)"));
}

absl::StatusOr<ImportedSession> Formats::DetectText(absl::string_view text, absl::string_view input,
                                                    const ReadOptions& options) const {
  ReadOptions strict = options;
  strict.mode = DecodeMode::kStrict;
  std::vector<ImportedSession> readings;
  std::vector<std::string> reasons;
  for (const FormatCodec& codec : codecs_) {
    if (Spec(codec.format).detection != Detection::kText) continue;
    absl::StatusOr<ImportedSession> r = codec.read(text, strict);
    if (r.ok() && r->info.anomaly_count == 0) {
      readings.push_back(*std::move(r));
    } else {
      reasons.push_back(absl::StrCat("as ", FormatName(codec.format), ": ",
                                     r.ok() ? "anomalies" : std::string(r.status().message())));
    }
  }
  if (readings.size() == 1) return std::move(readings[0]);
  if (readings.size() > 1) {
    std::vector<std::string> parts, flags;
    for (const ImportedSession& r : readings) {
      parts.push_back(absl::StrCat(FormatName(r.format), " (", DescribeForMessage(r), ")"));
      flags.push_back(absl::StrCat("--from ", FormatName(r.format)));
    }
    return absl::InvalidArgumentError(absl::StrCat("the text is valid in more than one format: ",
                                                   absl::StrJoin(parts, " and "), "; say which it is (",
                                                   absl::StrJoin(flags, " or "), ")"));
  }
  // A ferogram binary session whose bytes all happen to be base64 symbols.
  if (const FormatCodec* binary = Find(Format::kFerogramBinary)) {
    absl::StatusOr<ImportedSession> bin = binary->read(input, options);
    if (bin.ok() && bin->info.trailing_bytes == 0) return bin;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a session string in any known format: ", absl::StrJoin(reasons, "; ")));
}

absl::StatusOr<ExportResult> Formats::Write(const ImportedSession& in, Format to, const WriteOptions& options) const {
  if (!Spec(to).writable) return absl::InvalidArgumentError(absl::StrCat(FormatName(to), " is read-only"));
  const FormatCodec* codec = Find(to);
  if (codec == nullptr || codec->write == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("writing ", FormatName(to), " needs the native build (//session/interop/sqlite)"));
  }
  ExportPlan plan = PlanExport(in, to);
  ExportResult out;
  out.summary = std::move(plan.summary);
  TGS_ASSIGN_OR_RETURN(out.data, codec->write(in, plan.extras, options, &out.summary));
  return out;
}

}  // namespace interop
}  // namespace tgsession
