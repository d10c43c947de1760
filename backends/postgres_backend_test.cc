// PostgresStore / PostgresBackend against a real PostgreSQL server started
// for this test (tests/testing/pg_server.h): the conformance suite (plain
// and over verified TLS without prepared statements), store operations,
// schema creation and migration, leases across threads and processes
// (refusal, expiry after a killed holder, renewal, fencing of a holder that
// lost its lease), the server killed in the middle of a save, a client
// killed in the middle of a save, the crash harness, terminated
// connections, TLS, hostile rows and secret hygiene.
#include "backends/postgres_backend.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/postgres_db.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/crash_harness.h"
#include "tests/testing/pg_helpers.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using ::testing::HasSubstr;

PgTestServer& Server() { return SharedPgServer(); }

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// One store per configuration, shared by the conformance tests (each test
// uses its own session name: the basename of its scratch directory).
PostgresStore& PlainStore() {
  static PostgresStore* s = OpenStoreOrDie(Server().Conninfo("tgs")).release();
  return *s;
}

PostgresStore& TlsUnpreparedStore() {
  static PostgresStore* s = [] {
    PostgresOptions o;
    o.prepare_statements = false;
    return OpenStoreOrDie(absl::StrCat("host=localhost port=", Server().port(),
                                       " user=postgres dbname=tgs sslmode=verify-full sslrootcert=",
                                       Server().ca_cert()),
                          o)
        .release();
  }();
  return *s;
}

std::unique_ptr<SessionBackend> OpenIn(PostgresStore& store, const std::string& dir) {
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = store.OpenSession(Basename(dir));
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, BackendConformanceTest,
    ::testing::Values(BackendFactory{"postgres",
                                     [](const std::string& dir) { return OpenIn(PlainStore(), dir); },
                                     /*persistent=*/true, /*allows_second_writer=*/false,
                                     /*refuses_calls_after_close=*/true},
                      BackendFactory{"postgres_tls_unprepared",
                                     [](const std::string& dir) { return OpenIn(TlsUnpreparedStore(), dir); },
                                     /*persistent=*/true, /*allows_second_writer=*/false,
                                     /*refuses_calls_after_close=*/true}),
    BackendFactoryName);

// --- helpers ----------------------------------------------------------------------------

// A plain connection for looking behind the backend's back (pg_helpers.h on
// the shared server).
std::unique_ptr<pg::Connection> Admin(const std::string& db = "tgs") { return testing::Admin(Server(), db); }
void AdminExec(const std::string& sql, const std::string& db = "tgs") { testing::AdminExec(Server(), sql, db); }
int64_t AdminInt(const std::string& sql, const std::string& db = "tgs") {
  return testing::AdminInt(Server(), sql, db);
}
std::string FreshDatabase(const std::string& name) { return testing::FreshDatabase(Server(), name); }

AuthKey KeyOf(uint8_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(seed * 13 + i * 29 + 5);
  return AuthKey(raw);
}

// A session with `peers` peers and an auth key made from `seed`.
Session SessionWith(int peers, uint8_t seed) {
  Session s = RichSession();
  s.dcs[0].auth_key = KeyOf(seed);
  s.updates_state.pts = seed;
  std::vector<CachedPeer> list;
  list.reserve(static_cast<size_t>(peers));
  for (int i = 0; i < peers; ++i) list.push_back(CachedPeer::User(10000000 + i, i * 7 + seed));
  s.peers.Assign(std::move(list));
  return s;
}

// Hex of a key as the server prints bytea (to look for leaks in logs).
std::string KeyHex(const AuthKey& k) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(k.data()), AuthKey::kSize));
}

void ExpectNoSecret(const absl::Status& s, const AuthKey& key) {
  const std::string hex = KeyHex(key);
  EXPECT_FALSE(absl::StrContains(absl::AsciiStrToLower(s.message()), hex.substr(0, 32))) << s;
}

// Waits until a statement starting with `prefix` is running on the server.
bool WaitForActiveQuery(const std::string& prefix, absl::Duration timeout) {
  std::unique_ptr<pg::Connection> c = Admin();
  if (c == nullptr) return false;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<pg::Result> r =
        c->Query(absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '", prefix,
                              "%'"));
    if (r.ok() && r->rows() == 1) {
      absl::StatusOr<int64_t> n = pg::GetInt(*r, 0, 0, [] { return std::string("count"); });
      if (n.ok() && *n > 0) return true;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  return false;
}

// --- store operations ----------------------------------------------------------------------

TEST(PostgresStoreTest, CreateListDelete) {
  const std::string db = FreshDatabase("store_ops");
  auto store = OpenStoreOrDie(Server().Conninfo(db));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Create("bob").ok());
  ASSERT_TRUE(store->Create("alice").ok());
  absl::Status again = store->Create("alice");
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_THAT(std::string(again.message()), HasSubstr("alice"));

  absl::StatusOr<std::vector<StoredSessionInfo>> list = store->List();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alice");
  EXPECT_EQ((*list)[1].name, "bob");
  EXPECT_FALSE((*list)[0].has_session);
  EXPECT_FALSE((*list)[0].lease_owner.has_value());

  {
    auto alice = OpenSessionOrDie(*store, "alice");
    ASSERT_NE(alice, nullptr);
    ASSERT_TRUE(alice->Save(RichSession()).ok());
    list = store->List();
    ASSERT_TRUE(list.ok()) << list.status();
    EXPECT_TRUE((*list)[0].has_session);
    EXPECT_EQ((*list)[0].home_dc_id, 2);
    ASSERT_TRUE((*list)[0].lease_owner.has_value());
    EXPECT_EQ(*(*list)[0].lease_owner, store->owner_id());
    ASSERT_TRUE((*list)[0].lease_remaining.has_value());
    EXPECT_GT(*(*list)[0].lease_remaining, absl::Seconds(20));
    EXPECT_LT(absl::Now() - (*list)[0].updated_at, absl::Minutes(5));

    // A leased session cannot be deleted, even by its own store.
    absl::Status busy = store->Delete("alice");
    EXPECT_EQ(busy.code(), absl::StatusCode::kFailedPrecondition) << busy;
    EXPECT_THAT(std::string(busy.message()), HasSubstr(store->owner_id()));
    // Other sessions are untouched by this one's data.
    auto bob = OpenSessionOrDie(*store, "bob");
    absl::StatusOr<std::optional<Session>> empty = bob->Load();
    ASSERT_TRUE(empty.ok()) << empty.status();
    EXPECT_FALSE(empty->has_value());
  }
  ASSERT_TRUE(store->Delete("alice").ok());
  EXPECT_EQ(store->Delete("alice").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(AdminInt("SELECT count(*) FROM tgs_peers", db), 0) << "child rows go with the name";
  list = store->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "bob");

  OpenSessionOptions no_create;
  no_create.create_if_missing = false;
  EXPECT_EQ(store->OpenSession("carol", no_create).status().code(), absl::StatusCode::kNotFound);
  OpenSessionOptions ro;
  ro.read_only = true;
  EXPECT_EQ(store->OpenSession("carol", ro).status().code(), absl::StatusCode::kNotFound);
  // Opening creates by default.
  EXPECT_TRUE(store->OpenSession("carol").ok());
}

TEST(PostgresStoreTest, SessionNamesAreValidated) {
  for (const std::string& bad : {std::string(""), std::string("a/b"), std::string("tab\there"),
                                std::string("nl\n"), std::string(256, 'x'), std::string("\xff\xfe")}) {
    EXPECT_EQ(ValidateSessionName(bad).code(), absl::StatusCode::kInvalidArgument) << absl::CEscape(bad);
    EXPECT_EQ(PlainStore().OpenSession(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  for (const std::string& good : {std::string("bot-17"), std::string("user:+123 456"), std::string("ünïcödé"),
                                 std::string(255, 'y'), std::string("a'b\"c;--")}) {
    EXPECT_TRUE(ValidateSessionName(good).ok()) << good;
  }
  // Quotes and SQL in a name are data.
  auto b = OpenSessionOrDie(PlainStore(), "a'b\"c;--");
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->Save(RichSession()).ok());
  EXPECT_EQ(LoadOrDie(*b), RichSession());
}

TEST(PostgresStoreTest, SchemaIsCreatedOnceAndNewerVersionsAreRefused) {
  const std::string db = FreshDatabase("schema");
  // Eight processes' worth of stores opening a fresh database at once.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(Server().Conninfo(db));
      EXPECT_TRUE(s.ok()) << s.status();
      if (s.ok()) ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(AdminInt("SELECT version FROM tgs_schema_version", db), PostgresStore::kSchemaVersion);
  EXPECT_EQ(AdminInt("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tgs\\_%'", db), 6);

  AdminExec("UPDATE tgs_schema_version SET version = 99", db);
  absl::StatusOr<std::unique_ptr<PostgresStore>> newer = PostgresStore::Open(Server().Conninfo(db));
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(newer.status().message()), HasSubstr("schema version 99"));

  // A database with someone else's tgs_sessions table is not taken over.
  const std::string other = FreshDatabase("schema_clash");
  AdminExec("CREATE TABLE tgs_sessions (x int)", other);
  absl::StatusOr<std::unique_ptr<PostgresStore>> clash = PostgresStore::Open(Server().Conninfo(other));
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists) << clash.status();
  EXPECT_EQ(AdminInt("SELECT count(*) FROM pg_tables WHERE tablename = 'tgs_schema_version'", other), 0)
      << "a failed migration leaves nothing behind";
}

TEST(PostgresStoreTest, BadConnectionStrings) {
  EXPECT_EQ(PostgresStore::Open("host='unterminated").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PostgresStore::Open("nonsense_key=1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PostgresStore::Open("postgresql://[::1").status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing listens on port 1.
  absl::StatusOr<std::unique_ptr<PostgresStore>> down =
      PostgresStore::Open("host=127.0.0.1 port=1 user=postgres dbname=tgs connect_timeout=2");
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
  absl::StatusOr<std::unique_ptr<PostgresStore>> nodb =
      PostgresStore::Open(Server().Conninfo("no_such_database"));
  EXPECT_EQ(nodb.status().code(), absl::StatusCode::kNotFound) << nodb.status();
  // A password never shows up in names or errors.
  auto store = OpenStoreOrDie(absl::StrCat(Server().Conninfo("tgs"), " password=hunter2-secret"));
  ASSERT_NE(store, nullptr);
  auto b = OpenSessionOrDie(*store, "password-test");
  EXPECT_FALSE(absl::StrContains(b->Name(), "hunter2")) << b->Name();
  EXPECT_EQ(b->Name(), absl::StrCat("postgres:tgs@127.0.0.1:", Server().port(), "/password-test"));
  // URIs work as well as key=value strings.
  auto uri = OpenStoreOrDie(Server().Uri("tgs"));
  ASSERT_NE(uri, nullptr);
  EXPECT_EQ(uri->description(), absl::StrCat("tgs@127.0.0.1:", Server().port()));
}

// --- leases ------------------------------------------------------------------------------------

TEST(PostgresLeaseTest, SecondWriterIsRefusedInAndAcrossStores) {
  auto first = OpenSessionOrDie(PlainStore(), "lease-refusal");
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->Save(RichSession()).ok());

  absl::StatusOr<std::unique_ptr<PostgresBackend>> same = PlainStore().OpenSession("lease-refusal");
  EXPECT_EQ(same.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(same.status().message()), HasSubstr("already open"));

  auto other = OpenStoreOrDie(Server().Conninfo("tgs"));
  ASSERT_NE(other, nullptr);
  absl::StatusOr<std::unique_ptr<PostgresBackend>> second = other->OpenSession("lease-refusal");
  ASSERT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  const std::string msg(second.status().message());
  EXPECT_THAT(msg, HasSubstr("lease-refusal"));
  EXPECT_THAT(msg, HasSubstr(PlainStore().owner_id()));
  EXPECT_THAT(msg, HasSubstr("expires in"));

  // A read-only view is allowed, sees the data, and cannot write.
  OpenSessionOptions ro;
  ro.read_only = true;
  auto view = OpenSessionOrDie(*other, "lease-refusal", ro);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(LoadOrDie(*view), RichSession());
  absl::Status w = view->CachePeer(CachedPeer::User(1, 1));
  EXPECT_EQ(w.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(w.message()), HasSubstr("read-only"));
  EXPECT_EQ(view->Save(Session()).code(), absl::StatusCode::kFailedPrecondition);

  // Closing releases at once.
  ASSERT_TRUE(first->Close().ok());
  EXPECT_EQ(first->CachePeer(CachedPeer::User(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
  auto taken = OpenSessionOrDie(*other, "lease-refusal");
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(LoadOrDie(*taken), RichSession());
}

TEST(PostgresLeaseTest, RenewalKeepsTheLeasePastItsTtl) {
  PostgresOptions o;
  o.lease_ttl = absl::Milliseconds(600);
  auto holder_store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  auto holder = OpenSessionOrDie(*holder_store, "lease-renewal");
  ASSERT_NE(holder, nullptr);
  auto other = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  for (int i = 0; i < 4; ++i) {
    absl::SleepFor(absl::Milliseconds(500));
    EXPECT_EQ(other->OpenSession("lease-renewal").status().code(), absl::StatusCode::kFailedPrecondition);
    ASSERT_TRUE(holder->CachePeer(CachedPeer::User(i, i)).ok());
  }
  holder.reset();  // releases
  EXPECT_TRUE(other->OpenSession("lease-renewal").ok());
}

// A holder whose lease expired and was taken over cannot write, and sees
// why; one whose lease expired but was not taken over still owns it.
TEST(PostgresLeaseTest, FencingAfterTakeover) {
  PostgresOptions slow;
  slow.lease_ttl = absl::Milliseconds(300);
  slow.renew_interval = absl::InfiniteDuration();  // a holder that stalls
  auto a_store = OpenStoreOrDie(Server().Conninfo("tgs"), slow);
  auto a = OpenSessionOrDie(*a_store, "fencing");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->Save(SessionWith(10, 1)).ok());
  absl::SleepFor(absl::Milliseconds(400));
  // Expired, not taken over: still ours (same epoch).
  ASSERT_TRUE(a->CachePeer(CachedPeer::User(42, 42)).ok());

  auto b_store = OpenStoreOrDie(Server().Conninfo("tgs"));
  auto b = OpenSessionOrDie(*b_store, "fencing");
  ASSERT_NE(b, nullptr);
  EXPECT_GT(b->lease_epoch(), a->lease_epoch());
  Session want = SessionWith(10, 1);
  want.CachePeer(CachedPeer::User(42, 42));
  EXPECT_EQ(LoadOrDie(*b), want) << "every write acknowledged before the takeover is visible";
  ASSERT_TRUE(b->Save(SessionWith(3, 2)).ok());

  for (const absl::Status& s :
       {a->CachePeer(CachedPeer::User(7, 7)), a->Save(SessionWith(50, 3)), a->SetHomeDc(5),
        a->ApplyUpdateState(UpdateStateChange::Primary(1, 2, 3)),
        a->ApplyUpdateState(UpdateStateChange::Channel(1, 2)), a->UpdateDc(DcEntry::FromParts(9, "1.1.1.1", 1, {})),
        a->Delete(), a->Load().status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr("fencing"));
  }
  absl::Status first = a->CachePeer(CachedPeer::User(8, 8));
  EXPECT_THAT(std::string(first.message()), HasSubstr(b_store->owner_id()));
  a.reset();  // releasing must not release b's lease
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(9, 9)).ok());
  Session b_want = SessionWith(3, 2);
  b_want.CachePeer(CachedPeer::User(9, 9));
  EXPECT_EQ(LoadOrDie(*b), b_want);
}

// The renewer notices a lease taken away (here by an administrator) and the
// backend fails fast.
TEST(PostgresLeaseTest, RenewerNoticesALostLease) {
  PostgresOptions o;
  o.lease_ttl = absl::Seconds(3);
  o.renew_interval = absl::Milliseconds(50);
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"), o);
  auto b = OpenSessionOrDie(*store, "renewer-notices");
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
  AdminExec("UPDATE tgs_sessions SET lease_owner = 'an-admin', lease_epoch = lease_epoch + 1 "
            "WHERE name = 'renewer-notices'");
  absl::SleepFor(absl::Milliseconds(300));
  absl::Status s = b->CachePeer(CachedPeer::User(2, 2));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("renewed"));
}

// Writers racing a takeover: every write the old holder got OK for is in
// the new holder's first Load, and none succeeds after it.
TEST(PostgresLeaseTest, NoAcknowledgedWriteIsLostAcrossATakeover) {
  PostgresOptions slow;
  slow.lease_ttl = absl::Milliseconds(300);
  slow.renew_interval = absl::InfiniteDuration();
  slow.pool_size = 4;
  auto a_store = OpenStoreOrDie(Server().Conninfo("tgs"), slow);
  auto a = OpenSessionOrDie(*a_store, "takeover-race");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->Save(Session()).ok());

  std::atomic<bool> stop{false};
  std::vector<std::vector<int64_t>> acked(4);
  std::vector<absl::Status> first_error(4);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int64_t i = 0; !stop.load(); ++i) {
        const int64_t id = t * 100000000 + i;
        absl::Status s = a->CachePeer(CachedPeer::User(id, i));
        if (!s.ok()) {
          first_error[static_cast<size_t>(t)] = s;
          return;
        }
        acked[static_cast<size_t>(t)].push_back(id);
      }
    });
  }
  auto b_store = OpenStoreOrDie(Server().Conninfo("tgs"));
  OpenSessionOptions wait;
  wait.wait_for_lease = absl::Seconds(10);
  auto b = OpenSessionOrDie(*b_store, "takeover-race", wait);
  ASSERT_NE(b, nullptr);
  const Session seen = LoadOrDie(*b);
  absl::SleepFor(absl::Milliseconds(100));
  stop.store(true);
  for (auto& w : writers) w.join();
  size_t total = 0;
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(first_error[static_cast<size_t>(t)].code(), absl::StatusCode::kFailedPrecondition)
        << first_error[static_cast<size_t>(t)];
    for (int64_t id : acked[static_cast<size_t>(t)]) ASSERT_NE(seen.FindPeer(id), nullptr) << "lost write " << id;
    total += acked[static_cast<size_t>(t)].size();
  }
  EXPECT_EQ(seen.peers.size(), total) << "nothing unacknowledged either";
  EXPECT_GT(total, 0u);
  EXPECT_EQ(LoadOrDie(*b).peers.size(), total) << "no write landed after the takeover";
}

// Two processes: the second is refused while the first runs, and gets the
// session once the first is killed and its lease expires.
TEST(PostgresLeaseTest, TwoProcessesAndAKilledHolder) {
  SKIP_FORK_UNDER_TSAN();
  const std::string conninfo = Server().Conninfo("tgs");
  const pid_t child = ForkLeaseHolder(conninfo, "two-processes", SessionWith(100, 9), HoldUntilKilled);
  ASSERT_GT(child, 0);

  auto store = OpenStoreOrDie(conninfo);
  absl::StatusOr<std::unique_ptr<PostgresBackend>> refused = store->OpenSession("two-processes");
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr(absl::StrCat("child-process-", child)));
  // Still refused after more than one TTL: the child renews.
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(store->OpenSession("two-processes").status().code(), absl::StatusCode::kFailedPrecondition);

  ASSERT_EQ(kill(child, SIGKILL), 0);
  waitpid(child, nullptr, 0);
  const absl::Time killed = absl::Now();
  OpenSessionOptions wait;
  wait.wait_for_lease = absl::Seconds(10);
  auto b = OpenSessionOrDie(*store, "two-processes", wait);
  ASSERT_NE(b, nullptr);
  const absl::Duration waited = absl::Now() - killed;
  EXPECT_LT(waited, absl::Milliseconds(2500)) << "the lease should expire within its TTL";
  EXPECT_EQ(LoadOrDie(*b), SessionWith(100, 9));
}

// --- faults -----------------------------------------------------------------------------------

// `pg_ctl stop -m immediate` (every server process killed, as in a crash)
// while a large Save is being copied: the Save fails with kUnavailable, the
// previous session is intact after the restart, and the same backend
// reconnects and works.
TEST(PostgresFaultTest, ServerKilledMidSave) {
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"));
  auto b = OpenSessionOrDie(*store, "server-killed");
  ASSERT_NE(b, nullptr);
  const Session before = SessionWith(20, 4);
  ASSERT_TRUE(b->Save(before).ok());

  const Session big = SessionWith(400000, 5);
  absl::Status save_status;
  std::thread saver([&] { save_status = b->Save(big); });
  const bool copying = WaitForActiveQuery("COPY tgs_peers", absl::Seconds(30));
  ASSERT_TRUE(Server().Stop("immediate").ok());
  saver.join();
  ASSERT_TRUE(copying) << "the save finished before the server could be killed";
  EXPECT_EQ(save_status.code(), absl::StatusCode::kUnavailable) << save_status;
  EXPECT_THAT(std::string(save_status.message()), HasSubstr("server-killed"));
  EXPECT_THAT(std::string(save_status.message()), HasSubstr("saving"));
  ExpectNoSecret(save_status, *big.dcs[0].auth_key);

  // While the server is down every operation says so.
  absl::Status down = b->CachePeer(CachedPeer::User(1, 1));
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_EQ(b->Load().status().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE(Server().Restart().ok());
  EXPECT_EQ(LoadOrDie(*b), before) << "the interrupted save must leave the previous session";
  ASSERT_TRUE(b->Save(SessionWith(30, 6)).ok());
  EXPECT_EQ(LoadOrDie(*b), SessionWith(30, 6));
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
}

// The server terminates every connection (an administrator, a failover, an
// idle timeout): idle pooled connections are replaced before use, so the
// next operations succeed.
TEST(PostgresFaultTest, TerminatedConnectionsAreReplaced) {
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"));
  auto b = OpenSessionOrDie(*store, "terminated");
  ASSERT_TRUE(b->Save(RichSession()).ok());
  for (int round = 0; round < 3; ++round) {
    EXPECT_GT(AdminInt("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE application_name = 'tgsession'"),
              0);
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(round, round)).ok()) << round;
  }
  Session want = RichSession();
  for (int round = 0; round < 3; ++round) want.CachePeer(CachedPeer::User(round, round));
  EXPECT_EQ(LoadOrDie(*b), want);
}

// A client killed (SIGKILL) in the middle of a large Save: the server rolls
// its transaction back; after the lease expires the next holder loads the
// previous session.
TEST(PostgresFaultTest, ClientKilledMidSave) {
  SKIP_FORK_UNDER_TSAN();
  const std::string conninfo = Server().Conninfo("tgs");
  const pid_t child = ForkLeaseHolder(conninfo, "client-killed", SessionWith(10, 7),
                                      [](PostgresBackend& b) { (void)b.Save(SessionWith(400000, 8)); });
  ASSERT_GT(child, 0);
  ASSERT_TRUE(WaitForActiveQuery("COPY tgs_peers", absl::Seconds(30)));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished its save before the kill";

  OpenSessionOptions wait;
  wait.wait_for_lease = absl::Seconds(10);
  auto store = OpenStoreOrDie(conninfo);
  auto b = OpenSessionOrDie(*store, "client-killed", wait);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(LoadOrDie(*b), SessionWith(10, 7));
}

// The crash harness: children running saves and granular updates are
// killed at random moments; after each kill the store holds exactly the
// last acknowledged state or the one in flight.
TEST(PostgresFaultTest, CrashHarness) {
  SKIP_FORK_UNDER_TSAN();
  const std::string conninfo = Server().Conninfo("tgs");
  CrashHarnessOptions o;
  o.kills = 15;
  o.max_delay_us = 300000;
  o.save_every = 23;
  o.save_peers = 2000;
  const auto open = [conninfo]() -> std::unique_ptr<SessionBackend> {
    PostgresOptions po;
    po.lease_ttl = absl::Milliseconds(300);
    po.pool_size = 1;
    OpenSessionOptions so;
    so.wait_for_lease = absl::Seconds(10);
    absl::StatusOr<std::unique_ptr<PostgresBackend>> b = PostgresBackend::Open(conninfo, "crash-harness", po, so);
    if (!b.ok()) {
      std::fprintf(stderr, "open: %s\n", b.status().ToString().c_str());
      return nullptr;
    }
    return std::move(*b);
  };
  const CrashHarnessResult r = RunCrashHarness(open, o);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.kills, o.kills);
  EXPECT_EQ(r.verified, o.kills);
  EXPECT_GT(r.total_ops, 100);
  std::printf("crash harness: %d kills, %lld acknowledged operations, %d in-flight operations found applied\n",
              r.kills, r.total_ops, r.in_flight_applied);
}

// --- TLS ---------------------------------------------------------------------------------------

TEST(PostgresTlsTest, SslModesAreHonoured) {
  const std::string base = absl::StrCat("host=localhost port=", Server().port(), " user=postgres dbname=tgs");
  {
    auto plain = OpenStoreOrDie(absl::StrCat(base, " sslmode=disable"));
    ASSERT_NE(plain, nullptr);
    absl::StatusOr<std::string> tls = plain->TlsProtocol();
    ASSERT_TRUE(tls.ok());
    EXPECT_EQ(*tls, "");
  }
  {
    auto required = OpenStoreOrDie(absl::StrCat(base, " sslmode=require"));
    ASSERT_NE(required, nullptr);
    absl::StatusOr<std::string> tls = required->TlsProtocol();
    ASSERT_TRUE(tls.ok());
    EXPECT_THAT(*tls, HasSubstr("TLS"));
    auto b = OpenSessionOrDie(*required, "tls-session");
    ASSERT_TRUE(b->Save(RichSession()).ok());
    EXPECT_EQ(LoadOrDie(*b), RichSession());
  }
  {
    auto verified = OpenStoreOrDie(absl::StrCat("postgresql://postgres@localhost:", Server().port(),
                                                "/tgs?sslmode=verify-full&sslrootcert=", Server().ca_cert()));
    ASSERT_NE(verified, nullptr);
    absl::StatusOr<std::string> tls = verified->TlsProtocol();
    ASSERT_TRUE(tls.ok());
    EXPECT_THAT(*tls, HasSubstr("TLS"));
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> wrong_ca =
      PostgresStore::Open(absl::StrCat(base, " sslmode=verify-full sslrootcert=", Server().wrong_ca_cert()));
  EXPECT_EQ(wrong_ca.status().code(), absl::StatusCode::kFailedPrecondition) << wrong_ca.status();
  EXPECT_THAT(std::string(wrong_ca.status().message()), HasSubstr("certificate"));
  // verify-full checks the name too: the certificate is for localhost and
  // 127.0.0.1, not for 127.0.0.2 (which also reaches nothing, but the name
  // check comes from the string's host).
  absl::StatusOr<std::unique_ptr<PostgresStore>> no_ca =
      PostgresStore::Open(absl::StrCat(base, " sslmode=verify-ca sslrootcert=/nonexistent/ca.crt"));
  EXPECT_EQ(no_ca.status().code(), absl::StatusCode::kFailedPrecondition) << no_ca.status();
}

// --- hostile rows --------------------------------------------------------------------------------

class PostgresHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = FreshDatabase("hostile");
    store_ = OpenStoreOrDie(Server().Conninfo(db_));
    ASSERT_NE(store_, nullptr);
    b_ = OpenSessionOrDie(*store_, "victim");
    ASSERT_NE(b_, nullptr);
    ASSERT_TRUE(b_->Save(RichSession()).ok());
  }
  void Tamper(const std::string& sql) { AdminExec(sql, db_); }
  absl::Status LoadStatus() { return b_->Load().status(); }

  std::string db_;
  std::unique_ptr<PostgresStore> store_;
  std::unique_ptr<PostgresBackend> b_;
};

TEST_F(PostgresHostileTest, WrongAuthKeyLength) {
  Tamper("UPDATE tgs_dcs SET auth_key = '\\x0102' WHERE auth_key IS NOT NULL AND dc_id = 2");
  absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("table tgs_dcs, session 'victim'"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("column auth_key: bytea of 2 bytes"));
  Tamper("UPDATE tgs_dcs SET auth_key = decode(repeat('ab', 300), 'hex') WHERE dc_id = 2 AND auth_key IS NOT NULL");
  s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("bytea of 300 bytes"));
  EXPECT_FALSE(absl::StrContains(s.message(), "abab")) << "never the key bytes";
}

TEST_F(PostgresHostileTest, OutOfRangeValues) {
  const struct {
    const char* sql;
    const char* want;
  } cases[] = {
      {"UPDATE tgs_dcs SET flags = 300", "column flags: 300 is out of range [0, 255]"},
      {"UPDATE tgs_peers SET peer_type = 7 WHERE peer_id = 777000", "row peer_id=777000, column peer_type: 7"},
      {"UPDATE tgs_peers SET channel_kind = -1 WHERE peer_id = 1001", "column channel_kind: -1 is not a channel kind"},
      {"ALTER TABLE tgs_sessions ALTER COLUMN pts TYPE bigint; UPDATE tgs_sessions SET pts = 1099511627776",
       "column pts: 1099511627776 is out of range"},
      {"ALTER TABLE tgs_peers ALTER COLUMN access_hash TYPE text", "column access_hash: has type text"},
      {"ALTER TABLE tgs_min_peers ALTER COLUMN msg_id DROP NOT NULL; UPDATE tgs_min_peers SET msg_id = NULL",
       "column msg_id: NULL where a value is required"},
      {"ALTER TABLE tgs_channel_pts ALTER COLUMN pts TYPE float8", "column pts: has type double precision"},
      {"UPDATE tgs_dcs SET addr = decode(repeat('41', 70000), 'hex') WHERE dc_id = 4", "address of 70000 bytes"},
  };
  for (const auto& c : cases) {
    SetUp();  // a fresh database for each case
    SCOPED_TRACE(c.sql);
    Tamper(c.sql);
    absl::Status s = LoadStatus();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want));
    EXPECT_THAT(std::string(s.message()), HasSubstr(b_->Name()));
    b_.reset();
    store_.reset();
  }
}

TEST_F(PostgresHostileTest, RowCountsAreBoundedByDecodeLimits) {
  PostgresOptions o;
  o.limits.max_peers = 5;
  auto small = OpenStoreOrDie(Server().Conninfo(db_), o);
  b_.reset();
  auto b = OpenSessionOrDie(*small, "victim");
  absl::Status s = b->Load().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("more than 5 rows"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("max_peers"));
  // And Save refuses what Load would refuse.
  EXPECT_EQ(b->Save(RichSession()).code(), absl::StatusCode::kOutOfRange);
}

TEST_F(PostgresHostileTest, DuplicateIdsAreRefusedBeforeWriting) {
  Session dup = RichSession();
  std::vector<CachedPeer> peers(dup.peers.begin(), dup.peers.end());
  peers.push_back(peers[0]);
  dup.peers.Assign(peers);
  absl::Status s = b_->Save(dup);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(LoadOrDie(*b_), RichSession());
  // Duplicate DC entries are kept as they are (DCs are keyed by position).
  Session dcs = RichSession();
  dcs.dcs.push_back(dcs.dcs[0]);
  ASSERT_TRUE(b_->Save(dcs).ok());
  EXPECT_EQ(LoadOrDie(*b_), dcs);
}

// --- secrets -----------------------------------------------------------------------------------

TEST(PostgresSecretTest, KeysNeverInErrorsOrTheServerLog) {
  auto store = OpenStoreOrDie(Server().Conninfo("tgs"));
  auto b = OpenSessionOrDie(*store, "secrets");
  Session s = SessionWith(5, 77);
  const AuthKey key = *s.dcs[0].auth_key;
  ASSERT_TRUE(b->Save(s).ok());
  DcEntry dc = DcEntry::FromParts(3, "149.154.175.100", 443, {});
  dc.auth_key = key;
  ASSERT_TRUE(b->UpdateDc(dc).ok());
  // Failures with keys in flight: a lost lease, a dropped connection.
  AdminExec("UPDATE tgs_sessions SET lease_owner = 'thief', lease_epoch = lease_epoch + 1 WHERE name = 'secrets'");
  absl::Status lost = b->Save(s);
  EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition);
  ExpectNoSecret(lost, key);
  absl::Status lost_dc = b->UpdateDc(dc);
  ExpectNoSecret(lost_dc, key);
  const std::string log = absl::AsciiStrToLower(Server().ServerLog());
  EXPECT_FALSE(absl::StrContains(log, KeyHex(key).substr(0, 32)));
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
