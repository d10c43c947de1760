// Pyrogram's SQLite session file (pyrogram/storage/sqlite_storage.py and
// file_storage.py), schema version 2 (Pyrogram 1.x) and 3 (Pyrogram 2.x):
//
//   sessions (dc_id INTEGER PRIMARY KEY, api_id INTEGER [v3], test_mode
//             INTEGER, auth_key BLOB, date INTEGER NOT NULL, user_id INTEGER,
//             is_bot INTEGER)                                   one row
//   peers (id INTEGER PRIMARY KEY, access_hash INTEGER, type INTEGER NOT
//          NULL, username TEXT, phone_number TEXT, last_update_on INTEGER
//          NOT NULL DEFAULT now)                                marked ids
//   version (number INTEGER PRIMARY KEY)                        2 or 3
//   indexes on peers (id, username, phone_number) and a trigger that sets
//   last_update_on on UPDATE.
//
// Two traps, both handled:
//   * Pyrogram 2 upgrades a v2 file with ALTER TABLE sessions ADD api_id, so
//     api_id is the last column there and the second in a fresh v3 file:
//     columns are read by name, never by position.
//   * peers.type is declared INTEGER but holds TEXT: 'user', 'bot', 'group',
//     'channel', 'supergroup'. 'bot' becomes a user with PeerExtras::is_bot;
//     'channel' / 'supergroup' become channels of kind Broadcast / Megagroup.
// Pyrogram stores no DC address (it uses its built-in table, known_dcs.h),
// no update state and no peer names.
//
// Writing creates schema version 3 exactly as Pyrogram 2.0.106 does (same
// SQL text), the version row, the sessions row and the peers.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_PYROGRAM_SQLITE_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_PYROGRAM_SQLITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/sqlite_db.h"
#include "session/interop/formats.h"
#include "session/secret.h"

namespace tgsession {
namespace interop {

inline constexpr int kPyrogramSchemaVersion = 3;

absl::StatusOr<ImportedSession> ImportPyrogramSqlite(absl::string_view file_bytes);

// Needs extras.user_id (Pyrogram treats a session without one as logged
// out): kFailedPrecondition otherwise. `now_unix` fills sessions.date.
absl::StatusOr<SecretString> ExportPyrogramSqlite(const Session& session, const SessionExtras& extras,
                                                  int64_t now_unix, std::vector<std::string>* dropped);

namespace sqlite_internal {
absl::StatusOr<ImportedSession> ImportPyrogramSqliteDb(sqlite::Db& db);
}  // namespace sqlite_internal

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_PYROGRAM_SQLITE_H_
