#include "backends/postgres_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tgsession {
namespace {

std::string CodeName(absl::StatusCode code) { return absl::StatusCodeToString(code); }

// Prometheus label values: backslash, double quote and newline escaped.
std::string LabelValue(absl::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Seconds(absl::Duration d) { return absl::StrFormat("%.6g", absl::ToDoubleSeconds(d)); }

void AppendHistogram(std::string* out, absl::string_view name, absl::string_view labels,
                     const PostgresMetrics::Histogram& h) {
  const auto& bounds = PostgresMetrics::BucketBounds();
  int64_t cumulative = 0;
  const std::string sep = labels.empty() ? "" : ",";
  for (int i = 0; i < PostgresMetrics::kBuckets; ++i) {
    cumulative += h.counts[static_cast<size_t>(i)];
    const std::string le = i + 1 < PostgresMetrics::kBuckets ? Seconds(bounds[static_cast<size_t>(i)]) : "+Inf";
    absl::StrAppend(out, name, "_bucket{", labels, sep, "le=\"", le, "\"} ", cumulative, "\n");
  }
  absl::StrAppend(out, name, "_sum", labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ", Seconds(h.sum), "\n");
  absl::StrAppend(out, name, "_count", labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ", h.count, "\n");
}

}  // namespace

const std::array<absl::Duration, PostgresMetrics::kBuckets - 1>& PostgresMetrics::BucketBounds() {
  static const std::array<absl::Duration, kBuckets - 1> kBounds = {
      absl::Microseconds(100), absl::Microseconds(250), absl::Microseconds(500), absl::Milliseconds(1),
      absl::Microseconds(2500), absl::Milliseconds(5),  absl::Milliseconds(10),  absl::Milliseconds(25),
      absl::Milliseconds(50),   absl::Milliseconds(100), absl::Milliseconds(250), absl::Seconds(1),
      absl::Seconds(10)};
  return kBounds;
}

void PostgresMetrics::Histogram::Add(absl::Duration d) {
  const auto& bounds = BucketBounds();
  const size_t i = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), d) - bounds.begin());
  ++counts[i];
  ++count;
  sum += d;
  max = std::max(max, d);
}

absl::Duration PostgresMetrics::Histogram::Quantile(double q) const {
  if (count == 0) return absl::ZeroDuration();
  const auto& bounds = BucketBounds();
  const double want = q * static_cast<double>(count);
  int64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (static_cast<double>(seen) >= want && counts[i] > 0) return i < bounds.size() ? std::min(bounds[i], max) : max;
  }
  return max;
}

void PostgresMetrics::OnOperation(const PgOperationEvent& e) {
  absl::MutexLock lock(&mu_);
  s_.operations[std::string(e.operation)].Add(e.latency);
  if (e.code != absl::StatusCode::kOk) {
    ++s_.errors[absl::StrCat(e.operation, " ", CodeName(e.code))];
    ++s_.errors_by_code[CodeName(e.code)];
  }
}

void PostgresMetrics::OnConnect(const absl::Status& result, absl::Duration latency, bool reconnect) {
  absl::MutexLock lock(&mu_);
  s_.connect_latency.Add(latency);
  if (result.ok()) {
    ++s_.connects;
    if (reconnect) ++s_.reconnects;
  } else {
    ++s_.connect_failures;
  }
}

void PostgresMetrics::OnLeaseRenewal(int renewed, int lost, const absl::Status& result) {
  absl::MutexLock lock(&mu_);
  ++s_.lease_renewals;
  if (!result.ok()) ++s_.lease_renewal_failures;
  s_.leases_renewed += renewed;
  s_.leases_lost += lost;
}

void PostgresMetrics::OnGroupCommit(int writes, absl::Duration latency, const absl::Status& result) {
  absl::MutexLock lock(&mu_);
  ++s_.group_commits;
  s_.group_commit_writes += writes;
  if (!result.ok()) ++s_.group_commit_failures;
  s_.group_commit_latency.Add(latency);
}

PostgresMetrics::Snapshot PostgresMetrics::Read() const {
  absl::MutexLock lock(&mu_);
  return s_;
}

std::string PostgresMetrics::PrometheusText() const {
  const Snapshot s = Read();
  std::string out;
  out += "# HELP tgsession_pg_operation_seconds Latency of PostgresStore and PostgresBackend operations.\n";
  out += "# TYPE tgsession_pg_operation_seconds histogram\n";
  for (const auto& [op, h] : s.operations) {
    AppendHistogram(&out, "tgsession_pg_operation_seconds", absl::StrCat("operation=\"", LabelValue(op), "\""), h);
  }
  out += "# HELP tgsession_pg_operation_errors_total Failed operations by operation and status code.\n";
  out += "# TYPE tgsession_pg_operation_errors_total counter\n";
  for (const auto& [key, n] : s.errors) {
    const size_t space = key.rfind(' ');
    absl::StrAppend(&out, "tgsession_pg_operation_errors_total{operation=\"", LabelValue(key.substr(0, space)),
                    "\",code=\"", LabelValue(key.substr(space + 1)), "\"} ", n, "\n");
  }
  const auto counter = [&out](absl::string_view name, absl::string_view help, int64_t v) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n", name, " ", v, "\n");
  };
  counter("tgsession_pg_connects_total", "Connections opened.", s.connects);
  counter("tgsession_pg_connect_failures_total", "Connection attempts that failed.", s.connect_failures);
  counter("tgsession_pg_reconnects_total", "Connections opened after a connection broke or an attempt failed.",
          s.reconnects);
  counter("tgsession_pg_lease_renewal_rounds_total", "Lease renewal rounds.", s.lease_renewals);
  counter("tgsession_pg_lease_renewal_failures_total", "Lease renewal rounds that could not reach the database.",
          s.lease_renewal_failures);
  counter("tgsession_pg_leases_renewed_total", "Leases extended.", s.leases_renewed);
  counter("tgsession_pg_leases_lost_total", "Leases found taken over, released or deleted at renewal.",
          s.leases_lost);
  counter("tgsession_pg_group_commits_total", "Client-side group commits.", s.group_commits);
  counter("tgsession_pg_group_commit_writes_total", "Writes committed in client-side groups.",
          s.group_commit_writes);
  counter("tgsession_pg_group_commit_failures_total", "Client-side group commits that failed.",
          s.group_commit_failures);
  out += "# HELP tgsession_pg_connect_seconds Latency of connection attempts.\n";
  out += "# TYPE tgsession_pg_connect_seconds histogram\n";
  AppendHistogram(&out, "tgsession_pg_connect_seconds", "", s.connect_latency);
  return out;
}

std::string PostgresMetrics::Summary() const {
  const Snapshot s = Read();
  std::string out;
  for (const auto& [op, h] : s.operations) {
    int64_t errors = 0;
    for (const auto& [key, n] : s.errors) {
      if (key.compare(0, op.size() + 1, op + " ") == 0) errors += n;
    }
    absl::StrAppend(&out, absl::StrFormat("%-16s %8d calls %6d errors  p50 <= %.2f ms  p99 <= %.2f ms  max %.2f ms\n",
                                          op, h.count, errors, absl::ToDoubleMilliseconds(h.Quantile(0.5)),
                                          absl::ToDoubleMilliseconds(h.Quantile(0.99)),
                                          absl::ToDoubleMilliseconds(h.max)));
  }
  for (const auto& [code, n] : s.errors_by_code) absl::StrAppend(&out, "errors ", code, ": ", n, "\n");
  absl::StrAppend(&out, "connections: ", s.connects, " opened (", s.reconnects, " reconnects), ", s.connect_failures,
                  " failed attempts\n");
  absl::StrAppend(&out, "leases: ", s.lease_renewals, " renewal rounds (", s.lease_renewal_failures,
                  " could not reach the database), ", s.leases_renewed, " renewed, ", s.leases_lost, " lost\n");
  if (s.group_commits > 0) {
    absl::StrAppend(&out, "group commit: ", s.group_commits, " transactions, ", s.group_commit_writes, " writes (",
                    absl::StrFormat("%.1f", static_cast<double>(s.group_commit_writes) / s.group_commits),
                    " a transaction), ", s.group_commit_failures, " failed\n");
  }
  return out;
}

}  // namespace tgsession
