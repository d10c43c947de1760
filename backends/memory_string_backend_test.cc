// InMemoryBackend and StringSessionBackend: the conformance suite plus the
// behaviour the real crate's probes recorded.
#include <memory>

#include "backends/memory_backend.h"
#include "backends/string_backend.h"
#include "gtest/gtest.h"
#include "session/string_codec.h"
#include "tests/testing/backend_conformance.h"

namespace tgsession {
namespace testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Memory, BackendConformanceTest,
    ::testing::Values(BackendFactory{"memory", [](const std::string&) -> std::unique_ptr<SessionBackend> {
                                       return std::make_unique<InMemoryBackend>();
                                     },
                                     /*persistent=*/false},
                      BackendFactory{"string", [](const std::string&) -> std::unique_ptr<SessionBackend> {
                                       return std::make_unique<StringSessionBackend>();
                                     },
                                     /*persistent=*/false}),
    BackendFactoryName);

TEST(StringSessionBackendTest, BlankMeansNoSession) {
  for (const char* text : {"", "   ", "\n\t"}) {
    StringSessionBackend b(text);
    absl::StatusOr<std::optional<Session>> s = b.Load();
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_FALSE(s->has_value());
  }
}

TEST(StringSessionBackendTest, GarbageIsAnError) {
  StringSessionBackend b("!!!");
  absl::StatusOr<std::optional<Session>> s = b.Load();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StringSessionBackendTest, CurrentAfterSaveMatchesFerogram) {
  // probes.json stringbackend_save: home_dc_id=2 session.
  StringSessionBackend b;
  Session s;
  s.home_dc_id = 2;
  ASSERT_TRUE(b.Save(s).ok());
  EXPECT_EQ(b.Current(), "CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  StringSessionBackend reopened(b.Current());
  absl::StatusOr<std::optional<Session>> back = reopened.Load();
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ(**back, s);
  ASSERT_TRUE(b.Delete().ok());
  EXPECT_EQ(b.Current(), "");
}

TEST(InMemoryBackendTest, CachePeerUpdatesInPlace) {
  // probes.json inmemory_cache_peer_update.
  InMemoryBackend b;
  ASSERT_TRUE(b.CachePeer(CachedPeer::User(1, 1)).ok());
  ASSERT_TRUE(b.CachePeer(CachedPeer::User(1, 2)).ok());
  b.Inspect([](const Session* s) {
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->peers.size(), 1u);
    EXPECT_EQ(s->peers[0].access_hash, 2);
    EXPECT_EQ(s->home_dc_id, 0);
  });
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
