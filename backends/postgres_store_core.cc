#include "backends/postgres_store_core.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "backends/postgres_schema.h"
#include "backends/postgres_sql.h"
#include "session/status_macros.h"

namespace tgsession {

using pg::Params;
using pg::Result;
using pg::Transaction;
namespace sql = postgres_sql;

void PostgresLease::MarkLost(const std::string& reason) {
  absl::MutexLock lock(&mu_);
  if (!lost_) {
    lost_ = true;
    why_ = reason;
  }
}

std::optional<std::string> PostgresLease::Lost() const {
  absl::MutexLock lock(&mu_);
  if (!lost_) return std::nullopt;
  return why_;
}

namespace {

pg::ConnectOptions MakeConnectOptions(const PostgresOptions& o) {
  pg::ConnectOptions c;
  if (o.transaction_pooling) {
    // Session state does not survive between transactions behind such a
    // pooler: nothing may depend on it.
    c.prepare_statements = false;
    return c;
  }
  c.prepare_statements = o.prepare_statements;
  // Defaults: the lease TTL, but never below 10 s, so a short TTL (tests,
  // fast failover) does not turn a slow moment between two statements of
  // a Save into a dropped connection.
  const absl::Duration floor = std::max(o.lease_ttl, absl::Seconds(10));
  c.idle_in_transaction_timeout =
      o.idle_in_transaction_timeout > absl::ZeroDuration() ? o.idle_in_transaction_timeout : floor;
  c.lock_timeout = o.lock_timeout > absl::ZeroDuration() ? o.lock_timeout : floor;
  c.async_commit = o.granular_commit == PostgresOptions::GranularCommit::kAsync;
  return c;
}

pg::PoolHooks MakeHooks(const std::shared_ptr<PostgresObserver>& observer) {
  pg::PoolHooks h;
  if (observer != nullptr) {
    h.on_connect = [observer](const absl::Status& s, absl::Duration d, bool reconnect) {
      observer->OnConnect(s, d, reconnect);
    };
  }
  return h;
}

}  // namespace

PostgresStoreCore::PostgresStoreCore(std::string conninfo, const PostgresOptions& options, std::string owner)
    : options_(options),
      owner_(std::move(owner)),
      connect_(MakeConnectOptions(options)),
      conninfo_(std::move(conninfo)),
      pool_(conninfo_, connect_, options.pool_size,
            pg::ConnectBackoff::Options{options.reconnect_backoff_initial, options.reconnect_backoff_max},
            MakeHooks(options.observer)) {}

PostgresStoreCore::~PostgresStoreCore() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (renewer_.joinable()) renewer_.join();
  committer_.reset();
}

absl::Status PostgresStoreCore::Init() {
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, pool_.Acquire());
  description_ = conn->description();
  if (options_.auto_migrate) {
    TGS_RETURN_IF_ERROR(postgres_schema::RunMigration(*conn).status());
  } else {
    TGS_ASSIGN_OR_RETURN(const int version, postgres_schema::ReadSchemaVersion(*conn));
    TGS_RETURN_IF_ERROR(postgres_schema::CheckSchemaVersion(version));
    if (version != PostgresStore::kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the database has tgsession schema version ", version, "; this tgsession needs version ",
          PostgresStore::kSchemaVersion, " (run tgsession pg migrate, or open with auto_migrate)"));
    }
  }
  if (renew_interval() != absl::InfiniteDuration()) renewer_ = std::thread([this] { RenewLoop(); });
  if (options_.group_commit_window > absl::ZeroDuration()) {
    committer_ = std::make_unique<GroupCommitter>(&pool_, options_.group_commit_window, options_.group_commit_max,
                                                  GranularSync(), options_.observer.get());
  }
  return absl::OkStatus();
}

Transaction::Sync PostgresStoreCore::GranularSync() const {
  return options_.granular_commit == PostgresOptions::GranularCommit::kAsync ? Transaction::Sync::kAsync
                                                                             : Transaction::Sync::kServerDefault;
}

bool PostgresStoreCore::GranularNeedsTransaction() const {
  return options_.transaction_pooling && options_.granular_commit == PostgresOptions::GranularCommit::kAsync;
}

void PostgresStoreCore::Report(absl::string_view operation, absl::string_view session, absl::Time start,
                               const absl::Status& s) const {
  if (options_.observer == nullptr) return;
  options_.observer->OnOperation(PgOperationEvent{operation, session, absl::Now() - start, s.code()});
}

absl::Status PostgresStoreCore::Claim(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = open_names_.try_emplace(name, nullptr);
  if (!inserted && (it->second == nullptr || !it->second->Lost())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session '", name, "' is already open for writing in this process (owner ", owner_, ")"));
  }
  it->second = nullptr;
  return absl::OkStatus();
}

void PostgresStoreCore::SetClaim(const std::string& name, const std::shared_ptr<PostgresLease>& lease) {
  absl::MutexLock lock(&mu_);
  open_names_[name] = lease;
}

void PostgresStoreCore::Unclaim(const std::string& name, const std::shared_ptr<PostgresLease>& lease) {
  absl::MutexLock lock(&mu_);
  auto it = open_names_.find(name);
  if (it != open_names_.end() && it->second == lease) open_names_.erase(it);
}

void PostgresStoreCore::AddLease(std::shared_ptr<PostgresLease> lease) {
  absl::MutexLock lock(&mu_);
  leases_[lease->session_id] = std::move(lease);
}

void PostgresStoreCore::RemoveLease(int64_t session_id, const std::shared_ptr<PostgresLease>& lease) {
  absl::MutexLock lock(&mu_);
  auto it = leases_.find(session_id);
  if (it != leases_.end() && it->second == lease) leases_.erase(it);
}

absl::Duration PostgresStoreCore::renew_interval() const {
  return options_.renew_interval > absl::ZeroDuration() ? options_.renew_interval : options_.lease_ttl / 3;
}

void PostgresStoreCore::RenewLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), renew_interval());
      if (stop_) return;
    }
    RenewOnce();
  }
}

// Extends every lease this store holds, in one statement. A lease that
// matched no row was taken over, released by an operator or its session
// deleted: its backend is told, and fails its next operation. A failure to
// reach the database changes nothing: the leases stay ours until someone
// else takes them, and every write checks.
void PostgresStoreCore::RenewOnce() {
  std::vector<std::shared_ptr<PostgresLease>> held;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, lease] : leases_) {
      if (!lease->Lost()) held.push_back(lease);
    }
  }
  if (held.empty()) return;
  int renewed_count = 0, lost_count = 0;
  const absl::Status s = [&]() -> absl::Status {
    if (renew_conn_ == nullptr || renew_conn_->broken()) {
      renew_conn_.reset();
      TGS_ASSIGN_OR_RETURN(renew_conn_, pool_.OpenDedicated());
    }
    std::vector<int64_t> ids, epochs;
    for (const auto& l : held) {
      ids.push_back(l->session_id);
      epochs.push_back(l->epoch);
    }
    Params p;
    p.Text(owner_).Int64(absl::ToInt64Milliseconds(options_.lease_ttl)).Int64Array(ids).Int64Array(epochs);
    TGS_ASSIGN_OR_RETURN(Result r, renew_conn_->Query(sql::kRenewLeases, p, "renewing leases"));
    absl::flat_hash_set<int64_t> renewed;
    for (int i = 0; i < r.rows(); ++i) {
      absl::StatusOr<int64_t> id = pg::GetInt(r, i, 0, [] { return std::string("renewed id"); });
      if (id.ok()) renewed.insert(*id);
    }
    for (const auto& l : held) {
      if (renewed.contains(l->session_id)) {
        ++renewed_count;
      } else {
        ++lost_count;
        l->MarkLost(
            "the lease could not be renewed: another process took the session over, an operator released it, or it "
            "was deleted");
      }
    }
    return absl::OkStatus();
  }();
  if (options_.observer != nullptr) options_.observer->OnLeaseRenewal(renewed_count, lost_count, s);
}

}  // namespace tgsession
