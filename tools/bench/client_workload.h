// A client's write path at a realistic rate, for measuring what each call
// costs: `updates` updates, 200 a second, each 3 peers (one of them already
// cached) and a new pts, as one ApplyChanges (`batched`) or as three
// CachePeer calls and an ApplyUpdateState. The README's durability figures
// come from it (backend_bench --client, sqlite_backend_bench, postgres_bench).
#ifndef TGSESSION_TOOLS_BENCH_CLIENT_WORKLOAD_H_
#define TGSESSION_TOOLS_BENCH_CLIENT_WORKLOAD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/backend.h"

namespace tgsession {
namespace bench {

// Each update's latency in microseconds; the first error ends the run.
absl::StatusOr<std::vector<double>> RunClientWorkload(SessionBackend* backend, int updates, bool batched);

// The `p` quantile (0..1) of `v`; 0 for none.
double Quantile(std::vector<double> v, double p);

// "p50 26.5 us  p99 89.7 us  max 4571.1 us".
std::string LatencySummary(const std::vector<double>& us);

}  // namespace bench
}  // namespace tgsession

#endif  // TGSESSION_TOOLS_BENCH_CLIENT_WORKLOAD_H_
