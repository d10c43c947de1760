// PostgresBackend: many sessions in one PostgreSQL database, shared safely
// by many processes and hosts (a fleet of bot workers, a service hosting
// thousands of user sessions).
//
//   PostgresStore   one database: lists, creates and deletes session names,
//                   owns a connection pool and renews the leases of the
//                   sessions it has open.
//   PostgresBackend one session name: the SessionBackend interface, a view
//                   onto one row of tgs_sessions and its child rows.
//
//   absl::StatusOr<std::unique_ptr<PostgresStore>> store =
//       PostgresStore::Open("postgresql://tgs@db.internal/tgs?sslmode=verify-full");
//   absl::StatusOr<std::unique_ptr<PostgresBackend>> bot = (*store)->OpenSession("bot-17");
//   (*bot)->CachePeer(peer);   // one INSERT ... ON CONFLICT DO UPDATE
//
// Connection strings are libpq's, key=value ("host=db port=5432 dbname=tgs
// sslmode=require") or URIs ("postgresql://user@db:5432/tgs?sslmode=..."),
// with the PG* environment variables and ~/.pgpass as defaults; TLS is
// whatever the string asks for (sslmode, sslrootcert, sslcert, ...). Prefer
// PGPASSWORD or a passfile to a password inside the string.
//
// Schema (version 1; created and migrated by PostgresStore::Open, see
// kSchemaVersion and postgres_backend.cc):
//
//   tgs_schema_version (id = 1, version, migrated_at)
//   tgs_sessions (id bigint identity PRIMARY KEY, name text UNIQUE,
//                 has_session, home_dc_id, pts, qts, update_date, seq,
//                 future_auth_token bytea NULL, generation,
//                 lease_owner text NULL, lease_epoch, lease_expires,
//                 created_at, updated_at, UNIQUE (id, lease_epoch))
//   tgs_dcs         (session_id, ord, dc_id, flags, addr bytea, auth_key
//                    bytea NULL, first_salt, time_offset; PK (session_id, ord))
//   tgs_channel_pts (session_id, ord, channel_id, pts; PK (session_id, channel_id))
//   tgs_peers       (session_id, ord, peer_id, access_hash, peer_type 0/1/2,
//                    channel_kind NULL/0/1/2, is_community; PK (session_id, peer_id))
//   tgs_min_peers   (session_id, ord, user_id, peer_id, msg_id; PK (session_id, user_id))
//
// Child rows reference tgs_sessions(id) ON DELETE CASCADE. `ord` comes from
// one sequence, so rows load in the order they were first written (an
// upsert keeps its row's place), as Session's lists keep insertion order.
// DC addresses are bytea because the model keeps them byte for byte (not
// always UTF-8). DC entries are keyed by position, so any DC table is stored
// losslessly; peers, channels and min peers are keyed by id, and a session
// that repeats an id is refused (kInvalidArgument) before anything is
// written. Opening needs CREATE on the schema once (first migration); later
// only SELECT/INSERT/UPDATE/DELETE on the tables.
//
// Operations. Save and Delete are one transaction each (a crash, a lost
// connection or a killed server leaves the previous session). CachePeer,
// channel pts, pts/qts/date/seq and SetHomeDc are each one statement (an
// upsert or an update). UpdateDc and ApplyUpdateState(All) are short
// transactions. Load reads every table in one REPEATABLE READ snapshot.
//
// Ownership lease. Two processes must never run the same session at once:
// both would write (the later Save silently erasing the other's peers and
// update state) and both would talk to Telegram with the same auth key.
// Opening a session for writing takes a lease in its tgs_sessions row:
// lease_owner (this store's id: "host:pid:random"), lease_expires (database
// clock + lease_ttl) and lease_epoch, incremented by every acquisition. A
// second opener, in this process or any other host, gets kFailedPrecondition
// naming the session, the holder and when the lease expires (or waits, with
// OpenSessionOptions::wait_for_lease). The holder's store renews the lease
// every lease_ttl / 3 in one statement for all its sessions; a holder that
// crashes stops renewing and its lease expires after at most lease_ttl.
//
// Fencing: every write names (session id, owner, epoch) in the statement
// itself and takes a FOR KEY SHARE lock on the session row (or updates it).
// lease_epoch is a key column (UNIQUE (id, lease_epoch)), so a takeover,
// which changes it, waits for writes in flight, and writes that come after
// it match no row. A process that lost its lease (it was paused past the
// expiry and another process took over) therefore cannot write: its
// operations fail with kFailedPrecondition ("lease lost") and every write
// that returned OK before the takeover is visible to the new holder. A lease
// that expired but was not taken over is still ours (the epoch is
// unchanged), so a holder cut off from the database for longer than the TTL
// continues where it left off.
//
// Why a lease row rather than a PostgreSQL advisory lock: an advisory lock
// lives and dies with one server connection, so a pooled or reconnecting
// client loses it silently on any connection drop (and transaction-mode
// poolers such as PgBouncer cannot hold one at all); nothing then stops its
// writes from a new connection. A lock whose holder host vanished is kept
// until TCP keepalives notice, possibly hours. The lease row survives
// reconnects and server restarts, expires on the database's clock (no skew
// between hosts), shows who holds what (PostgresStore::List), and gives
// every write a fencing token. The cost: a crashed holder's session stays
// locked for up to lease_ttl.
//
// Connection loss. Every operation that loses its connection fails with
// kUnavailable naming the session; a Save or Delete in flight is rolled back
// by the server (if the loss hit the COMMIT itself, the message says the
// outcome is unknown: Load tells). Broken connections leave the pool and the
// next call connects again; idle pooled connections that the server closed
// (a restart) are replaced before use, so only operations actually in flight
// see the failure.
//
// Untrusted rows: everything read is checked (column types, value lengths,
// ranges, row counts against DecodeLimits before reading them); a bad row is
// kDataLoss naming table, session, row and column.
//
// Secrets: auth keys and the token are sent as binary bytea parameters and
// never appear in SQL text, in our errors or in the server's error messages
// (no key or token is part of a constraint a violation would quote). Result
// buffers holding keys are wiped before they are freed. A server configured
// to log statements with their parameters (log_statement = 'all' or
// log_min_duration_statement together with log_parameter_max_length) logs
// them like any other value: do not enable that on a session database.
//
// Durability is the server's: with synchronous_commit = on (the default)
// every acknowledged operation survives a server crash. A fleet that prefers
// throughput for peers can set it per connection in the string
// (options='-c synchronous_commit=off'): a server crash may then lose the
// last few hundred milliseconds of acknowledged writes, auth keys included,
// but never tears a transaction.
//
// Thread safety: stores and backends may be used from many threads. Forked
// children must open their own store.
#ifndef TGSESSION_BACKENDS_POSTGRES_BACKEND_H_
#define TGSESSION_BACKENDS_POSTGRES_BACKEND_H_

#include <cstdint>
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
  // See pg::ConnectOptions: off for a pooler in transaction mode.
  bool prepare_statements = true;
  // Session settings of our connections. A client stuck inside a transaction
  // is disconnected by the server after this long (its locks would block a
  // takeover); a statement waits at most this long for a row lock. Zero
  // means lease_ttl, but at least 10 s.
  absl::Duration idle_in_transaction_timeout = absl::ZeroDuration();
  absl::Duration lock_timeout = absl::ZeroDuration();
  // A label at the start of the owner id shown to other processes; default
  // "<hostname>:<pid>". A random suffix is always added.
  std::string owner_label;
  // Bounds on what Load accepts from the (untrusted) rows.
  DecodeLimits limits;
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
  std::optional<std::string> lease_owner;  // who holds it, if anyone
  int64_t lease_epoch = 0;
  // Time left on the lease (negative once expired); unset without an owner.
  std::optional<absl::Duration> lease_remaining;
  absl::Time updated_at;
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
  // version is refused (kFailedPrecondition); older ones are migrated.
  static constexpr int kSchemaVersion = 1;

  // Connects, and creates or migrates the schema (concurrent openers
  // serialize on an advisory lock; an up-to-date database needs no lock).
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo,
                                                             const PostgresOptions& options = {});
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

  // This store's owner id, as other processes see it in lease_owner.
  const std::string& owner_id() const;
  // "dbname@host:port" (never the password).
  const std::string& description() const;
  // The TLS protocol of a pooled connection ("TLSv1.3"), or "" without TLS.
  absl::StatusOr<std::string> TlsProtocol();

 private:
  explicit PostgresStore(std::shared_ptr<PostgresStoreCore> core) : core_(std::move(core)) {}
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

  // Releases the lease now; later writes fail. Reports a failure to release.
  absl::Status Close();

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
  absl::Status DeleteImpl();
  // Runs one fenced statement (params: Fence() and then `more`) that
  // changes exactly one row when the lease is ours.
  absl::Status FencedStatement(absl::string_view sql, pg::Params params, absl::string_view what);

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
