#include "session/session.h"

#include <cstring>
#include <new>
#include <sstream>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "session/binary_codec.h"

namespace tgsession {
namespace {

AuthKey KeyFilled(uint8_t v) {
  uint8_t raw[AuthKey::kSize];
  std::memset(raw, v, sizeof raw);
  return AuthKey(raw);
}

TEST(DcFlagsTest, NamesKnownAndUnknownBits) {
  EXPECT_EQ(DcFlags(0).ToString(), "NONE");
  EXPECT_EQ(DcFlags(DcFlags::kIpv6 | DcFlags::kCdn).ToString(), "IPV6|CDN");
  EXPECT_EQ(DcFlags(0xE0).ToString(), "UNKNOWN_BITS_0xe0");
  EXPECT_EQ(DcFlags(0xFF).ToString(), "IPV6|MEDIA_ONLY|TCPO_ONLY|CDN|STATIC|UNKNOWN_BITS_0xe0");
}

TEST(HostPortTest, ParsesAndFormats) {
  auto v4 = ParseHostPort("149.154.167.51:443");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "149.154.167.51");
  EXPECT_EQ(v4->port, 443);
  auto v6 = ParseHostPort("[2001:67c:4e8:f002::a]:443");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "2001:67c:4e8:f002::a");
  EXPECT_TRUE(v6->is_ipv6_literal);
  for (const auto& [addr, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "missing \":port\""},
           {"1.2.3.4", "missing \":port\""},
           {"1.2.3.4:65536", "bad host or port"},
           {"1.2.3.4:-1", "bad host or port"},
           {"2001::1:443", "IPv6 hosts must be bracketed"},
           {"[::1]443", "expected \"[ipv6]:port\""}}) {
    absl::StatusOr<HostPort> r = ParseHostPort(addr);
    ASSERT_FALSE(r.ok()) << addr;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    EXPECT_NE(r.status().message().find("DC address \"" + addr + "\": " + why), absl::string_view::npos)
        << r.status();
  }
  EXPECT_EQ(DcEntry::FromParts(2, "2001:b28:f23d:f001::a", 443, DcFlags(DcFlags::kIpv6)).addr,
            "[2001:b28:f23d:f001::a]:443");
  EXPECT_EQ(DcEntry::FromParts(2, "1.2.3.4", 80, DcFlags()).addr, "1.2.3.4:80");
}

TEST(SessionTest, DcForPrefersFamilyAndAvoidsMediaOnly) {
  Session s;
  s.dcs.push_back(DcEntry::FromParts(2, "10.0.0.1", 443, DcFlags(DcFlags::kMediaOnly)));
  s.dcs.push_back(DcEntry::FromParts(2, "2001::1", 443, DcFlags(DcFlags::kIpv6)));
  s.dcs.push_back(DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags()));
  s.dcs.push_back(DcEntry::FromParts(4, "2001::4", 443, DcFlags(DcFlags::kIpv6)));
  ASSERT_NE(s.DcFor(2, false), nullptr);
  EXPECT_EQ(s.DcFor(2, false)->addr, "149.154.167.51:443");
  EXPECT_EQ(s.DcFor(2, true)->addr, "[2001::1]:443");
  // Only IPv6 known for DC 4: fall back to it.
  EXPECT_EQ(s.DcFor(4, false)->addr, "[2001::4]:443");
  EXPECT_EQ(s.DcFor(9, false), nullptr);
  EXPECT_EQ(s.AllDcsFor(2).size(), 3u);
}

TEST(SessionTest, UpsertDcKeepsBothFamilies) {
  Session s;
  s.UpsertDc(DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags()));
  s.UpsertDc(DcEntry::FromParts(2, "2001::1", 443, DcFlags(DcFlags::kIpv6)));
  ASSERT_EQ(s.dcs.size(), 2u);
  DcEntry updated = DcEntry::FromParts(2, "149.154.167.50", 443, DcFlags());
  updated.auth_key = KeyFilled(7);
  s.UpsertDc(updated);
  ASSERT_EQ(s.dcs.size(), 2u);
  EXPECT_EQ(s.dcs[0].addr, "149.154.167.50:443");
  EXPECT_TRUE(s.dcs[0].auth_key.has_value());
  EXPECT_EQ(s.dcs[1].addr, "[2001::1]:443");
  EXPECT_EQ(s.SetAuthKey(2, KeyFilled(9)), 2u);
  EXPECT_EQ(*s.dcs[1].auth_key, KeyFilled(9));
}

TEST(SessionTest, SetAuthKeyFromBytesTakesExactly256) {
  Session s = NewSessionWithDefaults();
  std::vector<uint8_t> bytes(AuthKey::kSize, 0x5A);
  absl::StatusOr<size_t> set = s.SetAuthKey(2, bytes);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, 1u);
  EXPECT_EQ(*s.HomeDc()->auth_key, KeyFilled(0x5A));
  bytes.pop_back();
  absl::StatusOr<size_t> short_key = s.SetAuthKey(3, bytes);
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(s.DcFor(3, false)->auth_key.has_value());
}

TEST(UpdatesStateTest, ChannelPtsSetGetAndApply) {
  UpdatesState u;
  EXPECT_FALSE(u.is_initialised());
  EXPECT_EQ(u.ChannelPtsOr0(5), 0);
  EXPECT_FALSE(u.FindChannelPts(5).has_value());
  u.SetChannelPts(5, 10);
  u.SetChannelPts(6, 20);
  u.SetChannelPts(5, 11);
  ASSERT_EQ(u.channels().size(), 2u);
  EXPECT_EQ(u.channels()[0].channel_id, 5);
  EXPECT_EQ(u.channels()[0].pts, 11);
  EXPECT_EQ(u.ChannelPtsOr0(6), 20);

  UpdateStateChange::Primary(100, 1700000000, 7).ApplyTo(u);
  UpdateStateChange::Secondary(3).ApplyTo(u);
  UpdateStateChange::Channel(7, 70).ApplyTo(u);
  EXPECT_EQ(u.pts, 100);
  EXPECT_EQ(u.date, 1700000000);
  EXPECT_EQ(u.seq, 7);
  EXPECT_EQ(u.qts, 3);
  EXPECT_EQ(u.ChannelPtsOr0(7), 70);
  EXPECT_TRUE(u.is_initialised());

  UpdatesState fresh;
  fresh.pts = 1;
  UpdateStateChange::All(fresh).ApplyTo(u);
  EXPECT_EQ(u, fresh);
  EXPECT_TRUE(u.channels().empty());
  EXPECT_TRUE(u.RemoveChannelPts(5) == false);
}

TEST(UpdatesStateTest, DuplicatesFromStorageResolveToFirst) {
  UpdatesState u;
  u.mutable_channels().Assign({{1, 10}, {2, 20}, {1, 30}});
  EXPECT_EQ(u.ChannelPtsOr0(1), 10);
  u.SetChannelPts(1, 11);
  EXPECT_EQ(u.channels()[0].pts, 11);
  EXPECT_EQ(u.channels()[2].pts, 30);  // kept as stored
}

TEST(PeerCacheTest, UpsertFindAndOrder) {
  Session s;
  s.CachePeer(CachedPeer::User(1, 100));
  s.CachePeer(CachedPeer::Channel(2, 200, ChannelKind::kMegagroup));
  s.CachePeer(CachedPeer::Chat(3));
  s.CachePeer(CachedPeer::User(1, 101));
  ASSERT_EQ(s.peers.size(), 3u);
  EXPECT_EQ(s.peers[0].access_hash, 101);
  ASSERT_NE(s.FindPeer(2), nullptr);
  EXPECT_TRUE(s.FindPeer(2)->is_channel());
  EXPECT_EQ(*s.FindPeer(2)->channel_kind, ChannelKind::kMegagroup);
  EXPECT_TRUE(s.FindPeer(3)->is_chat());
  EXPECT_EQ(s.FindPeer(4), nullptr);
  EXPECT_TRUE(s.peers.Remove(2));
  EXPECT_EQ(s.FindPeer(2), nullptr);
  EXPECT_EQ(s.FindPeer(3)->id, 3);

  s.CacheMinPeer({10, 20, 30});
  s.CacheMinPeer({10, 21, 31});
  ASSERT_EQ(s.min_peers.size(), 1u);
  EXPECT_EQ(s.FindMinPeer(10)->msg_id, 31);
}

TEST(PeerCacheTest, LookupsScaleAndSurviveCopies) {
  Session s;
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 100000; ++i) peers.push_back(CachedPeer::User(i * 7, i));
  s.peers.Assign(std::move(peers));
  for (int64_t i = 0; i < 100000; i += 997) ASSERT_EQ(s.FindPeer(i * 7)->access_hash, i);
  Session copy = s;
  EXPECT_EQ(copy.FindPeer(7 * 500)->access_hash, 500);
  Session moved = std::move(copy);
  EXPECT_EQ(moved.FindPeer(7 * 501)->access_hash, 501);
}

// The index holds positions and reads keys from its own list's items: each
// copy or move must index its own items, through growth and rehashes.
TEST(PeerCacheTest, EachCopyAndMoveIndexesItsOwnItems) {
  PeerList a;
  for (int64_t i = 0; i < 1000; ++i) a.Upsert(CachedPeer::User(i, i));
  ASSERT_EQ(a.Find(999)->access_hash, 999);  // index built
  PeerList copy = a;
  PeerList assigned;
  assigned.Upsert(CachedPeer::User(-5, -5));
  assigned = a;
  // Shift the original's positions, grow it through several rehashes and
  // change its items.
  ASSERT_TRUE(a.Remove(0));
  a.Upsert(CachedPeer::User(0, 0));
  for (int64_t i = 1000; i < 40000; ++i) a.Upsert(CachedPeer::User(i, i));
  for (int64_t i = 0; i < 1000; ++i) a.Upsert(CachedPeer::User(i, -i));
  for (const PeerList* l : {&copy, &assigned}) {
    ASSERT_EQ(l->size(), 1000u);
    for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(l->Find(i)->access_hash, i) << i;
    EXPECT_EQ(l->Find(1000), nullptr);
    EXPECT_EQ(l->Find(-5), nullptr);
  }
  PeerList moved = std::move(a);
  PeerList move_assigned;
  move_assigned = std::move(copy);
  for (int64_t i = 40000; i < 80000; ++i) moved.Upsert(CachedPeer::User(i, i));
  for (int64_t i = 0; i < 80000; i += 7) ASSERT_EQ(moved.Find(i)->access_hash, i < 1000 ? -i : i) << i;
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(move_assigned.Find(i)->access_hash, i) << i;
  // Moved-from lists are empty and usable.
  EXPECT_EQ(a.Find(1), nullptr);
  a.Upsert(CachedPeer::User(1, 77));
  EXPECT_EQ(a.Find(1)->access_hash, 77);
  EXPECT_EQ(copy.Find(1), nullptr);
}

// The list manages its own storage: reusing it (Clear, a shorter Assign,
// assigning a list to itself) keeps exactly the items it should.
TEST(PeerCacheTest, StorageIsReusedWithoutKeepingOldItems) {
  PeerList a;
  for (int64_t i = 0; i < 100; ++i) a.Upsert(CachedPeer::User(i, i));
  const PeerList& same = a;
  a = same;
  ASSERT_EQ(a.size(), 100u);
  EXPECT_EQ(a[99].access_hash, 99);
  a.Assign({CachedPeer::User(5, 50), CachedPeer::User(6, 60)});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.Find(7), nullptr);
  EXPECT_EQ(a.Find(6)->access_hash, 60);
  PeerList b;
  b.Assign({CachedPeer::User(5, 50)});
  EXPECT_NE(a, b);
  b.Upsert(CachedPeer::User(6, 60));
  EXPECT_EQ(a, b);
  a.Clear();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.Find(5), nullptr);
  EXPECT_EQ(a.begin(), a.end());
  a.Upsert(CachedPeer::User(8, 80));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].id, 8);
  PeerList empty;
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_TRUE(empty.items().empty());
  PeerList empty_copy = empty;
  EXPECT_EQ(empty_copy, empty);
}

// Against a plain model: first occurrence wins, Upsert replaces it in place,
// Remove keeps the order, lookups of absent keys miss.
TEST(PeerCacheTest, IndexMatchesAModelUnderRandomOperations) {
  std::vector<CachedPeer> stored;
  uint64_t x = 88172645463325252ull;
  const auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 3000; ++i) stored.push_back(CachedPeer::User(static_cast<int64_t>(next() % 2000), i));
  PeerList list;
  list.Assign(stored);  // with duplicates, as read from storage
  std::vector<CachedPeer> model = stored;
  const auto model_find = [&model](int64_t id) -> const CachedPeer* {
    for (const CachedPeer& p : model) {
      if (p.id == id) return &p;
    }
    return nullptr;
  };
  for (int step = 0; step < 20000; ++step) {
    const int64_t id = static_cast<int64_t>(next() % 2500);
    switch (next() % 4) {
      case 0:
      case 1: {
        const CachedPeer p = CachedPeer::User(id, step);
        bool replaced = false;
        for (CachedPeer& m : model) {
          if (m.id == id) {
            m = p;
            replaced = true;
            break;
          }
        }
        if (!replaced) model.push_back(p);
        ASSERT_EQ(list.Upsert(p), replaced);
        break;
      }
      case 2: {
        bool removed = false;
        for (size_t i = 0; i < model.size(); ++i) {
          if (model[i].id == id) {
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
            removed = true;
            break;
          }
        }
        ASSERT_EQ(list.Remove(id), removed);
        break;
      }
      default: {
        const CachedPeer* want = model_find(id);
        const CachedPeer* got = list.Find(id);
        ASSERT_EQ(got == nullptr, want == nullptr) << "step " << step << " id " << id;
        if (got != nullptr) {
          ASSERT_EQ(got->access_hash, want->access_hash);
          ASSERT_EQ(got - list.begin(), want - model.data()) << "not the first occurrence";
        }
      }
    }
  }
  ASSERT_EQ(list.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(list[i], model[i]) << i;
}

TEST(PeerCacheTest, ConcurrentConstLookupsBuildIndexOnce) {
#ifdef __EMSCRIPTEN__
  GTEST_SKIP() << "the WebAssembly build has no threads (no pthreads, no SharedArrayBuffer)";
#endif
  Session s;
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 20000; ++i) peers.push_back(CachedPeer::User(i, -i));
  s.peers.Assign(std::move(peers));
  const Session& cs = s;
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cs, &bad, t] {
      for (int64_t i = t; i < 20000; i += 4) {
        const CachedPeer* p = cs.FindPeer(i);
        if (p == nullptr || p->access_hash != -i) bad.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(SessionTest, StatsCountsByType) {
  Session s = NewSessionWithDefaults();
  s.SetAuthKey(2, KeyFilled(1));
  s.CachePeer(CachedPeer::User(1, 1));
  s.CachePeer(CachedPeer::Channel(2, 2));
  s.CachePeer(CachedPeer::Chat(3));
  s.CacheMinPeer({4, 5, 6});
  s.updates_state.SetChannelPts(2, 9);
  s.updates_state.pts = 5;
  const SessionStats st = s.Stats();
  EXPECT_EQ(st.home_dc_id, 2);
  EXPECT_EQ(st.dcs_total, 5u);
  EXPECT_EQ(st.dcs_with_auth_key, 1u);
  EXPECT_EQ(st.peers_total, 3u);
  EXPECT_EQ(st.peers_users, 1u);
  EXPECT_EQ(st.peers_channels, 1u);
  EXPECT_EQ(st.peers_chats, 1u);
  EXPECT_EQ(st.min_peers, 1u);
  EXPECT_EQ(st.channel_pts_entries, 1u);
  EXPECT_TRUE(st.updates_initialised);
  EXPECT_EQ(st.approx_bytes, EncodeBinary(s)->size());
}

TEST(DefaultDcTableTest, MatchesFerogram) {
  const std::vector<DcEntry> t = DefaultDcTable();
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].addr, "149.154.175.53:443");
  EXPECT_EQ(t[1].addr, "149.154.167.51:443");
  EXPECT_EQ(t[2].addr, "149.154.175.100:443");
  EXPECT_EQ(t[3].addr, "149.154.167.91:443");
  EXPECT_EQ(t[4].addr, "91.108.56.130:443");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t[i].dc_id, i + 1);
}

TEST(SecretTest, AuthKeyNeverPrintsBytes) {
  const AuthKey k = KeyFilled(0xAB);
  std::ostringstream os;
  os << k;
  EXPECT_EQ(os.str(), "<redacted>");
  EXPECT_EQ(k.DebugString(), "<redacted>");
  EXPECT_EQ(k.RevealHex(kRevealSecrets).substr(0, 4), "abab");

  Session s;
  DcEntry e = DcEntry::FromParts(2, "1.2.3.4", 443, DcFlags());
  e.auth_key = k;
  s.dcs.push_back(e);
  const uint8_t token[] = {0xAB, 0xAB, 0xAB};
  s.future_auth_token.emplace(absl::Span<const uint8_t>(token, 3));
  std::ostringstream so;
  so << s;
  EXPECT_EQ(so.str().find("abab"), std::string::npos);
  EXPECT_EQ(so.str().find("AB"), std::string::npos);
  EXPECT_NE(so.str().find("<redacted>"), std::string::npos);
}

TEST(SecretTest, AuthKeyWipedOnDestructionAndMove) {
  alignas(AuthKey) unsigned char storage[sizeof(AuthKey)];
  AuthKey* k = new (storage) AuthKey(KeyFilled(0x5A));
  AuthKey moved(std::move(*k));
  for (size_t i = 0; i < AuthKey::kSize; ++i) ASSERT_EQ(k->data()[i], 0) << i;
  *k = KeyFilled(0x5B);
  k->~AuthKey();
  for (size_t i = 0; i < sizeof(storage); ++i) ASSERT_EQ(storage[i], 0) << i;
  EXPECT_EQ(moved, KeyFilled(0x5A));
}

TEST(SecretTest, SecretBytesCompareAndMove) {
  const uint8_t a[] = {1, 2, 3};
  SecretBytes x{absl::Span<const uint8_t>(a, 3)};
  SecretBytes y = x;
  EXPECT_EQ(x, y);
  SecretBytes z = std::move(y);
  EXPECT_EQ(z, x);
  EXPECT_TRUE(y.empty());  // NOLINT(bugprone-use-after-move): documented state
  std::ostringstream os;
  os << z;
  EXPECT_EQ(os.str(), "<redacted>");
  EXPECT_EQ(z.RevealHex(kRevealSecrets), "010203");
}

TEST(SecretTest, ConstantTimeEquals) {
  const uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 4};
  EXPECT_TRUE(ConstantTimeEquals(a, a, 3));
  EXPECT_FALSE(ConstantTimeEquals(a, b, 3));
  EXPECT_TRUE(ConstantTimeEquals(a, b, 2));
}

// Addresses are the exact bytes stored, of any length the format allows
// (v8: up to 255, v9: up to 65,535), NUL bytes included.
TEST(DcEntryTest, AddressesOfEveryLengthSurviveCopiesMovesAndTheCodec) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{47}, size_t{48}, size_t{255}, size_t{256},
                   size_t{300}, size_t{65535}}) {
    SCOPED_TRACE(n);
    std::string text(n, 'a');
    for (size_t i = 0; i < n; ++i) text[i] = static_cast<char>('0' + i % 75);
    if (n > 3) text[n / 2] = '\0';  // bytes, not C strings
    Session s;
    DcEntry e = DcEntry::FromParts(2, "149.154.167.51", 443);
    e.addr = text;
    s.dcs.push_back(e);
    Session copy = s;
    Session moved = std::move(copy);
    EXPECT_EQ(moved.dcs[0].addr, text);
    absl::StatusOr<std::string> bin = EncodeBinary(moved);
    ASSERT_TRUE(bin.ok()) << bin.status();
    DecodeInfo info;
    absl::StatusOr<Session> back = DecodeBinary(*bin, {}, &info);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(info.version, n <= 255 ? 8 : 9);
    EXPECT_EQ(back->dcs[0].addr, text);
    EXPECT_EQ(*back, s);
  }
}

TEST(CachedPeerTest, ChannelKindIsAStdOptionalWrittenAs0xFFWhenEmpty) {
  Session s;
  s.CachePeer(CachedPeer::Channel(1, 10));
  for (ChannelKind k : {ChannelKind::kBroadcast, ChannelKind::kMegagroup, ChannelKind::kGigagroup}) {
    s.CachePeer(CachedPeer::Channel(2 + static_cast<int>(k), 20, k));
  }
  EXPECT_EQ(s.FindPeer(1)->channel_kind, std::nullopt);
  EXPECT_EQ(s.FindPeer(3)->channel_kind, ChannelKind::kMegagroup);
  absl::StatusOr<std::string> bin = EncodeBinary(s);
  ASSERT_TRUE(bin.ok()) << bin.status();
  // The last field of the first v8 peer record (19 bytes, after its 16 bytes
  // of id and hash and its type) is its kind byte: 0xFF for none.
  const size_t peers_at = bin->size() - 1 /*no token*/ - 2 /*no min peers*/ - 4 * 19;
  EXPECT_EQ(static_cast<uint8_t>((*bin)[peers_at + 17]), 0xFF);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(static_cast<uint8_t>((*bin)[peers_at + 19 * i + 17]), i - 1);
  absl::StatusOr<Session> back = DecodeBinary(*bin);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
}

}  // namespace
}  // namespace tgsession
