// `tgsession inspect` and `convert` across every interop format, in-process.
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/interop/formats.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using Result = CliResult;

std::string VectorString(absl::string_view id) {
  static const rapidjson::Document* d = [] {
    auto* doc = new rapidjson::Document();
    const std::string text = ReadFileOrDie(InteropVectorsDir() + "/vectors.json");
    doc->Parse(text.data(), text.size());
    return doc;
  }();
  for (const auto& v : (*d)["vectors"].GetArray()) {
    if (JsonStr(v["id"]) == id) return JsonStr(v["string"]);
  }
  ADD_FAILURE() << id;
  return "";
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::string FormatLine(const std::string& out) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, "format:")) return std::string(absl::StripLeadingAsciiWhitespace(line.substr(7)));
  }
  return "";
}

// One input per format we read.
std::map<std::string, std::string> Inputs() {
  return {
      {"telethon-string", VectorString("telethon_v6_dc2")},
      {"gramjs-string", VectorString("gramjs_host_dc2_browser")},
      {"pyrogram-string", VectorString("pyrogram_2.0.106_p_dc4_bot_64bit")},
      {"mtcute-string", VectorString("mtcute_native_dc2_default_prod_dcs_self_user")},
      {"telethon-sqlite", InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session"},
      {"pyrogram-sqlite", InteropVectorsDir() + "/pyrogram_1.4.16_dc2_full.session"},
      {"gramjs-store", InteropVectorsDir() + "/gramjs_store_session/my_store"},
      {"ferogram-sqlite", VectorsDir() + "/ferogram/sqlite/session_v8.db"},
      {"ferogram-binary", VectorsDir() + "/ferogram/binary/v8_dc_ipv4_ipv6_pair.bin"},
  };
}

TEST(CliInterop, InspectDetectsEveryFormat) {
  for (const auto& [format, input] : Inputs()) {
    SCOPED_TRACE(format);
    Result r = RunCli({"inspect", input});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(absl::StartsWith(FormatLine(r.out), format)) << r.out;
    EXPECT_FALSE(absl::StrContains(r.out, "000102030405")) << "key printed";
    // Naming the format gives the same reading.
    Result named = RunCli({"inspect", "--from", format, input});
    ASSERT_EQ(named.code, 0) << named.err;
    EXPECT_EQ(named.out, r.out);
    // JSON carries the extras.
    Result j = RunCli({"inspect", "--json", input});
    ASSERT_EQ(j.code, 0) << j.err;
    rapidjson::Document d = ParseJsonOrDie(j.out);
    EXPECT_EQ(JsonStr(d["format"]), format);
  }
  Result t = RunCli({"inspect", InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session"});
  EXPECT_TRUE(absl::StrContains(t.out, "user id:       123456789")) << t.out;
  EXPECT_TRUE(absl::StrContains(t.out, "peers:         5 (2 users, 2 channels, 1 chat)")) << t.out;
  EXPECT_TRUE(absl::StrContains(t.out, "not carried:   sent_files: 2 rows")) << t.out;
  Result p = RunCli({"inspect", VectorString("pyrogram_2.0.106_p_dc4_bot_64bit")});
  EXPECT_TRUE(absl::StrContains(p.out, "api_id:        94575")) << p.out;
  EXPECT_TRUE(absl::StrContains(p.out, "bot:           yes")) << p.out;
  Result j = RunCli({"inspect", "--json", InteropVectorsDir() + "/pyrogram_2.0.106_dc2_full.session"});
  rapidjson::Document d = ParseJsonOrDie(j.out);
  ASSERT_TRUE(d.HasMember("extras")) << j.out;
  EXPECT_EQ(d["extras"]["api_id"].GetInt(), 12345);
  EXPECT_EQ(d["extras"]["peers"].Size(), 3u);  // the peers with a username, phone or bot flag
}

TEST(CliInterop, AmbiguousStringsAskForFrom) {
  const std::string s = VectorString("gramjs_from_mtcute_of_telethon_v4_dc2_zero_key_edge");
  Result r = RunCli({"inspect", s});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "--from telethon-string")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "--from gramjs-string")) << r.err;
  Result g = RunCli({"inspect", "--from", "gramjs-string", s});
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_TRUE(absl::StrContains(g.out, "149.154.167.51:443")) << g.out;
  Result t = RunCli({"inspect", "--from", "telethon-string", s});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(absl::StrContains(t.out, "[e:3134:392e:3135:342e:3136:372e:3531]:443")) << t.out;
  // A Telethon string named as GramJS is refused, with a hint, not misread.
  Result m = RunCli({"inspect", "--from", "gramjs-string", VectorString("telethon_v4_dc2")});
  EXPECT_EQ(m.code, 1);
  EXPECT_TRUE(absl::StrContains(m.err, "Telethon")) << m.err;
}

// Every readable format to every writable one: files are 0600, the result
// reads back as the target format with the same home DC and key.
TEST(CliInterop, ConvertsBetweenEveryFormat) {
  const std::string dir = MakeTempDir("cli_interop");
  const mode_t old_umask = ::umask(0);
  int converted = 0;
  for (const auto& [from, input] : Inputs()) {
    for (const interop::FormatSpec& spec : interop::AllFormats()) {
      const interop::Format to = spec.format;
      if (!spec.writable) continue;
      const std::string to_name(interop::FormatName(to));
      SCOPED_TRACE(from + " -> " + to_name);
      const std::string out = absl::StrCat(dir, "/", from, "-to-", to_name);
      Result r = RunCli({"convert", "--to", to_name, "--user-id", "123456789", input, "-o", out});
      if (r.code != 0) {
        // Only what the target cannot express: a host name in an IP-only
        // format, or a key/DC a format cannot hold.
        EXPECT_EQ(r.code, 1) << r.err;
        EXPECT_TRUE(absl::StrContains(r.err, "is not an IP address") || absl::StrContains(r.err, "IP literal"))
            << r.err;
        EXPECT_FALSE(FileExists(out));
        continue;
      }
      ++converted;
      EXPECT_EQ(ModeOf(out), 0600u);
      EXPECT_TRUE(absl::StrContains(r.err, "(mode 0600)")) << r.err;
      EXPECT_TRUE(r.out.empty());  // secrets never on stdout unless asked
      Result back = RunCli({"inspect", "--from", to_name, out});
      ASSERT_EQ(back.code, 0) << back.err;
      EXPECT_TRUE(absl::StartsWith(FormatLine(back.out), to_name)) << back.out;
      Result orig = RunCli({"inspect", "--show-secrets", input});
      Result again = RunCli({"inspect", "--show-secrets", "--from", to_name, out});
      const auto home = [](const std::string& o) {
        for (absl::string_view line : absl::StrSplit(o, '\n')) {
          if (absl::StartsWith(line, "home DC:")) return std::string(line);
        }
        return std::string();
      };
      EXPECT_EQ(home(again.out), home(orig.out));
    }
  }
  ::umask(old_umask);
  EXPECT_GE(converted, 80);
}

TEST(CliInterop, SummaryReportsMissingAndDropped) {
  const std::string dir = MakeTempDir("cli_summary");
  Result r = RunCli({"convert", "--to", "telethon-string", InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session", "-o",
                     dir + "/t.txt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "tgsession: dropped: access hashes of 5 peers")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "tgsession: dropped: sent_files: 2 rows")) << r.err;
  // The file holds Telethon's own string for that session, plus a newline.
  rapidjson::Document samples = ParseJsonOrDie(ReadFileOrDie(InteropVectorsDir() + "/telethon_samples.json"));
  EXPECT_EQ(ReadFileOrDie(dir + "/t.txt"), JsonStr(samples["string_sessions"][7]["output"]) + "\n");

  // Telethon string -> Pyrogram: the user id is required, the rest reported.
  Result no_id = RunCli({"convert", "--to", "pyrogram-string", VectorString("telethon_v4_dc2"), "--stdout"});
  EXPECT_EQ(no_id.code, 1);
  EXPECT_TRUE(absl::StrContains(no_id.err, "--user-id")) << no_id.err;
  EXPECT_TRUE(no_id.out.empty());
  Result p = RunCli({"convert", "--to", "pyrogram-string", "--user-id", "123456789", VectorString("telethon_v4_dc2"),
                     "--stdout"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(p.out, VectorString("pyrogram_1.4.16_p_dc2_user") + "\n");
  EXPECT_TRUE(absl::StrContains(p.err, "is_bot: missing in telethon-string, written as false")) << p.err;
  EXPECT_TRUE(absl::StrContains(p.err, "test_mode: missing in telethon-string")) << p.err;
  EXPECT_TRUE(absl::StrContains(p.err, "api_id: missing in telethon-string")) << p.err;
  Result p2 = RunCli({"convert", "--to", "pyrogram-string", "--user-id", "123456789", "--api-id", "12345",
                      VectorString("telethon_v4_dc2"), "--stdout"});
  ASSERT_EQ(p2.code, 0) << p2.err;
  EXPECT_EQ(p2.out, VectorString("pyrogram_2.0.106_p_dc2_user") + "\n");

  // mtcute from Telethon's test DC: test mode deduced, and said so.
  Result m = RunCli({"convert", "--to", "mtcute-string", VectorString("telethon_v4_testdc1_port80"), "--stdout"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(m.out, VectorString("mtcute_from_telethon_v4_testdc1_port80") + "\n");
  EXPECT_TRUE(absl::StrContains(m.err, "warning: test_mode: not stored in telethon-string")) << m.err;

  // GramJS with a port above 32767.
  Result g = RunCli({"convert", "--to", "gramjs-string", VectorString("telethon_v4_dc5_port50443_edge"), "--stdout"});
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_TRUE(absl::StrContains(g.err, "-15093")) << g.err;
}

TEST(CliInterop, OutputRules) {
  const std::string dir = MakeTempDir("cli_rules");
  const std::string input = InteropVectorsDir() + "/pyrogram_2.0.106_dc2_full.session";
  // Secrets need a destination.
  EXPECT_EQ(RunCli({"convert", "--to", "telethon-string", input}).code, 2);
  // Read-only and unknown formats.
  EXPECT_EQ(RunCli({"convert", "--to", "gramjs-store", input, "-o", dir + "/x"}).code, 2);
  EXPECT_EQ(RunCli({"convert", "--to", "nope", input, "-o", dir + "/x"}).code, 2);
  EXPECT_EQ(RunCli({"inspect", "--from", "nope", input}).code, 2);
  // No silent overwrite; --force replaces atomically.
  const std::string out = dir + "/t.session";
  ASSERT_EQ(RunCli({"convert", "--to", "telethon-sqlite", input, "-o", out}).code, 0);
  const std::string first = ReadFileOrDie(out);
  Result again = RunCli({"convert", "--to", "telethon-sqlite", input, "-o", out});
  EXPECT_EQ(again.code, 1);
  EXPECT_TRUE(absl::StrContains(again.err, "--force"));
  EXPECT_EQ(ReadFileOrDie(out), first);
  ASSERT_EQ(RunCli({"convert", "--to", "telethon-sqlite", "--force", input, "-o", out}).code, 0);
  EXPECT_EQ(ModeOf(out), 0600u);
  // No temporary files left behind.
  std::vector<std::string> files = ListDir(dir, "");
  EXPECT_EQ(files.size(), 3u);  // ".", "..", "t.session"
  // stdin works for SQLite files too.
  Result s = RunCli({"inspect", "-"}, ReadFileOrDie(input));
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_TRUE(absl::StartsWith(FormatLine(s.out), "pyrogram-sqlite")) << s.out;
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
