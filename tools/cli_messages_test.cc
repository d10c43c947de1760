#include "tools/cli_messages.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "session/status_details.h"

namespace tgsession {
namespace cli {
namespace {

TEST(OneLineTest, EscapesWhatCouldSplitOrForgeALine) {
  EXPECT_EQ(OneLine("plain text: 149.154.167.51:443"), "plain text: 149.154.167.51:443");
  EXPECT_EQ(OneLine("a\nb\r\nc\td"), "a\\nb\\r\\nc\\td");
  EXPECT_EQ(OneLine("red \x1b[31m bell \x07 del \x7f"), "red \\x1b[31m bell \\x07 del \\x7f");
  EXPECT_EQ(OneLine(std::string("nul \0 end", 9)), "nul \\x00 end");
  // C1 controls, line/paragraph separators, bidi overrides and isolates.
  EXPECT_EQ(OneLine("c1 \xC2\x85 ls \xE2\x80\xA8 ps \xE2\x80\xA9 rlo \xE2\x80\xAE fsi \xE2\x81\xA8"),
            "c1 \\u0085 ls \\u2028 ps \\u2029 rlo \\u202e fsi \\u2068");
}

TEST(OneLineTest, KeepsUtf8AndEscapesEveryOtherByte) {
  EXPECT_EQ(OneLine("\xD0\x9E\xD0\xBB\xD0\xB5\xD0\xB3 O'Brien \xF0\x9F\x98\x80"),
            "\xD0\x9E\xD0\xBB\xD0\xB5\xD0\xB3 O'Brien \xF0\x9F\x98\x80");
  EXPECT_EQ(OneLine("bad \xFF\xFE"), "bad \\xff\\xfe");
  EXPECT_EQ(OneLine("cut \xD0"), "cut \\xd0");
  EXPECT_EQ(OneLine("cut \xE2\x80"), "cut \\xe2\\x80");
  EXPECT_EQ(OneLine("surrogate \xED\xA0\x80"), "surrogate \\xed\\xa0\\x80");
  EXPECT_EQ(OneLine("overlong \xC0\xAF \xE0\x80\xAF"), "overlong \\xc0\\xaf \\xe0\\x80\\xaf");
  EXPECT_EQ(OneLine("too high \xF4\x90\x80\x80"), "too high \\xf4\\x90\\x80\\x80");
}

TEST(OneLineTest, CutsLongText) {
  const std::string line = OneLine(std::string(5000, 'x'), 100);
  EXPECT_EQ(line, std::string(100, 'x') + "… (4900 more bytes)");
  EXPECT_EQ(OneLine(std::string(100, 'x'), 100), std::string(100, 'x'));
}

TEST(DescribeArgumentTest, NamesAtMostAShortPrefix) {
  const std::string secret =
      "1ApWapzMBuwABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVG";
  EXPECT_EQ(DescribeArgument(secret), "\"1ApW…\" (" + std::to_string(secret.size()) + " bytes)");
  EXPECT_EQ(DescribeArgument("hunter2"), "(7 bytes)");
  EXPECT_EQ(DescribeArgument("x"), "(1 byte)");
  EXPECT_EQ(DescribeArgument(std::string(40, '\n')), "(40 bytes)");
  EXPECT_EQ(DescribeArgument("ab\ncdefghijklmnopqrstuvwxyz0123456789"), "\"ab…\" (37 bytes)");
}

TEST(DescribeArgumentTest, QuotesOnlyPlainWords) {
  EXPECT_EQ(QuoteIfPlainWord("telethon-strin"), "\"telethon-strin\"");
  EXPECT_EQ(QuoteIfPlainWord("--jsn"), "\"--jsn\"");
  EXPECT_EQ(QuoteIfPlainWord("-x"), "\"-x\"");
  EXPECT_EQ(QuoteIfPlainWord("---x"), "(4 bytes)");
  EXPECT_EQ(QuoteIfPlainWord("Telethon"), "(8 bytes)");
  EXPECT_EQ(QuoteIfPlainWord("a b"), "(3 bytes)");
  EXPECT_EQ(QuoteIfPlainWord(std::string(33, 'a')), "\"aaaa…\" (33 bytes)");
  EXPECT_EQ(QuoteIfPlainWord("-AgAAMDkAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"), "(49 bytes)");
}

TEST(MessageSinkTest, OneLinePerMessageAndDetailsOnlyWhenVerbose) {
  const absl::Status st =
      WithDetails(absl::DataLossError("SQLite file is corrupted: Page 2: free space corruption"),
                  "*** in database main ***\nPage 2: free space corruption\nPage 5: never used\n");
  std::ostringstream quiet, loud;
  MessageSink(quiet, false).Error("a.session", st);
  MessageSink(loud, true).Error("a.session", st);
  EXPECT_EQ(quiet.str(),
            "tgsession: a.session: SQLite file is corrupted: Page 2: free space corruption (--verbose shows the "
            "details)\n");
  EXPECT_EQ(loud.str(),
            "tgsession: a.session: SQLite file is corrupted: Page 2: free space corruption\n"
            "tgsession:   *** in database main ***\n"
            "tgsession:   Page 2: free space corruption\n"
            "tgsession:   Page 5: never used\n");
  // A message with a newline (a table name read from the file) stays one line.
  std::ostringstream out;
  MessageSink sink(out, false);
  sink.Error("", absl::InvalidArgumentError("tables: my\ntable, \x1b[2Jx"));
  sink.Say("second\nmessage");
  EXPECT_EQ(out.str(), "tgsession: tables: my\\ntable, \\x1b[2Jx\ntgsession: second\\nmessage\n");
}

TEST(MessageSinkTest, APathTheMessageNamesIsNotSaidTwice) {
  std::ostringstream out;
  MessageSink sink(out, false);
  sink.Error("/tmp/big.bin", absl::ResourceExhaustedError("/tmp/big.bin is 314572800 bytes, over the limit"));
  sink.Error("/tmp/a.session", absl::DataLossError("session truncated at byte 41 reading dc 1 addr"));
  EXPECT_EQ(out.str(),
            "tgsession: /tmp/big.bin is 314572800 bytes, over the limit\n"
            "tgsession: /tmp/a.session: session truncated at byte 41 reading dc 1 addr\n");
}

}  // namespace
}  // namespace cli
}  // namespace tgsession
