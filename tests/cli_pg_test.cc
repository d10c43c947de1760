// `tgsession pg list|stats|release|delete|migrate` against a real server:
// what each prints (text and JSON), that release fences the old holder, that
// destructive commands need --yes, that migrate prints and runs the
// statements, and the CLI's rules (one line per message, the connection
// string and its password never echoed).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/postgres_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/pg_helpers.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using ::testing::HasSubstr;

PgTestServer& Server() { return SharedPgServer(); }

// The store's location with a password in it (trust authentication ignores
// it): no output may contain it.
std::string Store(const std::string& db) {
  return absl::StrCat("postgres:", Server().Conninfo(db), " password=hunter2-secret/");
}

void ExpectCleanMessages(const CliResult& r) {
  EXPECT_FALSE(absl::StrContains(r.err, "hunter2")) << r.err;
  EXPECT_FALSE(absl::StrContains(r.out, "hunter2")) << r.out;
  for (absl::string_view line : absl::StrSplit(r.err, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "tgsession: ")) << "a message spans lines: " << r.err;
  }
}

TEST(CliPgTest, ListAndStats) {
  const std::string db = FreshDatabase(Server(), "cli_pg_list");
  auto store = OpenStoreOrDie(Server().Conninfo(db));
  auto held = OpenSessionOrDie(*store, "held-one");
  ASSERT_TRUE(held->Save(RichSession()).ok());
  ASSERT_TRUE(store->Create("empty-one").ok());

  CliResult r = RunCli({"pg", "list", Store(db)});
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectCleanMessages(r);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("store:    postgres:", db, "@127.0.0.1:", Server().port())));
  EXPECT_THAT(r.out, HasSubstr("sessions: 2"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("held by ", store->owner_id(), " since ")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(RichSession().peers.size(), " peers")));

  r = RunCli({"pg", "list", "--json", Store(db)});
  ASSERT_EQ(r.code, 0) << r.err;
  rapidjson::Document d = ParseJsonOrDie(r.out);
  ASSERT_EQ(d["sessions"].Size(), 2u);
  const rapidjson::Value& first = d["sessions"][1];  // sorted: empty-one, held-one
  EXPECT_STREQ(first["name"].GetString(), "held-one");
  EXPECT_EQ(first["peers"].GetInt64(), static_cast<int64_t>(RichSession().peers.size()));
  EXPECT_STREQ(first["lease"]["owner"].GetString(), store->owner_id().c_str());
  EXPECT_TRUE(first["lease"]["since"].IsString());
  EXPECT_TRUE(d["sessions"][0]["lease"].IsNull());

  r = RunCli({"pg", "stats", Store(db)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("schema version: ", PostgresStore::kSchemaVersion)));
  EXPECT_THAT(r.out, HasSubstr("sessions:       2"));
  EXPECT_THAT(r.out, HasSubstr("leases_held:    1"));
  r = RunCli({"pg", "stats", "--json", Store(db)});
  ASSERT_EQ(r.code, 0) << r.err;
  d = ParseJsonOrDie(r.out);
  EXPECT_EQ(d["sessions"].GetInt64(), 2);
  EXPECT_EQ(d["saved_sessions"].GetInt64(), 1);
  EXPECT_EQ(d["peers"].GetInt64(), static_cast<int64_t>(RichSession().peers.size()));
  EXPECT_EQ(d["leases_held"].GetInt64(), 1);
  EXPECT_EQ(d["leases_expired"].GetInt64(), 0);
  EXPECT_EQ(d["schema_version"].GetInt64(), PostgresStore::kSchemaVersion);
}

TEST(CliPgTest, ReleaseNeedsYesAndFencesTheHolder) {
  const std::string db = FreshDatabase(Server(), "cli_pg_release");
  auto store = OpenStoreOrDie(Server().Conninfo(db));
  auto holder = OpenSessionOrDie(*store, "stuck");
  ASSERT_TRUE(holder->Save(RichSession()).ok());
  const std::string session = absl::StrCat(Store(db), "stuck");

  CliResult r = RunCli({"pg", "release", session});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--yes"));
  ExpectCleanMessages(r);
  ASSERT_TRUE(holder->CachePeer(CachedPeer::User(1, 1)).ok()) << "released without --yes";

  r = RunCli({"pg", "release", "--yes", "--note", "ops ticket 42", session});
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectCleanMessages(r);
  EXPECT_THAT(r.err, HasSubstr("lease released (it was held by " + store->owner_id()));
  absl::Status fenced = holder->CachePeer(CachedPeer::User(2, 2));
  EXPECT_EQ(fenced.code(), absl::StatusCode::kFailedPrecondition) << fenced;
  EXPECT_THAT(std::string(fenced.message()), HasSubstr("released by an operator (ops ticket 42)"));
  r = RunCli({"pg", "list", Store(db)});
  EXPECT_THAT(r.out, HasSubstr("free (released: ops ticket 42)"));

  r = RunCli({"pg", "release", "--yes", session});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("nobody holds the lease"));
  r = RunCli({"pg", "release", "--yes", absl::StrCat(Store(db), "no-such")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no such session"));
  // The next holder gets what the old one wrote before the release.
  auto next = OpenSessionOrDie(*store, "stuck");
  Session want = RichSession();
  want.CachePeer(CachedPeer::User(1, 1));
  EXPECT_EQ(LoadOrDie(*next), want);
}

TEST(CliPgTest, DeleteNeedsYesAndAFreeLease) {
  const std::string db = FreshDatabase(Server(), "cli_pg_delete");
  auto store = OpenStoreOrDie(Server().Conninfo(db));
  auto holder = OpenSessionOrDie(*store, "doomed");
  ASSERT_TRUE(holder->Save(RichSession()).ok());
  const std::string session = absl::StrCat(Store(db), "doomed");
  CliResult r = RunCli({"pg", "delete", session});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--yes"));
  r = RunCli({"pg", "delete", "--yes", session});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("in use by " + store->owner_id()));
  ExpectCleanMessages(r);
  ASSERT_TRUE(holder->Close().ok());
  r = RunCli({"pg", "delete", "--yes", session});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("doomed: deleted"));
  EXPECT_EQ(AdminInt(Server(), "SELECT count(*) FROM tgs_peers", db), 0);
  r = RunCli({"pg", "delete", "--yes", session});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("no such session"));
}

TEST(CliPgTest, MigratePrintsThenRunsTheStatements) {
  const std::string db = FreshDatabase(Server(), "cli_pg_migrate");
  // A version-1 database (see postgres_operations_test).
  absl::StatusOr<PostgresMigration> fresh = PostgresStore::PlanMigration(Server().Conninfo(db));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  for (size_t i = 0; i < 3; ++i) AdminExec(Server(), fresh->statements[i], db);
  AdminExec(Server(), "INSERT INTO tgs_schema_version (id, version) VALUES (1, 1)", db);

  // The other commands refuse to touch an older schema.
  CliResult r = RunCli({"pg", "list", Store(db)});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("run tgsession pg migrate"));

  r = RunCli({"pg", "migrate", "--dry-run", Store(db)});
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectCleanMessages(r);
  EXPECT_THAT(r.out, HasSubstr("pg_advisory_xact_lock"));
  EXPECT_THAT(r.out, HasSubstr("ADD COLUMN lease_acquired_at"));
  EXPECT_THAT(r.err, HasSubstr("from version 1 to " + std::to_string(PostgresStore::kSchemaVersion)));
  EXPECT_THAT(r.err, HasSubstr("nothing was changed"));
  EXPECT_EQ(AdminInt(Server(), "SELECT version FROM tgs_schema_version", db), 1);

  const std::string printed = r.out;
  r = RunCli({"pg", "migrate", Store(db)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, printed) << "migrate runs what --dry-run printed";
  EXPECT_THAT(r.err, HasSubstr("migrated the schema from version 1"));
  EXPECT_EQ(AdminInt(Server(), "SELECT version FROM tgs_schema_version", db), PostgresStore::kSchemaVersion);
  r = RunCli({"pg", "migrate", Store(db)});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("the schema is current"));
  EXPECT_EQ(RunCli({"pg", "list", Store(db)}).code, 0);
}

TEST(CliPgTest, UsageErrors) {
  const std::string store = Store("tgs");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"pg"},
                                             {"pg", "frobnicate", store},
                                             {"pg", "list"},
                                             {"pg", "list", "/tmp/some.session"},
                                             {"pg", "list", store + "a-name"},
                                             {"pg", "release", "--yes", store},
                                             {"pg", "list", "--bogus", store},
                                             {"pg", "list", store, store},
                                             {"pg", "release", "--note"}}) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.code, 2) << absl::StrJoin(args, " ") << ": " << r.err;
    ExpectCleanMessages(r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // A session string given by mistake is not echoed.
  CliResult r = RunCli({"pg", "list", "1ApWapzMBu3Iy8TpAaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(absl::StrContains(r.err, "MBu3Iy8")) << r.err;
}

}  // namespace

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BackendConformanceTest);

}  // namespace testing
}  // namespace tgsession
