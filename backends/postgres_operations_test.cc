// PostgresStore / PostgresBackend as an operator runs them, against real
// servers started for the test: batches (one transaction, fenced, atomic
// when the client is killed), durability of each kind of write when the
// server is killed, client-side group commit, reconnection back-off during
// an outage, forced lease release with fencing (and how soon another
// process holds the session), statistics, migrations, and the metrics hook.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "backends/postgres_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/pg_helpers.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {
namespace {

using ::testing::HasSubstr;

PgTestServer& Server() { return SharedPgServer(); }

// The next transaction id to be assigned: how many write transactions ran
// in between (nothing else may write to the database meanwhile).
int64_t NextXid(const std::string& db) {
  return AdminInt(Server(), "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", db);
}

// --- batches ----------------------------------------------------------------------------------

TEST(PostgresBatchTest, ABatchIsOneTransactionAndOneStatement) {
  const std::string db = FreshDatabase(Server(), "batch_one_txn");
  PostgresOptions o;
  o.renew_interval = absl::InfiniteDuration();  // no renewal transactions meanwhile
  auto metrics = std::make_shared<PostgresMetrics>();
  o.observer = metrics;
  auto store = OpenStoreOrDie(Server().Conninfo(db), o);
  auto b = OpenSessionOrDie(*store, "one-txn");
  ASSERT_TRUE(b->Save(RichSession()).ok());
  const OwnedSessionChanges batch = MakeTestBatch(5, 50);
  const int64_t before = NextXid(db);
  ASSERT_TRUE(b->ApplyChanges(batch.view()).ok());
  // The admin connection's own SELECT takes no xid; the batch took one.
  EXPECT_EQ(NextXid(db) - before, 1) << "a batch must be exactly one write transaction";
  Session want = RichSession();
  batch.view().ApplyTo(want);
  EXPECT_EQ(LoadOrDie(*b), want);
  // ... and one statement: as many round trips as a single CachePeer.
  const PostgresMetrics::Snapshot s = metrics->Read();
  ASSERT_EQ(s.operations.count("ApplyChanges"), 1u);
  EXPECT_EQ(s.operations.at("ApplyChanges").count, 1);
}

TEST(PostgresBatchTest, ABatchAfterATakeoverWritesNothing) {
  PostgresOptions slow;
  slow.lease_ttl = absl::Milliseconds(300);
  slow.renew_interval = absl::InfiniteDuration();
  auto a_store = OpenStoreOrDie(Server().Conninfo("tgs"), slow);
  auto a = OpenSessionOrDie(*a_store, "batch-fenced");
  ASSERT_TRUE(a->Save(RichSession()).ok());
  absl::SleepFor(absl::Milliseconds(400));
  auto b_store = OpenStoreOrDie(Server().Conninfo("tgs"));
  auto b = OpenSessionOrDie(*b_store, "batch-fenced");
  for (const bool with_all : {false, true}) {
    const OwnedSessionChanges batch = MakeTestBatch(2, 30, with_all);
    absl::Status s = a->ApplyChanges(batch.view());
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    // The first says "lease lost: ...", the next "the lease is no longer ours".
    EXPECT_THAT(std::string(s.message()), HasSubstr("now held by"));
  }
  EXPECT_EQ(LoadOrDie(*b), RichSession());
}

// A client killed while its batch of 300,000 peers is on its way (while the
// arrays are still being sent, or once the server runs the statement): the
// session holds all of the batch or none of it. (A statement the server
// has started runs to its end whether or not its client still lives, so
// the second kill usually finds the batch applied.)
TEST(PostgresBatchTest, AClientKilledMidBatchLeavesAllOrNothing) {
  SKIP_FORK_UNDER_TSAN();
  const std::string conninfo = Server().Conninfo("tgs");
  std::vector<CachedPeer> peers;
  for (int i = 0; i < 300000; ++i) peers.push_back(CachedPeer::User(50000000 + i, i));
  const UpdateStateChange pts = UpdateStateChange::Primary(777, 1, 1);
  SessionChanges batch;
  batch.peers = peers;
  batch.updates = absl::MakeConstSpan(&pts, 1);
  Session with_batch = RichSession();
  batch.ApplyTo(with_batch);
  int applied = 0, absent = 0;
  for (const int kill_after_ms : {0, 5, -1}) {  // -1: once the statement runs
    SCOPED_TRACE(kill_after_ms);
    const std::string name = absl::StrCat("batch-killed-", kill_after_ms + 1);
    const pid_t child = ForkLeaseHolder(conninfo, name, RichSession(), [&batch](PostgresBackend& b) {
      (void)b.ApplyChanges(batch);
      HoldUntilKilled(b);  // acknowledged: wait for the kill
    });
    ASSERT_GT(child, 0);
    if (kill_after_ms >= 0) {
      absl::SleepFor(absl::Milliseconds(kill_after_ms));
    } else {
      const absl::Time deadline = absl::Now() + absl::Seconds(30);
      while (absl::Now() < deadline &&
             AdminInt(Server(), "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE "
                                "'WITH s AS (UPDATE tgs_sessions%'") == 0) {
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    OpenSessionOptions wait;
    wait.wait_for_lease = absl::Seconds(10);
    auto store = OpenStoreOrDie(conninfo);
    // The server may still be running the dead client's statement: the new
    // lease waits for it (the takeover needs the row), then reads.
    auto b = OpenSessionOrDie(*store, name, wait);
    ASSERT_NE(b, nullptr);
    const Session got = LoadOrDie(*b);
    if (got == with_batch) {
      ++applied;
    } else {
      EXPECT_EQ(got, RichSession()) << "part of a killed batch is visible";
      ++absent;
    }
  }
  std::printf("killed mid-batch: %d found whole, %d found absent\n", applied, absent);
}

// --- durability of each kind of write --------------------------------------------------------

// A server whose WAL writer waits 10 s: asynchronous commits stay in
// memory, so a write that should have been durable and was not is lost by
// `pg_ctl stop -m immediate` (a crash: nothing is flushed).
PgTestServer& LazyWalServer() {
  static PgTestServer* server = [] {
    PgTestServer::Options o;
    o.tls = false;
    o.extra_conf = "wal_writer_delay = 10000ms\nwal_writer_flush_after = 0\n";
    absl::StatusOr<std::unique_ptr<PgTestServer>> s = PgTestServer::Start(o);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    return s->release();
  }();
  return *server;
}

// Each round ends with the write under test, then the server is killed: a
// write acknowledged as durable must be there after the restart. (Another
// durable commit after it would flush the WAL for it too, so nothing
// follows it.)
TEST(PostgresDurabilityTest, KeysAndFlushedWritesSurviveAServerCrash) {
  PgTestServer& server = LazyWalServer();
  DcEntry dc = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
  uint8_t raw[AuthKey::kSize] = {1, 2, 3};
  dc.auth_key = AuthKey(raw);
  const OwnedSessionChanges batch = MakeTestBatch(2, 10);
  // (A server restart after a crash takes 3-4 s here, so three rounds.
  // kDurable granular writes are the server's own synchronous commit.)
  enum Last { kUpdateDc, kSetHomeDc, kFlush };
  for (const Last last : {kUpdateDc, kSetHomeDc, kFlush}) {
    SCOPED_TRACE(static_cast<int>(last));
    PostgresOptions o;  // granular_commit kAsync, the default
    o.renew_interval = absl::InfiniteDuration();
    auto store = OpenStoreOrDie(server.Conninfo("tgs"), o);
    const std::string name = absl::StrCat("durability-", static_cast<int>(last));
    auto b = OpenSessionOrDie(*store, name);
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->Save(RichSession()).ok());
    Session want = RichSession();
    switch (last) {
      case kUpdateDc:
        ASSERT_TRUE(b->UpdateDc(dc).ok());
        want.UpsertDc(dc);
        break;
      case kSetHomeDc:
        ASSERT_TRUE(b->SetHomeDc(4).ok());
        want.home_dc_id = 4;
        break;
      case kFlush:
        ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
        ASSERT_TRUE(b->ApplyChanges(batch.view()).ok());
        ASSERT_TRUE(b->Flush().ok());
        want.CachePeer(CachedPeer::User(1, 1));
        batch.view().ApplyTo(want);
        break;
    }
    // The crash comes before any clean close.
    ASSERT_TRUE(server.Stop("immediate").ok());
    b.reset();
    store.reset();
    ASSERT_TRUE(server.Restart().ok());
    AdminExec(server, "UPDATE tgs_sessions SET lease_owner = NULL");
    auto after = OpenStoreOrDie(server.Conninfo("tgs"));
    auto reopened = OpenSessionOrDie(*after, name);
    EXPECT_EQ(LoadOrDie(*reopened), want) << "an acknowledged durable write was lost";
  }
}

// --- group commit ------------------------------------------------------------------------------

TEST(PostgresGroupCommitTest, SessionsShareTransactionsAndLoseNothing) {
  PostgresOptions o;
  o.group_commit_window = absl::Milliseconds(20);
  o.pool_size = 2;
  auto metrics = std::make_shared<PostgresMetrics>();
  o.observer = metrics;
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  constexpr int kSessions = 8, kWrites = 25;
  std::vector<std::unique_ptr<PostgresBackend>> sessions;
  for (int i = 0; i < kSessions; ++i) {
    sessions.push_back(OpenSessionOrDie(*store, absl::StrCat("group-", i)));
    ASSERT_TRUE(sessions.back()->Save(Session()).ok());
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kSessions; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const OwnedSessionChanges batch = MakeTestBatch(i, 3);
        absl::Status s = i % 2 == 0 ? sessions[static_cast<size_t>(t)]->CachePeer(CachedPeer::User(i, t))
                                    : sessions[static_cast<size_t>(t)]->ApplyChanges(batch.view());
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kSessions; ++t) {
    Session want;
    for (int i = 0; i < kWrites; ++i) {
      if (i % 2 == 0) {
        want.CachePeer(CachedPeer::User(i, t));
      } else {
        MakeTestBatch(i, 3).view().ApplyTo(want);
      }
    }
    EXPECT_EQ(LoadOrDie(*sessions[static_cast<size_t>(t)]), want) << t;
  }
  const PostgresMetrics::Snapshot s = metrics->Read();
  EXPECT_EQ(s.group_commit_writes, kSessions * kWrites);
  EXPECT_LT(s.group_commits, s.group_commit_writes / 2) << "writes did not share transactions";
  std::printf("group commit: %lld writes in %lld transactions\n", static_cast<long long>(s.group_commit_writes),
              static_cast<long long>(s.group_commits));
}

// A group's batches update their sessions' rows, and so does the lease
// renewal: both lock them in id order, so they never deadlock (a group in
// arrival order and the renewal in scan order did, within seconds).
TEST(PostgresGroupCommitTest, GroupsOfBatchesAndRenewalsDoNotDeadlock) {
  PostgresOptions o;
  o.group_commit_window = absl::Milliseconds(2);
  o.renew_interval = absl::Milliseconds(5);
  o.lease_ttl = absl::Seconds(5);
  o.pool_size = 8;
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  constexpr int kThreads = 8, kPerThread = 3;
  std::vector<std::unique_ptr<PostgresBackend>> sessions;
  for (int i = 0; i < kThreads * kPerThread; ++i) sessions.push_back(OpenSessionOrDie(*store, absl::StrCat("dl-", i)));
  std::atomic<int> failures{0}, calls{0};
  std::string first_error;
  absl::Mutex mu;
  const absl::Time end = absl::Now() + absl::Seconds(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; absl::Now() < end; ++i) {
        // Threads take sessions in different orders.
        const int s = t * kPerThread + (i * (t + 1)) % kPerThread;
        const OwnedSessionChanges batch = MakeTestBatch(i % 50, 5);
        absl::Status st = sessions[static_cast<size_t>((s * 7) % (kThreads * kPerThread))]->ApplyChanges(batch.view());
        calls.fetch_add(1);
        if (!st.ok()) {
          failures.fetch_add(1);
          absl::MutexLock lock(&mu);
          if (first_error.empty()) first_error = st.ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  EXPECT_GT(calls.load(), 100);
}

// In a group: a write whose lease is lost fails alone; a write that makes
// the server raise an error aborts the shared transaction, fails alone, and
// the others are committed.
TEST(PostgresGroupCommitTest, OneFailingWriteDoesNotFailItsGroup) {
  const std::string db = FreshDatabase(Server(), "group_failures");
  PostgresOptions o;
  o.group_commit_window = absl::Milliseconds(200);
  o.group_commit_max = 3;  // the three writes below make one group
  auto store = OpenStoreOrDie(Server().Conninfo(db), o);
  auto good = OpenSessionOrDie(*store, "good");
  auto rejected = OpenSessionOrDie(*store, "rejected");
  auto fenced = OpenSessionOrDie(*store, "fenced");
  for (auto* b : {good.get(), rejected.get(), fenced.get()}) ASSERT_TRUE(b->Save(Session()).ok());
  // The server refuses peer 666 (a constraint an operator might add).
  AdminExec(Server(), "ALTER TABLE tgs_peers ADD CONSTRAINT no_666 CHECK (peer_id <> 666)", db);
  // An operator takes "fenced" away.
  ASSERT_TRUE(store->ForceRelease("fenced", "test").ok());
  absl::Status s_good, s_rejected, s_fenced;
  std::thread t1([&] { s_rejected = rejected->CachePeer(CachedPeer::User(666, 1)); });
  std::thread t2([&] { s_fenced = fenced->CachePeer(CachedPeer::User(7, 1)); });
  std::thread t3([&] { s_good = good->CachePeer(CachedPeer::User(8, 1)); });
  t1.join();
  t2.join();
  t3.join();
  EXPECT_TRUE(s_good.ok()) << s_good;
  EXPECT_EQ(s_rejected.code(), absl::StatusCode::kFailedPrecondition) << s_rejected;
  EXPECT_THAT(std::string(s_rejected.message()), HasSubstr("no_666"));
  EXPECT_EQ(s_fenced.code(), absl::StatusCode::kFailedPrecondition) << s_fenced;
  EXPECT_THAT(std::string(s_fenced.message()), HasSubstr("released by an operator"));
  EXPECT_EQ(LoadOrDie(*good).peers.size(), 1u);
  EXPECT_EQ(LoadOrDie(*rejected).peers.size(), 0u);
}

// --- reconnection back-off -------------------------------------------------------------------

TEST(PostgresBackoffTest, AnOutageDoesNotHammerTheServer) {
  PgTestServer& server = LazyWalServer();
  PostgresOptions o;
  o.reconnect_backoff_initial = absl::Milliseconds(100);
  o.reconnect_backoff_max = absl::Milliseconds(800);
  o.renew_interval = absl::InfiniteDuration();
  auto metrics = std::make_shared<PostgresMetrics>();
  o.observer = metrics;
  auto store = OpenStoreOrDie(server.Conninfo("tgs"), o);
  auto b = OpenSessionOrDie(*store, "backoff");
  ASSERT_TRUE(b->Save(Session()).ok());
  ASSERT_TRUE(server.Stop("fast").ok());
  const int64_t before = metrics->Read().connects + metrics->Read().connect_failures;
  // A client retrying every 2 ms for 3 s.
  int calls = 0, unavailable = 0;
  const absl::Time end = absl::Now() + absl::Seconds(3);
  while (absl::Now() < end) {
    absl::Status s = b->CachePeer(CachedPeer::User(calls, calls));
    ++calls;
    if (s.code() == absl::StatusCode::kUnavailable) ++unavailable;
    absl::SleepFor(absl::Milliseconds(2));
  }
  const PostgresMetrics::Snapshot during = metrics->Read();
  const int64_t attempts = during.connects + during.connect_failures - before;
  std::printf("outage of 3 s: %d calls, %lld connection attempts\n", calls, static_cast<long long>(attempts));
  EXPECT_EQ(unavailable, calls);
  EXPECT_GT(calls, 300);
  // 100, 200, 400, 800, 800 ms (each from half to all of it): at most 3 s /
  // 50 ms in the worst jitter, about 6 in practice.
  EXPECT_LE(attempts, 12) << "the client hammered the stopped server";
  EXPECT_GE(attempts, 3);
  ASSERT_TRUE(server.Restart().ok());
  // Back within one maximum back-off (plus the attempt itself).
  const absl::Time restarted = absl::Now();
  absl::Status s;
  while (absl::Now() - restarted < absl::Seconds(5)) {
    s = b->CachePeer(CachedPeer::User(-1, -1));
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_LT(absl::Now() - restarted, absl::Milliseconds(800 + 500));
  EXPECT_GE(metrics->Read().reconnects, 1);
}

TEST(PostgresBackoffTest, TheWaitDoublesWithJitterUpToItsBound) {
  pg::ConnectBackoff::Options o;
  o.initial = absl::Milliseconds(100);
  o.max = absl::Seconds(2);
  pg::ConnectBackoff a(o, 1), b(o, 2);
  const absl::Time t0 = absl::FromUnixSeconds(1000000);
  EXPECT_TRUE(a.MayAttempt(t0).ok());
  bool differ = false;
  for (int k = 1; k <= 8; ++k) {
    a.Failed(t0, absl::UnavailableError("refused"));
    b.Failed(t0, absl::UnavailableError("refused"));
    const absl::Duration full = std::min(absl::Milliseconds(100) * (1 << (k - 1)), absl::Seconds(2));
    const absl::Duration wait = a.next_attempt() - t0;
    EXPECT_GE(wait, full / 2) << k;
    EXPECT_LE(wait, full) << k;
    differ = differ || a.next_attempt() != b.next_attempt();
    absl::Status no = a.MayAttempt(t0 + wait / 2);
    EXPECT_EQ(no.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(no.message()), HasSubstr("refused"));
    EXPECT_TRUE(a.MayAttempt(a.next_attempt()).ok());
  }
  EXPECT_TRUE(differ) << "two clients back off in lockstep";
  a.Succeeded();
  EXPECT_TRUE(a.MayAttempt(t0).ok());
  a.Failed(t0, absl::UnavailableError("refused"));
  EXPECT_LE(a.next_attempt() - t0, absl::Milliseconds(100)) << "a success resets the back-off";
}

// --- operators: release, stats, migration -----------------------------------------------------

TEST(PostgresAdminTest, ForceReleaseFencesTheHolderAndNamesWhy) {
  PostgresOptions o;
  o.lease_ttl = absl::Seconds(30);
  auto holder_store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  auto holder = OpenSessionOrDie(*holder_store, "force-release");
  ASSERT_TRUE(holder->Save(RichSession()).ok());
  auto admin = OpenStoreOrDie(Server().Conninfo("tgs"));
  absl::StatusOr<ReleasedLease> r = admin->ForceRelease("force-release", "by ops: host died");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->was_held);
  EXPECT_EQ(r->old_owner, holder_store->owner_id());
  EXPECT_EQ(r->new_epoch, r->old_epoch + 1);
  // The list shows it free, with the note.
  absl::StatusOr<std::vector<StoredSessionInfo>> list = admin->List();
  ASSERT_TRUE(list.ok());
  for (const StoredSessionInfo& i : *list) {
    if (i.name != "force-release") continue;
    EXPECT_FALSE(i.lease_owner.has_value());
    EXPECT_EQ(i.lease_note, "by ops: host died");
  }
  // The old holder cannot write again, and is told why.
  for (const absl::Status& s : {holder->CachePeer(CachedPeer::User(1, 1)), holder->Save(Session()),
                                holder->ApplyChanges(MakeTestBatch(1, 3).view())}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr("released by an operator (by ops: host died)"));
  }
  // A free lease: nothing to do; an unknown name: kNotFound.
  absl::StatusOr<ReleasedLease> again = admin->ForceRelease("force-release", "again");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->was_held);
  EXPECT_EQ(admin->ForceRelease("no-such-session", "x").status().code(), absl::StatusCode::kNotFound);
  auto next = OpenSessionOrDie(*admin, "force-release");
  EXPECT_EQ(LoadOrDie(*next), RichSession());
}

// Another process waits for a session whose holder hangs; an operator
// releases it: how long until the waiter holds it.
TEST(PostgresAdminTest, AfterAReleaseAWaitingProcessHoldsTheSessionWithinAPoll) {
  SKIP_FORK_UNDER_TSAN();
  const std::string conninfo = Server().Conninfo("tgs");
  auto holder_store = OpenStoreOrDie(conninfo);
  auto holder = OpenSessionOrDie(*holder_store, "release-wait");
  ASSERT_TRUE(holder->Save(RichSession()).ok());
  int ready[2], got[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(got), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    close(got[0]);
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(conninfo);
    if (!store.ok()) _exit(2);
    if (write(ready[1], "r", 1) != 1) _exit(3);
    OpenSessionOptions wait;
    wait.wait_for_lease = absl::Seconds(20);
    absl::StatusOr<std::unique_ptr<PostgresBackend>> b = (*store)->OpenSession("release-wait", wait);
    const int64_t at = absl::ToUnixMicros(absl::Now());
    if (!b.ok() || write(got[1], &at, sizeof at) != sizeof at) _exit(4);
    _exit(0);
  }
  close(ready[1]);
  close(got[1]);
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  absl::SleepFor(absl::Milliseconds(500));  // the child is waiting by now
  auto admin = OpenStoreOrDie(conninfo);
  const absl::Time released = absl::Now();
  ASSERT_TRUE(admin->ForceRelease("release-wait", "test").ok());
  int64_t at = 0;
  ASSERT_EQ(read(got[0], &at, sizeof at), static_cast<ssize_t>(sizeof at)) << "the waiter never got the session";
  int status = 0;
  waitpid(child, &status, 0);
  const absl::Duration took = absl::FromUnixMicros(at) - released;
  std::printf("pg release -> another process holds the session: %.1f ms\n", absl::ToDoubleMilliseconds(took));
  EXPECT_LT(took, absl::Milliseconds(1000));
  EXPECT_EQ(holder->CachePeer(CachedPeer::User(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(PostgresAdminTest, StatsCountWhatIsStored) {
  const std::string db = FreshDatabase(Server(), "stats");
  PostgresOptions fast;
  fast.lease_ttl = absl::Milliseconds(200);
  fast.renew_interval = absl::InfiniteDuration();
  auto store = OpenStoreOrDie(Server().Conninfo(db), fast);
  auto a = OpenSessionOrDie(*store, "a");
  ASSERT_TRUE(a->Save(RichSession()).ok());
  {
    auto b = OpenSessionOrDie(*store, "b");  // saved nothing; released on close
  }
  ASSERT_TRUE(store->Create("c").ok());
  auto held_store = OpenStoreOrDie(Server().Conninfo(db));
  auto held = OpenSessionOrDie(*held_store, "d");
  absl::SleepFor(absl::Milliseconds(300));  // a's lease (200 ms, not renewed) expires
  absl::StatusOr<PostgresStoreStats> st = store->Stats();
  ASSERT_TRUE(st.ok()) << st.status();
  const Session rich = RichSession();
  EXPECT_EQ(st->schema_version, PostgresStore::kSchemaVersion);
  EXPECT_EQ(st->sessions, 4);
  EXPECT_EQ(st->saved_sessions, 1);
  EXPECT_EQ(st->peers, static_cast<int64_t>(rich.peers.size()));
  EXPECT_EQ(st->min_peers, static_cast<int64_t>(rich.min_peers.size()));
  EXPECT_EQ(st->channel_pts, static_cast<int64_t>(rich.updates_state.channels().size()));
  EXPECT_EQ(st->dc_entries, static_cast<int64_t>(rich.dcs.size()));
  EXPECT_EQ(st->leases_held, 1);     // d
  EXPECT_EQ(st->leases_expired, 1);  // a
  EXPECT_GT(st->database_bytes, 0);
}

TEST(PostgresAdminTest, MigrationFromVersionOnePlansAppliesAndKeepsTheData) {
  const std::string db = FreshDatabase(Server(), "migrate_v1");
  // A version-1 database, as the first release created it: everything a
  // fresh plan runs except the later migrations, recorded as version 1.
  absl::StatusOr<PostgresMigration> fresh = PostgresStore::PlanMigration(Server().Conninfo(db));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->from_version, 0);
  ASSERT_EQ(fresh->statements.size(), 2u + PostgresStore::kSchemaVersion + 1);
  for (size_t i = 0; i < 3; ++i) AdminExec(Server(), fresh->statements[i], db);
  AdminExec(Server(), "INSERT INTO tgs_schema_version (id, version) VALUES (1, 1)", db);
  AdminExec(Server(),
            "INSERT INTO tgs_sessions (name, has_session, home_dc_id, pts) VALUES ('old', true, 4, 99); "
            "INSERT INTO tgs_peers (session_id, peer_id, access_hash, peer_type, is_community) "
            "SELECT id, 777, 5, 0, false FROM tgs_sessions",
            db);

  // Refused without auto_migrate; the plan names the migration.
  PostgresOptions manual;
  manual.auto_migrate = false;
  absl::StatusOr<std::unique_ptr<PostgresStore>> refused = PostgresStore::Open(Server().Conninfo(db), manual);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("pg migrate"));
  absl::StatusOr<PostgresMigration> plan = PostgresStore::PlanMigration(Server().Conninfo(db));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->from_version, 1);
  EXPECT_EQ(plan->to_version, PostgresStore::kSchemaVersion);
  ASSERT_FALSE(plan->statements.empty());
  EXPECT_THAT(plan->statements[0], HasSubstr("pg_advisory_xact_lock"));
  bool adds_columns = false;
  for (const std::string& s : plan->statements) adds_columns = adds_columns || absl::StrContains(s, "lease_note");
  EXPECT_TRUE(adds_columns);
  EXPECT_EQ(AdminInt(Server(), "SELECT version FROM tgs_schema_version", db), 1) << "planning changed the database";

  absl::StatusOr<PostgresMigration> ran = PostgresStore::Migrate(Server().Conninfo(db));
  ASSERT_TRUE(ran.ok()) << ran.status();
  EXPECT_EQ(ran->statements, plan->statements);
  EXPECT_EQ(AdminInt(Server(), "SELECT version FROM tgs_schema_version", db), PostgresStore::kSchemaVersion);
  absl::StatusOr<PostgresMigration> nothing = PostgresStore::Migrate(Server().Conninfo(db));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->statements.empty());

  auto store = OpenStoreOrDie(Server().Conninfo(db), manual);
  ASSERT_NE(store, nullptr);
  auto old = OpenSessionOrDie(*store, "old");
  const Session s = LoadOrDie(*old);
  EXPECT_EQ(s.home_dc_id, 4);
  EXPECT_EQ(s.updates_state.pts, 99);
  ASSERT_NE(s.FindPeer(777), nullptr);
}

// --- metrics ----------------------------------------------------------------------------------

TEST(PostgresMetricsTest, OperationsErrorsRenewalsAndTheirExport) {
  PostgresOptions o;
  o.lease_ttl = absl::Seconds(3);
  o.renew_interval = absl::Milliseconds(50);
  auto metrics = std::make_shared<PostgresMetrics>();
  o.observer = metrics;
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  auto b = OpenSessionOrDie(*store, "metrics");
  ASSERT_TRUE(b->Save(RichSession()).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->CachePeer(CachedPeer::User(i, i)).ok());
  ASSERT_TRUE(b->ApplyChanges(MakeTestBatch(1, 5).view()).ok());
  ASSERT_TRUE(b->Load().ok());
  EXPECT_EQ(store->OpenSession("metrics").status().code(), absl::StatusCode::kFailedPrecondition);
  absl::SleepFor(absl::Milliseconds(200));
  // An operator takes the lease: the renewer counts it lost.
  auto admin = OpenStoreOrDie(Server().Conninfo("tgs"));
  ASSERT_TRUE(admin->ForceRelease("metrics", "metrics test").ok());
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(b->CachePeer(CachedPeer::User(9, 9)).code(), absl::StatusCode::kFailedPrecondition);

  const PostgresMetrics::Snapshot s = metrics->Read();
  ASSERT_EQ(s.operations.count("CachePeer"), 1u);
  EXPECT_EQ(s.operations.at("CachePeer").count, 6);
  EXPECT_EQ(s.operations.at("Save").count, 1);
  EXPECT_EQ(s.operations.at("ApplyChanges").count, 1);
  EXPECT_EQ(s.operations.at("OpenSession").count, 2);
  EXPECT_GT(s.operations.at("CachePeer").sum, absl::ZeroDuration());
  EXPECT_EQ(s.errors.at("OpenSession FAILED_PRECONDITION"), 1);
  EXPECT_EQ(s.errors.at("CachePeer FAILED_PRECONDITION"), 1);
  EXPECT_EQ(s.errors_by_code.at("FAILED_PRECONDITION"), 2);
  EXPECT_GE(s.connects, 1);
  EXPECT_GE(s.lease_renewals, 2);
  EXPECT_GE(s.leases_renewed, 2);
  EXPECT_EQ(s.leases_lost, 1);

  const std::string text = metrics->PrometheusText();
  EXPECT_THAT(text, HasSubstr("# TYPE tgsession_pg_operation_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("tgsession_pg_operation_seconds_count{operation=\"CachePeer\"} 6"));
  EXPECT_THAT(text, HasSubstr("tgsession_pg_operation_seconds_bucket{operation=\"CachePeer\",le=\"+Inf\"} 6"));
  EXPECT_THAT(text,
              HasSubstr("tgsession_pg_operation_errors_total{operation=\"CachePeer\",code=\"FAILED_PRECONDITION\"} 1"));
  EXPECT_THAT(text, HasSubstr("tgsession_pg_leases_lost_total 1"));
  EXPECT_FALSE(absl::StrContains(text, "password"));
  EXPECT_THAT(metrics->Summary(), HasSubstr("CachePeer"));
}

}  // namespace

// The suite comes with the helpers (RichSession, MakeTestBatch); the
// backends' own tests instantiate it.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BackendConformanceTest);

}  // namespace testing
}  // namespace tgsession
