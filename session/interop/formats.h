// Every session format tgsession reads or writes, in one registry, and the
// one way to read, detect and write them.
//
//   const Formats& formats = PortableFormats();   // SqliteFormats() natively
//   ImportedSession in = *formats.Detect(bytes);  // or Read(bytes, Format::kTelethonString)
//   ExportResult out = *formats.Write(in, Format::kTelethonString);
//   out.data     the new session (a secret: keep it out of logs)
//   out.summary  what the target lacked, dropped and deduced (convert.h)
//
// A format is described once (FormatSpec: name, how it is detected, what it
// can carry, whether it is writable and needs the native build). A build
// provides codecs for the formats it can handle: PortableFormats() (pure C++,
// also WebAssembly) has ferogram's binary and strings and the other
// libraries' session strings; SqliteFormats() (session/interop/sqlite) adds
// the SQLite session files; ReadSessionFile (session/interop/files) reads
// paths and folders. Adding a format: docs/formats.md.
//
// Detection never guesses: every decoder checks its exact layout (alphabet,
// padding, length, framing), anomalies disqualify a reading, and when two
// formats both read a text exactly, kInvalidArgument lists both readings and
// asks for the format to be named. (Telethon and GramJS strings both start
// with '1', and each library silently misreads the other's strings.) Input
// that is no session is named as what it is ("a PNG image").
#ifndef TGSESSION_SESSION_INTEROP_FORMATS_H_
#define TGSESSION_SESSION_INTEROP_FORMATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/binary_codec.h"
#include "session/interop/extras.h"
#include "session/interop/read_options.h"
#include "session/secret.h"
#include "session/session.h"

namespace tgsession {
namespace interop {

enum class Format {
  kFerogramBinary,
  kFerogramNative,
  kFerogramCompact,
  kFerogramSqlite,
  kTelethonString,
  kTelethonSqlite,
  kPyrogramString,
  kPyrogramSqlite,
  kGramjsString,
  kGramjsStore,  // GramJS StoreSession (localStorage keys); read only
  kMtcuteString,
};

// The kinds of data a format can hold, for the conversion summary.
enum class Field {
  kAuthKey,
  kDcAddress,       // address and port of the home DC
  kOtherDcs,        // DC entries besides the home DC's main (and media) address
  kMediaDc,         // a separate media address of the home DC
  kSaltAndOffset,   // server salt and time offset per DC
  kUserId,
  kIsBot,
  kTestMode,
  kApiId,
  kTakeoutId,
  kUpdateState,     // pts, qts, date, seq
  kChannelPts,
  kPeers,           // cached access hashes
  kChannelKinds,    // broadcast / megagroup / gigagroup
  kPeerUsernames,
  kPeerPhones,
  kPeerNames,
  kPeerBotFlags,
  kMinPeers,
  kFutureAuthToken,
};
inline constexpr int kFieldCount = static_cast<int>(Field::kFutureAuthToken) + 1;

// How detection recognises a format when none is named.
enum class Detection {
  kText,    // a session string: read strictly from text of base64 symbols
  kBinary,  // ferogram's binary file: a version and a small home DC id first
  kSqlite,  // an SQLite database, told from the other SQLite formats by its tables
  kFolder,  // a folder of files: read from a path only (ReadSessionFile)
};

// What a format is, the same in every build.
struct FormatSpec {
  Format format;
  absl::string_view name;         // "telethon-string"
  absl::string_view description;  // "Telethon StringSession"
  Detection detection;
  bool native_only;  // not in PortableFormats(): SQLite files (in WebAssembly: the optional SQLite module) and folders
  bool writable;
  uint32_t fields;  // bit (1 << Field) for each field it can carry
};

// Every format, in the order of Format.
const std::vector<FormatSpec>& AllFormats();
const FormatSpec& Spec(Format f);
absl::string_view FormatName(Format f);  // Spec(f).name
std::optional<Format> FormatFromName(absl::string_view name);
bool FormatHolds(Format f, Field field);
absl::string_view FieldName(Field f);  // "user_id", "update state", ...

// A session as read from any format.
struct ImportedSession {
  Format format = Format::kFerogramBinary;
  Session session;
  SessionExtras extras;
  // Version and layout ("v8", "IPv6", "schema 7"), anomalies read
  // leniently, deduced values, zero keys.
  DecodeInfo info;
  // Data the source holds that neither Session nor SessionExtras carries
  // (Telethon's sent_files, entity dates...); every export drops it.
  std::vector<std::string> not_carried;
};

struct ConversionSummary {
  // "<field>: missing in <source>, <what was written instead>"
  std::vector<std::string> missing;
  // What the source held that the target cannot store, with counts.
  std::vector<std::string> dropped;
  std::vector<std::string> warnings;
};

struct WriteOptions {
  // ferogram-binary / ferogram-native: which binary version to write.
  EncodeOptions binary;
  // ferogram-compact: 2, or 1 (only for a session read from a V1 string).
  int compact_version = 2;
  // Unix time for the files that store one (Telethon's entities.date,
  // Pyrogram's sessions.date); 0 means now.
  int64_t now_unix = 0;
};

struct ExportResult {
  SecretString data;  // the session: text for string formats, file bytes otherwise
  ConversionSummary summary;
};

// How a build reads and writes one format.
struct FormatCodec {
  Format format;
  // Reads `input` as this format (options.mode applies).
  absl::StatusOr<ImportedSession> (*read)(absl::string_view input, const ReadOptions& options);
  // Encodes `in` with `extras` (the source's, completed by PlanExport);
  // adds what it notices to `summary`. nullptr for read-only formats.
  absl::StatusOr<SecretString> (*write)(const ImportedSession& in, const SessionExtras& extras,
                                        const WriteOptions& options, ConversionSummary* summary);
};

// Reads an SQLite database holding a session in any SQLite format, deciding
// which by its tables.
using SqliteFileReader = absl::StatusOr<ImportedSession> (*)(absl::string_view bytes, const ReadOptions& options);

// A set of codecs and the one reading, detection and writing logic.
class Formats {
 public:
  explicit Formats(std::vector<FormatCodec> codecs, SqliteFileReader sqlite_reader = nullptr);

  bool CanRead(Format f) const { return Find(f) != nullptr; }
  bool CanWrite(Format f) const;
  // The codecs, in the order detection tries the string formats.
  const std::vector<FormatCodec>& codecs() const { return codecs_; }

  // Reads `input` as `format`. kUnimplemented for a format this build has
  // no codec for (the SQLite ones outside SqliteFormats()).
  absl::StatusOr<ImportedSession> Read(absl::string_view input, Format format, const ReadOptions& options = {}) const;

  // Recognises the format of `input` among those this build reads. Text is
  // decoded strictly in every string format; exactly one reading must fit,
  // otherwise kInvalidArgument lists the readings (or each format's reason
  // for rejecting the text). Binary input is a ferogram binary session
  // (options.mode applies) or an SQLite file (by its first bytes).
  absl::StatusOr<ImportedSession> Detect(absl::string_view input, const ReadOptions& options = {}) const;

  // Encodes `in` as `to`, with the conversion summary: kInvalidArgument for
  // read-only formats, kUnimplemented for formats this build cannot write,
  // kFailedPrecondition when the session lacks what the target cannot do
  // without.
  absl::StatusOr<ExportResult> Write(const ImportedSession& in, Format to, const WriteOptions& options = {}) const;

 private:
  const FormatCodec* Find(Format f) const;
  absl::StatusOr<ImportedSession> DetectText(absl::string_view text, absl::string_view input,
                                             const ReadOptions& options) const;

  std::vector<FormatCodec> codecs_;
  SqliteFileReader sqlite_reader_;
};

// ferogram's binary, native and compact strings, and Telethon's, GramJS's,
// Pyrogram's and mtcute's session strings.
const Formats& PortableFormats();
// ferogram's own formats only (binary, native and compact strings), for
// programs (small WebAssembly modules) that need nothing else.
const Formats& FerogramFormats();

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_FORMATS_H_
