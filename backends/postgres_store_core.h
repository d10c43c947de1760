// What a PostgresStore and the PostgresBackends it opened share: the
// connection pool, the group committer, and the leases the store holds,
// with the thread that renews them. Internal to //backends:postgres; the
// lease protocol is described in docs/postgres.md.
//
// A backend holds the core through a shared_ptr, so it outlives the store
// object; the renewer thread stops when the last owner lets go.
#ifndef TGSESSION_BACKENDS_POSTGRES_STORE_CORE_H_
#define TGSESSION_BACKENDS_POSTGRES_STORE_CORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "backends/postgres_group_commit.h"

namespace tgsession {

// One session's lease as its backend holds it. The renewer marks it lost
// when renewal finds it taken over, released or deleted; the backend's next
// write then fails with the reason.
struct PostgresLease {
  PostgresLease(int64_t id, std::string n, int64_t e) : session_id(id), name(std::move(n)), epoch(e) {}

  void MarkLost(const std::string& reason);
  // The reason, once lost.
  std::optional<std::string> Lost() const;

  const int64_t session_id;
  const std::string name;
  const int64_t epoch;

 private:
  mutable absl::Mutex mu_;
  bool lost_ ABSL_GUARDED_BY(mu_) = false;
  std::string why_ ABSL_GUARDED_BY(mu_);
};

class PostgresStoreCore {
 public:
  PostgresStoreCore(std::string conninfo, const PostgresOptions& options, std::string owner);
  // Stops the renewer, then the group committer.
  ~PostgresStoreCore();

  // Connects, checks or migrates the schema (PostgresOptions::auto_migrate),
  // then starts the renewer and the group committer.
  absl::Status Init();

  const PostgresOptions& options() const { return options_; }
  const std::string& owner() const { return owner_; }
  const std::string& description() const { return description_; }
  pg::Pool& pool() { return pool_; }
  GroupCommitter* committer() { return committer_.get(); }
  PostgresObserver* observer() const { return options_.observer.get(); }
  std::string NameOf(absl::string_view session) const { return absl::StrCat("postgres:", description_, "/", session); }
  // How a granular write's own transaction commits: kAsync, or the
  // server's setting.
  pg::Transaction::Sync GranularSync() const;
  // Whether a granular write outside a transaction gets the commit mode it
  // needs from the session setting; if not it runs in a transaction of its
  // own with SET LOCAL.
  bool GranularNeedsTransaction() const;

  // Tells the observer, if any, how an operation went.
  void Report(absl::string_view operation, absl::string_view session, absl::Time start, const absl::Status& s) const;

  // Names this store has open for writing: a second OpenSession of the same
  // name in this process is refused before asking the database, unless the
  // first one's lease is lost (taken over, released by an operator): that
  // backend can no longer write, so the name may be opened again. The claim
  // holds the lease once taken (null while opening); Unclaim removes only
  // its own.
  absl::Status Claim(const std::string& name);
  void SetClaim(const std::string& name, const std::shared_ptr<PostgresLease>& lease);
  void Unclaim(const std::string& name, const std::shared_ptr<PostgresLease>& lease);

  // The leases the renewer extends.
  void AddLease(std::shared_ptr<PostgresLease> lease);
  void RemoveLease(int64_t session_id, const std::shared_ptr<PostgresLease>& lease);

 private:
  absl::Duration renew_interval() const;
  void RenewLoop();
  void RenewOnce();

  const PostgresOptions options_;
  const std::string owner_;
  const pg::ConnectOptions connect_;
  const std::string conninfo_;
  pg::Pool pool_;
  std::string description_;  // set by Init, then constant

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<int64_t, std::shared_ptr<PostgresLease>> leases_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<PostgresLease>> open_names_ ABSL_GUARDED_BY(mu_);
  std::thread renewer_;
  std::unique_ptr<pg::Connection> renew_conn_;  // the renewer thread's own
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_STORE_CORE_H_
