// `tgsession convert --to postgres:CONNSTRING/NAME` and
// `tgsession inspect postgres:...` against a real server.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/postgres_backend.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using Result = CliResult;

std::string Sample() { return VectorsDir() + "/ferogram/binary/v7_full.bin"; }

std::string KeyValue(const std::string& name) {
  return absl::StrCat("postgres:", SharedPgServer().Conninfo("tgs"), "/", name);
}
std::string Uri(const std::string& name) { return absl::StrCat("postgres:", SharedPgServer().Uri("tgs"), "/", name); }

TEST(CliPostgresTest, ParseLocation) {
  absl::StatusOr<PostgresLocation> a = ParsePostgresLocation("postgres:host=db dbname=tgs/bot-1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->conninfo, "host=db dbname=tgs");
  EXPECT_EQ(a->name, "bot-1");
  absl::StatusOr<PostgresLocation> b =
      ParsePostgresLocation("postgres:postgresql://u@db:5432/tgs?sslmode=verify-full&sslrootcert=/etc/ca.crt/bot");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->conninfo, "postgresql://u@db:5432/tgs?sslmode=verify-full&sslrootcert=/etc/ca.crt");
  EXPECT_EQ(b->name, "bot");
  absl::StatusOr<PostgresLocation> c = ParsePostgresLocation("postgres:/bot");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->conninfo, "");
  absl::StatusOr<PostgresLocation> list = ParsePostgresLocation("postgres:host=db/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->name, "");
  absl::StatusOr<PostgresLocation> bad = ParsePostgresLocation("postgres:password=hunter2");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(bad.status().message(), "hunter2"));
  EXPECT_EQ(ParsePostgresLocation("postgres:host=db/a\tb").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CliPostgresTest, ConvertInspectAndBack) {
  const std::string bytes = ReadFileOrDie(Sample());
  absl::StatusOr<Session> want = DecodeBinary(bytes);
  ASSERT_TRUE(want.ok()) << want.status();

  Result r = RunCli({"convert", "--to", KeyValue("cli-demo"), Sample()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "-> postgres:tgs@127.0.0.1:")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "/cli-demo: saved")) << r.err;

  // Not replaced without --force; replaced with it.
  r = RunCli({"convert", "--to", Uri("cli-demo"), Sample()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "--force")) << r.err;
  r = RunCli({"convert", "--force", "--to", Uri("cli-demo"), Sample()});
  EXPECT_EQ(r.code, 0) << r.err;

  r = RunCli({"inspect", KeyValue("cli-demo")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "format:        postgres")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "<redacted>")) << r.out;

  r = RunCli({"inspect", "--json", Uri("cli-demo")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "\"format\": \"postgres\"")) << r.out;

  // Back out: the same session.
  r = RunCli({"convert", "--to", "ferogram-native", "--stdout", KeyValue("cli-demo")});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::StatusOr<Session> back = DecodeNativeString(absl::StripAsciiWhitespace(r.out));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *want);

  // Listing the store.
  r = RunCli({"inspect", absl::StrCat("postgres:", SharedPgServer().Conninfo("tgs"), "/")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "cli-demo")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "saved")) << r.out;
  r = RunCli({"inspect", "--json", absl::StrCat("postgres:", SharedPgServer().Conninfo("tgs"), "/")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "\"name\": \"cli-demo\"")) << r.out;
}

TEST(CliPostgresTest, RefusedWhileAnotherProcessHoldsTheSession) {
  absl::StatusOr<std::unique_ptr<PostgresBackend>> holder =
      PostgresBackend::Open(SharedPgServer().Conninfo("tgs"), "cli-busy");
  ASSERT_TRUE(holder.ok()) << holder.status();
  ASSERT_TRUE((*holder)->Save(Session()).ok());
  Result r = RunCli({"convert", "--force", "--to", KeyValue("cli-busy"), Sample()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "in use by")) << r.err;
  // Inspecting a running session is allowed (read-only view).
  r = RunCli({"inspect", KeyValue("cli-busy")});
  EXPECT_EQ(r.code, 0) << r.err;
  r = RunCli({"inspect", absl::StrCat("postgres:", SharedPgServer().Conninfo("tgs"), "/")});
  EXPECT_TRUE(absl::StrContains(r.out, "held by")) << r.out;
}

// Session names and lease owners are text other programs chose: the listing
// stays valid JSON, and one line per session, whatever they hold.
TEST(CliPostgresTest, ListingCarriesAnyNameAndOwner) {
  const std::string name = "\xD1\x81\xD0\xB5\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F O'Brien \"q\" \\ end";
  PostgresOptions po;
  po.owner_label = "\xD0\x9E\xD0\xBB\xD0\xB5\xD0\xB3 O'Brien \"q\" \\ \t\x01\x1b[31m";
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(SharedPgServer().Conninfo("tgs"), po);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = (*store)->OpenSession(name);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE((*b)->Save(Session()).ok());
  const std::string list = absl::StrCat("postgres:", SharedPgServer().Conninfo("tgs"), "/");
  Result r = RunCli({"inspect", "--json", list});
  ASSERT_EQ(r.code, 0) << r.err;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(r.out.data(), r.out.size());
  ASSERT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset() << ": " << r.out;
  bool found = false;
  for (const rapidjson::Value& s : d["sessions"].GetArray()) {
    if (std::string(s["name"].GetString(), s["name"].GetStringLength()) != name) continue;
    found = true;
    ASSERT_TRUE(s["lease"].IsObject());
    const std::string owner(s["lease"]["owner"].GetString(), s["lease"]["owner"].GetStringLength());
    EXPECT_TRUE(absl::StartsWith(owner, po.owner_label)) << owner;
  }
  EXPECT_TRUE(found) << r.out;
  r = RunCli({"inspect", list});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(absl::StrContains(r.out, "\x1b")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "O'Brien \"q\" \\ \\t\\x01\\x1b[31m")) << r.out;
}

TEST(CliPostgresTest, Errors) {
  Result r = RunCli({"inspect", KeyValue("cli-missing")});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "no such session")) << r.err;
  r = RunCli({"convert", "--to", "postgres:nothing", Sample()});
  EXPECT_EQ(r.code, 2);
  r = RunCli({"convert", "--to", KeyValue("x"), "-o", "/tmp/x", Sample()});
  EXPECT_EQ(r.code, 2);
  r = RunCli({"inspect", "postgres:host=127.0.0.1 port=1 connect_timeout=2 password=hunter2/x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "Connection refused")) << r.err;
  EXPECT_FALSE(absl::StrContains(r.err, "hunter2")) << r.err;
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
