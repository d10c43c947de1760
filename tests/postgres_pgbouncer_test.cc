// PostgresBackend behind a real PgBouncer in transaction mode
// (tests/testing/pgbouncer.h), beside a real PostgreSQL server: the
// conformance suite (with and without group commit), leases and fencing
// across stores, schema creation by concurrent openers (a transaction-level
// advisory lock), and what a transaction pooler breaks, which is why
// PostgresOptions::transaction_pooling avoids it: named prepared statements,
// session settings and session-level advisory locks (docs/postgres.md).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/pg_helpers.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/pgbouncer.h"

namespace tgsession {
namespace testing {
namespace {

using ::testing::HasSubstr;

PgBouncerTestProcess& Bouncer() {
  static PgBouncerTestProcess* b = [] {
    absl::StatusOr<std::unique_ptr<PgBouncerTestProcess>> p =
        PgBouncerTestProcess::Start(SharedPgServer(), PgBouncerTestProcess::Options());
    if (!p.ok()) {
      std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
      std::abort();
    }
    return p->release();
  }();
  return *b;
}

PostgresOptions Pooled() {
  PostgresOptions o;
  o.transaction_pooling = true;
  return o;
}

PostgresStore& PooledStore() {
  static PostgresStore* s = OpenStoreOrDie(Bouncer().Conninfo("tgs"), Pooled()).release();
  return *s;
}

PostgresStore& PooledGroupCommitStore() {
  static PostgresStore* s = [] {
    PostgresOptions o = Pooled();
    o.group_commit_window = absl::Milliseconds(2);
    return OpenStoreOrDie(Bouncer().Conninfo("tgs"), o).release();
  }();
  return *s;
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::unique_ptr<SessionBackend> OpenIn(PostgresStore& store, const std::string& dir, const std::string& prefix) {
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = store.OpenSession(prefix + Basename(dir));
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(
    PgBouncer, BackendConformanceTest,
    ::testing::Values(BackendFactory{"pgbouncer",
                                     [](const std::string& dir) { return OpenIn(PooledStore(), dir, "pgb-"); },
                                     /*persistent=*/true, /*allows_second_writer=*/false,
                                     /*refuses_calls_after_close=*/true},
                      BackendFactory{"pgbouncer_group_commit",
                                     [](const std::string& dir) {
                                       return OpenIn(PooledGroupCommitStore(), dir, "pgbg-");
                                     },
                                     /*persistent=*/true, /*allows_second_writer=*/false,
                                     /*refuses_calls_after_close=*/true}),
    BackendFactoryName);

TEST(PgBouncerTest, LeasesAndFencingWorkThroughThePooler) {
  PostgresOptions slow = Pooled();
  slow.lease_ttl = absl::Milliseconds(300);
  slow.renew_interval = absl::InfiniteDuration();
  auto a_store = OpenStoreOrDie(Bouncer().Conninfo("tgs"), slow);
  ASSERT_THAT(a_store->description(), HasSubstr(absl::StrCat(":", Bouncer().port())))
      << "not connected through the pooler";
  auto a = OpenSessionOrDie(*a_store, "pgb-lease");
  ASSERT_TRUE(a->Save(RichSession()).ok());
  auto b_store = OpenStoreOrDie(Bouncer().Conninfo("tgs"), Pooled());
  absl::StatusOr<std::unique_ptr<PostgresBackend>> refused = b_store->OpenSession("pgb-lease");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  absl::SleepFor(absl::Milliseconds(400));
  auto b = OpenSessionOrDie(*b_store, "pgb-lease");
  ASSERT_NE(b, nullptr);
  absl::Status fenced = a->ApplyChanges(MakeTestBatch(1, 5).view());
  EXPECT_EQ(fenced.code(), absl::StatusCode::kFailedPrecondition) << fenced;
  EXPECT_EQ(LoadOrDie(*b), RichSession());
  // An operator's release through the pooler fences as well.
  ASSERT_TRUE(a_store->ForceRelease("pgb-lease", "pgbouncer test").ok());
  EXPECT_EQ(b->CachePeer(CachedPeer::User(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(PgBouncerTest, ConcurrentOpenersCreateTheSchemaOnce) {
  // pg_advisory_xact_lock lives as long as the transaction: it works through
  // a transaction pooler (a session-level lock would not).
  const std::string db = FreshDatabase(SharedPgServer(), "pgb_schema");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(Bouncer().Conninfo(db), Pooled());
      EXPECT_TRUE(s.ok()) << s.status();
      if (s.ok()) ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(AdminInt(SharedPgServer(), "SELECT version FROM tgs_schema_version", db), PostgresStore::kSchemaVersion);
}

// What a transaction pooler does to session state, shown with a pooler of
// one server connection, so two clients share it deterministically.
TEST(PgBouncerTest, WhatATransactionPoolerBreaks) {
  PgBouncerTestProcess::Options one;
  one.pool_size = 1;
  absl::StatusOr<std::unique_ptr<PgBouncerTestProcess>> single = PgBouncerTestProcess::Start(SharedPgServer(), one);
  ASSERT_TRUE(single.ok()) << single.status();
  pg::ConnectOptions prepared;
  prepared.prepare_statements = true;
  absl::StatusOr<std::unique_ptr<pg::Connection>> c1 = pg::Connection::Open((*single)->Conninfo("tgs"), prepared);
  absl::StatusOr<std::unique_ptr<pg::Connection>> c2 = pg::Connection::Open((*single)->Conninfo("tgs"), prepared);
  ASSERT_TRUE(c1.ok() && c2.ok());
  // Named prepared statements: both clients call theirs "tgs_1", on the one
  // server connection.
  ASSERT_TRUE((*c1)->Query("SELECT 1").ok());
  absl::StatusOr<pg::Result> clash = (*c2)->Query("SELECT 2");
  EXPECT_FALSE(clash.ok());
  EXPECT_THAT(std::string(clash.status().message()), HasSubstr("already exists"));
  // Session settings leak from one client to the other.
  pg::ConnectOptions plain;
  plain.prepare_statements = false;
  absl::StatusOr<std::unique_ptr<pg::Connection>> c3 = pg::Connection::Open((*single)->Conninfo("tgs"), plain);
  absl::StatusOr<std::unique_ptr<pg::Connection>> c4 = pg::Connection::Open((*single)->Conninfo("tgs"), plain);
  ASSERT_TRUE(c3.ok() && c4.ok());
  ASSERT_TRUE((*c3)->Exec("SET lock_timeout = 4321").ok());
  absl::StatusOr<pg::Result> shown = (*c4)->Query("SHOW lock_timeout");
  ASSERT_TRUE(shown.ok()) << shown.status();
  absl::StatusOr<absl::string_view> v = pg::GetBytes(*shown, 0, 0, [] { return std::string("lock_timeout"); });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "4321ms");
  // A session-level advisory lock excludes nobody: the "other" client is the
  // same server session.
  ASSERT_TRUE((*c3)->Exec("SELECT pg_advisory_lock(424242)").ok());
  absl::StatusOr<pg::Result> also = (*c4)->Query("SELECT pg_try_advisory_lock(424242)");
  ASSERT_TRUE(also.ok());
  absl::StatusOr<bool> got = pg::GetBool(*also, 0, 0, [] { return std::string("pg_try_advisory_lock"); });
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got) << "two clients both hold the lock";
  (void)(*c3)->Exec("SELECT pg_advisory_unlock_all(); RESET lock_timeout");
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
