// SQLite databases as byte strings: open a database file image held in
// memory, and serialize an in-memory database to the bytes of a file.
//
// The interop readers and writers (telethon_sqlite.h, pyrogram_sqlite.h)
// work on images so that reading never touches, locks or migrates the
// user's file (or its journal), standard input works like a file, and a
// written file reaches the disk only through WriteFileAtomically (mode 0600,
// fsync, rename). Images stay in memory (SQLite's memdb): auth keys are not
// spilled to temporary files.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_IMAGE_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_IMAGE_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/sqlite_db.h"
#include "session/secret.h"

namespace tgsession {
namespace sqlite {

// "SQLite format 3\0", the first 16 bytes of every database file.
inline constexpr absl::string_view kSqliteMagic("SQLite format 3\0", 16);

inline bool LooksLikeSqlite(absl::string_view bytes) { return bytes.substr(0, kSqliteMagic.size()) == kSqliteMagic; }

// Opens a read-only in-memory database holding a copy of `image`, the bytes
// of a database file. A WAL-mode header is read as a rollback-journal one
// (an image has no WAL file; callers check for a -wal file beside the
// original). Fails with kDataLoss for bytes that are not a database, and
// kResourceExhausted above `max_bytes`.
absl::StatusOr<Db> OpenImage(absl::string_view image, size_t max_bytes = 256u << 20);

// The bytes of the main database of `db` (an in-memory database built by a
// writer), as a file holding them would contain.
absl::StatusOr<SecretString> SerializeImage(Db& db);

}  // namespace sqlite
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_IMAGE_H_
