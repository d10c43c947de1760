// SqliteBackend / LibSqlBackend: the conformance suite, the golden files
// written by the real ferogram-session 0.6.5 (schema, rows, legacy
// migration), every probe of the real crate's SqliteBackend (same result, or
// our documented improvement asserted explicitly), failure paths (a failed
// statement leaves no transaction open), corrupted rows, SQLite error codes
// and file permissions.
#include "backends/sqlite_backend.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/sqlite_db.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "session/json.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using sqlite::Db;

std::unique_ptr<SqliteBackend> OpenOrDie(const std::string& path, const SqliteOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path, options);
  if (!b.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), b.status().ToString().c_str());
    std::abort();
  }
  return std::move(*b);
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, BackendConformanceTest,
    ::testing::Values(BackendFactory{"sqlite",
                                     [](const std::string& dir) -> std::unique_ptr<SessionBackend> {
                                       return OpenOrDie(dir + "/session.db");
                                     },
                                     /*persistent=*/true, /*allows_second_writer=*/true,
                                     /*refuses_calls_after_close=*/true},
                      BackendFactory{"sqlite_full_sync",
                                     [](const std::string& dir) -> std::unique_ptr<SessionBackend> {
                                       SqliteOptions o;
                                       o.synchronous = SqliteOptions::Synchronous::kFull;
                                       return OpenOrDie(dir + "/session.db", o);
                                     },
                                     /*persistent=*/true, /*allows_second_writer=*/true,
                                     /*refuses_calls_after_close=*/true},
                      BackendFactory{"libsql_local",
                                     [](const std::string& dir) -> std::unique_ptr<SessionBackend> {
                                       auto b = LibSqlBackend::OpenLocal(dir + "/session.db");
                                       if (!b.ok()) std::abort();
                                       return std::move(*b);
                                     },
                                     /*persistent=*/true, /*allows_second_writer=*/true,
                                     /*refuses_calls_after_close=*/true},
                      BackendFactory{"sqlite_in_memory",
                                     [](const std::string&) -> std::unique_ptr<SessionBackend> {
                                       auto b = SqliteBackend::OpenInMemory();
                                       if (!b.ok()) std::abort();
                                       return std::move(*b);
                                     },
                                     /*persistent=*/false, /*allows_second_writer=*/true,
                                     /*refuses_calls_after_close=*/true}),
    BackendFactoryName);

// --- helpers --------------------------------------------------------------------

std::string SqliteVectors() { return VectorsDir() + "/ferogram/sqlite"; }

void CopyFileOrDie(const std::string& from, const std::string& to) {
  const std::string data = ReadFileOrDie(from);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << to;
}

// A scratch directory for one test.
std::string TestDir() {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = absl::StrCat(t->test_suite_name(), "_", t->name());
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return MakeTempDir(name);
}

// A plain connection for inspecting and tampering with files behind the
// backend's back.
Db RawOrDie(const std::string& path) {
  sqlite::OpenOptions o;
  o.mode = sqlite::OpenOptions::Mode::kReadWrite;
  o.busy_timeout_ms = 0;
  o.defensive = false;
  absl::StatusOr<Db> db = Db::Open(path, o);
  if (!db.ok()) {
    ADD_FAILURE() << path << ": " << db.status();
    return Db();
  }
  return std::move(*db);
}

void ExecOrDie(Db& db, const std::string& sql) {
  absl::Status s = db.Exec(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s;
}

// A statement that damages a stored session, and what Load must then say.
struct Damage {
  const char* sql;
  const char* message;
};

// Saves `session` in a new file at `path`, runs `sql` on it behind the
// backend's back (as another tool would) and opens it again.
std::unique_ptr<SqliteBackend> SavedThenAltered(const std::string& path, const Session& session,
                                                const std::string& sql) {
  {
    auto b = OpenOrDie(path);
    absl::Status saved = b->Save(session);
    EXPECT_TRUE(saved.ok()) << saved;
  }
  {
    Db raw = RawOrDie(path);
    ExecOrDie(raw, sql);
  }
  return OpenOrDie(path);
}

// Expects b.Load() to fail with `code` and a message containing `message`;
// stores the error in `*error` (when given) for further checks.
void ExpectLoadError(SessionBackend& b, absl::StatusCode code, absl::string_view message,
                     absl::Status* error = nullptr) {
  absl::StatusOr<std::optional<Session>> s = b.Load();
  if (error != nullptr) *error = s.status();
  if (s.ok()) {
    ADD_FAILURE() << "Load succeeded; expected " << absl::StatusCodeToString(code) << ": " << message;
    return;
  }
  EXPECT_EQ(s.status().code(), code) << s.status();
  EXPECT_TRUE(absl::StrContains(s.status().message(), message)) << s.status();
}

// sqlite_master as "type|name|tbl_name|sql|rootpage" lines (SQLite's own
// objects included), in rowid order. Equal root pages mean the objects were
// created in the same order.
std::vector<std::string> SchemaOf(const std::string& path) {
  Db db = RawOrDie(path);
  std::vector<std::string> out;
  absl::StatusOr<sqlite::Statement> st =
      db.Prepare("SELECT type, name, tbl_name, IFNULL(sql, ''), rootpage FROM sqlite_master ORDER BY rowid");
  EXPECT_TRUE(st.ok()) << st.status();
  if (!st.ok()) return out;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    if (!row.ok() || !*row) break;
    out.push_back(absl::StrCat(st->ColumnText(0), "|", st->ColumnText(1), "|", st->ColumnText(2), "|",
                               st->ColumnText(3), "|", st->ColumnText(4)));
  }
  return out;
}

// Every row of `table` in rowid order as "typeof:quote(value)" per column,
// restricted to `columns` (all columns when empty).
std::vector<std::string> RowsOf(const std::string& path, const std::string& table,
                                std::vector<std::string> columns = {}) {
  Db db = RawOrDie(path);
  if (columns.empty()) {
    absl::StatusOr<std::vector<std::string>> cols = db.TableColumns(table);
    EXPECT_TRUE(cols.ok()) << cols.status();
    if (cols.ok()) columns = *cols;
  }
  std::vector<std::string> parts;
  for (const std::string& c : columns) parts.push_back(absl::StrCat("typeof(", c, ") || ':' || quote(", c, ")"));
  std::vector<std::string> out;
  absl::StatusOr<sqlite::Statement> st =
      db.Prepare(absl::StrCat("SELECT ", absl::StrJoin(parts, " || ' ' || "), " FROM ", table, " ORDER BY rowid"));
  EXPECT_TRUE(st.ok()) << st.status();
  if (!st.ok()) return out;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    if (!row.ok() || !*row) break;
    out.emplace_back(st->ColumnText(0));
  }
  return out;
}

const std::vector<std::string>& FerogramTables() {
  static const auto* t =
      new std::vector<std::string>{"meta", "dcs", "update_state", "channel_pts", "peers", "min_peers"};
  return *t;
}

std::string Pragma(const std::string& path, const std::string& pragma) {
  Db db = RawOrDie(path);
  absl::StatusOr<std::string> v = db.QueryText(absl::StrCat("PRAGMA ", pragma));
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : "";
}

// Builds a Session from one of the oracle's session objects (its helper
// fields removed).
Session SessionFromOracle(const rapidjson::Value& v) {
  rapidjson::Document doc;
  doc.CopyFrom(v, doc.GetAllocator());
  StripFields(doc, {"addr_len_bytes", "flag_names", "is_ipv6", "stats"});
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  absl::StatusOr<Session> s = SessionFromJson(absl::string_view(buf.GetString(), buf.GetSize()));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Session();
}

// The crate's record of its golden file session_v8.db, and the session it
// saved into it.
rapidjson::Document GoldenV8Oracle() { return ParseJsonOrDie(ReadFileOrDie(SqliteVectors() + "/session_v8.json")); }
Session GoldenV8Saved() { return SessionFromOracle(GoldenV8Oracle()["saved_session"]); }

// The same session with every list sorted by id: how ferogram's SELECTs
// (no ORDER BY, INTEGER PRIMARY KEY tables) return it.
Session SortedById(Session s) {
  std::vector<CachedPeer> peers(s.peers.begin(), s.peers.end());
  std::sort(peers.begin(), peers.end(), [](const CachedPeer& a, const CachedPeer& b) { return a.id < b.id; });
  s.peers.Assign(std::move(peers));
  std::vector<ChannelPts> ch(s.updates_state.channels().begin(), s.updates_state.channels().end());
  std::sort(ch.begin(), ch.end(), [](const ChannelPts& a, const ChannelPts& b) { return a.channel_id < b.channel_id; });
  s.updates_state.mutable_channels().Assign(std::move(ch));
  std::vector<CachedMinPeer> mins(s.min_peers.begin(), s.min_peers.end());
  std::sort(mins.begin(), mins.end(),
            [](const CachedMinPeer& a, const CachedMinPeer& b) { return a.user_id < b.user_id; });
  s.min_peers.Assign(std::move(mins));
  return s;
}

AuthKey TestKey(uint8_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(seed * 31 + i * 13 + 7);
  return AuthKey(raw);
}

// A write transaction can start on another connection at once: proof that
// the backend's connection holds no write lock (no transaction left open).
void ExpectNoWriterHoldsTheLock(const std::string& path) {
  Db other = RawOrDie(path);
  absl::Status begin = other.Exec("BEGIN IMMEDIATE");
  EXPECT_TRUE(begin.ok()) << "another connection cannot write: " << begin;
  if (begin.ok()) {
    EXPECT_TRUE(other.Exec("COMMIT").ok());
  }
}

const rapidjson::Value* FindProbe(const rapidjson::Document& probes, const std::string& name) {
  for (const rapidjson::Value& p : probes.GetArray()) {
    if (name == p["name"].GetString()) return &p;
  }
  ADD_FAILURE() << "probe " << name << " missing";
  return nullptr;
}

class SqliteProbes : public ::testing::Test {
 protected:
  void SetUp() override { probes_ = ParseJsonOrDie(ReadFileOrDie(SqliteVectors() + "/probes.json")); }
  const rapidjson::Value& Probe(const std::string& name) {
    const rapidjson::Value* p = FindProbe(probes_, name);
    return p != nullptr ? *p : empty_;
  }
  rapidjson::Document probes_;
  rapidjson::Value empty_;
};

// --- golden files written by the real crate -------------------------------------

TEST(SqliteGolden, FerogramFileLoadsFieldForField) {
  const std::string dir = TestDir();
  const std::string path = dir + "/session_v8.db";
  CopyFileOrDie(SqliteVectors() + "/session_v8.db", path);
  const std::vector<std::string> schema_before = SchemaOf(path);
  rapidjson::Document oracle = GoldenV8Oracle();
  const Session saved = SessionFromOracle(oracle["saved_session"]);
  const Session loaded_by_ferogram = SessionFromOracle(oracle["loaded_after_reopen"]);
  {
    auto b = OpenOrDie(path);
    const Session s = LoadOrDie(*b);
    // Exactly what ferogram itself loads back (its file has no order).
    EXPECT_EQ(s, loaded_by_ferogram);
    // And field for field the session ferogram saved, up to order.
    EXPECT_EQ(s, SortedById(saved));
    EXPECT_EQ(s.dcs, saved.dcs);  // dcs keep insertion (rowid) order
    ASSERT_TRUE(s.future_auth_token.has_value());
    EXPECT_EQ(s.future_auth_token->size(), 16u);
  }
  // Opening and loading changed nothing in the schema (no order column is
  // added until we write).
  EXPECT_EQ(SchemaOf(path), schema_before);
}

TEST(SqliteGolden, WrittenFileHasFerogramsExactSchemaAndRows) {
  const std::string dir = TestDir();
  const std::string theirs = dir + "/ferogram.db";
  CopyFileOrDie(SqliteVectors() + "/session_v8.db", theirs);
  const Session saved = GoldenV8Saved();

  // keep_order = false: nothing of ours is added; the file is ferogram's.
  const std::string ours = dir + "/ours.db";
  SqliteOptions o;
  o.keep_order = false;
  {
    auto b = OpenOrDie(ours, o);
    ASSERT_TRUE(b->Save(saved).ok());
  }
  ASSERT_EQ(SchemaOf(theirs).size(), 8u);  // six tables, two autoindexes
  EXPECT_EQ(SchemaOf(ours), SchemaOf(theirs));
  for (const std::string& table : FerogramTables()) {
    EXPECT_EQ(RowsOf(ours, table), RowsOf(theirs, table)) << table;
  }
  EXPECT_EQ(RowsOf(ours, "peers").size(), 9u);
  EXPECT_EQ(Pragma(ours, "journal_mode"), "wal");
  EXPECT_EQ(Pragma(ours, "page_size"), Pragma(theirs, "page_size"));
  EXPECT_EQ(Pragma(ours, "user_version"), Pragma(theirs, "user_version"));
  EXPECT_EQ(Pragma(ours, "encoding"), Pragma(theirs, "encoding"));
}

TEST(SqliteGolden, DefaultFileAddsOnlyTheOrderColumn) {
  const std::string dir = TestDir();
  const std::string theirs = dir + "/ferogram.db";
  CopyFileOrDie(SqliteVectors() + "/session_v8.db", theirs);
  const Session saved = GoldenV8Saved();

  const std::string ours = dir + "/ours.db";
  {
    auto b = OpenOrDie(ours);
    ASSERT_TRUE(b->Save(saved).ok());
    // Saved order comes back, unlike ferogram's loaded_after_reopen.
    EXPECT_EQ(LoadOrDie(*b), saved);
  }
  const std::vector<std::string> their_schema = SchemaOf(theirs);
  const std::vector<std::string> our_schema = SchemaOf(ours);
  ASSERT_EQ(our_schema.size(), their_schema.size());
  for (size_t i = 0; i < our_schema.size(); ++i) {
    std::string want = their_schema[i];
    const bool ordered = absl::StartsWith(want, "table|peers|") || absl::StartsWith(want, "table|channel_pts|") ||
                         absl::StartsWith(want, "table|min_peers|");
    if (ordered) {
      // ALTER TABLE ADD COLUMN splices ", <definition>" before the last ")".
      const size_t close = want.rfind(')');
      ASSERT_NE(close, std::string::npos);
      want.insert(close, ", tgs_order INTEGER");
    }
    EXPECT_EQ(our_schema[i], want);
  }
  // ferogram's columns hold exactly ferogram's rows.
  for (const std::string& table : FerogramTables()) {
    Db raw = RawOrDie(theirs);
    absl::StatusOr<std::vector<std::string>> cols = raw.TableColumns(table);
    ASSERT_TRUE(cols.ok());
    EXPECT_EQ(RowsOf(ours, table, *cols), RowsOf(theirs, table, *cols)) << table;
  }
  // Positions 1..n in saved order.
  EXPECT_EQ(
      RowsOf(ours, "channel_pts", {"channel_id", "tgs_order"}),
      (std::vector<std::string>{"integer:-1 integer:2", "integer:5 integer:3", "integer:1234567890123 integer:1"}));
}

// Statements of the shape ferogram-session issues (its SCHEMA and migration
// check, its SELECTs naming columns and no ORDER BY, its save and
// cache_peer), run on a file we wrote: the tgs_order column is invisible to
// them, and what ferogram writes loads back here.
TEST(SqliteGolden, FerogramStatementsWorkOnOurFile) {
  const std::string dir = TestDir();
  const std::string path = dir + "/ours.db";
  const Session saved = GoldenV8Saved();
  {
    auto b = OpenOrDie(path);
    ASSERT_TRUE(b->Save(saved).ok());
  }
  {
    Db db = RawOrDie(path);
    ExecOrDie(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    ExecOrDie(db,
              "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);"
              "CREATE TABLE IF NOT EXISTS peers (id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL,"
              " is_channel INTEGER NOT NULL DEFAULT 0, is_chat INTEGER NOT NULL DEFAULT 0, channel_kind INTEGER,"
              " is_community INTEGER NOT NULL DEFAULT 0);"
              "CREATE TABLE IF NOT EXISTS min_peers (user_id INTEGER PRIMARY KEY, peer_id INTEGER NOT NULL,"
              " msg_id INTEGER NOT NULL);");
    absl::StatusOr<std::vector<std::string>> cols = db.TableColumns("peers");
    ASSERT_TRUE(cols.ok());
    for (const char* c : {"is_chat", "channel_kind", "is_community"}) {
      EXPECT_NE(std::find(cols->begin(), cols->end(), c), cols->end()) << c;
    }
    absl::StatusOr<int64_t> home = db.QueryInt("SELECT value FROM meta WHERE key = 'home_dc_id'");
    ASSERT_TRUE(home.ok());
    EXPECT_EQ(*home, 2);
    absl::StatusOr<sqlite::Statement> st =
        db.Prepare("SELECT id, access_hash, is_channel, is_chat, channel_kind, is_community FROM peers");
    ASSERT_TRUE(st.ok());
    std::vector<int64_t> ids;
    while (true) {
      absl::StatusOr<bool> row = st->Step();
      ASSERT_TRUE(row.ok());
      if (!*row) break;
      ids.push_back(st->ColumnInt(0));
    }
    EXPECT_EQ(ids.size(), saved.peers.size());
    for (const char* q :
         {"SELECT dc_id, flags, addr, auth_key, first_salt, time_offset FROM dcs",
          "SELECT pts, qts, date, seq FROM update_state WHERE id = 1", "SELECT channel_id, pts FROM channel_pts",
          "SELECT user_id, peer_id, msg_id FROM min_peers"}) {
      EXPECT_TRUE(db.Prepare(q).ok()) << q;
    }
    // ferogram's save of a two-peer session, then its cache_peer.
    ExecOrDie(db,
              "BEGIN IMMEDIATE;"
              "INSERT INTO meta (key, value) VALUES ('home_dc_id', 4) ON CONFLICT(key) DO UPDATE SET value = "
              "excluded.value;"
              "DELETE FROM peers;"
              "INSERT INTO peers (id, access_hash, is_channel, is_chat, channel_kind, is_community) "
              "VALUES (50, 5, 0, 0, NULL, 0);"
              "INSERT INTO peers (id, access_hash, is_channel, is_chat, channel_kind, is_community) "
              "VALUES (40, 4, 1, 0, 1, 0);"
              "COMMIT;"
              "INSERT INTO peers (id, access_hash, is_channel, is_chat, channel_kind, is_community) "
              "VALUES (45, 9, 0, 0, NULL, 0) ON CONFLICT(id) DO UPDATE SET access_hash = excluded.access_hash;");
  }
  auto b = OpenOrDie(path);
  Session s = LoadOrDie(*b);
  EXPECT_EQ(s.home_dc_id, 4);
  std::vector<CachedPeer> want = {CachedPeer::Channel(40, 4, ChannelKind::kMegagroup), CachedPeer::User(45, 9),
                                  CachedPeer::User(50, 5)};
  EXPECT_EQ(s.peers.items(), want);  // rows without a position: id order, as ferogram
  // A peer we cache next goes after them.
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
  want.push_back(CachedPeer::User(1, 1));
  EXPECT_EQ(LoadOrDie(*b).peers.items(), want);
}

TEST(SqliteGolden, LegacySchemaMigratesLikeFerogram) {
  const std::string dir = TestDir();
  const std::string path = dir + "/legacy.db";
  const std::string expected = dir + "/after_open.db";
  CopyFileOrDie(SqliteVectors() + "/legacy_no_is_chat_before.db", path);
  CopyFileOrDie(SqliteVectors() + "/legacy_no_is_chat_after_open.db", expected);
  EXPECT_EQ(Pragma(path, "journal_mode"), "delete");
  rapidjson::Document oracle = ParseJsonOrDie(ReadFileOrDie(SqliteVectors() + "/legacy_no_is_chat.json"));
  const Session want = SessionFromOracle(oracle["load_after_open"]["value"]);
  {
    auto b = OpenOrDie(path);
    EXPECT_EQ(LoadOrDie(*b), want);
  }
  ASSERT_EQ(SchemaOf(expected).size(), 8u);
  EXPECT_EQ(SchemaOf(path), SchemaOf(expected));
  for (const std::string& table : FerogramTables()) {
    EXPECT_EQ(RowsOf(path, table), RowsOf(expected, table)) << table;
  }
  EXPECT_EQ(RowsOf(path, "peers").size(), 3u);
  EXPECT_EQ(Pragma(path, "journal_mode"), "wal");
  // Reopening a migrated file is a no-op.
  {
    auto b = OpenOrDie(path);
    EXPECT_EQ(LoadOrDie(*b), want);
  }
  EXPECT_EQ(SchemaOf(path), SchemaOf(expected));
}

// --- probes of the real crate (tests/vectors/ferogram/sqlite/probes.json) -------

TEST_F(SqliteProbes, LoadFresh) {
  EXPECT_TRUE(Probe("sqlite_load_fresh")["result"]["ok"].GetBool());
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<std::optional<Session>> s = (*b)->Load();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->has_value());  // ferogram: None
}

TEST_F(SqliteProbes, SavePtsMonotonic) {
  const rapidjson::Value& probe = Probe("sqlite_save_pts_monotonic");
  const Session ferogram = SessionFromOracle(probe["result"]["value"]);
  Session first;
  first.home_dc_id = 2;
  first.updates_state.pts = 100;
  first.updates_state.qts = 50;
  first.updates_state.date = 1000;
  first.updates_state.seq = 10;
  Session second = first;
  second.updates_state.pts = 60;
  second.updates_state.qts = 70;
  second.updates_state.date = 900;
  second.updates_state.seq = 5;

  // Improvement: Save replaces, as the SessionBackend contract says.
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Save(first).ok());
  ASSERT_TRUE((*b)->Save(second).ok());
  EXPECT_EQ(LoadOrDie(**b), second);
  EXPECT_NE(ferogram, second);

  // ferogram's behaviour, on request: pts and qts never go back.
  SqliteOptions o;
  o.save_keeps_newer_pts_qts = true;
  auto f = SqliteBackend::OpenInMemory(o);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Save(first).ok());
  ASSERT_TRUE((*f)->Save(second).ok());
  EXPECT_EQ(LoadOrDie(**f), ferogram);
  EXPECT_EQ(ferogram.updates_state.pts, 100);
}

TEST_F(SqliteProbes, DuplicateDcFlags) {
  const rapidjson::Value& result = Probe("sqlite_duplicate_dc_flags")["result"];
  EXPECT_FALSE(result["ok"].GetBool());
  Session s;
  s.home_dc_id = 2;
  s.dcs.push_back(DcEntry::FromParts(2, "a", 1, DcFlags()));
  s.dcs.push_back(DcEntry::FromParts(2, "b", 2, DcFlags()));
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  // Same answer (refused), clearer error, and nothing half-written: ferogram's
  // connection then shows the first DC (its load_after).
  absl::Status st = (*b)->Save(s);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "dcs[1]")) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "(dc_id, flags)")) << st;
  EXPECT_EQ(SessionFromOracle(result["load_after"]["value"]).dcs.size(), 1u);
  absl::StatusOr<std::optional<Session>> after = (*b)->Load();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  s.dcs.pop_back();
  EXPECT_TRUE((*b)->Save(s).ok());
}

TEST_F(SqliteProbes, DuplicatePeerId) {
  const rapidjson::Value& result = Probe("sqlite_duplicate_peer_id")["result"];
  EXPECT_FALSE(result["ok"].GetBool());
  Session s;
  s.home_dc_id = 2;
  s.peers.AppendRaw(CachedPeer::User(5, 1));
  s.peers.AppendRaw(CachedPeer::User(5, 2));
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  absl::Status st = (*b)->Save(s);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "peers[1] repeats id 5")) << st;
  absl::StatusOr<std::optional<Session>> after = (*b)->Load();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());  // ferogram: the half-written session
}

TEST_F(SqliteProbes, TokenEmpty) {
  const Session want = SessionFromOracle(Probe("sqlite_token_empty")["result"]["value"]);
  ASSERT_TRUE(want.future_auth_token.has_value());
  EXPECT_TRUE(want.future_auth_token->empty());
  Session s;
  s.home_dc_id = 2;
  s.future_auth_token.emplace(absl::string_view());
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Save(s).ok());
  EXPECT_EQ(LoadOrDie(**b), want);  // same: an empty token, not "no token"
}

// The real crate loads hand-made odd rows leniently (a 10-byte key becomes
// "no key", channel_kind 7 becomes none, 258 becomes Gigagroup, is_community
// 2 becomes true). We report each as kDataLoss naming table, row, column.
TEST_F(SqliteProbes, OddStoredValuesAreDataLoss) {
  const Session lenient = SessionFromOracle(Probe("sqlite_odd_stored_values")["result"]["value"]);
  EXPECT_FALSE(lenient.dcs[0].auth_key.has_value());
  EXPECT_EQ(lenient.peers[1].channel_kind, ChannelKind::kGigagroup);

  const std::string dir = TestDir();
  const Damage cases[] = {
      {"INSERT INTO dcs (dc_id, flags, addr, auth_key) VALUES (3, 0, 'x:1', x'00010203040506070809')",
       "table dcs, row rowid=1, column auth_key: blob of 10 bytes; an auth key is 256 bytes"},
      {"INSERT INTO peers (id, access_hash, is_channel, channel_kind, is_community) VALUES (1, 2, 1, 7, 0)",
       "table peers, row id=1, column channel_kind: 7 is not a channel kind"},
      {"INSERT INTO peers (id, access_hash, is_channel, channel_kind, is_community) VALUES (1, 2, 1, NULL, 2)",
       "table peers, row id=1, column is_community: 2 is not a boolean"},
      {"INSERT INTO peers (id, access_hash, is_channel, channel_kind) VALUES (3, 4, 1, 258)",
       "table peers, row id=3, column channel_kind: 258 is not a channel kind"},
  };
  int n = 0;
  for (const Damage& c : cases) {
    SCOPED_TRACE(c.sql);
    Session empty;
    empty.home_dc_id = 2;
    auto b = SavedThenAltered(absl::StrCat(dir, "/odd", n++, ".db"), empty, c.sql);
    ExpectLoadError(*b, absl::StatusCode::kDataLoss, c.message);
  }
}

TEST_F(SqliteProbes, CachePeer) {
  const Session ferogram = SessionFromOracle(Probe("sqlite_cache_peer")["result"]["value"]);
  Session s;
  s.home_dc_id = 2;
  s.CachePeer(CachedPeer::User(9, 1));
  for (const bool keep_order : {true, false}) {
    SCOPED_TRACE(keep_order);
    SqliteOptions o;
    o.keep_order = keep_order;
    auto b = SqliteBackend::OpenInMemory(o);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->Save(s).ok());
    ASSERT_TRUE((*b)->CachePeer(CachedPeer::Channel(3, 33, ChannelKind::kGigagroup)).ok());
    ASSERT_TRUE((*b)->CachePeer(CachedPeer::User(9, 99)).ok());
    const Session got = LoadOrDie(**b);
    if (keep_order) {
      // Improvement: saved order (9 first, updated in place; 3 appended).
      ASSERT_EQ(got.peers.size(), 2u);
      EXPECT_EQ(got.peers[0], CachedPeer::User(9, 99));
      EXPECT_EQ(got.peers[1], ferogram.peers[0]);
      EXPECT_EQ(SortedById(got), ferogram);
    } else {
      EXPECT_EQ(got, ferogram);  // exactly ferogram's answer, id order
    }
  }
}

TEST_F(SqliteProbes, FailedSaveAftermath) {
  const rapidjson::Value& r = Probe("sqlite_failed_save_aftermath")["result"];
  EXPECT_FALSE(r["save_bad"]["ok"].GetBool());
  EXPECT_FALSE(r["save_good2_same_connection"]["ok"].GetBool());  // ferogram is stuck
  const Session ferogram_after_reopen = SessionFromOracle(r["load_after_reopen"]["value"]);

  Session good;
  good.home_dc_id = 3;
  good.CachePeer(CachedPeer::User(1, 1));
  Session bad;
  bad.home_dc_id = 4;
  bad.peers.AppendRaw(CachedPeer::User(5, 1));
  bad.peers.AppendRaw(CachedPeer::User(5, 2));
  Session good2;
  good2.home_dc_id = 5;
  good2.CachePeer(CachedPeer::User(7, 1));
  EXPECT_EQ(ferogram_after_reopen, good);

  const std::string path = TestDir() + "/aftermath.db";
  {
    auto b = OpenOrDie(path);
    ASSERT_TRUE(b->Save(good).ok());
    const absl::Status refused = b->Save(bad);
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;  // peer 5 twice
    EXPECT_TRUE(absl::StrContains(refused.message(), "peer")) << refused;
    ExpectNoWriterHoldsTheLock(path);
    EXPECT_EQ(LoadOrDie(*b), good);    // ferogram: the half-written `bad`
    EXPECT_TRUE(b->Save(good2).ok());  // ferogram: "cannot start a transaction within a transaction"
    EXPECT_EQ(LoadOrDie(*b), good2);
  }
  auto b = OpenOrDie(path);
  EXPECT_EQ(LoadOrDie(*b), good2);  // ferogram: `good`, its later saves were lost
}

// --- a statement failing inside a transaction --------------------------------

TEST(SqliteFailures, TriggerRejectingAWriteLeavesNoTransactionOpen) {
  const std::string path = TestDir() + "/trigger.db";
  auto b = OpenOrDie(path);
  const Session rich = RichSession();
  ASSERT_TRUE(b->Save(rich).ok());
  {
    Db raw = RawOrDie(path);
    ExecOrDie(raw,
              "CREATE TRIGGER peers_read_only BEFORE INSERT ON peers "
              "BEGIN SELECT RAISE(ABORT, 'peers is read-only'); END");
  }
  Session other = rich;
  other.home_dc_id = 5;
  absl::Status s = b->Save(other);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "peers is read-only")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "saving peers[0]")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_CONSTRAINT_TRIGGER")) << s;
  ExpectNoWriterHoldsTheLock(path);
  EXPECT_EQ(LoadOrDie(*b), rich);  // nothing of the failed save is visible

  // A granular operation failing the same way.
  absl::Status c = b->CachePeer(CachedPeer::User(123456, 1));
  EXPECT_EQ(c.code(), absl::StatusCode::kFailedPrecondition) << c;
  EXPECT_TRUE(absl::StrContains(c.message(), "peers is read-only")) << c;
  ExpectNoWriterHoldsTheLock(path);
  // Other operations still work on the same connection.
  ASSERT_TRUE(b->SetHomeDc(4).ok());
  {
    Db raw = RawOrDie(path);
    ExecOrDie(raw, "DROP TRIGGER peers_read_only");
  }
  ASSERT_TRUE(b->Save(other).ok());
  EXPECT_EQ(LoadOrDie(*b), other);
}

TEST(SqliteFailures, FullDatabaseIsResourceExhaustedAndRollsBack) {
  const std::string path = TestDir() + "/full.db";
  SqliteOptions o;
  o.max_file_bytes = 96 * 1024;
  auto b = OpenOrDie(path, o);
  const Session rich = RichSession();
  ASSERT_TRUE(b->Save(rich).ok());
  Session big = rich;
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 20000; ++i) peers.push_back(CachedPeer::User(i + 10, i));
  big.peers.Assign(std::move(peers));
  absl::Status s = b->Save(big);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_FULL")) << s;
  ExpectNoWriterHoldsTheLock(path);
  EXPECT_EQ(LoadOrDie(*b), rich);
  Session small = rich;
  small.home_dc_id = 1;
  ASSERT_TRUE(b->Save(small).ok());
  EXPECT_EQ(LoadOrDie(*b), small);
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(42, 42)).ok());
}

TEST(SqliteFailures, BusyIsUnavailable) {
  const std::string path = TestDir() + "/busy.db";
  SqliteOptions o;
  o.busy_timeout_ms = 50;
  auto b = OpenOrDie(path, o);
  ASSERT_TRUE(b->Save(RichSession()).ok());
  Db other = RawOrDie(path);
  ExecOrDie(other, "BEGIN IMMEDIATE");
  absl::Status s = b->CachePeer(CachedPeer::User(1, 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_BUSY")) << s;
  EXPECT_EQ(b->Save(RichSession()).code(), absl::StatusCode::kUnavailable);
  // Readers are not blocked by a writer in WAL mode.
  EXPECT_EQ(LoadOrDie(*b), RichSession());
  ExecOrDie(other, "COMMIT");
  EXPECT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
}

// --- corrupted rows -----------------------------------------------------------

TEST(SqliteCorruption, BadRowsAreDataLossNamingTableRowAndColumn) {
  const Damage cases[] = {
      {"UPDATE dcs SET auth_key = x'00112233445566778899' WHERE rowid = 1",
       "table dcs, row rowid=1, column auth_key: blob of 10 bytes"},
      {"UPDATE dcs SET auth_key = 'text key' WHERE rowid = 1",
       "table dcs, row rowid=1, column auth_key: has type text"},
      {"UPDATE dcs SET flags = 256 WHERE rowid = 2", "table dcs, row rowid=2, column flags: 256 is out of range"},
      {"UPDATE dcs SET time_offset = 2147483648 WHERE rowid = 3",
       "table dcs, row rowid=3, column time_offset: 2147483648 is out of range"},
      {"UPDATE dcs SET addr = x'00' WHERE rowid = 1", "table dcs, row rowid=1, column addr: has type blob"},
      {"UPDATE dcs SET dc_id = 'two' WHERE rowid = 1", "table dcs, row rowid=1, column dc_id: has type text"},
      {"UPDATE dcs SET first_salt = 1.5 WHERE rowid = 1", "table dcs, row rowid=1, column first_salt: has type real"},
      {"UPDATE peers SET channel_kind = 3 WHERE id = 1001",
       "table peers, row id=1001, column channel_kind: 3 is not a channel kind"},
      {"UPDATE peers SET channel_kind = 'x' WHERE id = 1001",
       "table peers, row id=1001, column channel_kind: has type text"},
      {"UPDATE peers SET is_channel = 2 WHERE id = 1001",
       "table peers, row id=1001, column is_channel: 2 is not a boolean"},
      {"UPDATE peers SET is_chat = 1 WHERE id = 1001",
       "table peers, row id=1001, column is_chat: is_channel and is_chat are both 1"},
      {"UPDATE peers SET access_hash = 0.5 WHERE id = 777000",
       "table peers, row id=777000, column access_hash: has type real"},
      {"UPDATE update_state SET pts = 'abc'", "table update_state, row id=1, column pts: has type text"},
      {"UPDATE update_state SET seq = 1099511627776",
       "table update_state, row id=1, column seq: 1099511627776 is out of range"},
      {"UPDATE channel_pts SET pts = 'zz' WHERE channel_id = -1",
       "table channel_pts, row channel_id=-1, column pts: has type text"},
      {"UPDATE min_peers SET msg_id = 4294967296 WHERE user_id = 555",
       "table min_peers, row user_id=555, column msg_id: 4294967296 is out of range"},
      {"UPDATE meta SET value = 'two' WHERE key = 'home_dc_id'",
       "table meta, row key='home_dc_id', column value: has type text"},
      {"UPDATE meta SET value = 5 WHERE key = 'future_auth_token'",
       "table meta, row key='future_auth_token', column value: has type integer, expected a blob"},
      // NULL where a value is required: only possible in a table made without
      // NOT NULL (by hand, or by some other tool).
      {"DROP TABLE min_peers; CREATE TABLE min_peers (user_id INTEGER PRIMARY KEY, peer_id INTEGER, msg_id INTEGER);"
       "INSERT INTO min_peers VALUES (555, NULL, 1)",
       "table min_peers, row user_id=555, column peer_id: NULL where a value is required"},
  };
  const std::string dir = TestDir();
  const AuthKey key = *RichSession().dcs[0].auth_key;
  int n = 0;
  for (const Damage& c : cases) {
    SCOPED_TRACE(c.sql);
    auto b = SavedThenAltered(absl::StrCat(dir, "/c", n++, ".db"), RichSession(), c.sql);
    absl::Status error;
    ExpectLoadError(*b, absl::StatusCode::kDataLoss, c.message, &error);
    // Never any key material in the message.
    EXPECT_FALSE(absl::StrContains(error.message(), key.RevealHex(kRevealSecrets).substr(0, 16)));
    // The backend is still usable: a save repairs the session.
    ASSERT_TRUE(b->Save(RichSession()).ok());
    EXPECT_EQ(LoadOrDie(*b), RichSession());
  }
}

TEST(SqliteCorruption, LimitsBoundWhatLoadAccepts) {
  const std::string dir = TestDir();
  {
    auto b = OpenOrDie(dir + "/a.db");
    ASSERT_TRUE(b->Save(RichSession()).ok());
  }
  SqliteOptions o;
  o.limits.max_peers = 3;
  auto b = OpenOrDie(dir + "/a.db", o);
  ExpectLoadError(*b, absl::StatusCode::kResourceExhausted, "table peers has 7 rows; the limit is 3");
  // And Save refuses what Load would refuse.
  EXPECT_EQ(b->Save(RichSession()).code(), absl::StatusCode::kOutOfRange);

  SqliteOptions t;
  t.limits.max_token_bytes = 4;
  auto c = OpenOrDie(dir + "/a.db", t);
  ExpectLoadError(*c, absl::StatusCode::kDataLoss, "token of 7 bytes is over the limit of 4");
}

TEST(SqliteCorruption, HugeStoredValueIsRefusedBeforeAllocation) {
  auto b = SavedThenAltered(TestDir() + "/huge.db", RichSession(),
                            "UPDATE meta SET value = zeroblob(8 * 1024 * 1024) WHERE key = 'future_auth_token'");
  ExpectLoadError(*b, absl::StatusCode::kResourceExhausted, "SQLITE_TOOBIG");
}

// --- opening -----------------------------------------------------------------

// Damage a saved file one byte at a time: Open and Load may fail (with a
// status) or succeed, but never crash, hang or return a session whose rows
// broke our checks.
TEST(SqliteCorruption, DamagedFilesNeverCrash) {
  const std::string dir = TestDir();
  const std::string good = dir + "/good.db";
  {
    auto b = OpenOrDie(good);
    ASSERT_TRUE(b->Save(RichSession()).ok());
  }  // closing checkpoints the WAL into the file
  const std::string bytes = ReadFileOrDie(good);
  ASSERT_GT(bytes.size(), 4096u);
  int opened = 0, loaded = 0, failed = 0;
  for (size_t offset = 0; offset < bytes.size(); offset += 37) {
    std::string damaged = bytes;
    damaged[offset] = static_cast<char>(damaged[offset] ^ (0x5a + offset % 7));
    const std::string path = absl::StrCat(dir, "/d.db");
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    {
      std::ofstream out(path, std::ios::binary);
      out.write(damaged.data(), static_cast<std::streamsize>(damaged.size()));
    }
    SqliteOptions o;
    o.busy_timeout_ms = 0;
    absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path, o);
    if (!b.ok()) {
      ++failed;
      continue;
    }
    ++opened;
    absl::StatusOr<std::optional<Session>> s = (*b)->Load();
    if (s.ok()) {
      ++loaded;
    } else {
      ++failed;
      EXPECT_NE(s.status().code(), absl::StatusCode::kOk);
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(loaded, 0);  // damage in unused space is harmless
  std::printf("damaged files: %d opened, %d loaded, %d failed\n", opened, loaded, failed);
}

TEST(SqliteOpen, NotADatabaseIsDataLoss) {
  const std::string path = TestDir() + "/garbage.db";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "this is not an SQLite database ";
  }
  absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kDataLoss) << b.status();
  EXPECT_TRUE(absl::StrContains(b.status().message(), "SQLITE_NOTADB")) << b.status();
}

TEST(SqliteOpen, MissingDirectoryIsNotFound) {
  absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(TestDir() + "/no/such/dir/s.db");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kNotFound) << b.status();
}

TEST(SqliteOpen, UnwritableDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const std::string dir = TestDir() + "/ro";
  ASSERT_EQ(::mkdir(dir.c_str(), 0500), 0);
  absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(dir + "/s.db");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kPermissionDenied) << b.status();
}

TEST(SqliteOpen, ForeignDatabaseIsRefusedAndLeftAlone) {
  const std::string path = TestDir() + "/telethon.session";
  {
    Db raw = [&] {
      sqlite::OpenOptions o;
      absl::StatusOr<Db> db = Db::Open(path, o);
      EXPECT_TRUE(db.ok());
      return std::move(*db);
    }();
    ExecOrDie(raw,
              "CREATE TABLE version (version INTEGER PRIMARY KEY);"
              "CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, server_address TEXT, port INTEGER, auth_key BLOB);"
              "CREATE TABLE update_state (id INTEGER PRIMARY KEY, pts INTEGER, qts INTEGER, date INTEGER, seq "
              "INTEGER);");
  }
  const std::vector<std::string> before = SchemaOf(path);
  absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition) << b.status();
  EXPECT_TRUE(absl::StrContains(b.status().message(), "no `meta` table")) << b.status();
  EXPECT_EQ(SchemaOf(path), before);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    ADD_FAILURE() << "stat " << path;
    return 0;
  }
  return st.st_mode & 0777;
}

TEST(SqliteOpen, FilesAreCreated0600WhateverTheUmask) {
  const std::string dir = TestDir();
  for (const mode_t mask : {mode_t{0000}, mode_t{0022}, mode_t{0277}}) {
    SCOPED_TRACE(mask);
    const mode_t old = ::umask(mask);
    const std::string path = absl::StrCat(dir, "/umask", mask, ".db");
    {
      auto b = OpenOrDie(path);
      ASSERT_TRUE(b->Save(RichSession()).ok());
      EXPECT_EQ(ModeOf(path), 0600u);
      EXPECT_EQ(ModeOf(path + "-wal"), 0600u);
      EXPECT_EQ(ModeOf(path + "-shm"), 0600u);
    }
    ::umask(old);
    EXPECT_EQ(ModeOf(path), 0600u);
  }
}

// --- order, options, aliases ---------------------------------------------------

TEST(SqliteOrder, LoadReturnsSavedOrderAndGranularOpsKeepIt) {
  const std::string path = TestDir() + "/order.db";
  Session s;
  s.home_dc_id = 1;
  for (int64_t id : std::initializer_list<int64_t>{900, -5, 300, 7, 100000000000})
    s.CachePeer(CachedPeer::User(id, id * 2));
  for (int64_t id : std::initializer_list<int64_t>{50, 10, 30})
    s.updates_state.SetChannelPts(id, static_cast<int32_t>(id));
  for (int64_t id : std::initializer_list<int64_t>{3, 1, 2}) s.CacheMinPeer({id, id + 1, 1});
  auto b = OpenOrDie(path);
  ASSERT_TRUE(b->Save(s).ok());
  EXPECT_EQ(LoadOrDie(*b), s);
  for (const CachedPeer& p : {CachedPeer::User(-100, 1), CachedPeer::User(300, 1)}) {
    ASSERT_TRUE(b->CachePeer(p).ok());  // new: appended; existing: in place
    s.CachePeer(p);
  }
  for (const UpdateStateChange& c : {UpdateStateChange::Channel(20, 2), UpdateStateChange::Channel(50, 5)}) {
    ASSERT_TRUE(b->ApplyUpdateState(c).ok());
    s.ApplyUpdateState(c);
  }
  EXPECT_EQ(LoadOrDie(*b), s);
  // Another connection moves peer 7 to the end. Our cached "next position"
  // must notice (PRAGMA data_version) or peer 8 would land before 7.
  {
    Db raw = RawOrDie(path);
    ExecOrDie(raw, "UPDATE peers SET tgs_order = 1000 WHERE id = 7");
  }
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(8, 8)).ok());
  b.reset();
  b = OpenOrDie(path);
  Session got = LoadOrDie(*b);
  EXPECT_EQ(got.updates_state, s.updates_state);
  EXPECT_EQ(got.min_peers, s.min_peers);
  std::vector<int64_t> ids;
  for (const CachedPeer& p : got.peers) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{900, -5, 300, 100000000000, -100, 7, 8}));
}

// Two backends (two connections, as two processes would have) on one file:
// each sees the other's commits, so positions never collide and the final
// order is the order of the calls.
TEST(SqliteOrder, TwoConnectionsInterleave) {
  const std::string path = TestDir() + "/two.db";
  auto a = OpenOrDie(path);
  auto b = OpenOrDie(path);
  ASSERT_TRUE(a->Save(RichSession()).ok());
  Session want = RichSession();
  for (int64_t i = 0; i < 40; ++i) {
    const CachedPeer p = CachedPeer::User(100000 - i, i);  // decreasing ids: ties would reorder
    ASSERT_TRUE((i % 3 == 0 ? a : b)->CachePeer(p).ok());
    want.CachePeer(p);
    if (i % 7 == 0) {
      const UpdateStateChange c = UpdateStateChange::Channel(5000 - i, static_cast<int32_t>(i));
      ASSERT_TRUE((i % 2 == 0 ? b : a)->ApplyUpdateState(c).ok());
      want.ApplyUpdateState(c);
    }
  }
  EXPECT_EQ(LoadOrDie(*a), want);
  EXPECT_EQ(LoadOrDie(*b), want);
}

// Positions written by someone else are untrusted too: the largest integer,
// text, or a real must not make the numbering overflow or misbehave.
TEST(SqliteOrder, HostilePositionsAreHarmless) {
  const std::string path = TestDir() + "/hostile.db";
  auto b = OpenOrDie(path);
  Session s;
  s.home_dc_id = 2;
  for (int64_t id : std::initializer_list<int64_t>{30, 20, 10}) s.CachePeer(CachedPeer::User(id, 1));
  ASSERT_TRUE(b->Save(s).ok());
  {
    Db raw = RawOrDie(path);
    ExecOrDie(raw,
              "UPDATE peers SET tgs_order = 9223372036854775807 WHERE id = 30;"
              "UPDATE peers SET tgs_order = 'zz' WHERE id = 20;"
              "UPDATE peers SET tgs_order = 1.5 WHERE id = 10;");
  }
  for (int64_t id = 1; id <= 3; ++id) ASSERT_TRUE(b->CachePeer(CachedPeer::User(id, id)).ok());
  Session got = LoadOrDie(*b);
  ASSERT_EQ(got.peers.size(), 6u);  // every peer still loads
}

TEST(SqliteOrder, KeepOrderFalseNeverChangesTheSchema) {
  const std::string dir = TestDir();
  const std::string path = dir + "/plain.db";
  CopyFileOrDie(SqliteVectors() + "/session_v8.db", path);
  const std::vector<std::string> before = SchemaOf(path);
  SqliteOptions o;
  o.keep_order = false;
  {
    auto b = OpenOrDie(path, o);
    Session s = LoadOrDie(*b);
    ASSERT_TRUE(b->Save(s).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(5, 5)).ok());
    ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::Channel(6, 6)).ok());
    ASSERT_TRUE(b->UpdateDc(DcEntry::FromParts(3, "149.154.175.100", 443, DcFlags())).ok());
  }
  EXPECT_EQ(SchemaOf(path), before);
}

TEST(SqliteGranular, UpdateDcReplacesTheEntryUpsertDcWould) {
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  Session want;
  want.home_dc_id = 2;
  want.dcs.push_back(DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags()));
  want.dcs.push_back(DcEntry::FromParts(2, "2001:67c:4e8:f002::a", 443, DcFlags(DcFlags::kIpv6)));
  want.dcs.push_back(DcEntry::FromParts(4, "149.154.167.92", 443, DcFlags(DcFlags::kMediaOnly)));
  ASSERT_TRUE((*b)->Save(want).ok());
  // Same DC and family, new STATIC flag: replaces the IPv4 entry in place
  // (ferogram's (dc_id, flags) upsert would add a second IPv4 entry).
  DcEntry v4 = DcEntry::FromParts(2, "149.154.167.50", 443, DcFlags(DcFlags::kStatic));
  v4.auth_key = TestKey(1);
  v4.first_salt = 77;
  ASSERT_TRUE((*b)->UpdateDc(v4).ok());
  want.UpsertDc(v4);
  EXPECT_EQ(LoadOrDie(**b), want);
  // A new DC is appended.
  DcEntry dc5 = DcEntry::FromParts(5, "91.108.56.130", 443, DcFlags());
  ASSERT_TRUE((*b)->UpdateDc(dc5).ok());
  want.UpsertDc(dc5);
  EXPECT_EQ(LoadOrDie(**b), want);
  ASSERT_EQ(want.dcs.size(), 4u);
}

TEST(SqliteGranular, ApplyAllReplacesChannelsInOrder) {
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Save(RichSession()).ok());
  UpdatesState u;
  u.pts = 9;
  u.SetChannelPts(30, 3);
  u.SetChannelPts(10, 1);
  ASSERT_TRUE((*b)->ApplyUpdateState(UpdateStateChange::All(u)).ok());
  ASSERT_TRUE((*b)->ApplyUpdateState(UpdateStateChange::Channel(20, 2)).ok());
  u.SetChannelPts(20, 2);
  EXPECT_EQ(LoadOrDie(**b).updates_state, u);
}

// Multi-row statements hold up to 64 rows: batches around the chunk sizes,
// with ids repeated across chunk boundaries, in both order modes.
TEST(SqliteBatch, ChunkBoundariesKeepOrderAndLastValues) {
  for (const bool keep_order : {true, false}) {
    SCOPED_TRACE(keep_order);
    SqliteOptions o;
    o.keep_order = keep_order;
    const std::string path = absl::StrCat(TestDir(), "/chunks", keep_order, ".db");
    auto b = OpenOrDie(path, o);
    ASSERT_TRUE(b->Save(RichSession()).ok());
    Session want = RichSession();
    for (const int n : {1, 63, 64, 65, 129, 200}) {
      std::vector<CachedPeer> peers;
      std::vector<CachedMinPeer> mins;
      std::vector<UpdateStateChange> updates;
      for (int i = 0; i < n; ++i) {
        // Ids repeat 64 apart, so a repeat lands in the next statement.
        peers.push_back(CachedPeer::User(n * 1000 + i % 70, i));
        mins.push_back({n * 1000 + i % 66, i, i});
        updates.push_back(UpdateStateChange::Channel(n * 1000 + i % 65, i));
      }
      SessionChanges c;
      c.peers = peers;
      c.min_peers = mins;
      c.updates = updates;
      ASSERT_TRUE(b->ApplyChanges(c).ok()) << n;
      c.ApplyTo(want);
    }
    Session got = LoadOrDie(*b);
    if (!keep_order) {
      // Without the order column, rows come back in id order (ferogram's).
      const auto by_id = [](Session s) {
        std::vector<CachedPeer> p(s.peers.begin(), s.peers.end());
        std::sort(p.begin(), p.end(), [](const CachedPeer& x, const CachedPeer& y) { return x.id < y.id; });
        return p;
      };
      EXPECT_EQ(by_id(got), by_id(want));
      EXPECT_EQ(got.min_peers.size(), want.min_peers.size());
      EXPECT_EQ(got.updates_state.channels().size(), want.updates_state.channels().size());
    } else {
      EXPECT_EQ(got, want);
    }
  }
}

// A batch is one transaction: one that fails part way (the file is full)
// leaves nothing of itself, and the connection goes on working.
TEST(SqliteBatch, AFailedBatchLeavesNothing) {
  const std::string path = TestDir() + "/full_batch.db";
  SqliteOptions o;
  o.max_file_bytes = 96 * 1024;
  auto b = OpenOrDie(path, o);
  const Session rich = RichSession();
  ASSERT_TRUE(b->Save(rich).ok());
  std::vector<CachedPeer> peers;
  for (int64_t i = 0; i < 20000; ++i) peers.push_back(CachedPeer::User(i + 10, i));
  const UpdateStateChange pts = UpdateStateChange::Primary(99999, 1, 1);
  SessionChanges c;
  c.peers = peers;
  c.updates = absl::MakeConstSpan(&pts, 1);
  absl::Status s = b->ApplyChanges(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  ExpectNoWriterHoldsTheLock(path);
  EXPECT_EQ(LoadOrDie(*b), rich);
  ASSERT_TRUE(b->ApplyChanges(SessionChanges{absl::MakeConstSpan(peers).subspan(0, 100), {}, c.updates}).ok());
  Session want = rich;
  for (size_t i = 0; i < 100; ++i) want.CachePeer(peers[i]);
  want.ApplyUpdateState(pts);
  EXPECT_EQ(LoadOrDie(*b), want);
}

// A batch's channel list replacement is checked before anything is written.
TEST(SqliteBatch, ARepeatedChannelInAWholeStateIsRefused) {
  auto b = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Save(RichSession()).ok());
  UpdatesState u;
  u.mutable_channels().Assign(std::vector<ChannelPts>{{5, 1}, {5, 2}});
  const CachedPeer peer = CachedPeer::User(77, 7);
  const UpdateStateChange all = UpdateStateChange::All(u);
  SessionChanges c;
  c.peers = absl::MakeConstSpan(&peer, 1);
  c.updates = absl::MakeConstSpan(&all, 1);
  absl::Status s = (*b)->ApplyChanges(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(LoadOrDie(**b), RichSession());
}

TEST(SqliteDelete, ScrubsAuthKeysFromTheFiles) {
  const std::string path = TestDir() + "/scrub.db";
  Session s = RichSession();
  s.dcs[0].auth_key = TestKey(42);
  const std::string needle(reinterpret_cast<const char*>(TestKey(42).data()), 64);
  auto b = OpenOrDie(path);
  ASSERT_TRUE(b->Save(s).ok());
  ASSERT_TRUE(b->Save(s).ok());  // an older copy of the row in free space too
  const std::string before = ReadFileOrDie(path) + (FileExists(path + "-wal") ? ReadFileOrDie(path + "-wal") : "");
  EXPECT_TRUE(absl::StrContains(before, needle));
  ASSERT_TRUE(b->Delete().ok());
  const std::string after = ReadFileOrDie(path) + (FileExists(path + "-wal") ? ReadFileOrDie(path + "-wal") : "");
  EXPECT_FALSE(absl::StrContains(after, needle));
}

TEST(SqliteNames, NamesAndLibSqlAlias) {
  const std::string dir = TestDir();
  auto s = OpenOrDie(dir + "/a.db");
  EXPECT_EQ(s->Name(), "sqlite:" + dir + "/a.db");
  absl::StatusOr<std::unique_ptr<LibSqlBackend>> l = LibSqlBackend::OpenLocal(dir + "/b.db");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ((*l)->Name(), "libsql-local:" + dir + "/b.db");
  ASSERT_TRUE((*l)->Save(RichSession()).ok());
  l->reset();
  // The same file format: a libSQL-local database opens as SQLite.
  auto again = OpenOrDie(dir + "/b.db");
  EXPECT_EQ(LoadOrDie(*again), RichSession());
  auto m = SqliteBackend::OpenInMemory();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->Name(), "sqlite::memory:");
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
