#include "backends/changes.h"

#include "gtest/gtest.h"
#include "session/session.h"

namespace tgsession {
namespace {

TEST(OwnedSessionChangesTest, ViewShowsItsListsInPlace) {
  OwnedSessionChanges batch;
  EXPECT_TRUE(batch.view().empty());
  batch.peers.push_back(CachedPeer::User(1, 10));
  batch.peers.push_back(CachedPeer::User(2, 20));
  batch.min_peers.push_back({3, -100, 7});
  batch.updates.push_back(UpdateStateChange::Primary(5, 1700000000, 1));

  const SessionChanges view = batch.view();
  EXPECT_EQ(view.size(), 4u);
  EXPECT_EQ(view.peers.data(), batch.peers.data());  // a view, not a copy
  EXPECT_EQ(view.peers.size(), 2u);
  EXPECT_EQ(view.min_peers.data(), batch.min_peers.data());
  EXPECT_EQ(view.min_peers.size(), 1u);
  EXPECT_EQ(view.updates.data(), batch.updates.data());
  EXPECT_EQ(view.updates.size(), 1u);
}

TEST(OwnedSessionChangesTest, AppliesAsTheSessionMethodsDo) {
  OwnedSessionChanges batch;
  batch.peers.push_back(CachedPeer::User(1, 10));
  batch.peers.push_back(CachedPeer::User(2, 20));
  batch.peers.push_back(CachedPeer::User(1, 11));  // a later entry wins
  batch.min_peers.push_back({3, -100, 7});
  batch.updates.push_back(UpdateStateChange::Primary(5, 1700000000, 1));
  batch.updates.push_back(UpdateStateChange::Channel(9, 40));

  Session by_batch;
  batch.view().ApplyTo(by_batch);

  Session by_methods;
  for (const CachedPeer& p : batch.peers) by_methods.CachePeer(p);
  for (const CachedMinPeer& m : batch.min_peers) by_methods.CacheMinPeer(m);
  for (const UpdateStateChange& c : batch.updates) by_methods.ApplyUpdateState(c);

  EXPECT_TRUE(by_batch == by_methods);
  ASSERT_NE(by_batch.FindPeer(1), nullptr);
  EXPECT_EQ(by_batch.FindPeer(1)->access_hash, 11);
  EXPECT_EQ(by_batch.peers.size(), 2u);
  EXPECT_EQ(by_batch.updates_state.pts, 5);
}

}  // namespace
}  // namespace tgsession
