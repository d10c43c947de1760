// Record tables of the binary codec against an independent builder: random
// sessions are written byte by byte here, with undefined type, kind and
// community bytes sprinkled in, and must decode to the values ferogram reads
// (whichever decode path the bytes take: the copy of canonical records or
// the exact mapping), with one anomaly per undefined byte, and re-encode
// byte for byte when canonical.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/internal/cpu_features.h"
#include "session/session.h"

namespace tgsession {
namespace {

class Bytes {
 public:
  void U8(uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Le(v, 2); }
  void I32(int32_t v) { Le(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { Le(static_cast<uint64_t>(v), 8); }
  void Raw(const std::string& b) { s_ += b; }
  const std::string& str() const { return s_; }

 private:
  void Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::string s_;
};

struct Built {
  std::string bytes;
  Session expected;
  size_t anomalies = 0;
};

// One byte for a field whose defined values are `defined`; now and then
// (1 in `odd_every`) an undefined one, counted in *anomalies.
uint8_t PickByte(std::mt19937* rng, const std::vector<uint8_t>& defined, unsigned odd_every, size_t* anomalies) {
  if (odd_every != 0 && (*rng)() % odd_every == 0) {
    for (;;) {
      const auto b = static_cast<uint8_t>((*rng)());
      bool is_defined = false;
      for (uint8_t d : defined) is_defined = is_defined || d == b;
      if (!is_defined) {
        ++*anomalies;
        return b;
      }
    }
  }
  return defined[(*rng)() % defined.size()];
}

Built Build(int version, size_t peers, size_t channels, size_t mins, unsigned odd_every, std::mt19937* rng) {
  Built out;
  Bytes b;
  Session& s = out.expected;
  b.U8(static_cast<uint8_t>(version));
  s.home_dc_id = 2;
  b.I32(2);
  b.U8(2);
  for (int i = 0; i < 2; ++i) {
    DcEntry e;
    e.dc_id = 1 + i;
    e.addr = i == 0 ? "149.154.175.53:443" : "[2001:b28:f23d:f001::a]:443";
    e.first_salt = static_cast<int64_t>((*rng)());
    e.time_offset = static_cast<int32_t>((*rng)());
    b.I32(e.dc_id);
    b.U8(0);
    b.I64(e.first_salt);
    b.I32(e.time_offset);
    b.U8(static_cast<uint8_t>(e.addr.size()));
    b.Raw(e.addr);
    if (version >= 3) {
      e.flags = DcFlags(static_cast<uint8_t>(i));
      b.U8(e.flags.bits);
    }
    s.dcs.push_back(e);
  }
  s.updates_state.pts = 5;
  s.updates_state.qts = 6;
  s.updates_state.date = 7;
  s.updates_state.seq = 8;
  for (int32_t v : {5, 6, 7, 8}) b.I32(v);
  b.U16(static_cast<uint16_t>(channels));
  std::vector<ChannelPts> ch;
  for (size_t i = 0; i < channels; ++i) {
    ChannelPts c{static_cast<int64_t>((uint64_t{(*rng)()} << 32) | (*rng)()), static_cast<int32_t>((*rng)())};
    b.I64(c.channel_id);
    b.I32(c.pts);
    ch.push_back(c);
  }
  s.updates_state.mutable_channels().Assign(ch);
  b.U16(static_cast<uint16_t>(peers));
  std::vector<CachedPeer> ps;
  for (size_t i = 0; i < peers; ++i) {
    CachedPeer p;
    p.id = static_cast<int64_t>((uint64_t{(*rng)()} << 32) | (*rng)());
    p.access_hash = -static_cast<int64_t>((*rng)());
    b.I64(p.id);
    b.I64(p.access_hash);
    const uint8_t type = PickByte(rng, {0, 1, 2}, odd_every, &out.anomalies);
    b.U8(type);
    p.type = static_cast<PeerType>(type <= 2 ? type : 0);  // ferogram: anything else is a user
    if (version >= 6) {
      const uint8_t kind = PickByte(rng, {0, 1, 2, 0xFF}, odd_every, &out.anomalies);
      b.U8(kind);
      if (kind <= 2) p.channel_kind = static_cast<ChannelKind>(kind);  // anything else: none
    }
    if (version >= 8) {
      const uint8_t community = PickByte(rng, {0, 1}, odd_every, &out.anomalies);
      b.U8(community);
      p.is_community = community != 0;
    }
    ps.push_back(p);
  }
  s.peers.Assign(ps);
  if (version >= 4) {
    b.U16(static_cast<uint16_t>(mins));
    std::vector<CachedMinPeer> ms;
    for (size_t i = 0; i < mins; ++i) {
      CachedMinPeer m{static_cast<int64_t>((*rng)()), -static_cast<int64_t>((*rng)()),
                      static_cast<int32_t>((*rng)())};
      b.I64(m.user_id);
      b.I64(m.peer_id);
      b.I32(m.msg_id);
      ms.push_back(m);
    }
    s.min_peers.Assign(ms);
  }
  if (version >= 7) b.U8(0);  // no token
  out.bytes = b.str();
  return out;
}

// `built` decodes to its expected session, which encodes back to the same
// bytes.
void ExpectRoundTrip(const Built& built) {
  absl::StatusOr<Session> s = DecodeBinary(built.bytes);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(*s, built.expected);
  absl::StatusOr<std::string> again = EncodeBinary(*s);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, built.bytes);
}

// Every test runs with the machine's kernels and forced portable.
class BinaryCodecRecordsTest : public testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    internal::SetCpuFeaturesForTesting(GetParam() ? internal::DetectedCpuFeatures() : internal::CpuFeatures());
  }
  void TearDown() override { internal::ResetCpuFeaturesForTesting(); }
};

INSTANTIATE_TEST_SUITE_P(Paths, BinaryCodecRecordsTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "kernels" : "portable");
                         });

TEST_P(BinaryCodecRecordsTest, CanonicalTablesDecodeAndReencodeByteForByte) {
  std::mt19937 rng(1);
  for (int version = 2; version <= 8; ++version) {
    // Sizes around the 64-record period of the canonical-form check.
    for (size_t peers : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{129}, size_t{1000}}) {
      SCOPED_TRACE(testing::Message() << "v" << version << " peers=" << peers);
      const Built built = Build(version, peers, peers / 3 + 1, peers / 2, 0, &rng);
      DecodeInfo info;
      absl::StatusOr<Session> s = DecodeBinary(built.bytes, {}, &info);
      ASSERT_TRUE(s.ok()) << s.status();
      EXPECT_EQ(info.version, version);
      EXPECT_EQ(info.anomaly_count, 0u);
      EXPECT_EQ(*s, built.expected);
      // The DC table (two entries without keys here) ends where the
      // channel pts begin; the token field (v7+) is the last byte.
      const size_t dcs_end = 1 + 4 + 1 + 2 * (4 + 1 + 8 + 4 + 1) + 18 + 27 + (version >= 3 ? 2 : 0);
      EXPECT_EQ(info.secrets_end, dcs_end);
      EXPECT_EQ(info.secrets_tail_begin, built.bytes.size() - (version >= 7 ? 1 : 0));
      DecodeOptions strict;
      strict.mode = DecodeMode::kStrict;
      EXPECT_TRUE(DecodeBinary(built.bytes, strict).ok());
      if (version == 8) {
        absl::StatusOr<std::string> again = EncodeBinary(*s);
        ASSERT_TRUE(again.ok()) << again.status();
        EXPECT_EQ(*again, built.bytes);
      }
    }
  }
}

// The tables are built in chunks of 4 KiB (170 peers, 204 min peers, 256
// channel pts): every count around the first edges, for both tables, against
// the independent builder.
TEST_P(BinaryCodecRecordsTest, ChannelAndMinPeerTablesOfEverySmallSize) {
  std::mt19937 rng(3);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 70; ++n) sizes.push_back(n);
  for (size_t n : {size_t{203}, size_t{204}, size_t{205}, size_t{255}, size_t{256}, size_t{257}, size_t{513}}) {
    sizes.push_back(n);
  }
  for (size_t n : sizes) {
    SCOPED_TRACE(testing::Message() << "records=" << n);
    const Built built = Build(8, 5, n, n, 0, &rng);
    ASSERT_NO_FATAL_FAILURE(ExpectRoundTrip(built));
  }
}

// The v8 peer table: the AVX-512 kernel converts eight records a step while
// nine remain, then two a step (full vectors while four remain, masked ones
// after), and encodes eight a step while eleven remain: every count around
// those edges both ways, and for each one an undefined type, kind or
// community byte in every record position, which must be seen wherever the
// step and the vector put it.
TEST_P(BinaryCodecRecordsTest, PeerTablesOfEverySmallSizeWithAnOddByteAnywhere) {
  std::mt19937 rng(4);
  for (size_t n = 0; n <= 40; ++n) {
    SCOPED_TRACE(testing::Message() << "peers=" << n);
    const Built built = Build(8, n, 0, 0, 0, &rng);
    ASSERT_NO_FATAL_FAILURE(ExpectRoundTrip(built));
    // Built through the API rather than decoded: a peer without a kind holds
    // whatever std::optional leaves in its value.
    EXPECT_EQ(*EncodeBinary(built.expected), built.bytes);
    // Header, the two DCs of Build, counters, channel count, peer count.
    const size_t peers_begin = 1 + 4 + 1 + 2 * (4 + 1 + 8 + 4 + 1) + 18 + 27 + 2 + 16 + 2 + 2;
    for (size_t k = 0; k < n; ++k) {
      SCOPED_TRACE(testing::Message() << "odd record " << k);
      std::string bytes = built.bytes;
      std::vector<CachedPeer> expected(built.expected.peers.begin(), built.expected.peers.end());
      const size_t at = peers_begin + 19 * k;
      switch (k % 3) {
        case 0:  // type 3: ferogram reads a user
          bytes[at + 16] = 3;
          expected[k].type = PeerType::kUser;
          break;
        case 1:  // kind 7: no kind
          bytes[at + 17] = 7;
          expected[k].channel_kind = std::nullopt;
          break;
        case 2:  // community 2: true
          bytes[at + 18] = 2;
          expected[k].is_community = true;
          break;
      }
      DecodeInfo info;
      absl::StatusOr<Session> odd = DecodeBinary(bytes, {}, &info);
      ASSERT_TRUE(odd.ok()) << odd.status();
      EXPECT_EQ(info.anomaly_count, 1u);
      EXPECT_EQ(std::vector<CachedPeer>(odd->peers.begin(), odd->peers.end()), expected);
      DecodeOptions strict;
      strict.mode = DecodeMode::kStrict;
      absl::StatusOr<Session> refused = DecodeBinary(bytes, strict);
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss) << refused.status();
      EXPECT_NE(refused.status().message().find("peer " + std::to_string(k)), absl::string_view::npos)
          << refused.status();
    }
  }
}

TEST_P(BinaryCodecRecordsTest, UndefinedBytesAnywhereReadAsFerogramReadsThem) {
  std::mt19937 rng(2);
  for (int version : {2, 5, 6, 7, 8}) {
    for (unsigned odd_every : {2u, 50u, 997u}) {
      for (int round = 0; round < 20; ++round) {
        const size_t peers = rng() % 700;
        SCOPED_TRACE(testing::Message() << "v" << version << " peers=" << peers << " 1/" << odd_every);
        const Built built = Build(version, peers, 3, 4, odd_every, &rng);
        DecodeInfo info;
        absl::StatusOr<Session> s = DecodeBinary(built.bytes, {}, &info);
        ASSERT_TRUE(s.ok()) << s.status();
        EXPECT_EQ(*s, built.expected);
        EXPECT_EQ(info.anomaly_count, built.anomalies);
        DecodeOptions strict;
        strict.mode = DecodeMode::kStrict;
        EXPECT_EQ(DecodeBinary(built.bytes, strict).ok(), built.anomalies == 0);
      }
    }
  }
}

// Large tables, built in chunks of 170 peers: undefined bytes in the first,
// a middle and the last chunk, and at chunk edges.
TEST_P(BinaryCodecRecordsTest, LargeTablesWithUndefinedBytesAtBlockEdges) {
  std::mt19937 rng(4);
  for (size_t peers : {size_t{2048}, size_t{2049}, size_t{4097}, size_t{65535}}) {
    const Built base = Build(8, peers, 5, 5, 0, &rng);
    absl::StatusOr<Session> clean = DecodeBinary(base.bytes);
    ASSERT_TRUE(clean.ok()) << clean.status();
    EXPECT_EQ(*clean, base.expected);
    EXPECT_EQ(*EncodeBinary(*clean), base.bytes);
    const size_t peers_at = base.bytes.size() - 1 - (2 + 5 * 20) - peers * 19;
    for (size_t i : {size_t{0}, size_t{1}, size_t{169}, size_t{170}, size_t{171}, size_t{255}, size_t{256},
                     size_t{257}, peers / 2, peers - 2, peers - 1}) {
      for (size_t field : {16, 17, 18}) {
        std::string bytes = base.bytes;
        bytes[peers_at + i * 19 + field] = static_cast<char>(field == 17 ? 0x80 : 7);
        DecodeInfo info;
        absl::StatusOr<Session> s = DecodeBinary(bytes, {}, &info);
        ASSERT_TRUE(s.ok()) << s.status();
        ASSERT_EQ(info.anomaly_count, 1u) << "peers " << peers << " peer " << i << " field " << field;
        Session want = base.expected;
        std::vector<CachedPeer> ps(want.peers.begin(), want.peers.end());
        if (field == 16) ps[i].type = PeerType::kUser;
        if (field == 17) ps[i].channel_kind.reset();
        if (field == 18) ps[i].is_community = true;
        want.peers.Assign(ps);
        ASSERT_EQ(*s, want) << "peers " << peers << " peer " << i << " field " << field;
      }
    }
  }
}

// A single undefined byte at every peer position of a table spanning several
// check periods, so every lane and tail of the vectorized check is hit.
TEST_P(BinaryCodecRecordsTest, OneUndefinedByteAtEveryPeerPosition) {
  std::mt19937 rng(3);
  const Built base = Build(8, 150, 1, 1, 0, &rng);
  const size_t peers_at = base.bytes.size() - 1 /*token*/ - (2 + 20) /*mins*/ - 150 * 19;
  for (size_t i = 0; i < 150; ++i) {
    for (size_t field : {16, 17, 18}) {
      std::string bytes = base.bytes;
      const size_t at = peers_at + i * 19 + field;
      bytes[at] = static_cast<char>(field == 17 ? 0x7F : 3);
      DecodeInfo info;
      absl::StatusOr<Session> s = DecodeBinary(bytes, {}, &info);
      ASSERT_TRUE(s.ok()) << s.status();
      ASSERT_EQ(info.anomaly_count, 1u) << "peer " << i << " field " << field;
      ASSERT_FALSE(info.warnings.empty());
      EXPECT_NE(info.warnings[0].find("peer " + std::to_string(i) + " "), std::string::npos) << info.warnings[0];
      EXPECT_NE(info.warnings[0].find("at byte " + std::to_string(at)), std::string::npos) << info.warnings[0];
      const CachedPeer& p = s->peers[i];
      if (field == 16) {
        EXPECT_EQ(p.type, PeerType::kUser);
      } else if (field == 17) {
        EXPECT_FALSE(p.channel_kind.has_value());
      } else {
        EXPECT_TRUE(p.is_community);
      }
    }
  }
}

// The edges of each field's defined values: the smallest and largest
// undefined byte is one anomaly, the defined ones next to them (kind 2 and
// 0xFF "none", community 1) none.
TEST_P(BinaryCodecRecordsTest, UndefinedPeerBytesAtTheEdgesOfTheDefinedValues) {
  std::mt19937 rng(5);
  const Built base = Build(8, 40, 1, 1, 0, &rng);
  const size_t peers_at = base.bytes.size() - 1 /*token*/ - (2 + 20) /*mins*/ - 40 * 19;
  struct Edge {
    size_t field;
    uint8_t value;
    size_t anomalies;
  };
  for (const Edge& e : {Edge{16, 2, 0}, Edge{16, 3, 1}, Edge{16, 0xFF, 1}, Edge{17, 2, 0}, Edge{17, 3, 1},
                        Edge{17, 0xFE, 1}, Edge{17, 0xFF, 0}, Edge{18, 1, 0}, Edge{18, 2, 1}, Edge{18, 0xFF, 1}}) {
    for (size_t i : {size_t{0}, size_t{17}, size_t{39}}) {
      SCOPED_TRACE(testing::Message() << "peer " << i << " field " << e.field << " byte " << int{e.value});
      std::string bytes = base.bytes;
      bytes[peers_at + i * 19 + e.field] = static_cast<char>(e.value);
      DecodeInfo info;
      absl::StatusOr<Session> s = DecodeBinary(bytes, {}, &info);
      ASSERT_TRUE(s.ok()) << s.status();
      EXPECT_EQ(info.anomaly_count, e.anomalies);
      DecodeOptions strict;
      strict.mode = DecodeMode::kStrict;
      EXPECT_EQ(DecodeBinary(bytes, strict).status().code(),
                e.anomalies == 0 ? absl::StatusCode::kOk : absl::StatusCode::kDataLoss);
    }
  }
}

}  // namespace
}  // namespace tgsession
