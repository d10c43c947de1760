// Client-side group commit for the PostgreSQL store (internal to
// //backends:postgres).
//
// Runs granular writes of many sessions in shared transactions: the first
// write of a group waits up to `window` (or until `max` have arrived), then
// the group's statements run in session-id order in one transaction, sent in
// one round trip (libpq's pipeline mode), and every caller gets its
// statement's result once the COMMIT returns. A statement that raises an
// error aborts the transaction: its caller gets the error, and the others
// run again without it. A fenced statement that matches no row (a lost
// lease) changes nothing and is its caller's to report.
#ifndef TGSESSION_BACKENDS_POSTGRES_GROUP_COMMIT_H_
#define TGSESSION_BACKENDS_POSTGRES_GROUP_COMMIT_H_

#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backends/postgres_db.h"
#include "backends/postgres_metrics.h"

namespace tgsession {

class GroupCommitter {
 public:
  // Starts the committing thread; `pool` and `observer` (may be null) must
  // outlive this object.
  GroupCommitter(pg::Pool* pool, absl::Duration window, int max, pg::Transaction::Sync sync,
                 PostgresObserver* observer);
  // Runs what is pending, then stops the thread.
  ~GroupCommitter();

  // Runs `sql` with `params` in the next group and returns its result.
  // `session_id`: statements run in session-id order within a group, so
  // the session rows they lock are locked in one order (see kRenewLeases).
  absl::StatusOr<pg::Result> Run(absl::string_view sql, const pg::Params& params, int64_t session_id);

 private:
  struct Item {
    absl::string_view sql;
    const pg::Params* params = nullptr;
    int64_t session_id = 0;
    absl::Time enqueued;
    absl::StatusOr<pg::Result> result = absl::UnknownError("not run");
    bool final = false;  // result known (the group may still be committing)
    bool done = false;   // the caller may go
  };

  void Loop();
  void CommitGroup(const std::vector<Item*>& group);
  absl::Status Attempt(const std::vector<Item*>& todo);

  pg::Pool* const pool_;
  const absl::Duration window_;
  const int max_;
  std::vector<absl::string_view> begin_;
  PostgresObserver* const observer_;
  absl::Mutex mu_;
  std::deque<Item*> pending_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_GROUP_COMMIT_H_
