// Example: PostgresStore's metrics hook, printed for a log and as a
// Prometheus scrape would see them.
//
//   bazel run //backends:postgres_metrics_example -- "postgresql://tgs@db/tgs"
//
// It uses the ready-made PostgresMetrics; to feed another system, implement
// PostgresObserver (postgres_metrics.h) instead: OnOperation with each
// operation's name, latency and status code, OnConnect for connection
// attempts and reconnects, OnLeaseRenewal, OnGroupCommit.
// //tests:postgres_metrics_example_test runs it against a real server.
#include <iostream>
#include <memory>
#include <vector>

#include "backends/postgres_backend.h"
#include "backends/postgres_metrics.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: postgres_metrics_example CONNSTRING\n";
    return 2;
  }
  auto metrics = std::make_shared<tgsession::PostgresMetrics>();
  tgsession::PostgresOptions options;
  options.observer = metrics;
  options.renew_interval = absl::Milliseconds(100);  // a few renewals to show
  absl::StatusOr<std::unique_ptr<tgsession::PostgresStore>> store = tgsession::PostgresStore::Open(argv[1], options);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<tgsession::PostgresBackend>> bot = (*store)->OpenSession("metrics-example");
  if (!bot.ok()) {
    std::cerr << bot.status() << "\n";
    return 1;
  }
  if (!(*bot)->Save(tgsession::NewSessionWithDefaults()).ok()) return 1;
  // An update: its users and the new pts in one call.
  for (int update = 0; update < 20; ++update) {
    const tgsession::CachedPeer users[] = {tgsession::CachedPeer::User(1000 + update, update),
                                           tgsession::CachedPeer::User(2000 + update, update)};
    const tgsession::UpdateStateChange pts[] = {tgsession::UpdateStateChange::Primary(update, 1700000000, 1)};
    tgsession::SessionChanges changes;
    changes.peers = users;
    changes.updates = pts;
    if (!(*bot)->ApplyChanges(changes).ok()) return 1;
  }
  if (!(*bot)->Load().ok()) return 1;
  // A second opener of the same name is refused: an error by code.
  if ((*store)->OpenSession("metrics-example").ok()) return 1;
  absl::SleepFor(absl::Milliseconds(350));

  std::cout << "== summary\n" << metrics->Summary() << "== prometheus\n" << metrics->PrometheusText();
  return 0;
}
