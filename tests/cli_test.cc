// The tgsession CLI, run in-process.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "backends/binary_file_backend.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using Result = CliResult;

TEST(CliTest, InspectJsonEqualsOracleForEveryVector) {
  const std::string dir = VectorsDir() + "/ferogram/binary";
  int n = 0;
  for (const std::string& name : ListDir(dir, ".json")) {
    SCOPED_TRACE(name);
    const std::string base = dir + "/" + name.substr(0, name.size() - 5);
    rapidjson::Document v = ParseJsonOrDie(ReadFileOrDie(base + ".json"));
    for (const std::string& input : {base + ".bin", base + ".txt"}) {
      Result r = RunCli({"inspect", "--json", "--show-secrets", input});
      ASSERT_EQ(r.code, 0) << r.err;
      rapidjson::Document got = ParseJsonOrDie(r.out);
      ASSERT_TRUE(got.HasMember("format"));
      EXPECT_EQ(JsonStr(got["format"]), absl::EndsWith(input, ".bin") ? "ferogram-binary" : "ferogram-native");
      got.RemoveMember("format");
      rapidjson::Document want;
      want.CopyFrom(v["decoded"], want.GetAllocator());
      StripFields(want, {"addr_len_bytes", "flag_names", "is_ipv6", "stats"});
      std::string where;
      EXPECT_TRUE(JsonEqual(got, want, &where)) << where;
    }
    ++n;
  }
  EXPECT_GE(n, 30);
}

TEST(CliTest, SecretsAreRedactedByDefault) {
  const std::string bin = VectorsDir() + "/ferogram/binary/v7_full.bin";
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"inspect"};
    if (json) args.push_back("--json");
    args.push_back(bin);
    Result r = RunCli(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(absl::StrContains(r.out, "<redacted>"));
    // The keys are 00 01 02 ... and 00 07 0e ...; the token is deadbeef...
    EXPECT_FALSE(absl::StrContains(r.out, "000102030405")) << r.out;
    EXPECT_FALSE(absl::StrContains(r.out, "00070e151c23")) << r.out;
    EXPECT_FALSE(absl::StrContains(r.out, "deadbeef")) << r.out;
    EXPECT_TRUE(r.err.empty());
  }
  Result shown = RunCli({"inspect", "--show-secrets", bin});
  EXPECT_TRUE(absl::StrContains(shown.out, "000102030405"));
  EXPECT_TRUE(absl::StrContains(shown.out, "deadbeef"));
}

TEST(CliTest, HumanSummary) {
  Result r = RunCli({"inspect", VectorsDir() + "/ferogram/binary/v8_peers_all_kinds.bin"});
  ASSERT_EQ(r.code, 0);
  EXPECT_TRUE(absl::StrContains(r.out, "format:        ferogram-binary v8"));
  EXPECT_TRUE(absl::StrContains(r.out, "peers:         8 (2 users, 5 channels, 1 chat)"));
}

TEST(CliTest, ReadsStdinAndStringArguments) {
  const std::string native = ReadFileOrDie(VectorsDir() + "/ferogram/binary/v8_update_state.txt");
  Result a = RunCli({"inspect", "--json", "-"}, native + "\n");
  ASSERT_EQ(a.code, 0) << a.err;
  Result b = RunCli({"inspect", "--json", native});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(absl::StrContains(a.out, "\"channel_id\": 1234567890123"));
  Result c = RunCli({"inspect", "--json", "-"}, ReadFileOrDie(VectorsDir() + "/ferogram/binary/v8_update_state.bin"));
  ASSERT_EQ(c.code, 0) << c.err;
}

TEST(CliTest, BadInputIsOneLineAndExitOne) {
  const std::string dir = MakeTempDir("cli_bad");
  const std::string bad = dir + "/bad.session";
  {
    FILE* f = fopen(bad.c_str(), "wb");
    fputs("\x08\x02", f);
    fclose(f);
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"inspect", bad}, {"inspect", "--json", bad}, {"inspect", dir + "/missing"},
        {"inspect", "-"}, {"inspect", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}) {
    Result r = RunCli(args);
    EXPECT_EQ(r.code, 1) << args.back();
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(absl::StartsWith(r.err, "tgsession: ")) << r.err;
  }
  Result t = RunCli({"inspect", bad});
  EXPECT_TRUE(absl::StrContains(t.err, "truncated at byte 1")) << t.err;
}

TEST(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli({}).code, 2);
  EXPECT_EQ(RunCli({"frobnicate", "x"}).code, 2);
  EXPECT_EQ(RunCli({"inspect"}).code, 2);
  EXPECT_EQ(RunCli({"inspect", "--bogus", "x"}).code, 2);
  EXPECT_EQ(RunCli({"convert", "x", "-o", "y"}).code, 2);
  EXPECT_EQ(RunCli({"convert", "--to", "nope", "x", "-o", "y"}).code, 2);
  EXPECT_EQ(RunCli({"help"}).code, 0);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(CliTest, ConvertRoundTripsEveryFerogramFormat) {
  const std::string dir = MakeTempDir("cli_convert");
  const std::string src = VectorsDir() + "/ferogram/binary/v7_full.bin";
  absl::StatusOr<Session> want = DecodeBinary(ReadFileOrDie(src));
  ASSERT_TRUE(want.ok());
  const mode_t old_umask = ::umask(0);
  Result r1 = RunCli({"convert", "--to", "ferogram-native", src, "-o", dir + "/s.txt"});
  ASSERT_EQ(r1.code, 0) << r1.err;
  EXPECT_EQ(ModeOf(dir + "/s.txt"), 0600u);
  Result r2 = RunCli({"convert", "--to", "ferogram-binary", dir + "/s.txt", "-o", dir + "/s.bin"});
  ASSERT_EQ(r2.code, 0) << r2.err;
  EXPECT_EQ(ModeOf(dir + "/s.bin"), 0600u);
  ::umask(old_umask);
  absl::StatusOr<Session> back = DecodeBinary(ReadFileOrDie(dir + "/s.bin"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *want);
  EXPECT_EQ(ReadFileOrDie(dir + "/s.bin"), *EncodeBinary(*want));

  // Existing output needs --force.
  Result r3 = RunCli({"convert", "--to", "ferogram-binary", src, "-o", dir + "/s.bin"});
  EXPECT_EQ(r3.code, 1);
  EXPECT_TRUE(absl::StrContains(r3.err, "--force"));
  EXPECT_EQ(RunCli({"convert", "--to", "ferogram-binary", "--force", src, "-o", dir + "/s.bin"}).code, 0);

  // Compact: keeps home DC and key, reports what it drops and the missing
  // user id.
  Result r4 = RunCli({"convert", "--to", "ferogram-compact", VectorsDir() + "/ferogram/binary/v8_dc_ipv4_ipv6_pair.bin",
                      "--stdout"});
  ASSERT_EQ(r4.code, 0) << r4.err;
  EXPECT_TRUE(absl::StrContains(r4.err, "user_id: missing"));
  EXPECT_TRUE(absl::StrContains(r4.err, "dropped: 1 DC entries"));
  absl::StatusOr<CompactSession> c = DecodeCompactString(r4.out);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dc_id, 2);
  EXPECT_FALSE(c->ip.is_v6);  // IPv4 preferred
  // v7_full's home DC has only a keyless IPv6 entry: nothing to export.
  Result r5 = RunCli({"convert", "--to", "ferogram-compact", src, "--stdout"});
  EXPECT_EQ(r5.code, 1);
  EXPECT_TRUE(absl::StrContains(r5.err, "no entry with an auth key")) << r5.err;
  EXPECT_TRUE(r5.out.empty());
}

TEST(CliTest, ConvertNeedsAnExplicitDestinationForSecrets) {
  Result r = RunCli({"convert", "--to", "ferogram-native", VectorsDir() + "/ferogram/binary/v8_empty.bin"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty());
}

TEST(CliTest, HundredThousandPeersConvertLosslessly) {
  const std::string dir = MakeTempDir("cli_big");
  Session s = NewSessionWithDefaults();
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 100000; ++i) peers.push_back(CachedPeer::User(i + 1, i * 3));
  s.peers.Assign(std::move(peers));
  const std::string native = *EncodeNativeString(s);
  Result r = RunCli({"convert", "--to", "ferogram-binary", "-", "-o", dir + "/big.bin"}, native);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "v9"));
  Result j = RunCli({"inspect", dir + "/big.bin"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(absl::StrContains(j.out, "ferogram-binary v9"));
  EXPECT_TRUE(absl::StrContains(j.out, "100000 (100000 users"));
}

TEST(CliTest, EncryptedFilesAndJournals) {
  const std::string dir = MakeTempDir("cli_enc");
  const std::string src = VectorsDir() + "/ferogram/binary/v7_full.bin";
  {
    FILE* f = fopen((dir + "/pass").c_str(), "w");
    fputs("hunter2 but longer\n", f);
    fclose(f);
  }
  Result r = RunCli({"convert", "--to", "ferogram-binary", "--encrypt", "--passphrase-file", dir + "/pass", src, "-o",
                     dir + "/e.bin"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "encrypted at rest"));
  Result no = RunCli({"inspect", dir + "/e.bin"});
  EXPECT_EQ(no.code, 1);
  EXPECT_TRUE(absl::StrContains(no.err, "encrypted")) << no.err;
  ::setenv("TGS_TEST_PASS", "wrong", 1);
  Result wrong = RunCli({"inspect", "--passphrase-env", "TGS_TEST_PASS", dir + "/e.bin"});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_TRUE(absl::StrContains(wrong.err, "wrong passphrase")) << wrong.err;
  Result ok = RunCli({"inspect", "--json", "--show-secrets", "--passphrase-file", dir + "/pass", dir + "/e.bin"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  Result plain = RunCli({"inspect", "--json", "--show-secrets", src});
  EXPECT_EQ(ok.out, plain.out);
  // A journal next to a plain file is applied.
  {
    auto b = BinaryFileBackend::Open(dir + "/j.session", [] {
      BinaryFileBackend::Options o;
      o.compact_on_close = false;
      return o;
    }());
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->Save(*DecodeBinary(ReadFileOrDie(src))).ok());
    ASSERT_TRUE((*b)->CachePeer(CachedPeer::User(31337, 1)).ok());
  }
  Result j = RunCli({"inspect", dir + "/j.session"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(absl::StrContains(j.out, "ferogram-binary + journal")) << j.out;
  EXPECT_TRUE(absl::StrContains(j.out, "peers:         8"));
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
