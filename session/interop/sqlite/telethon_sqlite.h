// Telethon 1.x's SQLite session file (telethon/sessions/sqlite.py, schema
// version 7, as written by Telethon 1.25.1):
//
//   version (version integer primary key)                 one row: 7
//   sessions (dc_id integer primary key, server_address text, port integer,
//             auth_key blob, takeout_id integer)          one row
//   entities (id integer primary key, hash integer not null, username text,
//             phone integer, name text, date integer)     marked peer ids
//   sent_files (md5_digest blob, file_size integer, type integer, id integer,
//               hash integer, primary key(md5_digest, file_size, type))
//   update_state (id integer primary key, pts integer, qts integer,
//                 date integer, seq integer)               id 0 = global,
//                                                          else a channel id
//
// Reading goes by column name (older schema versions lack some columns).
// Types are checked: phone may be INTEGER (the column's affinity turns digit
// strings into numbers) or TEXT, update_state.date may be REAL (Telethon
// stores datetime.timestamp()); anything else is kDataLoss naming the table,
// row and column. An entity row with id 0 holds the logged-in user's id in
// `hash` (what Telethon 1.28+ writes); we read it as SessionExtras::user_id
// and write it when the user id is known. sent_files (Telethon's cache of
// uploaded files) and entity dates have no place in our model and are
// reported as not carried.
//
// Writing creates exactly the tables Telethon 1.25.1 creates (same SQL text,
// so sqlite_master matches), the version row 7, one sessions row for the home
// DC (server_address without brackets, port, key, takeout_id), the entities
// and update_state rows. Telethon opens such a file without migrating it.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_TELETHON_SQLITE_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_TELETHON_SQLITE_H_

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

inline constexpr int kTelethonSchemaVersion = 7;

// Reads the bytes of a Telethon .session file.
absl::StatusOr<ImportedSession> ImportTelethonSqlite(absl::string_view file_bytes);

// Writes a Telethon .session file: the home DC's entry with a key (IPv4
// preferred), the peer cache and update state. `now_unix` fills
// entities.date as Telethon does (0: NULL).
absl::StatusOr<SecretString> ExportTelethonSqlite(const Session& session, const SessionExtras& extras,
                                                  int64_t now_unix, std::vector<std::string>* dropped);

namespace sqlite_internal {
// The same, on a database already open (sqlite_formats.cc classifies files).
absl::StatusOr<ImportedSession> ImportTelethonSqliteDb(sqlite::Db& db);
}  // namespace sqlite_internal

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_TELETHON_SQLITE_H_
