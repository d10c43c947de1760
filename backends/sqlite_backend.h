// SqliteBackend: a session in a SQLite database with exactly the schema of
// ferogram-session's SqliteBackend, so a database written here opens in
// ferogram and a ferogram database opens here. Schema, migration, the
// deliberate differences from ferogram, item order and durability:
// docs/sqlite.md.
//
// Contract:
//   * Opening creates or migrates the schema as ferogram does; opening and
//     loading write nothing else. A database with tables but no `meta`
//     table (someone else's) is refused with kFailedPrecondition.
//   * Save replaces everything (pts and qts too, unless
//     save_keeps_newer_pts_qts) in one transaction; a session the schema
//     cannot hold (duplicate keys) is kInvalidArgument before any write.
//   * Every write is one transaction: a failure or a crash leaves the
//     previous session. Save, UpdateDc, SetHomeDc and Delete are durable
//     when they return (durable_key_writes); other writes survive a crash
//     of the process and reach the disk at the next checkpoint.
//   * Load returns items in saved order (keep_order) and treats rows as
//     untrusted: wrong types, ranges or sizes are kDataLoss naming table,
//     row and column.
//   * Files are 0600. Another connection's lock held past busy_timeout_ms
//     is kUnavailable.
//   * All methods may be called from several threads; one mutex guards the
//     connection.
#ifndef TGSESSION_BACKENDS_SQLITE_BACKEND_H_
#define TGSESSION_BACKENDS_SQLITE_BACKEND_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "backends/backend.h"
#include "backends/sqlite_db.h"
#include "session/binary_codec.h"
#include "session/session.h"

namespace tgsession {

struct SqliteOptions {
  enum class Synchronous { kNormal, kFull };
  // Durability of ordinary commits (see the file comment). ferogram: NORMAL.
  Synchronous synchronous = Synchronous::kNormal;
  // Save, UpdateDc, SetHomeDc and Delete commit with synchronous=FULL even
  // when `synchronous` is NORMAL: they carry auth keys and the home DC.
  bool durable_key_writes = true;
  // Wait this long for another connection's lock before kUnavailable.
  int busy_timeout_ms = 5000;
  // Remember item order with a tgs_order column (see the file comment).
  bool keep_order = true;
  // ferogram's save keeps MAX(stored, new) for pts and qts. Off by default:
  // Save replaces, as SessionBackend requires.
  bool save_keeps_newer_pts_qts = false;
  // Caps the database file at about this many bytes (PRAGMA max_page_count);
  // 0 means no cap. A write that would grow past it fails with
  // kResourceExhausted and changes nothing.
  int64_t max_file_bytes = 0;
  // Bounds on what Load accepts from the (untrusted) rows.
  DecodeLimits limits;
  // A registered SQLite VFS to keep the database in (sqlite::OpenOptions::vfs);
  // empty for the file system.
  std::string vfs;
};

class SqliteBackend : public SessionBackend {
 public:
  // Opens or creates the database at `path`, creating and migrating the
  // schema as ferogram does.
  static absl::StatusOr<std::unique_ptr<SqliteBackend>> Open(const std::string& path,
                                                             const SqliteOptions& options = {});
  // A private in-memory database (ferogram's SqliteBackend::in_memory()).
  static absl::StatusOr<std::unique_ptr<SqliteBackend>> OpenInMemory(const SqliteOptions& options = {});

  // Closes (see Close), ignoring errors.
  ~SqliteBackend() override;

  absl::Status Save(const Session& session) override;
  absl::StatusOr<std::optional<Session>> Load() override;
  // Removes every row (the file and its schema stay).
  absl::Status Delete() override;
  // "sqlite:<path>" or "sqlite::memory:".
  std::string Name() const override;

  // Granular operations: a few statements in one transaction each, touching
  // only the rows concerned.
  absl::Status UpdateDc(const DcEntry& entry) override;
  absl::Status SetHomeDc(int32_t dc_id) override;
  absl::Status ApplyUpdateState(const UpdateStateChange& change) override;
  absl::Status CachePeer(const CachedPeer& peer) override;
  // One transaction (committed with `synchronous`, NORMAL by default: a batch
  // carries no key) of multi-row upserts, up to 64 rows a statement.
  absl::Status ApplyChanges(const SessionChanges& changes) override;

  // Closes the database (SQLite checkpoints the WAL into the file and
  // removes it when this is the last connection) and reports a failure.
  // Later calls fail with kFailedPrecondition.
  absl::Status Close() override;

  const std::string& path() const { return path_; }

 protected:
  explicit SqliteBackend(std::string name_prefix);
  // Opens the connection and prepares the schema; used by Open functions of
  // this class and of subclasses.
  absl::Status Initialize(const std::string& path, bool in_memory, const SqliteOptions& options);

 private:
  struct Cache;  // prepared statements and next order numbers

  // The three tables whose order the schema cannot hold.
  enum OrderedList { kPeers = 0, kChannels = 1, kMinPeers = 2, kOrderedLists = 3 };

  // kFailedPrecondition once Close() ran.
  absl::Status CheckOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SetSynchronous(bool full) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the tgs_order columns (own transaction) when keep_order asks for
  // them and they are missing.
  absl::Status EnsureOrderColumns() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inside a write transaction: makes next_order_ current (recomputed when
  // another connection changed the database since we last looked).
  absl::Status RefreshNextOrder() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The next position in `list` (an OrderedList), advancing the counter.
  int64_t TakeOrder(int list) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // PRAGMA data_version: changes when another connection commits.
  absl::StatusOr<int64_t> DataVersion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inside a write transaction: inserts meta.home_dc_id = 0 unless a session
  // exists, so granular operations on an empty database start one.
  absl::Status EnsureSessionRow() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<sqlite::Statement*> Cached(int id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertChannels(const UpdatesState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Upserts `items` into multi-row table `table` (MultiRowTable in the .cc),
  // numbering new rows of ordered list `list`; bind_row(statement, item,
  // first parameter) binds one row.
  template <typename T, typename BindRow>
  absl::Status UpsertRows(int table, absl::Span<const T> items, int list, BindRow bind_row)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteSession(const Session& session) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<Session>> ReadSession() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` in a BEGIN IMMEDIATE transaction; `durable` commits with
  // synchronous=FULL (when durable_key_writes). On any failure the
  // transaction is rolled back and the cached order numbers are forgotten.
  template <typename F>
  absl::Status WriteTransaction(bool durable, F body) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_prefix_;
  std::string path_;
  SqliteOptions options_;

  mutable absl::Mutex mu_;
  sqlite::Db db_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Cache> cache_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool order_columns_ ABSL_GUARDED_BY(mu_) = false;  // tgs_order present in all three tables
  bool write_order_ ABSL_GUARDED_BY(mu_) = false;    // keep_order && order_columns_
  // Next tgs_order per list, valid while the database's data_version equals
  // next_order_version_ (our own commits do not change data_version).
  std::array<int64_t, kOrderedLists> next_order_ ABSL_GUARDED_BY(mu_) = {1, 1, 1};
  std::optional<int64_t> next_order_version_ ABSL_GUARDED_BY(mu_);
};

// LibSqlBackend: local libSQL databases, which are SQLite files with
// ferogram's schema, so this is SqliteBackend named "libsql-local:<path>".
// Remote libSQL (Turso) and embedded replicas are not provided
// (docs/sqlite.md, "libSQL").
class LibSqlBackend final : public SqliteBackend {
 public:
  static absl::StatusOr<std::unique_ptr<LibSqlBackend>> OpenLocal(const std::string& path,
                                                                  const SqliteOptions& options = {});
  static absl::StatusOr<std::unique_ptr<LibSqlBackend>> OpenInMemory(const SqliteOptions& options = {});

 private:
  LibSqlBackend() : SqliteBackend("libsql-local") {}
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_SQLITE_BACKEND_H_
