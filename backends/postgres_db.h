// A small RAII layer over libpq (PostgreSQL's C client library) with
// absl::Status errors, in the spirit of sqlite_db.h. PostgresBackend is built
// on it; nothing here knows about sessions.
//
//   * Params      query parameters, always sent in binary format with an
//                 explicit type, so values are never parsed from text on the
//                 server and never quoted into SQL. Buffers are wiped on
//                 destruction (they may hold auth keys).
//   * Result      owns a PGresult. Results are requested in binary format:
//                 accessors check the column's type OID and the value's
//                 length instead of parsing text, so a column whose type was
//                 changed behind our back is an error, not a misreading.
//   * Connection  owns a PGconn: connecting (libpq connection strings, both
//                 key=value and postgresql:// URIs, TLS as the string asks),
//                 statements prepared once per connection, COPY FROM STDIN,
//                 detection of a connection the server has closed.
//   * Transaction a guard that ends with COMMIT or ROLLBACK (the destructor
//                 rolls back).
//   * Pool        a bounded set of connections shared by threads; broken
//                 connections are dropped and replaced on the next Acquire,
//                 so "reconnect" is simply the next call. After a failed
//                 connection attempt the next ones wait for a back-off
//                 (ConnectBackoff), failing fast meanwhile.
//
// Errors map SQLSTATE codes to the most specific absl code (see
// StatusCodeForSqlState); any failure that leaves the connection unusable is
// kUnavailable. Messages carry the server's primary message, the SQLSTATE and
// the caller's context, never the DETAIL field (which can quote row values)
// and never parameter values: secrets bound as parameters cannot leak through
// an error.
//
// Thread safety: a Connection is used by one thread at a time (libpq's rule);
// the Pool hands each connection to one caller at a time.
#ifndef TGSESSION_BACKENDS_POSTGRES_DB_H_
#define TGSESSION_BACKENDS_POSTGRES_DB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace tgsession {
namespace pg {

using Oid = unsigned int;

// Built-in type OIDs (fixed in PostgreSQL's catalog since 7.x; the server
// headers that define them are not part of libpq-dev).
namespace oid {
constexpr Oid kBool = 16;
constexpr Oid kBytea = 17;
constexpr Oid kInt8 = 20;
constexpr Oid kInt2 = 21;
constexpr Oid kInt4 = 23;
constexpr Oid kText = 25;
constexpr Oid kFloat8 = 701;
constexpr Oid kBoolArray = 1000;
constexpr Oid kInt2Array = 1005;
constexpr Oid kInt4Array = 1007;
constexpr Oid kInt8Array = 1016;
}  // namespace oid

// "bigint", "bytea", ... or "type oid 1234".
std::string TypeName(Oid type);

// The absl code for a SQLSTATE:
//   08xxx connection exception, 57P01-57P03 shutdown / cannot connect now,
//   58xxx system (I/O) error, 55P03 lock not available     kUnavailable
//   53xxx insufficient resources, 54xxx program limit       kResourceExhausted
//   XX001 data corrupted, XX002 index corrupted             kDataLoss
//   23505 unique violation, 42P07 / 42710 duplicate table
//   or object                                               kAlreadyExists
//   other 23xxx integrity constraint violations             kFailedPrecondition
//   40001 serialization failure, 40P01 deadlock             kAborted
//   57014 query canceled (statement_timeout, cancel)        kDeadlineExceeded
//   28xxx invalid authorization                             kUnauthenticated
//   42501 insufficient privilege                            kPermissionDenied
//   42P01 undefined table, 42703 undefined column, 3F000
//   undefined schema, 25006 read-only transaction (a
//   standby)                                                kFailedPrecondition
//   22xxx data exception                                    kInvalidArgument
//   anything else                                           kInternal
absl::StatusCode StatusCodeForSqlState(absl::string_view sqlstate);

// Query parameters ($1, $2, ...), in order.
class Params {
 public:
  Params() = default;
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;
  Params(Params&&) = default;
  Params& operator=(Params&&) = default;
  ~Params();  // wipes every value buffer

  Params& Int64(int64_t v);
  Params& Int32(int32_t v);
  Params& Int16(int16_t v);
  Params& Bool(bool v);
  // A zero-length value is an empty bytea, never NULL.
  Params& Bytea(absl::Span<const uint8_t> v);
  Params& Bytea(absl::string_view v);
  Params& Text(absl::string_view v);
  Params& Null(Oid type);
  // bigint[], integer[], smallint[], boolean[] (sent in text form:
  // "{1,2,3}"), for multi-row statements over unnest($n).
  Params& Int64Array(absl::Span<const int64_t> v);
  Params& Int32Array(absl::Span<const int32_t> v);
  Params& Int16Array(absl::Span<const int16_t> v);
  Params& BoolArray(absl::Span<const bool> v);

  int size() const { return static_cast<int>(types_.size()); }

 private:
  friend class Connection;
  Params& Add(Oid type, std::string value, bool binary);

  std::vector<Oid> types_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
};

// A query result (binary format). Move-only; PQclear on destruction.
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* res) : res_(res) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  int rows() const;
  int columns() const;
  bool IsNull(int row, int col) const;
  Oid Type(int col) const;
  absl::string_view ColumnName(int col) const;
  // The raw binary value (empty for NULL). Valid while the Result lives.
  absl::string_view Bytes(int row, int col) const;
  // Rows affected by INSERT/UPDATE/DELETE (PQcmdTuples), 0 if none.
  int64_t AffectedRows() const;
  // Zeroes every value of a column in libpq's buffer (a column of auth keys
  // after they were copied out), so the freed result does not keep them.
  void WipeColumn(int col);

 private:
  PGresult* res_ = nullptr;
};

// Reads binary values, checking the column's type and the value's length.
// `what` names the value in an error ("table tgs_peers, ..., column
// peer_type"); it is called only on error. Errors are kDataLoss: rows are
// untrusted.
absl::StatusOr<int64_t> GetInt(const Result& r, int row, int col,
                               absl::FunctionRef<std::string()> what);  // smallint/integer/bigint
absl::StatusOr<bool> GetBool(const Result& r, int row, int col, absl::FunctionRef<std::string()> what);
absl::StatusOr<absl::string_view> GetBytes(const Result& r, int row, int col,
                                           absl::FunctionRef<std::string()> what);  // bytea/text

struct ConnectOptions {
  // Used when the connection string does not set them. connect_timeout
  // bounds a connection attempt; the keepalive and tcp_user_timeout settings
  // make a server that vanished (host down, network cut, no RST) an error
  // within about half a minute instead of the kernel's two hours.
  int connect_timeout_s = 10;
  int keepalives_idle_s = 15;
  int keepalives_interval_s = 5;
  int keepalives_count = 3;
  int tcp_user_timeout_ms = 30000;
  std::string application_name = "tgsession";
  // Session settings applied after connecting (0: leave the server's).
  // idle_in_transaction_session_timeout: a client that hangs inside a
  // transaction (holding row locks) is disconnected by the server.
  absl::Duration idle_in_transaction_timeout = absl::ZeroDuration();
  // lock_timeout: a statement waiting for a row lock longer than this fails
  // (kUnavailable) instead of waiting forever.
  absl::Duration lock_timeout = absl::ZeroDuration();
  // Prepare statements once per connection (PQprepare). Off for a pooler in
  // transaction mode that cannot keep named prepared statements.
  bool prepare_statements = true;
  // SET synchronous_commit = off for the session: statements outside an
  // explicit transaction (and transactions that do not say otherwise) are
  // acknowledged before their WAL is flushed.
  bool async_commit = false;
};

// Checks the syntax of a libpq connection string without connecting
// (kInvalidArgument naming the problem).
absl::Status ValidateConninfo(const std::string& conninfo);

class Connection {
 public:
  // Connects. Failures are kUnavailable (server unreachable, refused, too
  // many connections), kUnauthenticated (authentication failed),
  // kFailedPrecondition (TLS required or server certificate not verified),
  // kInvalidArgument (malformed connection string).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& conninfo, const ConnectOptions& options);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one statement with parameters; results in binary format. With
  // prepare_statements the statement is prepared on first use on this
  // connection and then executed by name. `context` prefixes errors.
  [[nodiscard]] absl::StatusOr<Result> Query(absl::string_view sql, const Params& params,
                                             absl::string_view context = "");
  [[nodiscard]] absl::StatusOr<Result> Query(absl::string_view sql, absl::string_view context = "") {
    return Query(sql, Params(), context);
  }
  // Runs SQL without parameters over the simple protocol (BEGIN, COMMIT,
  // SET, DDL; several statements allowed).
  [[nodiscard]] absl::Status Exec(absl::string_view sql, absl::string_view context = "");
  // COPY ... FROM STDIN with `data` in COPY text format.
  [[nodiscard]] absl::Status CopyIn(absl::string_view copy_sql, absl::string_view data,
                                    absl::string_view context = "");

  // One transaction in one round trip (libpq's pipeline mode): `begin`
  // (statements without parameters: "BEGIN", "SET LOCAL ..."), every step,
  // then COMMIT, sent together and read back in order. A step that raises
  // an error aborts the transaction: the server skips the rest, and the
  // connection is rolled back before this returns. Statements are sent
  // unnamed (not prepared).
  struct PipelineStep {
    absl::string_view sql;
    const Params* params = nullptr;
  };
  struct PipelineOutcome {
    // One per step: its result, its error, or kAborted for a step skipped
    // after an earlier one failed.
    std::vector<absl::StatusOr<Result>> results;
    int failed_step = -1;   // the step whose error aborted the transaction
    absl::Status commit;    // OK when the transaction committed
  };
  // Errors only for what fails the whole round trip (a lost connection:
  // kUnavailable, the outcome of the COMMIT then unknown).
  [[nodiscard]] absl::StatusOr<PipelineOutcome> RunPipelined(absl::Span<const absl::string_view> begin,
                                                             absl::Span<const PipelineStep> steps,
                                                             absl::string_view context);

  // True once libpq has seen the connection fail; it cannot be used again.
  bool broken() const;
  // Whether a transaction is open (or failed and not yet rolled back).
  bool in_transaction() const;
  // Whether the open transaction failed (a statement in it raised an error:
  // only ROLLBACK is accepted now).
  bool transaction_failed() const;
  // For a connection idle in a pool: reads whatever the server sent without
  // blocking and returns false when the server has closed the connection
  // (restart, idle timeout, terminated backend).
  bool CheckAlive();

  // "tgs@127.0.0.1:5432" (database, host, port; never the password).
  const std::string& description() const { return description_; }
  // TLS protocol ("TLSv1.3") or "" without TLS.
  std::string TlsProtocol() const;
  int server_version() const;

 private:
  explicit Connection(PGconn* conn, ConnectOptions options);
  absl::Status ResultStatus(PGresult* res, absl::string_view context, absl::string_view sql);
  absl::Status ConnectionError(absl::string_view context);

  PGconn* conn_ = nullptr;
  ConnectOptions options_;
  std::string description_;
  bool fatal_seen_ = false;  // the server said FATAL: it is closing the connection
  absl::flat_hash_map<std::string, std::string> prepared_;  // SQL -> statement name on this connection
};

// A transaction guard. Move-only.
class Transaction {
 public:
  enum class Kind {
    kReadWrite,  // BEGIN (READ COMMITTED)
    kSnapshot,   // BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY: one
                 // consistent snapshot for several SELECTs
  };
  // How the COMMIT waits for the WAL (SET LOCAL synchronous_commit, sent
  // with the BEGIN: no extra round trip).
  enum class Sync {
    kServerDefault,  // the connection's setting
    kDurable,        // on: acknowledged once flushed
    kAsync,          // off: acknowledged before the flush (a server crash may lose it)
  };
  [[nodiscard]] static absl::StatusOr<Transaction> Begin(Connection& conn, Kind kind,
                                                         Sync sync = Sync::kServerDefault);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back unless committed

  // Commits. If the connection is lost while COMMIT is in flight the outcome
  // is unknown, and the error (kUnavailable) says so.
  [[nodiscard]] absl::Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_ = nullptr;
};

// Bounded exponential back-off with jitter between connection attempts to
// a server that is not answering, so a fleet of clients does not hammer a
// server while it restarts (and does not reconnect in lockstep after it).
// The k-th consecutive failure makes the next attempt wait a random time
// in [d/2, d], d = min(max, initial * 2^(k-1)); a success resets it. Not
// thread-safe (the Pool calls it under its lock).
class ConnectBackoff {
 public:
  struct Options {
    absl::Duration initial = absl::Milliseconds(100);
    absl::Duration max = absl::Seconds(10);
  };
  ConnectBackoff(Options options, uint64_t seed);

  // OK when an attempt may be made at `now`; otherwise kUnavailable saying
  // how long to wait and what the last attempt met.
  absl::Status MayAttempt(absl::Time now) const;
  void Failed(absl::Time now, const absl::Status& error);
  void Succeeded();
  int consecutive_failures() const { return failures_; }
  // When the next attempt may be made (InfinitePast() when now).
  absl::Time next_attempt() const { return next_; }

 private:
  Options options_;
  uint64_t rng_;
  int failures_ = 0;
  absl::Time next_ = absl::InfinitePast();
  absl::Status last_error_;
};

// What a Pool reports about its connection attempts (each call is made
// without the pool's lock).
struct PoolHooks {
  // Every attempt that reached the network: its result and duration.
  // `reconnect`: an earlier connection of the pool had broken or failed.
  std::function<void(const absl::Status& result, absl::Duration latency, bool reconnect)> on_connect;
};

// A bounded pool of connections to one server.
class Pool {
 public:
  Pool(std::string conninfo, ConnectOptions options, int max_size, ConnectBackoff::Options backoff = {},
       PoolHooks hooks = {});
  ~Pool();

  class Handle {
   public:
    Handle() = default;
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle();
    Connection* operator->() const { return conn_.get(); }
    Connection& operator*() const { return *conn_; }

   private:
    friend class Pool;
    Handle(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Pool* pool_ = nullptr;
    std::unique_ptr<Connection> conn_;
  };

  // A connection for the caller's exclusive use: an idle one that is still
  // alive, or a new one (waiting while max_size are in use). While the
  // back-off after failed attempts runs, fails fast with kUnavailable.
  [[nodiscard]] absl::StatusOr<Handle> Acquire();
  // A connection outside the pool's bound (a lease renewer's own), under
  // the same back-off.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<Connection>> OpenDedicated();

  // Connections opened so far, and attempts made (for tests and statistics).
  int64_t connects() const;
  int64_t connect_attempts() const;

 private:
  void Release(std::unique_ptr<Connection> conn);
  // Opens a connection unless the back-off forbids an attempt now.
  absl::StatusOr<std::unique_ptr<Connection>> Connect();

  const std::string conninfo_;
  const ConnectOptions options_;
  const int max_size_;
  const PoolHooks hooks_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + handed out + being opened
  int64_t connects_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t attempts_ ABSL_GUARDED_BY(mu_) = 0;
  ConnectBackoff backoff_ ABSL_GUARDED_BY(mu_);
  // During a back-off, one attempt at a time: the others fail fast.
  bool probing_ ABSL_GUARDED_BY(mu_) = false;
  // A connection broke or an attempt failed since the last success.
  bool had_trouble_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace pg
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_DB_H_
