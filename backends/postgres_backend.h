// PostgresBackend: many sessions in one PostgreSQL database, shared safely
// by many processes and hosts (a fleet of bot workers, a service hosting
// thousands of user sessions). Design, schema, leases, fencing, group
// commit, PgBouncer and the measurements: docs/postgres.md.
//
//   PostgresStore   one database: lists, creates and deletes session names,
//                   owns a connection pool, renews the leases of the
//                   sessions it has open, and the administration (release a
//                   lease, statistics, migration).
//   PostgresBackend one session name: the SessionBackend interface, a view
//                   onto one row of tgs_sessions and its child rows.
//
//   absl::StatusOr<std::unique_ptr<PostgresStore>> store =
//       PostgresStore::Open("postgresql://tgs@db.internal/tgs?sslmode=verify-full");
//   absl::StatusOr<std::unique_ptr<PostgresBackend>> bot = (*store)->OpenSession("bot-17");
//   (*bot)->ApplyChanges(changes);   // one statement: peers, min peers, pts
//
// Connection strings are libpq's (key=value or URI, PG* variables and
// ~/.pgpass as defaults, TLS as the string asks). Prefer PGPASSWORD or a
// passfile to a password inside the string; no message, name or metric ever
// holds it.
//
// Contract:
//   * One process per session: OpenSession takes a lease (kFailedPrecondition
//     naming the holder while another process has it); every write is fenced
//     by the lease's epoch, so a process that lost its lease (expired and
//     taken over, or released by an operator) cannot write, and every write
//     it was told succeeded is visible to the next holder.
//   * Save, Delete, UpdateDc and SetHomeDc are durable when they return
//     (synchronous_commit = on for their transaction). CachePeer,
//     ApplyUpdateState and ApplyChanges follow granular_commit: by default
//     (kAsync) acknowledged once the server has them, so no client crash
//     loses them, but a server crash may lose the last ~3 x wal_writer_delay
//     (0.6 s by default) of them; kDurable waits for the WAL flush. A later
//     durable write or Flush() makes everything before it durable.
//   * Save, Delete and a batch are each one transaction: after a lost
//     connection, a killed client or a killed server the session holds all of
//     it or none.
//   * A lost connection fails the operation in flight with kUnavailable
//     naming the session; the next call reconnects, after a back-off while
//     the server does not answer (fails fast meanwhile).
//   * Rows read back are untrusted: wrong types, lengths or ranges are
//     kDataLoss naming table, session, row and column.
//   * Stores and backends may be used from many threads. Forked children
//     must open their own store.
#ifndef TGSESSION_BACKENDS_POSTGRES_BACKEND_H_
#define TGSESSION_BACKENDS_POSTGRES_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backends/backend.h"
#include "backends/postgres_metrics.h"
#include "session/binary_codec.h"
#include "session/session.h"

namespace tgsession {

namespace pg {
class Connection;
class Params;
}  // namespace pg

class PostgresBackend;
class PostgresStoreCore;
struct PostgresLease;

struct PostgresOptions {
  // How long a lease lasts without renewal: how long a crashed holder keeps
  // its sessions locked. At least 100 ms.
  absl::Duration lease_ttl = absl::Seconds(30);
  // How often the store renews its leases; zero means lease_ttl / 3.
  // absl::InfiniteDuration() never renews (tests of expiry and fencing).
  absl::Duration renew_interval = absl::ZeroDuration();
  // Connections shared by all sessions of the store (plus one for renewal).
  int pool_size = 4;
  // Named prepared statements, once per connection. Off for a pooler in
  // transaction mode (transaction_pooling turns it off).
  bool prepare_statements = true;
  // Connected through a pooler in transaction mode (PgBouncer's
  // pool_mode = transaction): no prepared statements and no session
  // settings (the pooler hands each transaction any server connection); the
  // pooler's idle_transaction_timeout and a role's lock_timeout take their
  // place (docs/postgres.md).
  bool transaction_pooling = false;
  // Session settings of our connections (not with transaction_pooling). A
  // client stuck inside a transaction is disconnected by the server after
  // this long (its locks would block a takeover); a statement waits at most
  // this long for a row lock. Zero means lease_ttl, but at least 10 s.
  absl::Duration idle_in_transaction_timeout = absl::ZeroDuration();
  absl::Duration lock_timeout = absl::ZeroDuration();
  // How CachePeer, ApplyUpdateState and ApplyChanges commit (see the file
  // comment). Keys and Save are durable either way.
  enum class GranularCommit {
    kAsync,    // synchronous_commit = off: a server crash may lose the last ~0.6 s
    kDurable,  // the server's synchronous_commit (on unless the DBA changed it)
  };
  GranularCommit granular_commit = GranularCommit::kAsync;
  // Client-side group commit: granular writes of all of this store's
  // sessions that arrive within this window (and at most group_commit_max
  // of them) share one transaction, committed as granular_commit says.
  // Each caller still waits for that commit, so nothing is acknowledged
  // earlier; the price is latency (up to the window) and a shared fate if
  // the connection fails during the COMMIT. Zero: off.
  absl::Duration group_commit_window = absl::ZeroDuration();
  int group_commit_max = 64;
  // Reconnection back-off while the server does not answer
  // (pg::ConnectBackoff): the wait doubles from `initial` up to `max`, with
  // jitter; calls meanwhile fail fast with kUnavailable.
  absl::Duration reconnect_backoff_initial = absl::Milliseconds(100);
  absl::Duration reconnect_backoff_max = absl::Seconds(10);
  // While waiting for a lease (OpenSessionOptions::wait_for_lease), ask
  // again at most this often.
  absl::Duration lease_poll_interval = absl::Milliseconds(50);
  // Create or migrate the schema on open. Off: an older schema is refused
  // (kFailedPrecondition: "run tgsession pg migrate"); operators who want
  // schema changes to be a deliberate step turn it off.
  bool auto_migrate = true;
  // A label at the start of the owner id shown to other processes; default
  // "<hostname>:<pid>". A random suffix is always added.
  std::string owner_label;
  // Bounds on what Load accepts from the (untrusted) rows.
  DecodeLimits limits;
  // Told about operations, errors, connections, lease renewals and group
  // commits (postgres_metrics.h). Shared: it may outlive the store.
  std::shared_ptr<PostgresObserver> observer;
};

struct OpenSessionOptions {
  // Creates the name when it does not exist (otherwise kNotFound).
  bool create_if_missing = true;
  // A view that takes no lease and refuses writes (kFailedPrecondition):
  // for inspecting a session another process is running.
  bool read_only = false;
  // When another process holds the lease, retry until it is released or
  // expires, for at most this long, before failing.
  absl::Duration wait_for_lease = absl::ZeroDuration();
};

// One row of PostgresStore::List().
struct StoredSessionInfo {
  std::string name;
  bool has_session = false;  // false: created (or deleted) but nothing saved
  int32_t home_dc_id = 0;
  int64_t peers = 0;
  std::optional<std::string> lease_owner;  // who holds it, if anyone
  int64_t lease_epoch = 0;
  // Time left on the lease (negative once expired); unset without an owner.
  std::optional<absl::Duration> lease_remaining;
  // When the holder took the lease; unset without an owner.
  std::optional<absl::Time> lease_since;
  // Why the lease was last forced free (PostgresStore::ForceRelease), if it was.
  std::optional<std::string> lease_note;
  absl::Time updated_at;
};

// PostgresStore::Stats().
struct PostgresStoreStats {
  int schema_version = 0;
  int64_t sessions = 0;        // names
  int64_t saved_sessions = 0;  // names holding a session
  int64_t dc_entries = 0, peers = 0, min_peers = 0, channel_pts = 0;
  int64_t leases_held = 0;     // an owner and an expiry in the future
  int64_t leases_expired = 0;  // an owner whose expiry passed (a crashed holder, until someone takes over)
  int64_t database_bytes = 0;  // pg_database_size
};

// PostgresStore::ForceRelease().
struct ReleasedLease {
  bool was_held = false;                   // false: nobody held it (nothing changed)
  std::optional<std::string> old_owner;
  int64_t old_epoch = 0, new_epoch = 0;
};

// What migrating a database to PostgresStore::kSchemaVersion takes.
struct PostgresMigration {
  int from_version = 0;  // 0: no tgsession schema yet
  int to_version = 0;
  // Every statement, in order, as it is run (one transaction); empty when
  // the schema is current.
  std::vector<std::string> statements;
};

// Session names: 1 to 255 bytes of UTF-8 without control characters and
// without '/' (the CLI's "postgres:CONNSTRING/NAME" splits at the last '/').
absl::Status ValidateSessionName(absl::string_view name);

// A session location as the CLI takes it: "postgres:CONNSTRING/NAME". The
// last '/' separates the name (names never contain '/'); everything between
// "postgres:" and it is the libpq connection string, key=value or URI:
//
//   postgres:host=db.internal dbname=tgs sslmode=require/bot-17
//   postgres:postgresql://tgs@db.internal:5432/tgs?sslmode=verify-full/bot-17
//   postgres:/bot-17          (empty string: libpq's defaults, PGHOST etc.)
//
// `name` may be empty ("postgres:CONNSTRING/" names the store itself).
struct PostgresLocation {
  std::string conninfo;
  std::string name;
};
absl::StatusOr<PostgresLocation> ParsePostgresLocation(absl::string_view spec);
// Whether `spec` starts with "postgres:".
bool IsPostgresLocation(absl::string_view spec);

class PostgresStore {
 public:
  // The schema version this code creates and reads. A database with a newer
  // version is refused (kFailedPrecondition); older ones are migrated (unless
  // auto_migrate is off).
  static constexpr int kSchemaVersion = 2;

  // Connects, and creates or migrates the schema (concurrent openers
  // serialize on an advisory lock; an up-to-date database needs no lock).
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo,
                                                             const PostgresOptions& options = {});

  // The migration the database at `conninfo` needs (nothing is changed).
  static absl::StatusOr<PostgresMigration> PlanMigration(const std::string& conninfo,
                                                         const PostgresOptions& options = {});
  // Runs it in one transaction under the migration lock; returns what ran.
  static absl::StatusOr<PostgresMigration> Migrate(const std::string& conninfo, const PostgresOptions& options = {});
  // Sessions opened from the store stay usable after it is destroyed (they
  // share its connections and renewal thread).
  ~PostgresStore();

  // Every session name, sorted.
  absl::StatusOr<std::vector<StoredSessionInfo>> List();
  // Creates an empty name (kAlreadyExists if it exists).
  absl::Status Create(absl::string_view name);
  // Removes a name and everything stored under it. kNotFound if missing;
  // kFailedPrecondition while anyone (this process included) holds an
  // unexpired lease on it.
  absl::Status Delete(absl::string_view name);
  // The single-session view of `name`; see OpenSessionOptions.
  absl::StatusOr<std::unique_ptr<PostgresBackend>> OpenSession(absl::string_view name,
                                                               const OpenSessionOptions& options = {});
  // Forces the lease of `name` free, for an operator whose holder crashed
  // (instead of waiting for the expiry) or hangs. The epoch moves on, so the
  // old holder, if it is alive, is fenced: its next write fails (kFailed-
  // Precondition "lease lost: the lease was released by an operator (NOTE)")
  // and it cannot write again. `note` (who and why) is kept in lease_note
  // for it and for List. kNotFound for an unknown name. Durable when it
  // returns.
  absl::StatusOr<ReleasedLease> ForceRelease(absl::string_view name, absl::string_view note);
  // Counts over the whole database (one snapshot).
  absl::StatusOr<PostgresStoreStats> Stats();

  // This store's owner id, as other processes see it in lease_owner.
  const std::string& owner_id() const;
  // "dbname@host:port" (never the password).
  const std::string& description() const;
  // The TLS protocol of a pooled connection ("TLSv1.3"), or "" without TLS.
  absl::StatusOr<std::string> TlsProtocol();

 private:
  explicit PostgresStore(std::shared_ptr<PostgresStoreCore> core) : core_(std::move(core)) {}
  absl::StatusOr<std::unique_ptr<PostgresBackend>> OpenSessionImpl(absl::string_view name,
                                                                   const OpenSessionOptions& options);
  std::shared_ptr<PostgresStoreCore> core_;
};

class PostgresBackend : public SessionBackend {
 public:
  // A store of its own (PostgresStore::Open) and OpenSession(name).
  static absl::StatusOr<std::unique_ptr<PostgresBackend>> Open(const std::string& conninfo, absl::string_view name,
                                                               const PostgresOptions& options = {},
                                                               const OpenSessionOptions& session_options = {});

  // Releases the lease (best effort: if the database is unreachable it
  // expires instead).
  ~PostgresBackend() override;

  absl::Status Save(const Session& session) override;
  absl::StatusOr<std::optional<Session>> Load() override;
  // Removes what is stored under the name (the name and the lease stay).
  absl::Status Delete() override;
  // "postgres:dbname@host:port/NAME".
  std::string Name() const override;

  absl::Status UpdateDc(const DcEntry& entry) override;
  absl::Status SetHomeDc(int32_t dc_id) override;
  absl::Status ApplyUpdateState(const UpdateStateChange& change) override;
  absl::Status CachePeer(const CachedPeer& peer) override;
  // One statement (one transaction): multi-row upserts over arrays; with a
  // whole update state (kAll) a short transaction.
  absl::Status ApplyChanges(const SessionChanges& changes) override;

  // Makes every write so far durable (one durable commit: the WAL is
  // flushed through it, earlier asynchronous commits included).
  absl::Status Flush();
  // Releases the lease now; later writes fail. Reports a failure to release.
  absl::Status Close() override;

  const std::string& session_name() const { return name_; }
  bool read_only() const { return read_only_; }
  // The fencing token of our lease (0 for a read-only view).
  int64_t lease_epoch() const;

 private:
  friend class PostgresStore;
  PostgresBackend(std::shared_ptr<PostgresStoreCore> core, std::string name, int64_t session_id,
                  std::shared_ptr<PostgresLease> lease);

  // OK while we may write; kFailedPrecondition for a read-only view or a
  // lost or released lease.
  absl::Status CheckWritable() const;
  // After a fenced statement matched no row: finds out who holds the session
  // now, marks the lease lost and returns the error.
  absl::Status LeaseLost(pg::Connection& conn);
  // $1 session id, $2 owner, $3 epoch: what every fenced statement matches.
  pg::Params Fence() const;
  // "postgres:...: <what>: <message>", same code.
  absl::Status Wrap(const absl::Status& s, absl::string_view what) const;
  absl::StatusOr<std::optional<Session>> LoadImpl();
  absl::Status SaveImpl(const Session& session);
  absl::Status UpdateDcImpl(const DcEntry& entry);
  absl::Status ApplyAllImpl(const UpdatesState& state);
  absl::Status ApplyChangesImpl(const SessionChanges& changes);
  absl::Status DeleteImpl();
  absl::Status SetHomeDcImpl(int32_t dc_id);
  // Runs a granular write's fenced statement as the options say: alone, or
  // in the store's group commit. The lease was ours when the statement
  // changed a row (or, with `fence_returns_row`, returned one); otherwise
  // it is lost and nothing was written.
  absl::Status RunGranular(absl::string_view sql, const pg::Params& params, bool fence_returns_row,
                           absl::string_view what);
  // Runs one fenced statement (params: Fence() and then `more`) that
  // changes exactly one row when the lease is ours, as a granular write.
  absl::Status FencedStatement(absl::string_view sql, pg::Params params, absl::string_view what);
  // Reports a finished operation to the observer; returns `s`.
  absl::Status Report(absl::string_view operation, absl::Time start, absl::Status s) const;

  const std::shared_ptr<PostgresStoreCore> core_;
  const std::string name_;
  const int64_t session_id_;
  const bool read_only_;
  const std::shared_ptr<PostgresLease> lease_;  // null for a read-only view
  // Multi-statement writes (Save, Delete, UpdateDc, ApplyUpdateState(All))
  // exclude each other and the single-statement upserts of this process;
  // upserts run concurrently. Other processes cannot write (the lease).
  absl::Mutex write_mu_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_BACKEND_H_
