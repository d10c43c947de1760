// The load figures of docs/postgres.md: durable upserts a second for 1 and
// 4 processes, one peer a call or batches of 50, with and without
// client-side group commit, directly and through PgBouncer (transaction
// mode), plus the default (asynchronous) commit for comparison; and a
// client's per-call cost at 200 updates a second. Prints a Markdown table.
// Shared by //tests:postgres_load_test (short) and
// //tools/bench:postgres_bench (the full figures).
#ifndef TGSESSION_TESTS_TESTING_PG_LOAD_MATRIX_H_
#define TGSESSION_TESTS_TESTING_PG_LOAD_MATRIX_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tgsession {
namespace testing {

struct PgLoadMatrixOptions {
  absl::Duration duration = absl::Seconds(10);  // per configuration
  int client_updates = 2000;                    // the per-call measurement (200 a second)
  bool pgbouncer = true;
};

// Starts a server (and a PgBouncer), runs every configuration, checks that
// every acknowledged upsert is stored, prints the tables on stdout.
absl::Status RunPgLoadMatrix(const PgLoadMatrixOptions& options);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PG_LOAD_MATRIX_H_
