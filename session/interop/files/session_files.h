// Sessions read from paths, natively: files of any format SqliteFormats()
// reads, GramJS StoreSession folders, and BinaryFileBackend files as the
// backend reads them (a journal of changes beside the file is applied, an
// encrypted file is decrypted). This is how the `tgsession` CLI reads a file.
//
// Reading never modifies the user's files: SQLite files are read from their
// bytes. A file with a non-empty "-wal" or a "-journal" beside it is refused
// (kFailedPrecondition): its last writes are not in the main file, and
// reading only that would silently lose them.
#ifndef TGSESSION_SESSION_INTEROP_FILES_SESSION_FILES_H_
#define TGSESSION_SESSION_INTEROP_FILES_SESSION_FILES_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
#include "session/secret.h"

namespace tgsession {
namespace interop {

// Largest session file read: the most any decoder accepts (the binary
// decoder's DecodeLimits::max_input_bytes, SQLite images' bound, 256 MiB),
// so anything larger is refused by its size, before it is read.
inline constexpr size_t kMaxSessionFileBytes = DecodeLimits{}.max_input_bytes;

// The passphrase of a file encrypted at rest, asked for only when one is
// read; its error is returned as is.
using PassphraseSource = std::function<absl::StatusOr<SecretString>()>;

// Reads the file or folder at `path` as `format`, or detects the format
// when it is nullopt (Formats::Detect, or a folder: gramjs-store).
absl::StatusOr<ImportedSession> ReadSessionFile(const std::string& path, std::optional<Format> format,
                                                const ReadOptions& options = {},
                                                const PassphraseSource& passphrase = nullptr);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_FILES_SESSION_FILES_H_
