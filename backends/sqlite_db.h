// A small RAII layer over the SQLite C API, with absl::Status errors.
//
// It exists so SQLite code in this library (the ferogram-compatible
// SqliteBackend, and readers of Telethon / Pyrogram `.session` files) shares
// one careful implementation of the parts that are easy to get wrong:
//
//   * Db         owns a connection. Open() creates a new file itself with an
//                exact mode (0600 by default, whatever the umask) before
//                SQLite opens it, sets a busy timeout, extended result codes,
//                a cap on value sizes, and "defensive" settings for files that
//                may come from elsewhere; it fails early, with kDataLoss, on a
//                file that is not a database.
//   * Statement  owns a prepared statement: Bind*() (first error sticks and is
//                reported by the next Step/Run), Step(), typed Column*()
//                accessors that never convert silently, Reset(). Run() always
//                leaves the statement reset, so a cached statement never
//                keeps a read or write lock open by accident.
//   * Transaction  a guard that always ends with COMMIT or ROLLBACK: Commit()
//                rolls back when COMMIT itself fails, the destructor rolls
//                back a transaction that was not committed, and a ROLLBACK
//                that fails because statements are still running resets them
//                and retries. After any failure the connection is back in
//                autocommit mode and ready for the next transaction.
//
// Errors map SQLite result codes to the most specific absl code (see
// StatusCodeForSqlite) and carry SQLite's message, the symbolic result code
// and the caller's context. SQLite never puts bound values in its messages,
// and neither does this layer, so secrets bound as parameters (auth keys)
// cannot leak through an error.
//
// Thread safety: a Db and its Statements are not synchronized by this layer;
// use one Db per thread, or guard it (and every Statement prepared on it)
// with one mutex. Statements and Transactions must not outlive their Db.
#ifndef TGSESSION_BACKENDS_SQLITE_DB_H_
#define TGSESSION_BACKENDS_SQLITE_DB_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tgsession {
namespace sqlite {

// The absl code for a SQLite result code (primary or extended):
//   SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL, SQLITE_IOERR  kUnavailable
//   SQLITE_FULL, SQLITE_NOMEM, SQLITE_TOOBIG                   kResourceExhausted
//   SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT               kDataLoss
//   SQLITE_CANTOPEN        the code for `sys_errno` (StatusCodeForErrno in
//                          file_system.h), kNotFound without one
//   SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH                  kPermissionDenied
//   SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY / _ROWID            kAlreadyExists
//   other SQLITE_CONSTRAINT_* (CHECK, NOT NULL, trigger RAISE) kFailedPrecondition
//   SQLITE_MISMATCH                                            kInvalidArgument
//   SQLITE_INTERRUPT                                           kCancelled
//   SQLITE_ABORT, SQLITE_SCHEMA                                kAborted
//   SQLITE_ERROR, SQLITE_MISUSE, SQLITE_RANGE, others          kInternal
absl::StatusCode StatusCodeForSqlite(int rc, int sys_errno = 0);

// "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_BUSY", or "SQLITE error 1234".
std::string SqliteCodeName(int rc);

// A non-OK status for result code `rc`: "<context>: <message> (<code name>)".
// `message` is SQLite's text (sqlite3_errmsg or sqlite3_errstr).
absl::Status SqliteStatus(int rc, absl::string_view message, absl::string_view context, int sys_errno = 0);

// Storage class of a value as SQLite holds it (sqlite3_column_type).
enum class ValueType { kInteger, kFloat, kText, kBlob, kNull };
absl::string_view ValueTypeName(ValueType t);  // "integer", "real", "text", "blob", "null"

class Db;

// A prepared statement. Move-only; finalized on destruction.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  bool valid() const { return stmt_ != nullptr; }

  // Binding, 1-based like SQLite. The first failure is kept and returned by
  // the next Step() or Run(), so a run of binds needs one check.
  Statement& BindInt(int index, int64_t value);
  // Text is bound as the exact bytes given (embedded NULs and invalid UTF-8
  // included); SQLite copies them.
  Statement& BindText(int index, absl::string_view value);
  // A zero-length blob is bound as an empty blob, never as NULL.
  Statement& BindBlob(int index, absl::Span<const uint8_t> value);
  Statement& BindBlob(int index, absl::string_view value);
  Statement& BindNull(int index);

  // Advances to the next row: true when a row is available, false when the
  // statement has finished (it is then reset, bindings kept). On error the
  // statement is reset and the error returned.
  [[nodiscard]] absl::StatusOr<bool> Step();
  // Steps to completion, ignoring any rows, and resets the statement
  // (bindings are cleared) whether it succeeded or not.
  [[nodiscard]] absl::Status Run();
  // Resets the statement and clears its bindings and any sticky bind error.
  void Reset();

  // Column access for the current row, 0-based. Column*() read the value
  // without SQLite's implicit conversions when the type matches; callers
  // check ColumnType() first (a text column read as a blob returns the text
  // bytes, an integer read as text is converted by SQLite).
  int ColumnCount() const;
  ValueType ColumnType(int col) const;
  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  // Views into SQLite's buffer: valid until the next Step/Reset or the next
  // Column*() call on the same column with another type.
  absl::string_view ColumnText(int col) const;
  absl::string_view ColumnBlob(int col) const;
  // Size in bytes of a text or blob value.
  size_t ColumnBytes(int col) const;
  absl::string_view ColumnName(int col) const;

  // The SQL text (for error context); never contains bound values.
  absl::string_view sql() const;

 private:
  friend class Db;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  absl::Status StepError(int rc);
  void NoteBindResult(int rc, int index);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // first failed bind's result code
  int bind_index_ = 0;
};

struct OpenOptions {
  enum class Mode {
    kReadOnly,         // never writes; the file must exist
    kReadWrite,        // the file must exist
    kReadWriteCreate,  // creates the file (with `create_mode`) if missing
  };
  Mode mode = Mode::kReadWriteCreate;
  // Permissions of a file created by Open(), applied exactly (umask is not
  // consulted): SQLite creates the -wal, -shm and -journal files with the
  // database file's permissions, so they follow. Session files hold auth
  // keys, hence owner-only.
  mode_t create_mode = 0600;
  // How long a statement waits for another connection's lock before failing
  // with SQLITE_BUSY (kUnavailable). 0 fails at once.
  int busy_timeout_ms = 5000;
  // Largest text or blob SQLite will create or read (SQLITE_LIMIT_LENGTH).
  // Reading a stored value above it fails with SQLITE_TOOBIG instead of
  // allocating it: files may come from elsewhere.
  int max_value_bytes = 64 << 20;
  // Hardening for files we did not write: SQLITE_DBCONFIG_DEFENSIVE (no
  // writable_schema tricks) and trusted_schema=OFF (triggers and views in the
  // file cannot call functions with side effects).
  bool defensive = true;
  // The name of a registered SQLite VFS to open the file through (e.g. an
  // in-memory one); empty for the default, the operating system's files.
  // With a VFS, the VFS creates the file (create_mode does not apply).
  std::string vfs;
};

// A connection. Move-only; closed on destruction.
class Db {
 public:
  // Opens `path`. Fails with kNotFound (missing file or directory),
  // kPermissionDenied, kDataLoss (not a database / corrupted header) or the
  // mapped SQLite error.
  static absl::StatusOr<Db> Open(const std::string& path, const OpenOptions& options = {});
  // A private in-memory database.
  static absl::StatusOr<Db> OpenInMemory(const OpenOptions& options = {});

  Db() = default;
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  bool valid() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }  // "" for in-memory
  // Whether Open() created the file.
  bool created() const { return created_; }

  // Runs one or more SQL statements that return no rows (DDL, PRAGMA
  // assignments, BEGIN/COMMIT). `context` prefixes the error message.
  [[nodiscard]] absl::Status Exec(absl::string_view sql, absl::string_view context = "");
  // Prepares one statement. `persistent` hints that it will be reused many
  // times (SQLITE_PREPARE_PERSISTENT).
  [[nodiscard]] absl::StatusOr<Statement> Prepare(absl::string_view sql, bool persistent = false);

  // Runs a query expected to return one row and one column, e.g.
  // "PRAGMA journal_mode", and returns the value as text / integer.
  [[nodiscard]] absl::StatusOr<std::string> QueryText(absl::string_view sql);
  [[nodiscard]] absl::StatusOr<int64_t> QueryInt(absl::string_view sql);

  // True when a table (or view) with this name exists in the main schema.
  [[nodiscard]] absl::StatusOr<bool> HasTable(absl::string_view table);
  // Column names of a table, in order (PRAGMA table_info); empty when the
  // table does not exist.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> TableColumns(absl::string_view table);
  // Names of the tables in the main schema (sqlite_ tables excepted), sorted.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> TableNames();

  // False in autocommit mode, true while a transaction is open.
  bool InTransaction() const;
  // Whether SQLite opened the main database read-only (a read-only mode, or
  // a write-protected file).
  bool ReadOnly() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;

  // A status for `rc` using this connection's last error message and errno.
  absl::Status Error(int rc, absl::string_view context) const;

  // Resets every statement prepared on this connection that is still
  // running. Used by Transaction before retrying a failed ROLLBACK.
  void ResetAllStatements();

  // Closes the connection now and reports a failure (Db is then invalid).
  absl::Status Close();

  sqlite3* handle() const { return db_; }

 private:
  static absl::StatusOr<Db> OpenImpl(const std::string& path, bool in_memory, const OpenOptions& options);

  sqlite3* db_ = nullptr;
  std::string path_;
  bool created_ = false;
};

// A transaction guard; see the file comment. Move-only.
class Transaction {
 public:
  enum class Kind {
    kDeferred,   // BEGIN: a read snapshot, upgraded to a write lock on first write
    kImmediate,  // BEGIN IMMEDIATE: takes the write lock now (fails fast with
                 // SQLITE_BUSY rather than deadlocking two upgrading readers)
    kExclusive,  // BEGIN EXCLUSIVE
  };

  // Begins a transaction. Fails with kFailedPrecondition when one is already
  // open on `db` (SQLite has no nested BEGIN; use savepoints).
  [[nodiscard]] static absl::StatusOr<Transaction> Begin(Db& db, Kind kind);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless Commit() or Rollback() was called.
  ~Transaction();

  // Commits. On failure the transaction is rolled back (if SQLite has not
  // already done so) and the COMMIT error is returned.
  [[nodiscard]] absl::Status Commit();
  // Rolls back now. Returns an error only if the connection is still in a
  // transaction afterwards (which should not happen).
  absl::Status Rollback();

  bool active() const { return db_ != nullptr; }

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;  // null once finished
};

}  // namespace sqlite
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_SQLITE_DB_H_
