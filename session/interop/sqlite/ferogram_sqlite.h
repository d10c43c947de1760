// ferogram's SQLite database (SqliteBackend's schema) as bytes: read and
// written by SqliteBackend itself, on a private in-memory VFS (memory_vfs.h),
// so a conversion never puts the session, auth keys included, in a file.
// The bytes written are those SqliteBackend leaves in a real file after
// Save and close (WAL checkpointed and removed), byte for byte.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_FEROGRAM_SQLITE_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_FEROGRAM_SQLITE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/formats.h"
#include "session/secret.h"
#include "session/session.h"

namespace tgsession {
namespace interop {

// Reads a ferogram SQLite database (legacy schemas are migrated in memory,
// as SqliteBackend::Open migrates a file). kNotFound when it holds no
// session.
absl::StatusOr<ImportedSession> ImportFerogramSqlite(absl::string_view file_bytes);

// The database file SqliteBackend writes for `session`.
absl::StatusOr<SecretString> ExportFerogramSqlite(const Session& session);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_FEROGRAM_SQLITE_H_
