// Every session format tgsession converts, natively: the pure string
// formats of session/interop plus the SQLite files (telethon-sqlite,
// pyrogram-sqlite, and ferogram-sqlite through SqliteBackend) and GramJS
// StoreSession folders. This is what the `tgsession` CLI uses; programs that
// only handle strings (or run in WebAssembly) use session/interop/convert.h.
//
// Reading never modifies the user's files: SQLite files are read from
// their bytes (sqlite_image.h). A file with a non-empty "-wal" or a
// "-journal" beside it is refused (kFailedPrecondition): its last writes are
// not in the main file, and reading only that would silently lose them.
#ifndef TGSESSION_BACKENDS_SESSION_FILES_H_
#define TGSESSION_BACKENDS_SESSION_FILES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/convert.h"

namespace tgsession {
namespace interop {

// Largest session file read: the most any decoder accepts (the binary
// decoder's DecodeLimits::max_input_bytes, SQLite images' bound, 256 MiB),
// so anything larger is refused by its size, before it is read.
inline constexpr size_t kMaxSessionFileBytes = DecodeLimits{}.max_input_bytes;

// Reads `bytes` (a file's contents, or text from stdin or an argument) as
// `format`, or detects the format when it is nullopt: an SQLite file is
// classified by its tables, anything else goes to DetectAndImport.
// `path` (may be empty) is used for messages and the journal check.
absl::StatusOr<ImportedSession> ImportSessionBytes(absl::string_view bytes, std::optional<Format> format,
                                                   const InteropDecodeOptions& options = {},
                                                   const std::string& path = "");

// Reads a file, or a folder (a GramJS StoreSession written by
// node-localstorage), as `format` or detected.
absl::StatusOr<ImportedSession> ImportSessionPath(const std::string& path, std::optional<Format> format,
                                                  const InteropDecodeOptions& options = {});

// Encodes in any writable format (the SQLite ones included). The caller
// writes the bytes (WriteFileAtomically: mode 0600).
absl::StatusOr<ExportResult> ExportSession(const ImportedSession& in, Format to, const ExportOptions& options = {});

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_SESSION_FILES_H_
