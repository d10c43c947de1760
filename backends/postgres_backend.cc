#include "backends/postgres_backend.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/memory/memory.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "backends/keyed_tables.h"
#include "backends/postgres_db.h"
#include "backends/postgres_group_commit.h"
#include "backends/postgres_rows.h"
#include "backends/postgres_schema.h"
#include "backends/postgres_sql.h"
#include "backends/postgres_store_core.h"
#include "session/status_macros.h"
#include "session/utf8.h"

namespace tgsession {

using pg::Params;
using pg::Result;
using pg::Transaction;
namespace sql = postgres_sql;
using postgres_rows::AddDcParams;
using postgres_rows::AddPeerParams;
using postgres_rows::ChannelRows;
using postgres_rows::CheckRowLimit;
using postgres_rows::DecodeChannelRow;
using postgres_rows::DecodeMinPeerRow;
using postgres_rows::DecodePeerRow;
using postgres_rows::LimitPlusOne;
using postgres_rows::MinPeerRows;
using postgres_rows::PeerRows;
using postgres_rows::ReadInt;
using postgres_rows::ReadInt32;
using postgres_rows::ReadList;
using postgres_rows::RowRef;
using postgres_schema::CheckSchemaVersion;
using postgres_schema::MigrationStatements;
using postgres_schema::ReadSchemaVersion;
using postgres_schema::RunMigration;

namespace {

constexpr size_t kMaxNameBytes = 255;

std::string Quoted(absl::string_view name) { return absl::StrCat("'", name, "'"); }

std::string FormatDurationMs(int64_t ms) { return absl::StrFormat("%.1f s", static_cast<double>(ms) / 1000.0); }

absl::Status Prefix(const absl::Status& s, absl::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

std::string MakeOwnerId(const std::string& label) {
  std::string prefix = label;
  if (prefix.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    prefix = absl::StrCat(host[0] != '\0' ? host : "unknown-host", ":", ::getpid());
  }
  std::random_device rd;
  const uint64_t r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return absl::StrCat(prefix, ":", absl::StrFormat("%016x", r));
}

int64_t Ms(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

// DC rows are keyed by their position, the peer columns carry CHECK
// constraints on the enums.
constexpr KeyedSchema kPostgresSchema{"the PostgreSQL schema", /*dcs_keyed_by_id_and_flags=*/false,
                                      /*peer_enums_checked=*/true};

}  // namespace

absl::Status ValidateSessionName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty session name");
  if (name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("session name of ", name.size(), " bytes; the limit is ", kMaxNameBytes));
  }
  if (!IsValidUtf8(name)) return absl::InvalidArgumentError("session name is not UTF-8");
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return absl::InvalidArgumentError("session name contains a control character");
    if (c == '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("session name ", Quoted(name), " contains '/' (reserved: the CLI splits CONNSTRING/NAME there)"));
    }
  }
  return absl::OkStatus();
}

bool IsPostgresLocation(absl::string_view spec) { return absl::StartsWith(spec, "postgres:"); }

absl::StatusOr<PostgresLocation> ParsePostgresLocation(absl::string_view spec) {
  if (!IsPostgresLocation(spec)) {
    return absl::InvalidArgumentError("a PostgreSQL location starts with postgres: (postgres:CONNSTRING/NAME)");
  }
  spec.remove_prefix(std::strlen("postgres:"));
  const size_t slash = spec.rfind('/');
  if (slash == absl::string_view::npos) {
    // Never echo the string: it may hold a password.
    return absl::InvalidArgumentError(
        "a PostgreSQL location is postgres:CONNSTRING/NAME (no '/' before the session name)");
  }
  PostgresLocation loc;
  loc.conninfo = std::string(spec.substr(0, slash));
  loc.name = std::string(spec.substr(slash + 1));
  if (!loc.name.empty()) TGS_RETURN_IF_ERROR(ValidateSessionName(loc.name));
  return loc;
}

// --- the store --------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo,
                                                                   const PostgresOptions& options) {
  if (options.lease_ttl < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("PostgresOptions::lease_ttl must be at least 100 ms");
  }
  if (options.pool_size < 1) return absl::InvalidArgumentError("PostgresOptions::pool_size must be at least 1");
  TGS_RETURN_IF_ERROR(pg::ValidateConninfo(conninfo));
  auto core = std::make_shared<PostgresStoreCore>(conninfo, options, MakeOwnerId(options.owner_label));
  TGS_RETURN_IF_ERROR(Prefix(core->Init(), "opening the PostgreSQL session store"));
  return absl::WrapUnique(new PostgresStore(std::move(core)));
}

PostgresStore::~PostgresStore() = default;

const std::string& PostgresStore::owner_id() const { return core_->owner(); }
const std::string& PostgresStore::description() const { return core_->description(); }

absl::StatusOr<std::string> PostgresStore::TlsProtocol() {
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  return conn->TlsProtocol();
}

absl::StatusOr<std::vector<StoredSessionInfo>> PostgresStore::List() {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<StoredSessionInfo>> out = [&]() -> absl::StatusOr<std::vector<StoredSessionInfo>> {
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    TGS_ASSIGN_OR_RETURN(
        Result r,
        conn->Query("SELECT name, has_session, home_dc_id, lease_owner, lease_epoch, "
                    "(EXTRACT(EPOCH FROM (lease_expires - clock_timestamp())) * 1000)::bigint, "
                    "(EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint, "
                    "(EXTRACT(EPOCH FROM lease_acquired_at) * 1000000)::bigint, lease_note, "
                    "(SELECT count(*) FROM tgs_peers p WHERE p.session_id = s.id) "
                    "FROM tgs_sessions s ORDER BY name",
                    absl::StrCat("postgres:", core_->description(), ": listing sessions")));
    std::vector<StoredSessionInfo> list;
    list.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      StoredSessionInfo info;
      const RowRef ref("tgs_sessions", "", "#", i);
      TGS_ASSIGN_OR_RETURN(absl::string_view name, pg::GetBytes(r, i, 0, [&] { return ref.Where("name"); }));
      info.name = std::string(name);
      TGS_ASSIGN_OR_RETURN(info.has_session, pg::GetBool(r, i, 1, [&] { return ref.Where("has_session"); }));
      TGS_ASSIGN_OR_RETURN(info.home_dc_id, ReadInt32(r, i, 2, ref, "home_dc_id"));
      if (!r.IsNull(i, 3)) {
        TGS_ASSIGN_OR_RETURN(absl::string_view owner, pg::GetBytes(r, i, 3, [&] { return ref.Where("lease_owner"); }));
        info.lease_owner = std::string(owner);
      }
      TGS_ASSIGN_OR_RETURN(info.lease_epoch, ReadInt(r, i, 4, ref, "lease_epoch"));
      if (info.lease_owner && !r.IsNull(i, 5)) {
        TGS_ASSIGN_OR_RETURN(const int64_t ms, ReadInt(r, i, 5, ref, "lease_expires"));
        info.lease_remaining = absl::Milliseconds(ms);
      }
      TGS_ASSIGN_OR_RETURN(const int64_t us, ReadInt(r, i, 6, ref, "updated_at"));
      info.updated_at = absl::FromUnixMicros(us);
      if (info.lease_owner && !r.IsNull(i, 7)) {
        TGS_ASSIGN_OR_RETURN(const int64_t since, ReadInt(r, i, 7, ref, "lease_acquired_at"));
        info.lease_since = absl::FromUnixMicros(since);
      }
      if (!r.IsNull(i, 8)) {
        TGS_ASSIGN_OR_RETURN(absl::string_view note, pg::GetBytes(r, i, 8, [&] { return ref.Where("lease_note"); }));
        info.lease_note = std::string(note);
      }
      TGS_ASSIGN_OR_RETURN(info.peers, ReadInt(r, i, 9, ref, "peers", 0));
      list.push_back(std::move(info));
    }
    return list;
  }();
  core_->Report("List", "", start, out.status());
  return out;
}

absl::StatusOr<PostgresStoreStats> PostgresStore::Stats() {
  const absl::Time start = absl::Now();
  absl::StatusOr<PostgresStoreStats> out = [&]() -> absl::StatusOr<PostgresStoreStats> {
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn, Transaction::Kind::kSnapshot));
    PostgresStoreStats st;
    TGS_ASSIGN_OR_RETURN(st.schema_version, ReadSchemaVersion(*conn));
    TGS_ASSIGN_OR_RETURN(
        Result r,
        conn->Query("SELECT (SELECT count(*) FROM tgs_sessions), "
                    "(SELECT count(*) FROM tgs_sessions WHERE has_session), "
                    "(SELECT count(*) FROM tgs_dcs), (SELECT count(*) FROM tgs_peers), "
                    "(SELECT count(*) FROM tgs_min_peers), (SELECT count(*) FROM tgs_channel_pts), "
                    "(SELECT count(*) FROM tgs_sessions WHERE lease_owner IS NOT NULL AND "
                    "lease_expires > clock_timestamp()), "
                    "(SELECT count(*) FROM tgs_sessions WHERE lease_owner IS NOT NULL AND "
                    "(lease_expires IS NULL OR lease_expires <= clock_timestamp())), "
                    "pg_database_size(current_database())",
                    absl::StrCat("postgres:", core_->description(), ": counting")));
    const RowRef ref("(counts)", "", "#", 0);
    int64_t* const fields[] = {&st.sessions,    &st.saved_sessions, &st.dc_entries,
                               &st.peers,       &st.min_peers,      &st.channel_pts,
                               &st.leases_held, &st.leases_expired, &st.database_bytes};
    for (int c = 0; c < 9; ++c) {
      TGS_ASSIGN_OR_RETURN(*fields[c], ReadInt(r, 0, c, ref, absl::StrCat("#", c), 0));
    }
    TGS_RETURN_IF_ERROR(txn.Commit());
    return st;
  }();
  core_->Report("Stats", "", start, out.status());
  return out;
}

absl::StatusOr<ReleasedLease> PostgresStore::ForceRelease(absl::string_view name, absl::string_view note) {
  const absl::Time start = absl::Now();
  absl::StatusOr<ReleasedLease> out = [&]() -> absl::StatusOr<ReleasedLease> {
    TGS_RETURN_IF_ERROR(ValidateSessionName(name));
    const std::string where = absl::StrCat(core_->NameOf(name), ": releasing the lease");
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    // Durable: the old holder's fencing must survive a server crash.
    TGS_ASSIGN_OR_RETURN(Transaction txn,
                         Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
    TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kForceRelease, Params().Text(name).Text(note), where));
    ReleasedLease released;
    if (r.rows() == 1) {
      const RowRef ref("tgs_sessions", name, "#", 0);
      TGS_ASSIGN_OR_RETURN(absl::string_view owner, pg::GetBytes(r, 0, 0, [&] { return ref.Where("lease_owner"); }));
      released.was_held = true;
      released.old_owner = std::string(owner);
      TGS_ASSIGN_OR_RETURN(released.old_epoch, ReadInt(r, 0, 1, ref, "lease_epoch"));
      TGS_ASSIGN_OR_RETURN(released.new_epoch, ReadInt(r, 0, 2, ref, "lease_epoch"));
    } else {
      TGS_ASSIGN_OR_RETURN(Result e, conn->Query("SELECT lease_epoch FROM tgs_sessions WHERE name = $1",
                                                 Params().Text(name), where));
      if (e.rows() == 0) return absl::NotFoundError(absl::StrCat(where, ": no such session"));
      TGS_ASSIGN_OR_RETURN(released.old_epoch, ReadInt(e, 0, 0, RowRef("tgs_sessions", name, "#", 0), "lease_epoch"));
      released.new_epoch = released.old_epoch;
    }
    TGS_RETURN_IF_ERROR(txn.Commit());
    return released;
  }();
  core_->Report("ForceRelease", name, start, out.status());
  return out;
}

absl::StatusOr<PostgresMigration> PostgresStore::PlanMigration(const std::string& conninfo,
                                                               const PostgresOptions& options) {
  TGS_RETURN_IF_ERROR(pg::ValidateConninfo(conninfo));
  pg::ConnectOptions c;
  c.prepare_statements = !options.transaction_pooling && options.prepare_statements;
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(conninfo, c));
  PostgresMigration m;
  m.to_version = kSchemaVersion;
  TGS_ASSIGN_OR_RETURN(m.from_version, ReadSchemaVersion(*conn));
  TGS_RETURN_IF_ERROR(CheckSchemaVersion(m.from_version));
  m.statements = MigrationStatements(m.from_version);
  return m;
}

absl::StatusOr<PostgresMigration> PostgresStore::Migrate(const std::string& conninfo, const PostgresOptions& options) {
  TGS_RETURN_IF_ERROR(pg::ValidateConninfo(conninfo));
  pg::ConnectOptions c;
  c.prepare_statements = !options.transaction_pooling && options.prepare_statements;
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(conninfo, c));
  return RunMigration(*conn);
}

absl::Status PostgresStore::Create(absl::string_view name) {
  const absl::Time start = absl::Now();
  absl::Status out = [&]() -> absl::Status {
    TGS_RETURN_IF_ERROR(ValidateSessionName(name));
    const std::string where = absl::StrCat(core_->NameOf(name), ": creating");
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    TGS_ASSIGN_OR_RETURN(Result r,
                         conn->Query("INSERT INTO tgs_sessions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                                     Params().Text(name), where));
    if (r.AffectedRows() == 0) return absl::AlreadyExistsError(absl::StrCat(where, ": the session already exists"));
    return absl::OkStatus();
  }();
  core_->Report("Create", name, start, out);
  return out;
}

absl::Status PostgresStore::Delete(absl::string_view name) {
  const absl::Time start = absl::Now();
  absl::Status out = [&]() -> absl::Status {
    TGS_RETURN_IF_ERROR(ValidateSessionName(name));
    const std::string where = absl::StrCat(core_->NameOf(name), ": deleting");
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    // Child rows go with the row (ON DELETE CASCADE), in the same statement.
    TGS_ASSIGN_OR_RETURN(
        Result r, conn->Query("DELETE FROM tgs_sessions WHERE name = $1 AND "
                              "(lease_owner IS NULL OR lease_expires IS NULL OR lease_expires <= clock_timestamp())",
                              Params().Text(name), where));
    if (r.AffectedRows() == 1) return absl::OkStatus();
    TGS_ASSIGN_OR_RETURN(Result h, conn->Query(sql::kLeaseHolder, Params().Text(name), where));
    if (h.rows() == 0) return absl::NotFoundError(absl::StrCat(where, ": no such session"));
    const RowRef ref("tgs_sessions", name, "#", 0);
    absl::StatusOr<absl::string_view> owner = pg::GetBytes(h, 0, 0, [&] { return ref.Where("lease_owner"); });
    absl::StatusOr<int64_t> ms = pg::GetInt(h, 0, 2, [&] { return ref.Where("lease_expires"); });
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": the session is in use by ", owner.ok() ? *owner : "another process",
        ms.ok() ? absl::StrCat(" (lease expires in ", FormatDurationMs(*ms), ")") : ""));
  }();
  core_->Report("DeleteSession", name, start, out);
  return out;
}

absl::StatusOr<std::unique_ptr<PostgresBackend>> PostgresStore::OpenSession(absl::string_view name_view,
                                                                            const OpenSessionOptions& o) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<PostgresBackend>> out = OpenSessionImpl(name_view, o);
  core_->Report("OpenSession", name_view, start, out.status());
  return out;
}

absl::StatusOr<std::unique_ptr<PostgresBackend>> PostgresStore::OpenSessionImpl(absl::string_view name_view,
                                                                                const OpenSessionOptions& o) {
  TGS_RETURN_IF_ERROR(ValidateSessionName(name_view));
  const std::string name(name_view);
  const std::string where = absl::StrCat(core_->NameOf(name), ": opening");
  if (o.read_only) {
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    TGS_ASSIGN_OR_RETURN(Result r,
                         conn->Query("SELECT id FROM tgs_sessions WHERE name = $1", Params().Text(name), where));
    if (r.rows() == 0) return absl::NotFoundError(absl::StrCat(where, ": no such session"));
    TGS_ASSIGN_OR_RETURN(const int64_t id, pg::GetInt(r, 0, 0, [] { return std::string("tgs_sessions.id"); }));
    return absl::WrapUnique(new PostgresBackend(core_, name, id, nullptr));
  }

  TGS_RETURN_IF_ERROR(Prefix(core_->Claim(name), where));
  auto unclaim = absl::MakeCleanup([&] { core_->Unclaim(name, nullptr); });
  const absl::Time deadline = absl::Now() + o.wait_for_lease;
  while (true) {
    absl::Duration retry_in;
    {
      TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
      if (o.create_if_missing) {
        TGS_RETURN_IF_ERROR(conn->Query("INSERT INTO tgs_sessions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                                        Params().Text(name), where)
                                .status());
      }
      Params p;
      p.Text(name).Text(core_->owner()).Int64(Ms(core_->options().lease_ttl));
      TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kAcquireLease, p, absl::StrCat(where, ": taking the lease")));
      if (r.rows() == 1) {
        const RowRef ref("tgs_sessions", name, "#", 0);
        TGS_ASSIGN_OR_RETURN(const int64_t id, ReadInt(r, 0, 0, ref, "id"));
        TGS_ASSIGN_OR_RETURN(const int64_t epoch, ReadInt(r, 0, 1, ref, "lease_epoch"));
        auto lease = std::make_shared<PostgresLease>(id, name, epoch);
        core_->AddLease(lease);
        core_->SetClaim(name, lease);
        std::move(unclaim).Cancel();
        return absl::WrapUnique(new PostgresBackend(core_, name, id, std::move(lease)));
      }
      TGS_ASSIGN_OR_RETURN(Result h, conn->Query(sql::kLeaseHolder, Params().Text(name), where));
      if (h.rows() == 0) {
        if (!o.create_if_missing) return absl::NotFoundError(absl::StrCat(where, ": no such session"));
        continue;  // deleted between our INSERT and UPDATE: create it again
      }
      const RowRef ref("tgs_sessions", name, "#", 0);
      std::string owner = "another process";
      if (!h.IsNull(0, 0)) {
        TGS_ASSIGN_OR_RETURN(absl::string_view v, pg::GetBytes(h, 0, 0, [&] { return ref.Where("lease_owner"); }));
        owner = std::string(v);
      }
      int64_t remaining_ms = 0;
      if (!h.IsNull(0, 2)) {
        TGS_ASSIGN_OR_RETURN(remaining_ms, ReadInt(h, 0, 2, ref, "lease_expires"));
      }
      std::string since;
      if (!h.IsNull(0, 3)) {
        TGS_ASSIGN_OR_RETURN(const int64_t us, ReadInt(h, 0, 3, ref, "lease_acquired_at"));
        since = absl::StrCat(" since ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(us),
                                                         absl::UTCTimeZone()));
      }
      const absl::Time now = absl::Now();
      if (now >= deadline) {
        return absl::FailedPreconditionError(absl::StrCat(
            where, ": the session is in use by ", owner, since, " (its lease expires in ",
            FormatDurationMs(remaining_ms),
            o.wait_for_lease > absl::ZeroDuration() ? absl::StrCat("; waited ", absl::FormatDuration(o.wait_for_lease))
                                                    : "",
            ")"));
      }
      // Asked again often enough that a release (or an operator's) is seen
      // within lease_poll_interval.
      retry_in = std::clamp(absl::Milliseconds(remaining_ms), absl::Milliseconds(5),
                            std::max(absl::Milliseconds(5), core_->options().lease_poll_interval));
      retry_in = std::min(retry_in, deadline - now);
    }
    absl::SleepFor(retry_in);
  }
}

// --- the single-session view ------------------------------------------------------------------

PostgresBackend::PostgresBackend(std::shared_ptr<PostgresStoreCore> core, std::string name, int64_t session_id,
                                 std::shared_ptr<PostgresLease> lease)
    : core_(std::move(core)),
      name_(std::move(name)),
      session_id_(session_id),
      read_only_(lease == nullptr),
      lease_(std::move(lease)) {}

absl::StatusOr<std::unique_ptr<PostgresBackend>> PostgresBackend::Open(const std::string& conninfo,
                                                                       absl::string_view name,
                                                                       const PostgresOptions& options,
                                                                       const OpenSessionOptions& session_options) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(conninfo, options));
  return store->OpenSession(name, session_options);
}

PostgresBackend::~PostgresBackend() { (void)Close(); }

absl::Status PostgresBackend::Report(absl::string_view operation, absl::Time start, absl::Status s) const {
  core_->Report(operation, name_, start, s);
  return s;
}

absl::Status PostgresBackend::Close() {
  if (lease_ == nullptr) return absl::OkStatus();
  const absl::Time start = absl::Now();
  absl::MutexLock lock(&write_mu_);
  if (lease_->Lost()) {
    core_->RemoveLease(session_id_, lease_);
    core_->Unclaim(name_, lease_);
    return absl::OkStatus();
  }
  lease_->MarkLost("the session was closed");
  core_->RemoveLease(session_id_, lease_);
  core_->Unclaim(name_, lease_);
  absl::Status s = [&]() -> absl::Status {
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    return conn->Query(sql::kReleaseLease, Fence(), "releasing the lease").status();
  }();
  return Report("Close", start, Wrap(s, "closing"));
}

std::string PostgresBackend::Name() const { return core_->NameOf(name_); }

int64_t PostgresBackend::lease_epoch() const { return lease_ != nullptr ? lease_->epoch : 0; }

absl::Status PostgresBackend::Wrap(const absl::Status& s, absl::string_view what) const {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(Name(), ": ", what, ": ", s.message()));
}

Params PostgresBackend::Fence() const {
  Params p;
  // A read-only view has no lease; its writes are refused before they run.
  p.Int64(session_id_).Text(core_->owner()).Int64(lease_ != nullptr ? lease_->epoch : -1);
  return p;
}

absl::Status PostgresBackend::CheckWritable() const {
  if (read_only_) return absl::FailedPreconditionError("the session was opened read-only");
  if (std::optional<std::string> why = lease_->Lost()) {
    return absl::FailedPreconditionError(absl::StrCat("the lease is no longer ours (", *why, ")"));
  }
  return absl::OkStatus();
}

absl::Status PostgresBackend::LeaseLost(pg::Connection& conn) {
  std::string reason = "the lease is no longer ours";
  absl::StatusOr<Result> r =
      conn.Query("SELECT lease_owner, lease_epoch, lease_note FROM tgs_sessions WHERE id = $1",
                 Params().Int64(session_id_), "looking up the lease");
  if (r.ok()) {
    absl::StatusOr<int64_t> epoch =
        r->rows() == 0 ? absl::StatusOr<int64_t>(0) : pg::GetInt(*r, 0, 1, [] { return std::string("lease_epoch"); });
    std::string note;
    if (r->rows() == 1 && !r->IsNull(0, 2)) {
      absl::StatusOr<absl::string_view> n = pg::GetBytes(*r, 0, 2, [] { return std::string("lease_note"); });
      if (n.ok()) note = absl::StrCat(" (", *n, ")");
    }
    if (r->rows() == 0) {
      reason = "the session was deleted";
    } else if (r->IsNull(0, 0)) {
      reason = !note.empty() || (epoch.ok() && *epoch != lease_->epoch)
                   ? absl::StrCat("the lease was released by an operator", note)
                   : "the lease was released";
    } else {
      absl::StatusOr<absl::string_view> owner = pg::GetBytes(*r, 0, 0, [] { return std::string("lease_owner"); });
      if (owner.ok() && epoch.ok()) {
        reason = absl::StrCat("the session is now held by ", *owner, " (lease epoch ", *epoch, "; ours was ",
                              lease_->epoch, ")");
      }
    }
  }
  lease_->MarkLost(reason);
  return absl::FailedPreconditionError(
      absl::StrCat("lease lost: ", reason, "; nothing was written, and this process must stop using the session"));
}

absl::Status PostgresBackend::RunGranular(absl::string_view sql, const Params& params, bool fence_returns_row,
                                          absl::string_view what) {
  const auto matched = [fence_returns_row](const Result& r) {
    return fence_returns_row ? r.rows() > 0 : r.AffectedRows() > 0;
  };
  if (GroupCommitter* g = core_->committer()) {
    TGS_ASSIGN_OR_RETURN(Result r, g->Run(sql, params, session_id_));
    if (matched(r)) return absl::OkStatus();
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    return LeaseLost(*conn);
  }
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  std::optional<Transaction> txn;
  if (core_->GranularNeedsTransaction()) {
    // Behind a transaction-mode pooler the session setting cannot be relied
    // upon: the write gets a transaction with SET LOCAL.
    TGS_ASSIGN_OR_RETURN(Transaction t, Transaction::Begin(*conn, Transaction::Kind::kReadWrite, core_->GranularSync()));
    txn.emplace(std::move(t));
  }
  TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql, params, what));
  if (!matched(r)) return LeaseLost(*conn);
  return txn ? txn->Commit() : absl::OkStatus();
}

absl::Status PostgresBackend::FencedStatement(absl::string_view sql, Params params, absl::string_view what) {
  TGS_RETURN_IF_ERROR(Wrap(CheckWritable(), what));
  absl::ReaderMutexLock lock(&write_mu_);
  return Wrap(RunGranular(sql, params, /*fence_returns_row=*/false, what), what);
}

absl::Status PostgresBackend::CachePeer(const CachedPeer& peer) {
  const absl::Time start = absl::Now();
  Params p = Fence();
  AddPeerParams(p, peer);
  static const std::string* const kSql = new std::string(sql::UpsertPeerSql());
  return Report("CachePeer", start, FencedStatement(*kSql, std::move(p), "caching a peer"));
}

absl::Status PostgresBackend::SetHomeDc(int32_t dc_id) {
  const absl::Time start = absl::Now();
  absl::Status s = Wrap(CheckWritable(), "setting the home DC");
  if (s.ok()) {
    absl::ReaderMutexLock lock(&write_mu_);
    s = Wrap(SetHomeDcImpl(dc_id), "setting the home DC");
  }
  return Report("SetHomeDc", start, s);
}

absl::Status PostgresBackend::SetHomeDcImpl(int32_t dc_id) {
  // Where the account lives: durable, as the keys are.
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  TGS_ASSIGN_OR_RETURN(Transaction txn,
                       Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
  Params p = Fence();
  p.Int32(dc_id);
  TGS_ASSIGN_OR_RETURN(
      Result r, conn->Query(absl::StrCat("UPDATE tgs_sessions SET home_dc_id = $4, has_session = true, "
                                         "updated_at = now() WHERE ",
                                         sql::kFenceWhere),
                            p));
  if (r.AffectedRows() == 0) return LeaseLost(*conn);
  return txn.Commit();
}

absl::Status PostgresBackend::ApplyUpdateState(const UpdateStateChange& change) {
  const absl::Time start = absl::Now();
  absl::Status s;
  switch (change.kind) {
    case UpdateStateChange::Kind::kAll:
      s = ApplyAllImpl(change.all);
      break;
    case UpdateStateChange::Kind::kPrimary: {
      Params p = Fence();
      p.Int32(change.pts).Int32(change.date).Int32(change.seq);
      s = FencedStatement(absl::StrCat("UPDATE tgs_sessions SET pts = $4, update_date = $5, seq = $6, "
                                       "has_session = true WHERE ",
                                       sql::kFenceWhere),
                          std::move(p), "saving pts, date and seq");
      break;
    }
    case UpdateStateChange::Kind::kSecondary: {
      Params p = Fence();
      p.Int32(change.qts);
      s = FencedStatement(absl::StrCat("UPDATE tgs_sessions SET qts = $4, has_session = true WHERE ", sql::kFenceWhere),
                          std::move(p), "saving qts");
      break;
    }
    case UpdateStateChange::Kind::kChannel: {
      Params p = Fence();
      p.Int64(change.channel_id).Int32(change.pts);
      static const std::string* const kSql = new std::string(sql::UpsertChannelSql());
      s = FencedStatement(*kSql, std::move(p), "saving a channel's pts");
      break;
    }
    default:
      s = Wrap(absl::InvalidArgumentError("unknown update state change"), "applying an update state change");
  }
  return Report("ApplyUpdateState", start, s);
}

absl::Status PostgresBackend::ApplyAllImpl(const UpdatesState& u) {
  TGS_RETURN_IF_ERROR(Wrap(CheckWritable(), "replacing the update state"));
  TGS_RETURN_IF_ERROR(Wrap(CheckKeyedChannels(u, core_->options().limits, kPostgresSchema), "replacing the update state"));
  const std::string rows = ChannelRows(session_id_, u.channels());
  absl::MutexLock lock(&write_mu_);
  absl::Status s = [&]() -> absl::Status {
    TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
    TGS_ASSIGN_OR_RETURN(Transaction txn,
                         Transaction::Begin(*conn, Transaction::Kind::kReadWrite, core_->GranularSync()));
    Params p = Fence();
    p.Int32(u.pts).Int32(u.qts).Int32(u.date).Int32(u.seq);
    TGS_ASSIGN_OR_RETURN(Result r, conn->Query(absl::StrCat("UPDATE tgs_sessions SET pts = $4, qts = $5, "
                                                            "update_date = $6, seq = $7, has_session = true WHERE ",
                                                            sql::kFenceWhere),
                                               p, "saving the counters"));
    if (r.AffectedRows() == 0) return LeaseLost(*conn);
    TGS_RETURN_IF_ERROR(conn->Query("DELETE FROM tgs_channel_pts WHERE session_id = $1", Params().Int64(session_id_))
                            .status());
    if (!rows.empty()) {
      TGS_RETURN_IF_ERROR(conn->CopyIn("COPY tgs_channel_pts (session_id, channel_id, pts) FROM STDIN", rows,
                                       "writing channel pts"));
    }
    return txn.Commit();
  }();
  return Wrap(s, "replacing the update state");
}

absl::Status PostgresBackend::ApplyChanges(const SessionChanges& changes) {
  if (changes.empty()) return absl::OkStatus();
  const absl::Time start = absl::Now();
  absl::Status s = Wrap(CheckWritable(), "applying a batch");
  if (s.ok()) s = Wrap(ApplyChangesImpl(changes), absl::StrCat("applying a batch of ", changes.size(), " changes"));
  return Report("ApplyChanges", start, s);
}

absl::Status PostgresBackend::ApplyChangesImpl(const SessionChanges& changes) {
  const NetUpdateState net = NetUpdateState::Of(changes.updates);
  if (net.replace_channels != nullptr) TGS_RETURN_IF_ERROR(CheckKeyedChannels(*net.replace_channels, core_->options().limits, kPostgresSchema));
  // The arrays are built before anything is sent. PostgreSQL's upsert
  // refuses to touch a row twice in one statement: one entry per id, as
  // upserting them in turn would leave.
  const std::vector<CachedPeer> peers = LastPerKey(changes.peers);
  const std::vector<CachedMinPeer> mins = LastPerKey(changes.min_peers);
  for (const CachedPeer& p : peers) {
    if (static_cast<int>(p.type) > 2 || (p.channel_kind && static_cast<int>(*p.channel_kind) > 2)) {
      return absl::InvalidArgumentError(absl::StrCat("peer ", p.id, " has an unknown type or channel kind"));
    }
  }
  Params p = Fence();
  p.Bool(net.primary.has_value())
      .Int32(net.primary ? net.primary->pts : 0)
      .Int32(net.primary ? net.primary->date : 0)
      .Int32(net.primary ? net.primary->seq : 0)
      .Bool(net.qts.has_value())
      .Int32(net.qts.value_or(0));
  {
    std::vector<int64_t> ids, hashes;
    std::vector<int16_t> types, kinds;
    std::vector<bool> community;
    for (const CachedPeer& peer : peers) {
      ids.push_back(peer.id);
      hashes.push_back(peer.access_hash);
      types.push_back(static_cast<int16_t>(peer.type));
      kinds.push_back(peer.channel_kind ? static_cast<int16_t>(*peer.channel_kind) : int16_t{-1});
      community.push_back(peer.is_community);
    }
    std::unique_ptr<bool[]> flags(new bool[community.size() + 1]);
    for (size_t i = 0; i < community.size(); ++i) flags[i] = community[i];
    p.Int64Array(ids).Int64Array(hashes).Int16Array(types).Int16Array(kinds).BoolArray(
        absl::MakeConstSpan(flags.get(), community.size()));
  }
  {
    std::vector<int64_t> users, in;
    std::vector<int32_t> msgs;
    for (const CachedMinPeer& m : mins) {
      users.push_back(m.user_id);
      in.push_back(m.peer_id);
      msgs.push_back(m.msg_id);
    }
    p.Int64Array(users).Int64Array(in).Int32Array(msgs);
  }
  {
    std::vector<int64_t> channels;
    std::vector<int32_t> pts;
    for (const ChannelPts& c : net.channels) {
      channels.push_back(c.channel_id);
      pts.push_back(c.pts);
    }
    p.Int64Array(channels).Int32Array(pts);
  }
  if (net.replace_channels == nullptr) {
    absl::ReaderMutexLock lock(&write_mu_);
    return RunGranular(sql::kApplyBatch, p, /*fence_returns_row=*/true, "writing the batch");
  }
  // A whole update state replaces the channel list first: a transaction.
  absl::MutexLock lock(&write_mu_);
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  TGS_ASSIGN_OR_RETURN(Transaction txn,
                       Transaction::Begin(*conn, Transaction::Kind::kReadWrite, core_->GranularSync()));
  {
    TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kLockSession, Fence(), "locking the session row"));
    if (r.rows() == 0) return LeaseLost(*conn);
  }
  TGS_RETURN_IF_ERROR(conn->Query("DELETE FROM tgs_channel_pts WHERE session_id = $1", Params().Int64(session_id_),
                                  "removing channel pts")
                          .status());
  {
    std::vector<int64_t> channels;
    std::vector<int32_t> pts;
    for (const ChannelPts& c : net.replace_channels->channels()) {
      channels.push_back(c.channel_id);
      pts.push_back(c.pts);
    }
    Params rp;
    rp.Int64(session_id_).Int64Array(channels).Int32Array(pts);
    TGS_RETURN_IF_ERROR(conn->Query(sql::kReplaceChannels, rp, "writing channel pts").status());
  }
  TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kApplyBatch, p, "writing the batch"));
  if (r.rows() == 0) return LeaseLost(*conn);
  return txn.Commit();
}

absl::Status PostgresBackend::Flush() {
  const absl::Time start = absl::Now();
  absl::Status s = Wrap(CheckWritable(), "flushing");
  if (s.ok()) {
    s = [&]() -> absl::Status {
      // A durable commit flushes the WAL through it, and with it every
      // earlier asynchronous commit.
      TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
      TGS_ASSIGN_OR_RETURN(Transaction txn,
                           Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
      TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kTouchSession, Fence(), "flushing"));
      if (r.AffectedRows() == 0) return LeaseLost(*conn);
      return txn.Commit();
    }();
    s = Wrap(s, "flushing");
  }
  return Report("Flush", start, s);
}

absl::Status PostgresBackend::UpdateDc(const DcEntry& entry) {
  const absl::Time start = absl::Now();
  if (entry.addr.size() > core_->options().limits.max_addr_bytes) {
    return Report("UpdateDc", start,
                  Wrap(absl::OutOfRangeError(absl::StrCat("DC address is ", entry.addr.size(),
                                                          " bytes; the limit is ",
                                                          core_->options().limits.max_addr_bytes)),
                       "updating a DC"));
  }
  absl::Status s = Wrap(CheckWritable(), "updating a DC");
  if (s.ok()) {
    absl::MutexLock lock(&write_mu_);
    s = Wrap(UpdateDcImpl(entry), absl::StrCat("updating DC ", entry.dc_id));
  }
  return Report("UpdateDc", start, s);
}

absl::Status PostgresBackend::UpdateDcImpl(const DcEntry& entry) {
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  TGS_ASSIGN_OR_RETURN(Transaction txn,
                       Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
  // Updating the session row fences (no row: the lease is not ours) and holds
  // the row until COMMIT, so a takeover waits for us.
  TGS_ASSIGN_OR_RETURN(Result r,
                       conn->Query(absl::StrCat("UPDATE tgs_sessions SET has_session = true, updated_at = now() WHERE ",
                                                sql::kFenceWhere),
                                   Fence(), "locking the session row"));
  if (r.AffectedRows() == 0) return LeaseLost(*conn);
  Params p;
  p.Int64(session_id_);
  AddDcParams(p, entry);
  TGS_RETURN_IF_ERROR(conn->Query(sql::kUpsertDc, p, "writing the DC entry").status());
  return txn.Commit();
}

absl::Status PostgresBackend::Save(const Session& session) {
  const absl::Time start = absl::Now();
  absl::Status s = Wrap(CheckWritable(), "saving");
  if (s.ok()) s = Wrap(CheckKeyedSession(session, core_->options().limits, kPostgresSchema), "saving");
  if (s.ok()) {
    absl::MutexLock lock(&write_mu_);
    s = Wrap(SaveImpl(session), "saving");
  }
  return Report("Save", start, s);
}

absl::Status PostgresBackend::SaveImpl(const Session& s) {
  // The COPY data is built before the transaction starts, so the
  // transaction (and its row lock) lasts only as long as the transfer.
  const std::string channels = ChannelRows(session_id_, s.updates_state.channels());
  const std::string peers = PeerRows(session_id_, s.peers);
  const std::string mins = MinPeerRows(session_id_, s.min_peers);

  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  TGS_ASSIGN_OR_RETURN(Transaction txn,
                       Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
  {
    TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kLockSession, Fence(), "locking the session row"));
    if (r.rows() == 0) return LeaseLost(*conn);
  }
  TGS_RETURN_IF_ERROR(conn->Query(sql::kDeleteChildren, Params().Int64(session_id_), "removing the previous rows").status());
  for (size_t i = 0; i < s.dcs.size(); ++i) {
    Params p;
    p.Int64(session_id_);
    AddDcParams(p, s.dcs[i]);
    TGS_RETURN_IF_ERROR(conn->Query(sql::kInsertDc, p, absl::StrCat("writing dcs[", i, "]")).status());
  }
  if (!channels.empty()) {
    TGS_RETURN_IF_ERROR(
        conn->CopyIn("COPY tgs_channel_pts (session_id, channel_id, pts) FROM STDIN", channels, "writing channel pts"));
  }
  if (!peers.empty()) {
    TGS_RETURN_IF_ERROR(conn->CopyIn(
        "COPY tgs_peers (session_id, peer_id, access_hash, peer_type, channel_kind, is_community) FROM STDIN", peers,
        "writing peers"));
  }
  if (!mins.empty()) {
    TGS_RETURN_IF_ERROR(conn->CopyIn("COPY tgs_min_peers (session_id, user_id, peer_id, msg_id) FROM STDIN", mins,
                                     "writing min peers"));
  }
  // The session row last: renewal of the lease is not held up by the copy.
  Params p = Fence();
  const UpdatesState& u = s.updates_state;
  p.Int32(s.home_dc_id).Int32(u.pts).Int32(u.qts).Int32(u.date).Int32(u.seq);
  if (s.future_auth_token.has_value()) {
    p.Bytea(s.future_auth_token->bytes());
  } else {
    p.Null(pg::oid::kBytea);
  }
  TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kSaveSessionRow, p, "writing the session row"));
  if (r.AffectedRows() == 0) return LeaseLost(*conn);
  return txn.Commit();
}

absl::Status PostgresBackend::Delete() {
  const absl::Time start = absl::Now();
  absl::Status s = Wrap(CheckWritable(), "deleting");
  if (s.ok()) {
    absl::MutexLock lock(&write_mu_);
    s = Wrap(DeleteImpl(), "deleting");
  }
  return Report("Delete", start, s);
}

absl::Status PostgresBackend::DeleteImpl() {
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  TGS_ASSIGN_OR_RETURN(Transaction txn,
                       Transaction::Begin(*conn, Transaction::Kind::kReadWrite, Transaction::Sync::kDurable));
  TGS_ASSIGN_OR_RETURN(Result r, conn->Query(sql::kClearSessionRow, Fence(), "clearing the session row"));
  if (r.AffectedRows() == 0) return LeaseLost(*conn);
  TGS_RETURN_IF_ERROR(conn->Query(sql::kDeleteChildren, Params().Int64(session_id_), "removing rows").status());
  return txn.Commit();
}

absl::StatusOr<std::optional<Session>> PostgresBackend::Load() {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::optional<Session>> s = [&]() -> absl::StatusOr<std::optional<Session>> {
    if (!read_only_) TGS_RETURN_IF_ERROR(Wrap(CheckWritable(), "loading"));
    absl::StatusOr<std::optional<Session>> loaded = LoadImpl();
    if (!loaded.ok()) return Wrap(loaded.status(), "loading");
    return loaded;
  }();
  core_->Report("Load", name_, start, s.status());
  return s;
}

absl::StatusOr<std::optional<Session>> PostgresBackend::LoadImpl() {
  const DecodeLimits& limits = core_->options().limits;
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, core_->pool().Acquire());
  // One snapshot for all tables, even while the holder writes.
  TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*conn, Transaction::Kind::kSnapshot));
  TGS_ASSIGN_OR_RETURN(
      Result head,
      conn->Query("SELECT has_session, home_dc_id, pts, qts, update_date, seq, "
                  "substring(future_auth_token from 1 for $2), octet_length(future_auth_token), lease_owner, "
                  "lease_epoch FROM tgs_sessions WHERE id = $1",
                  Params().Int64(session_id_).Int32(LimitPlusOne(limits.max_token_bytes)), "reading tgs_sessions"));
  // The token column is wiped from libpq's buffer once copied.
  auto wipe_head = absl::MakeCleanup([&head] { head.WipeColumn(6); });
  if (head.rows() == 0) {
    if (read_only_) return std::optional<Session>();
    return LeaseLost(*conn);
  }
  const RowRef ref("tgs_sessions", name_, "id", session_id_);
  if (!read_only_) {
    std::optional<absl::string_view> owner;
    if (!head.IsNull(0, 8)) {
      TGS_ASSIGN_OR_RETURN(owner, pg::GetBytes(head, 0, 8, [&] { return ref.Where("lease_owner"); }));
    }
    TGS_ASSIGN_OR_RETURN(const int64_t epoch, ReadInt(head, 0, 9, ref, "lease_epoch"));
    if (owner != absl::string_view(core_->owner()) || epoch != lease_->epoch) return LeaseLost(*conn);
  }
  TGS_ASSIGN_OR_RETURN(const bool has_session, pg::GetBool(head, 0, 0, [&] { return ref.Where("has_session"); }));
  if (!has_session) return std::optional<Session>();

  std::optional<Session> out(std::in_place);
  Session& s = *out;
  TGS_ASSIGN_OR_RETURN(s.home_dc_id, ReadInt32(head, 0, 1, ref, "home_dc_id"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.pts, ReadInt32(head, 0, 2, ref, "pts"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.qts, ReadInt32(head, 0, 3, ref, "qts"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.date, ReadInt32(head, 0, 4, ref, "update_date"));
  TGS_ASSIGN_OR_RETURN(s.updates_state.seq, ReadInt32(head, 0, 5, ref, "seq"));
  if (!head.IsNull(0, 6)) {
    TGS_ASSIGN_OR_RETURN(const int64_t n, ReadInt(head, 0, 7, ref, "future_auth_token"));
    if (n > static_cast<int64_t>(limits.max_token_bytes)) {
      return ref.Error("future_auth_token",
                       absl::StrCat("token of ", n, " bytes is over the limit of ", limits.max_token_bytes));
    }
    TGS_ASSIGN_OR_RETURN(absl::string_view token,
                         pg::GetBytes(head, 0, 6, [&] { return ref.Where("future_auth_token"); }));
    s.future_auth_token.emplace(token);
  }

  {
    TGS_ASSIGN_OR_RETURN(
        Result r, conn->Query("SELECT ord, dc_id, flags, substring(addr from 1 for $2), octet_length(addr), "
                              "substring(auth_key from 1 for 257), octet_length(auth_key), first_salt, time_offset "
                              "FROM tgs_dcs WHERE session_id = $1 ORDER BY ord LIMIT $3",
                              Params()
                                  .Int64(session_id_)
                                  .Int32(LimitPlusOne(limits.max_addr_bytes))
                                  .Int32(LimitPlusOne(limits.max_dcs)),
                              "reading tgs_dcs"));
    auto wipe = absl::MakeCleanup([&r] { r.WipeColumn(5); });
    TGS_RETURN_IF_ERROR(CheckRowLimit(r, "tgs_dcs", name_, limits.max_dcs, "max_dcs"));
    s.dcs.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      TGS_ASSIGN_OR_RETURN(const int64_t ord, ReadInt(r, i, 0, RowRef("tgs_dcs", name_, "#", i), "ord"));
      const RowRef row("tgs_dcs", name_, "ord", ord);
      DcEntry dc;
      TGS_ASSIGN_OR_RETURN(dc.dc_id, ReadInt32(r, i, 1, row, "dc_id"));
      TGS_ASSIGN_OR_RETURN(const int64_t flags, ReadInt(r, i, 2, row, "flags", 0, 255));
      dc.flags = DcFlags(static_cast<uint8_t>(flags));
      TGS_ASSIGN_OR_RETURN(const int64_t addr_len, ReadInt(r, i, 4, row, "addr"));
      if (addr_len > static_cast<int64_t>(limits.max_addr_bytes)) {
        return row.Error("addr", absl::StrCat("address of ", addr_len, " bytes is over the limit of ",
                                              limits.max_addr_bytes));
      }
      TGS_ASSIGN_OR_RETURN(absl::string_view addr, pg::GetBytes(r, i, 3, [&] { return row.Where("addr"); }));
      dc.addr = std::string(addr);
      if (!r.IsNull(i, 5)) {
        // Only the length is ever reported, never the bytes.
        TGS_ASSIGN_OR_RETURN(const int64_t key_len, ReadInt(r, i, 6, row, "auth_key"));
        TGS_ASSIGN_OR_RETURN(absl::string_view key, pg::GetBytes(r, i, 5, [&] { return row.Where("auth_key"); }));
        if (key_len != static_cast<int64_t>(AuthKey::kSize) || key.size() != AuthKey::kSize) {
          return row.Error("auth_key", absl::StrCat("bytea of ", key_len, " bytes; an auth key is ", AuthKey::kSize,
                                                    " bytes (or NULL for none)"));
        }
        dc.auth_key = AuthKey::FromRawUnchecked(reinterpret_cast<const uint8_t*>(key.data()));
      }
      TGS_ASSIGN_OR_RETURN(dc.first_salt, ReadInt(r, i, 7, row, "first_salt"));
      TGS_ASSIGN_OR_RETURN(dc.time_offset, ReadInt32(r, i, 8, row, "time_offset"));
      s.dcs.push_back(std::move(dc));
    }
  }
  {
    TGS_ASSIGN_OR_RETURN(std::vector<ChannelPts> channels,
                         ReadList<ChannelPts>(*conn, session_id_, name_, "tgs_channel_pts", "channel_id, pts",
                                              limits.max_channels, "max_channels", DecodeChannelRow));
    s.updates_state.mutable_channels().Assign(std::move(channels));
  }
  {
    TGS_ASSIGN_OR_RETURN(std::vector<CachedPeer> peers,
                         ReadList<CachedPeer>(*conn, session_id_, name_, "tgs_peers",
                                              "peer_id, access_hash, peer_type, channel_kind, is_community",
                                              limits.max_peers, "max_peers", DecodePeerRow));
    s.peers.Assign(std::move(peers));
  }
  {
    TGS_ASSIGN_OR_RETURN(std::vector<CachedMinPeer> mins,
                         ReadList<CachedMinPeer>(*conn, session_id_, name_, "tgs_min_peers",
                                                 "user_id, peer_id, msg_id", limits.max_min_peers, "max_min_peers",
                                                 DecodeMinPeerRow));
    s.min_peers.Assign(std::move(mins));
  }
  TGS_RETURN_IF_ERROR(txn.Commit());
  return out;
}

}  // namespace tgsession
