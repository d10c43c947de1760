// What a PostgresStore reports about its work, for operators: a small
// callback interface (PostgresObserver) to wire to Prometheus, StatsD or a
// log, and a ready-made implementation (PostgresMetrics) that keeps
// counters and latency histograms and prints them in Prometheus' text
// format.
//
//   auto metrics = std::make_shared<PostgresMetrics>();
//   PostgresOptions o;
//   o.observer = metrics;
//   ... PostgresStore::Open(conninfo, o) ...
//   std::cout << metrics->PrometheusText();   // or serve it on /metrics
//
// Callbacks run on the thread that did the work (a caller's, the lease
// renewer's or the group committer's), after the work, without any of the
// store's locks: they must be thread-safe and quick, and must not call back
// into the store. They never see a secret (no keys, no passwords, no
// connection strings). backends/postgres_metrics_example.cc prints them.
#ifndef TGSESSION_BACKENDS_POSTGRES_METRICS_H_
#define TGSESSION_BACKENDS_POSTGRES_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tgsession {

struct PgOperationEvent {
  // "Save", "Load", "Delete", "CachePeer", "ApplyUpdateState",
  // "ApplyChanges", "UpdateDc", "SetHomeDc", "Flush", "OpenSession",
  // "Close", "List", "Create", "DeleteSession", "ForceRelease", "Stats".
  absl::string_view operation;
  absl::string_view session;  // empty for store-wide operations
  absl::Duration latency;     // as the caller saw it (group commit's wait included)
  absl::StatusCode code;      // kOk on success
};

class PostgresObserver {
 public:
  virtual ~PostgresObserver() = default;
  // A store or session operation returned.
  virtual void OnOperation(const PgOperationEvent& event) {}
  // A connection attempt reached the network (attempts skipped by the
  // reconnect back-off are not made, so not reported). `reconnect`: an
  // earlier connection broke or an attempt failed since the last success.
  virtual void OnConnect(const absl::Status& result, absl::Duration latency, bool reconnect) {}
  // One round of lease renewal: leases extended, leases found lost (taken
  // over, released by an operator or deleted); `result` is not OK when the
  // database could not be reached (nothing is lost by that: see the lease).
  virtual void OnLeaseRenewal(int renewed, int lost, const absl::Status& result) {}
  // A client-side group commit: writes that shared one transaction.
  virtual void OnGroupCommit(int writes, absl::Duration latency, const absl::Status& result) {}
};

// Counters and latency histograms, thread-safe. Latency buckets (upper
// bounds): 100 us, 250 us, 500 us, 1, 2.5, 5, 10, 25, 50, 100, 250 ms, 1 s,
// 10 s, +Inf.
class PostgresMetrics : public PostgresObserver {
 public:
  static constexpr int kBuckets = 14;
  static const std::array<absl::Duration, kBuckets - 1>& BucketBounds();

  struct Histogram {
    std::array<int64_t, kBuckets> counts = {};  // not cumulative
    int64_t count = 0;
    absl::Duration sum;
    absl::Duration max;
    // The upper bound of the bucket holding quantile `q` (an estimate from
    // the buckets, as Prometheus' histogram_quantile computes it roughly).
    absl::Duration Quantile(double q) const;
    void Add(absl::Duration d);
  };
  struct Snapshot {
    std::map<std::string, Histogram> operations;           // by operation name
    std::map<std::string, int64_t> errors;                 // "CachePeer UNAVAILABLE" -> n
    std::map<std::string, int64_t> errors_by_code;         // "UNAVAILABLE" -> n
    int64_t connects = 0, connect_failures = 0, reconnects = 0;
    Histogram connect_latency;
    int64_t lease_renewals = 0, lease_renewal_failures = 0, leases_lost = 0, leases_renewed = 0;
    int64_t group_commits = 0, group_commit_writes = 0, group_commit_failures = 0;
    Histogram group_commit_latency;
  };

  void OnOperation(const PgOperationEvent& event) override;
  void OnConnect(const absl::Status& result, absl::Duration latency, bool reconnect) override;
  void OnLeaseRenewal(int renewed, int lost, const absl::Status& result) override;
  void OnGroupCommit(int writes, absl::Duration latency, const absl::Status& result) override;

  Snapshot Read() const;
  // The Prometheus text exposition format (version 0.0.4): tgsession_pg_*
  // counters and histograms (seconds), one metric family each.
  std::string PrometheusText() const;
  // A few lines for a log: per operation count, errors, p50/p99/max.
  std::string Summary() const;

 private:
  mutable absl::Mutex mu_;
  Snapshot s_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_METRICS_H_
