#include "backends/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/file_system.h"
#include "backends/sql_text.h"

namespace tgsession {
namespace sqlite {

// UPSERT (3.24) and table-valued pragma functions (3.16) are used by callers
// and by TableColumns(); SQLITE_OPEN_EXRESCODE needs 3.37.
static_assert(SQLITE_VERSION_NUMBER >= 3037000, "SQLite 3.37 or newer is required");

namespace {

constexpr int kRollbackAttempts = 2;

struct CodeName {
  int code;
  const char* name;
};

#define TGS_SQLITE_CODE(x) \
  { SQLITE_##x, "SQLITE_" #x }

// Every primary code and the extended codes a caller is likely to see.
constexpr CodeName kCodeNames[] = {
    TGS_SQLITE_CODE(OK),
    TGS_SQLITE_CODE(ERROR),
    TGS_SQLITE_CODE(INTERNAL),
    TGS_SQLITE_CODE(PERM),
    TGS_SQLITE_CODE(ABORT),
    TGS_SQLITE_CODE(BUSY),
    TGS_SQLITE_CODE(LOCKED),
    TGS_SQLITE_CODE(NOMEM),
    TGS_SQLITE_CODE(READONLY),
    TGS_SQLITE_CODE(INTERRUPT),
    TGS_SQLITE_CODE(IOERR),
    TGS_SQLITE_CODE(CORRUPT),
    TGS_SQLITE_CODE(NOTFOUND),
    TGS_SQLITE_CODE(FULL),
    TGS_SQLITE_CODE(CANTOPEN),
    TGS_SQLITE_CODE(PROTOCOL),
    TGS_SQLITE_CODE(EMPTY),
    TGS_SQLITE_CODE(SCHEMA),
    TGS_SQLITE_CODE(TOOBIG),
    TGS_SQLITE_CODE(CONSTRAINT),
    TGS_SQLITE_CODE(MISMATCH),
    TGS_SQLITE_CODE(MISUSE),
    TGS_SQLITE_CODE(NOLFS),
    TGS_SQLITE_CODE(AUTH),
    TGS_SQLITE_CODE(FORMAT),
    TGS_SQLITE_CODE(RANGE),
    TGS_SQLITE_CODE(NOTADB),
    TGS_SQLITE_CODE(NOTICE),
    TGS_SQLITE_CODE(WARNING),
    TGS_SQLITE_CODE(ROW),
    TGS_SQLITE_CODE(DONE),
    TGS_SQLITE_CODE(ABORT_ROLLBACK),
    TGS_SQLITE_CODE(BUSY_RECOVERY),
    TGS_SQLITE_CODE(BUSY_SNAPSHOT),
    TGS_SQLITE_CODE(BUSY_TIMEOUT),
    TGS_SQLITE_CODE(CANTOPEN_ISDIR),
    TGS_SQLITE_CODE(CANTOPEN_FULLPATH),
    TGS_SQLITE_CODE(CANTOPEN_SYMLINK),
    TGS_SQLITE_CODE(CONSTRAINT_CHECK),
    TGS_SQLITE_CODE(CONSTRAINT_FOREIGNKEY),
    TGS_SQLITE_CODE(CONSTRAINT_NOTNULL),
    TGS_SQLITE_CODE(CONSTRAINT_PRIMARYKEY),
    TGS_SQLITE_CODE(CONSTRAINT_TRIGGER),
    TGS_SQLITE_CODE(CONSTRAINT_UNIQUE),
    TGS_SQLITE_CODE(CONSTRAINT_ROWID),
    TGS_SQLITE_CODE(CONSTRAINT_DATATYPE),
    TGS_SQLITE_CODE(CORRUPT_INDEX),
    TGS_SQLITE_CODE(CORRUPT_SEQUENCE),
    TGS_SQLITE_CODE(IOERR_READ),
    TGS_SQLITE_CODE(IOERR_SHORT_READ),
    TGS_SQLITE_CODE(IOERR_WRITE),
    TGS_SQLITE_CODE(IOERR_FSYNC),
    TGS_SQLITE_CODE(IOERR_DIR_FSYNC),
    TGS_SQLITE_CODE(IOERR_TRUNCATE),
    TGS_SQLITE_CODE(IOERR_FSTAT),
    TGS_SQLITE_CODE(IOERR_LOCK),
    TGS_SQLITE_CODE(IOERR_NOMEM),
    TGS_SQLITE_CODE(IOERR_SHMOPEN),
    TGS_SQLITE_CODE(IOERR_SHMMAP),
    TGS_SQLITE_CODE(LOCKED_SHAREDCACHE),
    TGS_SQLITE_CODE(READONLY_RECOVERY),
    TGS_SQLITE_CODE(READONLY_CANTLOCK),
    TGS_SQLITE_CODE(READONLY_ROLLBACK),
    TGS_SQLITE_CODE(READONLY_DBMOVED),
    TGS_SQLITE_CODE(READONLY_DIRECTORY),
};

#undef TGS_SQLITE_CODE

// Ends the open transaction on `db`, if any, with ROLLBACK. A ROLLBACK that
// fails because statements are still running is retried after resetting
// them. OK when the connection is back in autocommit mode.
absl::Status RollbackConnection(Db& db) {
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < kRollbackAttempts && db.InTransaction(); ++attempt) {
    if (attempt > 0) db.ResetAllStatements();
    last = db.Exec("ROLLBACK", "rolling back");
  }
  if (db.InTransaction()) {
    return absl::InternalError(absl::StrCat("transaction still open after ROLLBACK: ", last.message()));
  }
  return absl::OkStatus();
}

// Column 0 of every row `st` returns, as text.
absl::StatusOr<std::vector<std::string>> FirstColumnTexts(Statement& st) {
  std::vector<std::string> out;
  while (true) {
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.emplace_back(st.ColumnText(0));
  }
}

}  // namespace

std::string SqliteCodeName(int rc) {
  for (const CodeName& c : kCodeNames) {
    if (c.code == rc) return c.name;
  }
  for (const CodeName& c : kCodeNames) {
    if (c.code == (rc & 0xff)) return absl::StrCat(c.name, " (extended code ", rc, ")");
  }
  return absl::StrCat("SQLITE error ", rc);
}

absl::StatusCode StatusCodeForSqlite(int rc, int sys_errno) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return absl::StatusCode::kAlreadyExists;
    case SQLITE_IOERR_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CANTOPEN_ISDIR:
      return absl::StatusCode::kFailedPrecondition;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_OK:
      return absl::StatusCode::kOk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
    case SQLITE_IOERR:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CANTOPEN:
      return sys_errno != 0 ? StatusCodeForErrno(sys_errno, FsOp::kOpen) : absl::StatusCode::kNotFound;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_MISMATCH:
      return absl::StatusCode::kInvalidArgument;
    case SQLITE_INTERRUPT:
      return absl::StatusCode::kCancelled;
    case SQLITE_ABORT:
    case SQLITE_SCHEMA:
      return absl::StatusCode::kAborted;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status SqliteStatus(int rc, absl::string_view message, absl::string_view context, int sys_errno) {
  std::string text = absl::StrCat(context, context.empty() ? "" : ": ", message, " (", SqliteCodeName(rc));
  const int primary = rc & 0xff;
  if (sys_errno != 0 && (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL)) {
    absl::StrAppend(&text, ", ", std::strerror(sys_errno));
  }
  text.push_back(')');
  absl::StatusCode code = StatusCodeForSqlite(rc, sys_errno);
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kInternal;  // never an OK "error"
  return absl::Status(code, text);
}

absl::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kInteger:
      return "integer";
    case ValueType::kFloat:
      return "real";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "blob";
    case ValueType::kNull:
      return "null";
  }
  return "unknown";
}

// --- Statement ---------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, 0)),
      bind_index_(std::exchange(other.bind_index_, 0)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = std::exchange(other.bind_rc_, 0);
    bind_index_ = std::exchange(other.bind_index_, 0);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Statement::NoteBindResult(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Statement& Statement::BindInt(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value)), index);
  return *this;
}

Statement& Statement::BindText(int index, absl::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so `value` need not outlive
  // the statement. The explicit length keeps embedded NULs. A null data()
  // (a default string_view) would bind NULL, not empty text.
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBindResult(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::Span<const uint8_t> value) {
  if (value.empty()) {
    // sqlite3_bind_blob with a null pointer binds NULL; an empty blob and
    // NULL mean different things (ferogram: an empty token vs no token).
    NoteBindResult(sqlite3_bind_zeroblob(stmt_, index, 0), index);
  } else {
    NoteBindResult(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT), index);
  }
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view value) {
  return BindBlob(index, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
}

Statement& Statement::BindNull(int index) {
  NoteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

absl::Status Statement::StepError(int rc) {
  const std::string message = sqlite3_errmsg(db_);
  const int sys_errno = sqlite3_system_errno(db_);
  sqlite3_reset(stmt_);
  return SqliteStatus(rc, message, absl::StrCat("executing `", ShortSql(sql()), "`"), sys_errno);
}

absl::StatusOr<bool> Statement::Step() {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("Step() on an empty Statement");
  if (bind_rc_ != SQLITE_OK) {
    absl::Status s = SqliteStatus(bind_rc_, sqlite3_errstr(bind_rc_),
                                  absl::StrCat("binding parameter ", bind_index_, " of `", ShortSql(sql()), "`"));
    Reset();
    return s;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  return StepError(rc);
}

absl::Status Statement::Run() {
  absl::Status result = absl::OkStatus();
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) {
      result = row.status();
      break;
    }
    if (!*row) break;
  }
  Reset();
  return result;
}

void Statement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

ValueType Statement::ColumnType(int col) const {
  switch (sqlite3_column_type(stmt_, col)) {
    case SQLITE_INTEGER:
      return ValueType::kInteger;
    case SQLITE_FLOAT:
      return ValueType::kFloat;
    case SQLITE_TEXT:
      return ValueType::kText;
    case SQLITE_BLOB:
      return ValueType::kBlob;
    default:
      return ValueType::kNull;
  }
}

int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

absl::string_view Statement::ColumnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);  // after the pointer, as SQLite documents
  if (p == nullptr || n <= 0) return {};
  return absl::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

absl::string_view Statement::ColumnBlob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return absl::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
}

size_t Statement::ColumnBytes(int col) const {
  const int n = sqlite3_column_bytes(stmt_, col);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

absl::string_view Statement::ColumnName(int col) const {
  const char* name = sqlite3_column_name(stmt_, col);
  return name != nullptr ? absl::string_view(name) : absl::string_view();
}

absl::string_view Statement::sql() const {
  const char* s = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return s != nullptr ? absl::string_view(s) : absl::string_view();
}

// --- Db ----------------------------------------------------------------------

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      created_(std::exchange(other.created_, false)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    created_ = std::exchange(other.created_, false);
  }
  return *this;
}

Db::~Db() {
  // close_v2 never fails for open statements: it defers the close until the
  // last one is finalized.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

absl::Status Db::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  sqlite3* db = std::exchange(db_, nullptr);
  const int rc = sqlite3_close_v2(db);
  if (rc != SQLITE_OK) return SqliteStatus(rc, sqlite3_errstr(rc), absl::StrCat("closing ", path_));
  return absl::OkStatus();
}

absl::StatusOr<Db> Db::Open(const std::string& path, const OpenOptions& options) {
  return OpenImpl(path, /*in_memory=*/false, options);
}

absl::StatusOr<Db> Db::OpenInMemory(const OpenOptions& options) { return OpenImpl("", /*in_memory=*/true, options); }

absl::StatusOr<Db> Db::OpenImpl(const std::string& path, bool in_memory, const OpenOptions& options) {
  Db db;
  db.path_ = path;
  int flags = SQLITE_OPEN_EXRESCODE;
  if (in_memory) {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY;
  } else {
    if (path.empty()) return absl::InvalidArgumentError("empty database path");
    if (options.mode == OpenOptions::Mode::kReadWriteCreate && !options.vfs.empty()) {
      flags |= SQLITE_OPEN_CREATE;
    } else if (options.mode == OpenOptions::Mode::kReadWriteCreate) {
      // Create the file ourselves so its permissions are exactly
      // create_mode: SQLite would create it 0644 minus the umask. O_EXCL
      // also makes this refuse to follow a symlink planted at `path`.
      const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, options.create_mode);
      if (fd >= 0) {
        db.created_ = true;
        // open() applied the umask; fchmod() does not.
        const bool chmod_ok = ::fchmod(fd, options.create_mode) == 0;
        const int err = errno;
        ::close(fd);
        if (!chmod_ok) {
          ::unlink(path.c_str());
          return ErrnoToStatus(err, FsOp::kChmod, path);
        }
      } else if (errno != EEXIST) {
        return ErrnoToStatus(errno, FsOp::kOpen, path);
      }
    }
    flags |= options.mode == OpenOptions::Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  }

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(in_memory ? ":memory:" : path.c_str(), &raw, flags,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  db.db_ = raw;  // closed by ~Db even when the open failed
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteStatus(rc, raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc),
                                  absl::StrCat("opening ", in_memory ? ":memory:" : path),
                                  raw != nullptr ? sqlite3_system_errno(raw) : 0);
    if (db.created_) ::unlink(path.c_str());
    return s;
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (options.max_value_bytes > 0) sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, options.max_value_bytes);
  if (options.defensive) {
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  }
  // SQLite reads the header lazily; read it now so a file that is not a
  // database (or is corrupted) fails here, with kDataLoss, and not at the
  // first use.
  absl::StatusOr<int64_t> probe = db.QueryInt("SELECT count(*) FROM sqlite_master");
  if (!probe.ok()) {
    return absl::Status(probe.status().code(),
                        absl::StrCat("opening ", in_memory ? ":memory:" : path, ": ", probe.status().message()));
  }
  return db;
}

absl::Status Db::Error(int rc, absl::string_view context) const {
  if (db_ == nullptr) return SqliteStatus(rc, sqlite3_errstr(rc), context);
  return SqliteStatus(rc, sqlite3_errmsg(db_), context, sqlite3_system_errno(db_));
}

absl::Status Db::Exec(absl::string_view sql, absl::string_view context) {
  if (db_ == nullptr) return absl::FailedPreconditionError("Exec() on a closed database");
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return absl::OkStatus();
  const std::string message = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return SqliteStatus(rc, message, context.empty() ? absl::StrCat("executing `", ShortSql(sql), "`") : context,
                      sqlite3_system_errno(db_));
}

absl::StatusOr<Statement> Db::Prepare(absl::string_view sql, bool persistent) {
  if (db_ == nullptr) return absl::FailedPreconditionError("Prepare() on a closed database");
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc, absl::StrCat("preparing `", ShortSql(sql), "`"));
  if (stmt == nullptr) return absl::InvalidArgumentError(absl::StrCat("no SQL statement in `", ShortSql(sql), "`"));
  return Statement(db_, stmt);
}

absl::StatusOr<std::string> Db::QueryText(absl::string_view sql) {
  absl::StatusOr<Statement> st = Prepare(sql);
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("`", ShortSql(sql), "` returned no row"));
  return std::string(st->ColumnText(0));
}

absl::StatusOr<int64_t> Db::QueryInt(absl::string_view sql) {
  absl::StatusOr<Statement> st = Prepare(sql);
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("`", ShortSql(sql), "` returned no row"));
  return st->ColumnInt(0);
}

absl::StatusOr<bool> Db::HasTable(absl::string_view table) {
  absl::StatusOr<Statement> st = Prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1");
  if (!st.ok()) return st.status();
  st->BindText(1, table);
  return st->Step();
}

absl::StatusOr<std::vector<std::string>> Db::TableColumns(absl::string_view table) {
  // The table-valued form takes the name as a bound parameter: no quoting.
  absl::StatusOr<Statement> st = Prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  if (!st.ok()) return st.status();
  st->BindText(1, table);
  return FirstColumnTexts(*st);
}

absl::StatusOr<std::vector<std::string>> Db::TableNames() {
  absl::StatusOr<Statement> st =
      Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
              "ORDER BY name");
  if (!st.ok()) return st.status();
  return FirstColumnTexts(*st);
}

bool Db::InTransaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

bool Db::ReadOnly() const { return db_ != nullptr && sqlite3_db_readonly(db_, "main") == 1; }

int64_t Db::Changes() const { return db_ != nullptr ? sqlite3_changes64(db_) : 0; }

void Db::ResetAllStatements() {
  if (db_ == nullptr) return;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr; s = sqlite3_next_stmt(db_, s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

// --- Transaction ---------------------------------------------------------------

absl::StatusOr<Transaction> Transaction::Begin(Db& db, Kind kind) {
  if (!db.valid()) return absl::FailedPreconditionError("BEGIN on a closed database");
  if (db.InTransaction()) {
    return absl::FailedPreconditionError("a transaction is already open on this connection");
  }
  const char* sql = kind == Kind::kImmediate   ? "BEGIN IMMEDIATE"
                    : kind == Kind::kExclusive ? "BEGIN EXCLUSIVE"
                                               : "BEGIN";
  absl::Status s = db.Exec(sql, "beginning a transaction");
  if (!s.ok()) {
    // BEGIN itself takes no lock when it fails, but be certain.
    (void)RollbackConnection(db);
    return s;
  }
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)RollbackConnection(*db_);
}

absl::Status Transaction::Commit() {
  if (db_ == nullptr) return absl::FailedPreconditionError("Commit() on a finished transaction");
  Db& db = *std::exchange(db_, nullptr);
  if (!db.InTransaction()) {
    // SQLite rolls back by itself after some errors (SQLITE_FULL, IOERR,
    // BUSY in some cases); committing now would silently commit nothing.
    return absl::AbortedError("transaction was rolled back by SQLite before COMMIT");
  }
  absl::Status s = db.Exec("COMMIT", "committing");
  if (!s.ok()) (void)RollbackConnection(db);
  return s;
}

absl::Status Transaction::Rollback() {
  if (db_ == nullptr) return absl::OkStatus();
  Db& db = *std::exchange(db_, nullptr);
  return RollbackConnection(db);
}

}  // namespace sqlite
}  // namespace tgsession
