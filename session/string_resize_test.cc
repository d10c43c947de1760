#include "session/string_resize.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace tgsession {
namespace {

// Fills [from, to) with a pattern derived from the position, as an encoder
// would, and checks the whole string against it.
void Fill(std::string* s, size_t from) {
  for (size_t i = from; i < s->size(); ++i) (*s)[i] = static_cast<char>('a' + i % 26);
}
void ExpectPattern(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) ASSERT_EQ(s[i], static_cast<char>('a' + i % 26)) << "at " << i;
}

TEST(ResizeForOverwrite, GrowsKeepsThePrefixAndTerminates) {
  // Across the small-string buffer (15 bytes in libstdc++, 22 in libc++) and
  // into heap sizes, growing an empty and a non-empty string.
  for (size_t start : {size_t{0}, size_t{5}, size_t{15}, size_t{40}}) {
    for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{23}, size_t{100}, size_t{1} << 20}) {
      if (n < start) continue;
      std::string s(start, '\0');
      Fill(&s, 0);
      ResizeForOverwrite(&s, n);
      ASSERT_EQ(s.size(), n);
      ASSERT_GE(s.capacity(), n);
      EXPECT_EQ(s.c_str()[n], '\0') << "no terminator at " << n;
      ExpectPattern(s.substr(0, start));
      Fill(&s, start);
      ExpectPattern(s);
      // The string stays a normal string: it appends, copies and compares.
      std::string copy = s;
      copy += "!";
      EXPECT_EQ(copy.size(), n + 1);
      EXPECT_EQ(copy.compare(0, n, s), 0);
    }
  }
}

TEST(ResizeForOverwrite, ShrinksLikeResize) {
  std::string s(1000, 'x');
  ResizeForOverwrite(&s, 10);
  EXPECT_EQ(s, std::string(10, 'x'));
  EXPECT_EQ(std::strlen(s.c_str()), 10u);
  ResizeForOverwrite(&s, 0);
  EXPECT_TRUE(s.empty());
}

TEST(ResizeForOverwrite, SkipsTheFillOnOurStandardLibraries) {
#if defined(__GLIBCXX__) || defined(_LIBCPP_VERSION)
  EXPECT_TRUE(kResizeForOverwriteSkipsFill);
#else
  GTEST_SKIP() << "neither libstdc++ nor libc++: a plain resize()";
#endif
}

TEST(ResizeForOverwrite, SameSizeIsANoOp) {
  std::string s = "session";
  ResizeForOverwrite(&s, s.size());
  EXPECT_EQ(s, "session");
}

}  // namespace
}  // namespace tgsession
