#include "tools/bench/client_workload.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace tgsession {
namespace bench {

absl::StatusOr<std::vector<double>> RunClientWorkload(SessionBackend* b, int updates, bool batched) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(updates));
  absl::Time next = absl::Now();
  for (int i = 0; i < updates; ++i) {
    next += absl::Milliseconds(5);
    absl::SleepFor(next - absl::Now());
    const CachedPeer peers[] = {CachedPeer::User(600000000 + 2 * i, i), CachedPeer::User(600000001 + 2 * i, i),
                                CachedPeer::User(600000000, i)};
    const UpdateStateChange pts[] = {UpdateStateChange::Primary(1000 + i, 1700000000 + i, i)};
    const absl::Time t0 = absl::Now();
    absl::Status s;
    if (batched) {
      SessionChanges c;
      c.peers = peers;
      c.updates = pts;
      s = b->ApplyChanges(c);
    } else {
      for (const CachedPeer& p : peers) {
        if (s.ok()) s = b->CachePeer(p);
      }
      if (s.ok()) s = b->ApplyUpdateState(pts[0]);
    }
    if (!s.ok()) return s;
    us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
  }
  return us;
}

double Quantile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string LatencySummary(const std::vector<double>& us) {
  return absl::StrFormat("p50 %7.1f us  p99 %7.1f us  max %7.1f us", Quantile(us, 0.5), Quantile(us, 0.99),
                         Quantile(us, 1.0));
}

}  // namespace bench
}  // namespace tgsession
