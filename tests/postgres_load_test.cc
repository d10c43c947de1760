// The PostgreSQL load matrix (tests/testing/pg_load_matrix.h), short: 1 and
// 4 processes, one peer a call and batches of 50, with and without group
// commit, directly and through PgBouncer; every acknowledged upsert must be
// stored. Prints the table (bazel test //tests:postgres_load_test
// --test_output=streamed); the figures of docs/postgres.md come from
// `bazel run -c opt //tools/bench:postgres_bench` (10 s a configuration).
// Also a Save and Load of a 100,000-peer session.
#include <cstdio>
#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/postgres_backend.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_load_matrix.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {
namespace {

TEST(PostgresLoadTest, EveryConfigurationKeepsEveryAcknowledgedUpsert) {
  PgLoadMatrixOptions o;
  o.duration = absl::Milliseconds(400);
  o.client_updates = 100;
  const absl::Status s = RunPgLoadMatrix(o);
  EXPECT_TRUE(s.ok()) << s;
}

TEST(PostgresLoadTest, SaveAndLoadOfAHundredThousandPeers) {
  PgTestServer& server = SharedPgServer();
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = PostgresBackend::Open(server.Conninfo("tgs"), "big");
  ASSERT_TRUE(b.ok()) << b.status();
  Session s = NewSessionWithDefaults();
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 100000; ++i) peers.push_back(CachedPeer::User(i, i * 7));
  s.peers.Assign(std::move(peers));
  const absl::Time t0 = absl::Now();
  ASSERT_TRUE((*b)->Save(s).ok());
  const absl::Time t1 = absl::Now();
  absl::StatusOr<std::optional<Session>> loaded = (*b)->Load();
  const absl::Time t2 = absl::Now();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, s);
  std::printf("[100,000 peers] Save %.0f ms, Load %.0f ms\n", absl::ToDoubleMilliseconds(t1 - t0),
              absl::ToDoubleMilliseconds(t2 - t1));
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
