#include "session/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace tgsession {
namespace {

// Bit-at-a-time reference.
uint32_t Ref(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 B.4 test vectors.
  uint8_t zeros[32] = {}, ones[32];
  for (uint8_t& b : ones) b = 0xFF;
  EXPECT_EQ(crc32c::Value(zeros, 32), 0x8A9136AAu);
  EXPECT_EQ(crc32c::Value(ones, 32), 0x62A8AB43u);
  const std::string s = "123456789";
  EXPECT_EQ(crc32c::Value(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xE3069283u);
}

TEST(Crc32cTest, MatchesReferenceAtEverySizeAndSplit) {
  std::mt19937 rng(1);
  std::string data(3 * 8192 * 2 + 3 * 256 * 3 + 17, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{767}, size_t{768}, size_t{769}, size_t{24575},
                   size_t{24576}, size_t{24577}, data.size()}) {
    ASSERT_EQ(crc32c::Value(p, n), Ref(p, n)) << n;
    // Extend() over two pieces equals one pass.
    const size_t half = n / 3;
    ASSERT_EQ(crc32c::Extend(crc32c::Value(p, half), p + half, n - half), Ref(p, n)) << n;
  }
}

}  // namespace
}  // namespace tgsession
