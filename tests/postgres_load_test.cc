// Load test for PostgresBackend against a real server on loopback: 1,000
// sessions in one database, 100,000 peer upserts from 8 client threads
// (each thread owns 125 sessions and cycles through them), then the same
// with synchronous_commit=off set in the connection string, plus a full
// Save and Load of a 100,000-peer session. Prints throughput and latency;
// checks that every upsert arrived.
//
//   bazel test //tests:postgres_load_test --test_output=streamed
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {
namespace {

constexpr int kSessions = 1000;
constexpr int kThreads = 8;
constexpr int kUpserts = 100000;

int64_t CountPeers(const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<pg::Connection>> c = pg::Connection::Open(conninfo, {});
  if (!c.ok()) return -1;
  absl::StatusOr<pg::Result> r = (*c)->Query("SELECT count(*) FROM tgs_peers");
  if (!r.ok()) return -1;
  absl::StatusOr<int64_t> n = pg::GetInt(*r, 0, 0, [] { return std::string("count"); });
  return n.ok() ? *n : -1;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void RunUpserts(const std::string& label, const std::string& conninfo) {
  PostgresOptions o;
  o.pool_size = kThreads;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(conninfo, o);
  ASSERT_TRUE(store.ok()) << store.status();

  const absl::Time open_start = absl::Now();
  std::vector<std::unique_ptr<PostgresBackend>> sessions;
  sessions.reserve(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    absl::StatusOr<std::unique_ptr<PostgresBackend>> b = (*store)->OpenSession(absl::StrCat("load-", i));
    ASSERT_TRUE(b.ok()) << b.status();
    sessions.push_back(std::move(*b));
  }
  const absl::Duration open_time = absl::Now() - open_start;

  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(kThreads);
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double>& lat = latencies[static_cast<size_t>(t)];
      lat.reserve(kUpserts / kThreads);
      for (int i = 0; i < kUpserts / kThreads; ++i) {
        const int session = t + kThreads * (i % (kSessions / kThreads));
        const CachedPeer peer = i % 5 == 0 ? CachedPeer::Channel(1000000 + i, i * 31, ChannelKind::kMegagroup)
                                           : CachedPeer::User(2000000 + i, -i);
        const absl::Time t0 = absl::Now();
        absl::Status s = sessions[static_cast<size_t>(session)]->CachePeer(peer);
        lat.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
        if (!s.ok()) {
          if (failures.fetch_add(1) == 0) ADD_FAILURE() << s;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_EQ(failures.load(), 0);

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const double per_second = kUpserts / absl::ToDoubleSeconds(elapsed);
  std::printf(
      "[%s] %d sessions opened (lease taken) in %.2f s; %d CachePeer upserts from %d threads in %.2f s: "
      "%.0f upserts/s; latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
      label.c_str(), kSessions, absl::ToDoubleSeconds(open_time), kUpserts, kThreads, absl::ToDoubleSeconds(elapsed),
      per_second, Percentile(all, 0.5), Percentile(all, 0.99), Percentile(all, 1.0));
  std::fflush(stdout);
  EXPECT_EQ(CountPeers(conninfo), kUpserts);

  // Spot check through the interface: a session holds exactly its peers.
  absl::StatusOr<std::optional<Session>> s0 = sessions[0]->Load();
  ASSERT_TRUE(s0.ok()) << s0.status();
  ASSERT_TRUE(s0->has_value());
  EXPECT_EQ((*s0)->peers.size(), static_cast<size_t>(kUpserts / kSessions));
}

TEST(PostgresLoadTest, ThousandSessionsHundredThousandUpserts) {
  PgTestServer& server = SharedPgServer();
  ASSERT_TRUE(server.CreateDatabase("load_durable").ok());
  RunUpserts("synchronous_commit=on", server.Conninfo("load_durable"));
}

TEST(PostgresLoadTest, SameWithSynchronousCommitOff) {
  PgTestServer& server = SharedPgServer();
  ASSERT_TRUE(server.CreateDatabase("load_async").ok());
  RunUpserts("synchronous_commit=off",
             absl::StrCat(server.Conninfo("load_async"), " options='-c synchronous_commit=off'"));
}

TEST(PostgresLoadTest, SaveAndLoadOfAHundredThousandPeers) {
  PgTestServer& server = SharedPgServer();
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = PostgresBackend::Open(server.Conninfo("tgs"), "big");
  ASSERT_TRUE(b.ok()) << b.status();
  Session s = NewSessionWithDefaults();
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 100000; ++i) peers.push_back(CachedPeer::User(i, i * 7));
  s.peers.Assign(std::move(peers));
  for (int round = 0; round < 3; ++round) {
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
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
