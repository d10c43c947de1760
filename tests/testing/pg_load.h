// Load on a PostgreSQL session store, as a fleet makes it: `processes`
// forked processes, each with one PostgresStore (its pool of connections
// shared by all its sessions) and `threads` threads that own
// `sessions_per_thread` sessions each and cache peers into them, one
// upsert a call (CachePeer) or `batch` peers a call (ApplyChanges), for
// `duration`. Used by //tests:postgres_load_test (short, in CI) and
// //tools/bench:postgres_bench (the figures of docs/postgres.md).
#ifndef TGSESSION_TESTS_TESTING_PG_LOAD_H_
#define TGSESSION_TESTS_TESTING_PG_LOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/postgres_backend.h"

namespace tgsession {
namespace testing {

struct PgLoadConfig {
  std::string label;
  std::string conninfo;
  int processes = 1;
  int threads = 16;
  int sessions_per_thread = 2;
  int batch = 1;  // peers a call; 1: CachePeer, more: ApplyChanges
  absl::Duration duration = absl::Seconds(2);
  PostgresOptions options;  // as a fleet would run: the default pool of 4 connections
  // Names are "<prefix>-<process>-<thread>-<session>".
  std::string prefix = "load";
};

struct PgLoadResult {
  int64_t calls = 0;
  int64_t upserts = 0;   // acknowledged rows
  absl::Duration elapsed;
  double p50_us = 0, p99_us = 0;  // latency of a call (the worst process's)
  double upserts_per_second() const { return static_cast<double>(upserts) / absl::ToDoubleSeconds(elapsed); }
};

// Runs the load; fails if any call fails. Each process counts what it was
// told succeeded; the caller can compare with the rows stored.
absl::StatusOr<PgLoadResult> RunPgLoad(const PgLoadConfig& config);

// Rows in tgs_peers of the sessions named "<prefix>-...".
absl::StatusOr<int64_t> CountLoadPeers(const std::string& conninfo, const std::string& prefix);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PG_LOAD_H_
