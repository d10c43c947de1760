#include "session/byte_bounds.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace tgsession {
namespace {

// The plain definition, written independently of byte_bounds.cc.
bool Reference(const std::vector<uint8_t>& data, size_t n, const std::vector<uint8_t>& add,
               const std::vector<uint8_t>& max) {
  for (size_t i = 0; i < n; ++i) {
    const size_t j = i % add.size();
    if (static_cast<uint8_t>(data[i] + add[j]) > max[j]) return false;
  }
  return true;
}

struct Tables {
  std::vector<uint8_t> add, max;
  ByteBounds bounds() const { return ByteBounds{add.data(), max.data(), add.size()}; }
};

// Peer-like rules: most positions free, a few constrained.
Tables RandomTables(size_t period, std::mt19937* rng) {
  Tables t{std::vector<uint8_t>(period), std::vector<uint8_t>(period, 0xFF)};
  for (size_t j = 0; j < period; ++j) {
    if ((*rng)() % 6 == 0) {
      t.add[j] = static_cast<uint8_t>((*rng)() % 3);
      t.max[j] = static_cast<uint8_t>((*rng)() % 4);
    }
  }
  return t;
}

// Data that satisfies the tables.
std::vector<uint8_t> GoodData(const Tables& t, size_t n, std::mt19937* rng) {
  std::vector<uint8_t> d(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t j = i % t.add.size();
    const uint8_t v = static_cast<uint8_t>((*rng)() % (t.max[j] + 1u));
    d[i] = static_cast<uint8_t>(v - t.add[j]);
  }
  return d;
}

TEST(ByteBoundsTest, EveryImplementationAgreesWithTheDefinition) {
  BytesWithinBoundsImpl impls[4];
  const size_t count = AvailableBytesWithinBoundsImpls(impls);
  ASSERT_GE(count, 1u);
  std::mt19937 rng(7);
  for (size_t period : {size_t{64}, size_t{128}, size_t{17 * 64}, size_t{19 * 64}}) {
    const Tables t = RandomTables(period, &rng);
    for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{31}, size_t{63}, size_t{64},
                     size_t{65}, period - 1, period, period + 1, period + 17, 2 * period + 63, size_t{5000}}) {
      std::vector<uint8_t> data = GoodData(t, n, &rng);
      // The buffer ends exactly at n (no slack): out-of-range reads would
      // show up under ASan.
      for (size_t k = 0; k < count; ++k) {
        EXPECT_TRUE(impls[k].fn(data.data(), n, t.bounds())) << impls[k].name << " n=" << n;
      }
      // One bad byte at each of the first, the last and many positions.
      for (size_t pos = 0; pos < n; pos += (pos < 130 || pos + 130 > n) ? 1 : 37) {
        const size_t j = pos % period;
        if (t.max[j] == 0xFF) continue;  // no byte is out of range there
        const uint8_t saved = data[pos];
        data[pos] = static_cast<uint8_t>(t.max[j] + 1 - t.add[j]);
        ASSERT_FALSE(Reference(data, n, t.add, t.max));
        for (size_t k = 0; k < count; ++k) {
          EXPECT_FALSE(impls[k].fn(data.data(), n, t.bounds()))
              << impls[k].name << " n=" << n << " bad byte at " << pos;
        }
        data[pos] = saved;
      }
    }
  }
}

TEST(ByteBoundsTest, RandomDataMatchesTheDefinition) {
  BytesWithinBoundsImpl impls[4];
  const size_t count = AvailableBytesWithinBoundsImpls(impls);
  std::mt19937 rng(11);
  for (int round = 0; round < 400; ++round) {
    const size_t period = 64 * (1 + rng() % 20);
    const Tables t = RandomTables(period, &rng);
    const size_t n = rng() % 4000;
    std::vector<uint8_t> data = GoodData(t, n, &rng);
    if (n > 0 && rng() % 2 == 0) data[rng() % n] = static_cast<uint8_t>(rng());
    const bool want = Reference(data, n, t.add, t.max);
    for (size_t k = 0; k < count; ++k) {
      EXPECT_EQ(impls[k].fn(data.data(), n, t.bounds()), want) << impls[k].name << " round " << round;
    }
    EXPECT_EQ(BytesWithinBounds(data.data(), n, t.bounds()), want);
  }
  std::printf("BytesWithinBounds uses %s here\n", BytesWithinBoundsImplementation());
}

}  // namespace
}  // namespace tgsession
