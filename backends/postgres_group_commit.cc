#include "backends/postgres_group_commit.h"

#include <algorithm>
#include <utility>

#include "session/status_macros.h"

namespace tgsession {

GroupCommitter::GroupCommitter(pg::Pool* pool, absl::Duration window, int max, pg::Transaction::Sync sync,
                               PostgresObserver* observer)
    : pool_(pool), window_(window), max_(std::max(1, max)), observer_(observer) {
  begin_.push_back("BEGIN");
  if (sync == pg::Transaction::Sync::kAsync) begin_.push_back("SET LOCAL synchronous_commit = off");
  if (sync == pg::Transaction::Sync::kDurable) begin_.push_back("SET LOCAL synchronous_commit = on");
  thread_ = std::thread([this] { Loop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

absl::StatusOr<pg::Result> GroupCommitter::Run(absl::string_view sql, const pg::Params& params, int64_t session_id) {
  Item item;
  item.sql = sql;
  item.params = &params;
  item.session_id = session_id;
  absl::MutexLock lock(&mu_);
  item.enqueued = absl::Now();
  pending_.push_back(&item);
  mu_.Await(absl::Condition(&item.done));
  return std::move(item.result);
}

void GroupCommitter::Loop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(
        +[](GroupCommitter* g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g->mu_) { return g->stop_ || !g->pending_.empty(); },
        this));
    if (pending_.empty()) return;  // stopping, nothing left
    const absl::Time deadline = pending_.front()->enqueued + window_;
    mu_.AwaitWithDeadline(
        absl::Condition(
            +[](GroupCommitter* g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(g->mu_) {
              return g->stop_ || static_cast<int>(g->pending_.size()) >= g->max_;
            },
            this),
        deadline);
    std::vector<Item*> group;
    while (!pending_.empty() && static_cast<int>(group.size()) < max_) {
      group.push_back(pending_.front());
      pending_.pop_front();
    }
    mu_.Unlock();
    std::stable_sort(group.begin(), group.end(),
                     [](const Item* a, const Item* b) { return a->session_id < b->session_id; });
    CommitGroup(group);
    mu_.Lock();
    for (Item* item : group) item->done = true;
  }
}

void GroupCommitter::CommitGroup(const std::vector<Item*>& group) {
  const absl::Time start = absl::Now();
  absl::Status overall;
  std::vector<Item*> todo = group;
  while (!todo.empty()) {
    absl::Status s = Attempt(todo);
    if (!s.ok()) {
      // The connection or the COMMIT failed: every write still open shares it.
      for (Item* item : todo) {
        if (!item->final) item->result = s;
      }
      overall = s;
      break;
    }
    std::vector<Item*> again;
    for (Item* item : todo) {
      if (!item->final) again.push_back(item);
    }
    todo.swap(again);
  }
  if (observer_ != nullptr) observer_->OnGroupCommit(static_cast<int>(group.size()), absl::Now() - start, overall);
}

// One pipelined transaction over `todo`. Returns an error only for what
// fails them all; a statement that aborts the transaction gets its error
// and leaves the others open for the next attempt.
absl::Status GroupCommitter::Attempt(const std::vector<Item*>& todo) {
  TGS_ASSIGN_OR_RETURN(pg::Pool::Handle conn, pool_->Acquire());
  std::vector<pg::Connection::PipelineStep> steps;
  steps.reserve(todo.size());
  for (const Item* item : todo) steps.push_back({item->sql, item->params});
  TGS_ASSIGN_OR_RETURN(pg::Connection::PipelineOutcome out, conn->RunPipelined(begin_, steps, "group commit"));
  if (out.failed_step >= 0) {
    Item* failed = todo[static_cast<size_t>(out.failed_step)];
    failed->result = std::move(out.results[static_cast<size_t>(out.failed_step)]).status();
    failed->final = true;
    return absl::OkStatus();  // rolled back; the others run again
  }
  TGS_RETURN_IF_ERROR(out.commit);
  for (size_t i = 0; i < todo.size(); ++i) {
    todo[i]->result = std::move(out.results[i]);
    todo[i]->final = true;
  }
  return absl::OkStatus();
}

}  // namespace tgsession
