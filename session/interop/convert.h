// Converting sessions between tgsession's model and the formats of other
// Telegram libraries, with an honest account of what each conversion keeps.
//
//   ImportedSession in = *DetectAndImport(text);          // or Import(text, format)
//   ExportResult out = *Export(in, Format::kTelethonString);
//   out.data       the new session (a secret: keep it out of logs)
//   out.summary    what the target needed but the source lacked ("missing"),
//                  what the source held that the target cannot store
//                  ("dropped"), and everything else worth knowing
//                  ("warnings": deduced values, ports GramJS misreads...)
//
// Nothing is invented: a value the target needs and nobody knows is either
// reported as missing with what was written instead (when a neutral value
// exists, e.g. an empty update state) or makes the export fail with
// kFailedPrecondition (Pyrogram needs the account's user id; pass it through
// SessionExtras). Values deduced from the data (a Pyrogram DC address from
// Pyrogram's own table, test mode from a Telegram test-DC address) are
// always reported as warnings.
//
// This library is pure (no file or SQLite calls) so it builds for
// WebAssembly. The SQLite formats (telethon-sqlite, pyrogram-sqlite,
// ferogram-sqlite) and GramJS StoreSession folders are read and written by
// the native //backends:session_files, which wraps these functions.
//
// Detection never guesses: every decoder checks its exact layout (alphabet,
// padding, length, framing), anomalies disqualify a reading, and when two
// formats both read a text exactly, kInvalidArgument lists both readings and
// asks for the format to be named. (Telethon and GramJS strings both start
// with '1', and each library silently misreads the other's strings.)
#ifndef TGSESSION_SESSION_INTEROP_CONVERT_H_
#define TGSESSION_SESSION_INTEROP_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/binary_codec.h"
#include "session/interop/common.h"
#include "session/interop/extras.h"
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

// "ferogram-binary", "telethon-string", ..., "gramjs-store".
absl::string_view FormatName(Format f);
std::optional<Format> FormatFromName(absl::string_view name);
// Every format, in the order above.
const std::vector<Format>& AllFormats();
// Session strings (printed with a trailing newline; secrets on stdout).
bool IsStringFormat(Format f);
// SQLite files and StoreSession folders: only the native backends handle them.
bool NeedsNativeBackend(Format f);
// False for read-only formats (gramjs-store).
bool IsWritable(Format f);

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

absl::string_view FieldName(Field f);  // "user_id", "update state", ...
// Whether format `f` can store field `field`.
bool FormatHolds(Format f, Field field);

struct ImportedSession {
  Format format = Format::kFerogramBinary;
  Session session;
  SessionExtras extras;
  // Layout (e.g. "IPv6", "v8", "schema 7") and warnings: anomalies read
  // leniently, deduced values, zero keys.
  InteropDecodeInfo info;
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

struct ExportOptions {
  // ferogram-binary / ferogram-native: which binary version to write.
  EncodeOptions binary;
  // Pyrogram's sessions.date (Unix time); Pyrogram writes the current time.
  int64_t now_unix = 0;
};

struct ExportResult {
  SecretString data;  // the session: text for string formats, file bytes otherwise
  ConversionSummary summary;
};

// Decodes `input` as `format`, leniently (options.mode) with anomalies in
// info.warnings. kUnimplemented for formats that need the native backends.
absl::StatusOr<ImportedSession> Import(absl::string_view input, Format format,
                                       const InteropDecodeOptions& options = {});

// Recognises any format this library reads (SQLite files excepted: see
// above). Text is decoded strictly in every string format; exactly one
// reading must fit, otherwise kInvalidArgument lists the readings (or each
// format's reason for rejecting the text). Binary input is a ferogram binary
// session (options.mode applies).
absl::StatusOr<ImportedSession> DetectAndImport(absl::string_view input, const InteropDecodeOptions& options = {});

// What exporting `in` as `to` will keep, lose and lack, and the extras to
// export with (test mode deduced from a test-DC address when the source does
// not say, with a warning).
struct ExportPlan {
  SessionExtras extras;
  ConversionSummary summary;
};
ExportPlan PlanExport(const ImportedSession& in, Format to);

// Encodes `in` as `to` (string and ferogram formats; kUnimplemented for the
// native ones, kInvalidArgument for read-only ones, kFailedPrecondition when
// the session lacks what the target cannot do without).
absl::StatusOr<ExportResult> Export(const ImportedSession& in, Format to, const ExportOptions& options = {});

// A one-line description of a session for messages (no secrets):
// "DC 2 149.154.167.51:443, key, user 123456789".
std::string DescribeForMessage(const ImportedSession& s);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_CONVERT_H_
