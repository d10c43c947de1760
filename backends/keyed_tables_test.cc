#include "backends/keyed_tables.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace {

constexpr KeyedSchema kBoth{"the test schema", /*dcs_keyed_by_id_and_flags=*/true, /*peer_enums_checked=*/true};
constexpr KeyedSchema kNeither{"the test schema", /*dcs_keyed_by_id_and_flags=*/false,
                               /*peer_enums_checked=*/false};

Session Storable() {
  Session s;
  s.home_dc_id = 2;
  s.UpsertDc(DcEntry::FromParts(2, "149.154.167.51", 443));
  s.UpsertDc(DcEntry::FromParts(2, "149.154.167.52", 443, DcFlags(DcFlags::kMediaOnly)));
  s.updates_state.mutable_channels().Upsert(ChannelPts{100, 5});
  s.CachePeer(CachedPeer::User(1, 11));
  s.CachePeer(CachedPeer::Channel(2, 22, ChannelKind::kMegagroup));
  s.CacheMinPeer(CachedMinPeer{7, 1, 3});
  return s;
}

// The status's code, and that its message names `what`.
void ExpectRefused(const absl::Status& st, absl::StatusCode code, const std::string& what) {
  EXPECT_EQ(st.code(), code) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), what)) << st;
}

TEST(KeyedTablesTest, AStorableSessionPasses) {
  EXPECT_TRUE(CheckKeyedSession(Storable(), DecodeLimits(), kBoth).ok());
}

TEST(KeyedTablesTest, RepeatedKeysAreNamedWithTheirIndex) {
  Session s = Storable();
  s.peers.AppendRaw(CachedPeer::User(1, 99));
  ExpectRefused(CheckKeyedSession(s, DecodeLimits(), kNeither), absl::StatusCode::kInvalidArgument,
                "peers[2] repeats id 1: the test schema keys peers by id");

  s = Storable();
  s.min_peers.AppendRaw(CachedMinPeer{7, 2, 4});
  ExpectRefused(CheckKeyedSession(s, DecodeLimits(), kNeither), absl::StatusCode::kInvalidArgument,
                "min_peers[1] repeats user_id 7");

  s = Storable();
  s.updates_state.mutable_channels().AppendRaw(ChannelPts{100, 6});
  ExpectRefused(CheckKeyedSession(s, DecodeLimits(), kNeither), absl::StatusCode::kInvalidArgument,
                "updates_state.channels[1] repeats channel_id 100");
}

TEST(KeyedTablesTest, AReplacementChannelListIsCheckedAlone) {
  UpdatesState u = Storable().updates_state;
  EXPECT_TRUE(CheckKeyedChannels(u, DecodeLimits(), kNeither).ok());
  u.mutable_channels().AppendRaw(ChannelPts{100, 6});
  ExpectRefused(CheckKeyedChannels(u, DecodeLimits(), kNeither), absl::StatusCode::kInvalidArgument,
                "updates_state.channels[1] repeats channel_id 100: the test schema keys channel pts by channel_id");
  DecodeLimits one;
  one.max_channels = 1;
  ExpectRefused(CheckKeyedChannels(u, one, kNeither), absl::StatusCode::kOutOfRange,
                "updates_state has 2 channel pts entries; the limit is 1");
}

TEST(KeyedTablesTest, DcKeysOnlyWhereTheSchemaKeysThem) {
  Session s = Storable();
  s.dcs.push_back(DcEntry::FromParts(2, "149.154.167.99", 443));
  EXPECT_TRUE(CheckKeyedSession(s, DecodeLimits(), kNeither).ok());
  ExpectRefused(CheckKeyedSession(s, DecodeLimits(), kBoth), absl::StatusCode::kInvalidArgument,
                "dcs[2] (dc_id 2, flags 0) duplicates dcs[0]");
}

TEST(KeyedTablesTest, PeerEnumsOnlyWhereTheSchemaChecksThem) {
  Session s = Storable();
  CachedPeer odd = CachedPeer::User(3, 33);
  odd.type = static_cast<PeerType>(7);
  s.CachePeer(odd);
  EXPECT_TRUE(CheckKeyedSession(s, DecodeLimits(), kNeither).ok());
  ExpectRefused(CheckKeyedSession(s, DecodeLimits(), kBoth), absl::StatusCode::kInvalidArgument,
                "peers[2] has an unknown type or channel kind");
}

TEST(KeyedTablesTest, LimitsAreOutOfRange) {
  DecodeLimits limits;
  limits.max_peers = 1;
  ExpectRefused(CheckKeyedSession(Storable(), limits, kBoth), absl::StatusCode::kOutOfRange,
                "session has 2 peers; the limit is 1");
  limits = DecodeLimits();
  limits.max_addr_bytes = 5;  // "149.154.167.51:443"
  ExpectRefused(CheckKeyedSession(Storable(), limits, kBoth), absl::StatusCode::kOutOfRange,
                "dcs[0] address is 18 bytes; the limit is 5");
  limits = DecodeLimits();
  limits.max_dcs = 1;
  ExpectRefused(CheckKeyedSession(Storable(), limits, kBoth), absl::StatusCode::kOutOfRange, "2 DC entries");
  limits = DecodeLimits();
  limits.max_channels = 0;
  ExpectRefused(CheckKeyedSession(Storable(), limits, kBoth), absl::StatusCode::kOutOfRange, "1 channel pts");
  limits = DecodeLimits();
  limits.max_min_peers = 0;
  ExpectRefused(CheckKeyedSession(Storable(), limits, kBoth), absl::StatusCode::kOutOfRange, "1 min peers");
  Session s = Storable();
  s.future_auth_token = SecretBytes(absl::string_view("0123456789"));
  limits = DecodeLimits();
  limits.max_token_bytes = 9;
  ExpectRefused(CheckKeyedSession(s, limits, kBoth), absl::StatusCode::kOutOfRange,
                "future_auth_token is 10 bytes; the limit is 9");
}

}  // namespace
}  // namespace tgsession
