#include "tests/testing/backend_conformance.h"

#include <atomic>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/binary_codec.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {

std::string BackendFactoryName(const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; }

void BackendConformanceTest::SetUp() {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(t->test_suite_name(), "_", t->name());
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  dir_ = MakeTempDir(name);
}

std::unique_ptr<SessionBackend> BackendConformanceTest::Open() { return GetParam().open(dir_); }

namespace {

AuthKey PatternKey(uint8_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(seed + i * 7);
  return AuthKey(raw);
}

// Runs body(t, i) for i in [0, rounds) on each of `threads` threads at once
// (t in [0, threads)); returns the sum of what the calls return (their failed
// operations).
int FailuresAcrossThreads(int threads, int rounds, const std::function<int(int t, int i)>& body) {
  std::atomic<int> failures{0};
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) failures.fetch_add(body(t, i));
    });
  }
  for (std::thread& th : running) th.join();
  return failures.load();
}

}  // namespace

Session LoadOrDie(SessionBackend& b) {
  absl::StatusOr<std::optional<Session>> s = b.Load();
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok() || !s->has_value()) {
    ADD_FAILURE() << "no session stored";
    return Session();
  }
  return **s;
}

Session RichSession() {
  Session s;
  s.home_dc_id = 2;
  DcEntry a = DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags());
  a.auth_key = PatternKey(1);
  a.first_salt = -1234567890123456789;
  a.time_offset = -3;
  s.dcs.push_back(a);
  s.dcs.push_back(DcEntry::FromParts(2, "2001:67c:4e8:f002::a", 443, DcFlags(DcFlags::kIpv6)));
  DcEntry media = DcEntry::FromParts(4, "149.154.167.92", 443, DcFlags(DcFlags::kMediaOnly | DcFlags::kStatic));
  media.auth_key = PatternKey(9);
  s.dcs.push_back(media);
  s.updates_state.pts = 12345;
  s.updates_state.qts = -7;
  s.updates_state.date = 1700000000;
  s.updates_state.seq = 2147483647;
  s.updates_state.SetChannelPts(1234567890123, 42);
  s.updates_state.SetChannelPts(-1, -1);
  s.CachePeer(CachedPeer::User(777000, INT64_MAX));
  s.CachePeer(CachedPeer::Channel(1001, 43690, ChannelKind::kBroadcast));
  s.CachePeer(CachedPeer::Channel(1002, -5, ChannelKind::kMegagroup));
  CachedPeer giga = CachedPeer::Channel(1003, 7, ChannelKind::kGigagroup);
  giga.is_community = true;
  s.CachePeer(giga);
  s.CachePeer(CachedPeer::Channel(1004, 8));
  s.CachePeer(CachedPeer::Chat(1005));
  CachedPeer community_user = CachedPeer::User(2001, 61166);
  community_user.is_community = true;
  s.CachePeer(community_user);
  s.CacheMinPeer({555, 1001, 10});
  s.CacheMinPeer({556, -1002, -1});
  const uint8_t token[] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2};
  s.future_auth_token.emplace(absl::Span<const uint8_t>(token, sizeof token));
  return s;
}

OwnedSessionChanges MakeTestBatch(int seed, int peers, bool replace_all) {
  OwnedSessionChanges b;
  for (int i = 0; i < peers; ++i) {
    // Every fifth id repeats an earlier one of the batch (last value wins,
    // first place kept); ids 1001-1005 are RichSession's.
    const int64_t id = i % 5 == 4 ? 9000000 + seed * 1000 + i - 3 : (i % 7 == 0 ? 1001 + i % 5 : 9000000 + seed * 1000 + i);
    CachedPeer p = i % 3 == 0 ? CachedPeer::Channel(id, seed * 7919 + i, ChannelKind::kMegagroup)
                              : CachedPeer::User(id, -(seed * 104729 + i));
    p.is_community = i % 11 == 0;
    b.peers.push_back(p);
  }
  b.min_peers.push_back({555, 42 + seed, 7 + seed});  // replaces RichSession's
  b.min_peers.push_back({700000 + seed, -1001, seed});
  b.min_peers.push_back({700000 + seed, -1002, seed + 1});  // same user again
  b.updates.push_back(UpdateStateChange::Channel(1234567890123, 100 + seed));
  b.updates.push_back(UpdateStateChange::Primary(30000 + seed, 1700000000 + seed, 3 + seed));
  if (replace_all) {
    UpdatesState all;
    all.pts = 5 + seed;
    all.qts = 6;
    all.date = 7;
    all.seq = 8;
    all.SetChannelPts(77, 1);
    all.SetChannelPts(78, 2);
    b.updates.push_back(UpdateStateChange::All(all));
  }
  b.updates.push_back(UpdateStateChange::Channel(800 + seed, seed));
  b.updates.push_back(UpdateStateChange::Secondary(40 + seed));
  b.updates.push_back(UpdateStateChange::Channel(77, 9 + seed));
  b.updates.push_back(UpdateStateChange::Channel(800 + seed, seed + 1));
  return b;
}

TEST_P(BackendConformanceTest, EmptyLoadsAsNoSession) {
  auto b = Open();
  absl::StatusOr<std::optional<Session>> s = b->Load();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_value());
  EXPECT_FALSE(b->Name().empty());
}

TEST_P(BackendConformanceTest, SaveLoadRoundTrip) {
  auto b = Open();
  const Session rich = RichSession();
  ASSERT_TRUE(b->Save(rich).ok());
  EXPECT_EQ(LoadOrDie(*b), rich);
  // Saving again replaces.
  Session other;
  other.home_dc_id = 5;
  ASSERT_TRUE(b->Save(other).ok());
  EXPECT_EQ(LoadOrDie(*b), other);
}

TEST_P(BackendConformanceTest, RoundTripsEveryFerogramVector) {
  auto b = Open();
  const std::string dir = VectorsDir() + "/ferogram/binary";
  int n = 0;
  for (const std::string& name : ListDir(dir, ".bin")) {
    SCOPED_TRACE(name);
    absl::StatusOr<Session> s = DecodeBinary(ReadFileOrDie(dir + "/" + name));
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(b->Save(*s).ok());
    EXPECT_EQ(LoadOrDie(*b), *s);
    ++n;
  }
  EXPECT_GE(n, 30);
}

TEST_P(BackendConformanceTest, LargeSessionRoundTrips) {
  auto b = Open();
  Session s = RichSession();
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 100000; ++i) {
    peers.push_back(i % 3 == 0 ? CachedPeer::Channel(i, i * 3, ChannelKind::kMegagroup) : CachedPeer::User(i, -i));
  }
  s.peers.Assign(std::move(peers));
  ASSERT_TRUE(b->Save(s).ok());
  EXPECT_EQ(LoadOrDie(*b), s);
}

TEST_P(BackendConformanceTest, GranularOperations) {
  auto b = Open();
  // On an empty store, granular operations start a session.
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 2)).ok());
  Session s = LoadOrDie(*b);
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_EQ(s.peers[0].access_hash, 2);

  ASSERT_TRUE(b->Save(RichSession()).ok());
  Session want = RichSession();

  ASSERT_TRUE(b->SetHomeDc(4).ok());
  want.home_dc_id = 4;
  DcEntry dc = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
  dc.auth_key = PatternKey(77);
  ASSERT_TRUE(b->UpdateDc(dc).ok());
  want.UpsertDc(dc);
  DcEntry dc2 = DcEntry::FromParts(2, "149.154.167.50", 443, DcFlags());
  ASSERT_TRUE(b->UpdateDc(dc2).ok());  // replaces the IPv4 entry of DC 2
  want.UpsertDc(dc2);
  for (const UpdateStateChange& c :
       {UpdateStateChange::Primary(20000, 1700000100, 9), UpdateStateChange::Secondary(11),
        UpdateStateChange::Channel(1234567890123, 43), UpdateStateChange::Channel(99, 1)}) {
    ASSERT_TRUE(b->ApplyUpdateState(c).ok());
    want.ApplyUpdateState(c);
  }
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(777000, 5)).ok());
  want.CachePeer(CachedPeer::User(777000, 5));
  ASSERT_TRUE(b->CachePeer(CachedPeer::Chat(424242)).ok());
  want.CachePeer(CachedPeer::Chat(424242));
  EXPECT_EQ(LoadOrDie(*b), want);

  UpdatesState all;
  all.pts = 1;
  all.SetChannelPts(5, 6);
  ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::All(all)).ok());
  want.ApplyUpdateState(UpdateStateChange::All(all));
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, ManyGranularPeersKeepOrder) {
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  Session want = RichSession();
  for (int64_t i = 0; i < 300; ++i) {
    const CachedPeer p = CachedPeer::User(5000000 + (i % 200), i);
    ASSERT_TRUE(b->CachePeer(p).ok());
    want.CachePeer(p);
  }
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, DeleteRemovesAndIsIdempotent) {
  auto b = Open();
  ASSERT_TRUE(b->Delete().ok());
  ASSERT_TRUE(b->Save(RichSession()).ok());
  ASSERT_TRUE(b->Delete().ok());
  absl::StatusOr<std::optional<Session>> s = b->Load();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_value());
  ASSERT_TRUE(b->Delete().ok());
  // Usable again after a delete.
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(9, 9)).ok());
  EXPECT_EQ(LoadOrDie(*b).peers.size(), 1u);
}

TEST_P(BackendConformanceTest, ReopenSeesSavedSession) {
  if (!GetParam().persistent) GTEST_SKIP() << GetParam().name << " keeps nothing across instances";
  {
    auto b = Open();
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(31337, 1)).ok());
    ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::Channel(77, 7)).ok());
  }
  auto b = Open();
  Session want = RichSession();
  want.CachePeer(CachedPeer::User(31337, 1));
  want.updates_state.SetChannelPts(77, 7);
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, LoadOrNewGivesTheStoredOrAnEmptySession) {
  auto b = Open();
  absl::StatusOr<Session> empty = b->LoadOrNew();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, Session());
  ASSERT_TRUE(b->Save(RichSession()).ok());
  absl::StatusOr<Session> stored = b->LoadOrNew();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, RichSession());
}

TEST_P(BackendConformanceTest, CloseKeepsEverythingAndIsIdempotent) {
  Session want = RichSession();
  want.CachePeer(CachedPeer::User(31337, 1));
  want.updates_state.SetChannelPts(77, 7);
  {
    auto b = Open();
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(31337, 1)).ok());
    ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::Channel(77, 7)).ok());
    absl::Status closed = b->Close();
    ASSERT_TRUE(closed.ok()) << closed;
    EXPECT_TRUE(b->Close().ok());
    if (GetParam().refuses_calls_after_close) {
      EXPECT_EQ(b->CachePeer(CachedPeer::User(1, 2)).code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(b->Save(want).code(), absl::StatusCode::kFailedPrecondition);
    }
    // Destroying a closed backend closes nothing twice.
  }
  if (!GetParam().persistent) return;
  auto b = Open();
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, BatchesApplyInOrder) {
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  Session want = RichSession();
  for (int seed = 0; seed < 6; ++seed) {
    SCOPED_TRACE(seed);
    const OwnedSessionChanges batch = MakeTestBatch(seed, 12 + seed * 9, /*replace_all=*/seed % 3 == 1);
    absl::Status st = b->ApplyChanges(batch.view());
    ASSERT_TRUE(st.ok()) << st;
    batch.view().ApplyTo(want);
    // Interleaved with single operations, which must see the batch.
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(9000000 + seed * 1000, 5)).ok());
    want.CachePeer(CachedPeer::User(9000000 + seed * 1000, 5));
    EXPECT_EQ(LoadOrDie(*b), want);
  }
  if (GetParam().persistent) {
    b.reset();
    auto reopened = Open();
    EXPECT_EQ(LoadOrDie(*reopened), want);
  }
}

TEST_P(BackendConformanceTest, BatchOfEachKindAlone) {
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  Session want = RichSession();
  const OwnedSessionChanges batch = MakeTestBatch(3, 40);
  ASSERT_TRUE(b->CachePeers(batch.peers).ok());
  for (const CachedPeer& p : batch.peers) want.CachePeer(p);
  ASSERT_TRUE(b->CacheMinPeers(batch.min_peers).ok());
  for (const CachedMinPeer& m : batch.min_peers) want.CacheMinPeer(m);
  ASSERT_TRUE(b->ApplyUpdateStates(batch.updates).ok());
  for (const UpdateStateChange& c : batch.updates) want.ApplyUpdateState(c);
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, EmptyBatchWritesNothing) {
  auto b = Open();
  ASSERT_TRUE(b->ApplyChanges(SessionChanges()).ok());
  ASSERT_TRUE(b->CachePeers({}).ok());
  absl::StatusOr<std::optional<Session>> s = b->Load();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_value()) << "an empty batch started a session";
}

TEST_P(BackendConformanceTest, BatchOnAnEmptyStoreStartsASession) {
  auto b = Open();
  const OwnedSessionChanges batch = MakeTestBatch(1, 25, /*replace_all=*/true);
  ASSERT_TRUE(b->ApplyChanges(batch.view()).ok());
  Session want;
  batch.view().ApplyTo(want);
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, LargeBatchRoundTrips) {
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  Session want = RichSession();
  OwnedSessionChanges batch = MakeTestBatch(9, 20000);
  for (int i = 0; i < 3000; ++i) batch.min_peers.push_back({800000 + i, i, i});
  for (int i = 0; i < 3000; ++i) batch.updates.push_back(UpdateStateChange::Channel(5000000 + i % 2500, i));
  ASSERT_TRUE(b->ApplyChanges(batch.view()).ok());
  batch.view().ApplyTo(want);
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_P(BackendConformanceTest, ConcurrentBatchesLoseNothing) {
#ifdef __EMSCRIPTEN__
  GTEST_SKIP() << "the WebAssembly build has no threads (no pthreads, no SharedArrayBuffer)";
#endif
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  constexpr int kThreads = 4;
  constexpr int kBatches = 15;
  const int failures = FailuresAcrossThreads(kThreads, kBatches, [&](int t, int i) {
    std::vector<CachedPeer> peers;
    for (int k = 0; k < 8; ++k) peers.push_back(CachedPeer::User(10000000 * (t + 1) + i * 8 + k, k));
    const UpdateStateChange channel = UpdateStateChange::Channel(t + 500, i);
    SessionChanges c;
    c.peers = peers;
    c.updates = absl::MakeConstSpan(&channel, 1);
    return b->ApplyChanges(c).ok() ? 0 : 1;
  });
  EXPECT_EQ(failures, 0);
  Session s = LoadOrDie(*b);
  EXPECT_EQ(s.peers.size(), RichSession().peers.size() + kThreads * kBatches * 8);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(s.updates_state.ChannelPtsOr0(t + 500), kBatches - 1);
}

TEST_P(BackendConformanceTest, ConcurrentThreadsLoseNoUpdate) {
#ifdef __EMSCRIPTEN__
  GTEST_SKIP() << "the WebAssembly build has no threads (no pthreads, no SharedArrayBuffer)";
#endif
  auto b = Open();
  ASSERT_TRUE(b->Save(RichSession()).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  const int failures = FailuresAcrossThreads(kThreads, kPerThread, [&](int t, int i) {
    int failed = 0;
    if (!b->CachePeer(CachedPeer::User(1000000 * (t + 1) + i, i)).ok()) ++failed;
    if (!b->ApplyUpdateState(UpdateStateChange::Channel(t + 100, i)).ok()) ++failed;
    if (i % 10 == 0) {
      absl::StatusOr<std::optional<Session>> s = b->Load();
      if (!s.ok() || !s->has_value()) ++failed;
    }
    return failed;
  });
  EXPECT_EQ(failures, 0);
  Session s = LoadOrDie(*b);
  EXPECT_EQ(s.peers.size(), RichSession().peers.size() + kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(s.updates_state.ChannelPtsOr0(t + 100), kPerThread - 1);
    for (int i = 0; i < kPerThread; ++i) ASSERT_NE(s.FindPeer(1000000 * (t + 1) + i), nullptr);
  }
}

}  // namespace testing
}  // namespace tgsession
