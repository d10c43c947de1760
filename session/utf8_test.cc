#include "session/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace tgsession {
namespace {

// The inline ASCII fast path covers lengths 0..64 with overlapping words:
// a non-ASCII byte at any position of any length must reach the full check.
TEST(Utf8Test, EveryLengthAndPositionAroundTheFastPath) {
  for (size_t n = 0; n <= 80; ++n) {
    std::string ascii(n, 'a');
    for (size_t i = 0; i < n; ++i) ascii[i] = static_cast<char>('0' + i % 10);
    EXPECT_TRUE(IsValidUtf8(ascii)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string lone = ascii;
      lone[i] = static_cast<char>(0x80);  // a continuation byte alone
      EXPECT_FALSE(IsValidUtf8(lone)) << "length " << n << " position " << i;
      std::string high = ascii;
      high[i] = static_cast<char>(0xFF);
      EXPECT_FALSE(IsValidUtf8(high)) << "length " << n << " position " << i;
      if (i + 1 < n) {
        std::string two = ascii;
        two[i] = static_cast<char>(0xC3);  // U+00E9
        two[i + 1] = static_cast<char>(0xA9);
        EXPECT_TRUE(IsValidUtf8(two)) << "length " << n << " position " << i;
        two[i + 1] = 'x';  // truncated sequence
        EXPECT_FALSE(IsValidUtf8(two)) << "length " << n << " position " << i;
      }
    }
  }
}

TEST(Utf8Test, RejectsWhatRustRejects) {
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));           // U+20AC
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));       // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));       // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("149.154.167.51:443\xE2\x82"));  // cut at the end
  EXPECT_EQ(Utf8Lossy("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace tgsession
