// Telethon and Pyrogram SQLite session files and GramJS StoreSession
// folders (session/interop/sqlite, session/interop/files) against the real
// libraries' files in tests/vectors/interop: every value of the recorded
// dumps is read, files we write have the real libraries' exact schema
// (sqlite_master compared with theirs) and read back to the same session,
// Pyrogram's post-upgrade column order is handled, and hostile files fail
// cleanly.
#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/file_system.h"
#include "backends/sqlite_db.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/interop/convert.h"
#include "session/interop/files/session_files.h"
#include "session/interop/formats.h"
#include "session/interop/sqlite/image.h"
#include "session/interop/sqlite/pyrogram_sqlite.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "session/interop/sqlite/telethon_sqlite.h"
#include "session/interop/telethon_string.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace interop {
namespace {

using ::tgsession::testing::InteropVectorsDir;
using ::tgsession::testing::JsonStr;
using ::tgsession::testing::MakeTempDir;
using ::tgsession::testing::ParseJsonOrDie;
using ::tgsession::testing::ReadFileOrDie;

AuthKey KeyA() {
  uint8_t k[AuthKey::kSize];
  for (int i = 0; i < 256; ++i) k[i] = static_cast<uint8_t>(i);
  return AuthKey(k);
}

// sqlite_master of a database image, in creation order: "type name sql".
std::vector<std::string> Schema(absl::string_view image) {
  std::vector<std::string> out;
  absl::StatusOr<sqlite::Db> db = sqlite::OpenImage(image);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return out;
  absl::StatusOr<sqlite::Statement> st = db->Prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid");
  EXPECT_TRUE(st.ok());
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok() || !*row) break;
    out.push_back(absl::StrCat(st->ColumnText(0), " ", st->ColumnText(1), " ", st->ColumnText(2), " ",
                               st->ColumnText(3)));
  }
  return out;
}

int64_t Int(absl::string_view image, absl::string_view sql) {
  absl::StatusOr<sqlite::Db> db = sqlite::OpenImage(image);
  EXPECT_TRUE(db.ok()) << db.status();
  absl::StatusOr<int64_t> v = db->QueryInt(sql);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : -1;
}

const PeerExtras* PeerX(const ImportedSession& s, int64_t marked) {
  auto it = s.extras.peers.find(marked);
  return it == s.extras.peers.end() ? nullptr : &it->second;
}

// --- Telethon --------------------------------------------------------------------------

TEST(TelethonSqlite, ReadsEveryValueOfTheRealFile) {
  const std::string path = InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session";
  absl::StatusOr<ImportedSession> s = ReadSessionFile(path, std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->format, Format::kTelethonSqlite);
  EXPECT_EQ(s->info.layout, "schema 7");
  EXPECT_EQ(s->info.anomaly_count, 0u);
  EXPECT_EQ(s->session.home_dc_id, 2);
  ASSERT_EQ(s->session.dcs.size(), 1u);
  EXPECT_EQ(s->session.dcs[0].addr, "149.154.167.51:443");
  ASSERT_TRUE(s->session.dcs[0].auth_key.has_value());
  EXPECT_TRUE(*s->session.dcs[0].auth_key == KeyA());
  EXPECT_FALSE(s->extras.takeout_id.has_value());
  // The id-0 row (Telethon 1.28+) holds the own user id.
  EXPECT_EQ(s->extras.user_id, 123456789);

  // Every entity row of the dump, by marked id.
  rapidjson::Document samples = ParseJsonOrDie(ReadFileOrDie(InteropVectorsDir() + "/telethon_samples.json"));
  const rapidjson::Value& dump = samples["sqlite_sessions"][1]["dump"]["tables"];
  int entities = 0;
  for (const auto& row : dump["entities"]["rows"].GetArray()) {
    const int64_t id = row["id"].GetInt64();
    if (id == 0) continue;
    ++entities;
    absl::StatusOr<BarePeerId> bare = UnmarkPeerId(id);
    ASSERT_TRUE(bare.ok());
    const CachedPeer* p = s->session.FindPeer(bare->id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->type, bare->type);
    EXPECT_EQ(p->access_hash, row["hash"].GetInt64());
    const PeerExtras* x = PeerX(*s, id);
    const auto text = [](const rapidjson::Value& v) -> std::optional<std::string> {
      if (v.IsNull()) return std::nullopt;
      if (v.IsInt64()) return absl::StrCat(v.GetInt64());
      return std::string(v.GetString(), v.GetStringLength());
    };
    const std::optional<std::string> username = text(row["username"]), phone = text(row["phone"]),
                                     name = text(row["name"]);
    if (!username && !phone && !name) {
      EXPECT_EQ(x, nullptr);
      continue;
    }
    ASSERT_NE(x, nullptr) << id;
    EXPECT_EQ(x->username, username);
    EXPECT_EQ(x->phone, phone);  // stored as INTEGER 15551234567 by column affinity
    EXPECT_EQ(x->name, name);
  }
  EXPECT_EQ(entities, 5);
  EXPECT_EQ(s->session.peers.items().size(), 5u);
  ASSERT_NE(PeerX(*s, 123456789), nullptr);
  EXPECT_EQ(PeerX(*s, 123456789)->phone, "15551234567");

  // Update state: id 0 global, others per channel (one date is REAL).
  const UpdatesState& u = s->session.updates_state;
  EXPECT_EQ(u.pts, 1234);
  EXPECT_EQ(u.qts, 56);
  EXPECT_EQ(u.date, 1704164645);
  EXPECT_EQ(u.seq, 78);
  EXPECT_EQ(u.FindChannelPts(1234567890), 999);
  EXPECT_EQ(u.FindChannelPts(2222222222), 31337);
  EXPECT_EQ(u.channels().size(), 2u);

  // What has no place in the model is named.
  ASSERT_EQ(s->not_carried.size(), 2u);
  EXPECT_EQ(s->not_carried[0], "entity dates (6 rows)");
  EXPECT_TRUE(absl::StartsWith(s->not_carried[1], "sent_files: 2 rows")) << s->not_carried[1];

  // Telethon's own StringSession of this file.
  absl::StatusOr<ExportResult> str = SqliteFormats().Write(*s, Format::kTelethonString);
  ASSERT_TRUE(str.ok()) << str.status();
  EXPECT_EQ(str->data.str(), JsonStr(samples["string_sessions"][7]["output"]));
  // The string cannot hold the rest, and says so.
  EXPECT_EQ(str->summary.dropped,
            (std::vector<std::string>{"user_id 123456789", "update state (pts 1234, qts 56, date 1704164645, seq 78)",
                                      "pts of 2 channels", "access hashes of 5 peers", "usernames of 3 peers",
                                      "phone numbers of 1 peer", "names of 5 peers", "entity dates (6 rows)",
                                      "sent_files: 2 rows (Telethon's cache of uploaded files)"}));
}

TEST(TelethonSqlite, FreshFileHasNoDc) {
  absl::StatusOr<ImportedSession> s = ReadSessionFile(InteropVectorsDir() + "/telethon_1.25.1_fresh_empty.session", std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->format, Format::kTelethonSqlite);
  EXPECT_EQ(s->session.home_dc_id, 0);
  EXPECT_TRUE(s->session.dcs.empty());
  absl::StatusOr<ExportResult> out = SqliteFormats().Write(*s, Format::kTelethonString);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TelethonSqlite, WritesTelethonsSchemaAndReadsBackTheSameSession) {
  const std::string real = ReadFileOrDie(InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session");
  absl::StatusOr<ImportedSession> s = SqliteFormats().Detect(real);
  ASSERT_TRUE(s.ok()) << s.status();
  WriteOptions o;
  o.now_unix = 1795582505;
  absl::StatusOr<ExportResult> out = SqliteFormats().Write(*s, Format::kTelethonSqlite, o);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::string ours = out->data.str();
  EXPECT_EQ(Schema(ours), Schema(real));
  EXPECT_EQ(Int(ours, "SELECT version FROM version"), 7);
  EXPECT_EQ(Int(ours, "PRAGMA user_version"), 0);
  // The same rows as Telethon's file, dates included (o.now_unix is the
  // recorded entity date); only sent_files (not carried) and the
  // channels' update_state dates differ.
  for (const char* q : {"SELECT count(*) FROM entities", "SELECT sum(id) FROM entities", "SELECT sum(hash) FROM entities",
                        "SELECT count(*) FROM entities WHERE username IS NULL", "SELECT sum(phone) FROM entities",
                        "SELECT sum(date) FROM entities", "SELECT count(*) FROM update_state",
                        "SELECT sum(pts) FROM update_state", "SELECT port FROM sessions",
                        "SELECT dc_id FROM sessions", "SELECT count(*) FROM sessions"}) {
    EXPECT_EQ(Int(ours, q), Int(real, q)) << q;
  }
  EXPECT_EQ(Int(ours, "SELECT count(*) FROM sessions WHERE server_address = '149.154.167.51' AND takeout_id IS NULL "
                      "AND typeof(auth_key) = 'blob' AND length(auth_key) = 256"),
            1);
  EXPECT_EQ(Int(ours, "SELECT typeof(phone) = 'integer' FROM entities WHERE id = 123456789"), 1);

  absl::StatusOr<ImportedSession> back = SqliteFormats().Detect(ours);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->format, Format::kTelethonSqlite);
  EXPECT_EQ(back->session, s->session);
  EXPECT_EQ(back->extras, s->extras);
  // Nothing lost but what has no place in the model.
  EXPECT_EQ(out->summary.dropped, s->not_carried);
  EXPECT_TRUE(out->summary.missing.empty());
}

TEST(TelethonSqlite, FromFerogramKeepsDcUpdateStateAndPeers) {
  Session f = NewSessionWithDefaults();
  f.home_dc_id = 4;
  f.UpsertDc(DcEntry::FromParts(4, "2001:67c:4e8:f004::a", 443, DcFlags(DcFlags::kIpv6)));
  f.SetAuthKey(4, KeyA());
  f.updates_state.pts = 7;
  f.updates_state.date = 1700000000;
  f.updates_state.SetChannelPts(555, 8);
  f.CachePeer(CachedPeer::User(10, -20));
  f.CachePeer(CachedPeer::Chat(30));
  f.CachePeer(CachedPeer::Channel(40, 50, ChannelKind::kBroadcast));
  f.CacheMinPeer(CachedMinPeer{1, 2, 3});
  ImportedSession in;
  in.format = Format::kFerogramBinary;
  in.session = f;
  absl::StatusOr<ExportResult> out = SqliteFormats().Write(in, Format::kTelethonSqlite);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->summary.dropped,
            (std::vector<std::string>{"5 DC entries besides the home DC", "kinds (broadcast/megagroup) of 1 channel",
                                      "1 min-peer context"}));
  std::vector<std::string> missing;
  for (const std::string& m : out->summary.missing) missing.push_back(m.substr(0, m.find(':')));
  EXPECT_EQ(missing, (std::vector<std::string>{"user_id", "peer usernames", "peer phone numbers", "peer names"}));
  absl::StatusOr<ImportedSession> back = SqliteFormats().Detect(out->data.view());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->session.home_dc_id, 4);
  ASSERT_EQ(back->session.dcs.size(), 1u);
  EXPECT_EQ(back->session.dcs[0].addr, "149.154.167.91:443");  // IPv4 preferred
  EXPECT_EQ(back->session.updates_state.pts, 7);
  EXPECT_EQ(back->session.updates_state.FindChannelPts(555), 8);
  ASSERT_EQ(back->session.peers.items().size(), 3u);
  EXPECT_EQ(back->session.FindPeer(30)->type, PeerType::kChat);
  EXPECT_EQ(back->session.FindPeer(40)->access_hash, 50);
  EXPECT_FALSE(back->session.FindPeer(40)->channel_kind.has_value());
}

// --- Pyrogram ----------------------------------------------------------------------------

void ExpectPyrogramPeers(const ImportedSession& s) {
  ASSERT_EQ(s.session.peers.items().size(), 5u);
  EXPECT_EQ(s.session.FindPeer(123456789)->access_hash, -1234567890123456789);
  EXPECT_EQ(s.session.FindPeer(987654)->type, PeerType::kChat);
  EXPECT_EQ(s.session.FindPeer(1234567890)->channel_kind, ChannelKind::kBroadcast);
  EXPECT_EQ(s.session.FindPeer(2222222222)->channel_kind, ChannelKind::kMegagroup);
  EXPECT_EQ(s.session.FindPeer(2222222222)->access_hash, -5555555555555555555);
  ASSERT_NE(PeerX(s, 123456789), nullptr);
  EXPECT_EQ(PeerX(s, 123456789)->username, "aliceuser");
  EXPECT_EQ(PeerX(s, 123456789)->phone, "15551234567");
  EXPECT_EQ(PeerX(s, 123456789)->is_bot, false);
  EXPECT_EQ(PeerX(s, 5000000001)->is_bot, true);
  EXPECT_EQ(PeerX(s, 5000000001)->username, "samplebot");
  EXPECT_EQ(PeerX(s, -1001234567890)->username, "bigchannel");
}

TEST(PyrogramSqlite, ReadsSchemaV2AndV3) {
  for (const char* file : {"pyrogram_1.4.16_dc2_full.session", "pyrogram_2.0.106_dc2_full.session"}) {
    SCOPED_TRACE(file);
    const bool v3 = absl::StrContains(file, "2.0.106");
    absl::StatusOr<ImportedSession> s = ReadSessionFile(InteropVectorsDir() + "/" + file, std::nullopt);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->format, Format::kPyrogramSqlite);
    EXPECT_EQ(s->info.layout, v3 ? "schema 3" : "schema 2");
    EXPECT_EQ(s->info.anomaly_count, 0u);
    EXPECT_EQ(s->session.home_dc_id, 2);
    ASSERT_EQ(s->session.dcs.size(), 1u);
    EXPECT_EQ(s->session.dcs[0].addr, "149.154.167.51:443");  // Pyrogram's address for DC 2
    EXPECT_TRUE(*s->session.dcs[0].auth_key == KeyA());
    EXPECT_EQ(s->extras.user_id, 123456789);
    EXPECT_EQ(s->extras.is_bot, false);
    EXPECT_EQ(s->extras.test_mode, false);
    if (v3) {
      EXPECT_EQ(s->extras.api_id, 12345);
    } else {
      EXPECT_FALSE(s->extras.api_id.has_value());
    }
    ExpectPyrogramPeers(*s);
    EXPECT_EQ(s->not_carried, (std::vector<std::string>{"peers.last_update_on (5 rows)"}));
    // Pyrogram's own export_session_string() of the file.
    rapidjson::Document samples = ParseJsonOrDie(
        ReadFileOrDie(InteropVectorsDir() + (v3 ? "/pyrogram_2.0.106_samples.json" : "/pyrogram_1.4.16_samples.json")));
    absl::StatusOr<ExportResult> str = SqliteFormats().Write(*s, Format::kPyrogramString);
    ASSERT_TRUE(str.ok()) << str.status();
    EXPECT_EQ(str->data.str(), JsonStr(samples["file_sessions"][0]["export_session_string_from_file"]));
  }
}

// Pyrogram 2 upgrades a v2 file with ALTER TABLE ... ADD api_id: the column
// is then last, not second.
TEST(PyrogramSqlite, UpgradedFileIsReadByColumnName) {
  const std::string dir = MakeTempDir("pyrogram_upgrade");
  const std::string path = dir + "/upgraded.session";
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), path, ReadFileOrDie(InteropVectorsDir() + "/pyrogram_1.4.16_dc2_full.session"))
                  .ok());
  {
    absl::StatusOr<sqlite::Db> db = sqlite::Db::Open(path, sqlite::OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("ALTER TABLE sessions ADD api_id INTEGER; UPDATE sessions SET api_id = 777; "
                         "UPDATE version SET number = 3")
                    .ok());
    absl::StatusOr<std::vector<std::string>> cols = db->TableColumns("sessions");
    ASSERT_TRUE(cols.ok());
    EXPECT_EQ(cols->back(), "api_id");
  }
  absl::StatusOr<ImportedSession> s = ReadSessionFile(path, std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->extras.api_id, 777);
  EXPECT_EQ(s->extras.user_id, 123456789);
  EXPECT_TRUE(*s->session.dcs[0].auth_key == KeyA());
  ExpectPyrogramPeers(*s);
}

TEST(PyrogramSqlite, WritesPyrogramsSchemaAndReadsBack) {
  const std::string real = ReadFileOrDie(InteropVectorsDir() + "/pyrogram_2.0.106_dc2_full.session");
  absl::StatusOr<ImportedSession> s = SqliteFormats().Detect(real);
  ASSERT_TRUE(s.ok()) << s.status();
  WriteOptions o;
  o.now_unix = 1795582591;
  absl::StatusOr<ExportResult> out = SqliteFormats().Write(*s, Format::kPyrogramSqlite, o);
  ASSERT_TRUE(out.ok()) << out.status();
  const std::string ours = out->data.str();
  EXPECT_EQ(Schema(ours), Schema(real));
  for (const char* q : {"SELECT number FROM version", "SELECT count(*) FROM peers", "SELECT sum(id) FROM peers",
                        "SELECT sum(access_hash) FROM peers", "SELECT count(*) FROM peers WHERE typeof(type) = 'text'",
                        "SELECT count(*) FROM peers WHERE type = 'bot'", "SELECT count(*) FROM peers WHERE type = 'supergroup'",
                        "SELECT count(*) FROM peers WHERE username IS NOT NULL",
                        "SELECT count(*) FROM peers WHERE phone_number = '15551234567'", "SELECT dc_id FROM sessions",
                        "SELECT api_id FROM sessions", "SELECT test_mode FROM sessions", "SELECT date FROM sessions",
                        "SELECT user_id FROM sessions", "SELECT is_bot FROM sessions",
                        "SELECT length(auth_key) FROM sessions"}) {
    EXPECT_EQ(Int(ours, q), Int(real, q)) << q;
  }
  // Every peer is dated now_unix, not by SQLite's clock: one conversion, one file.
  EXPECT_EQ(Int(ours, "SELECT count(*) FROM peers WHERE last_update_on = 1795582591"),
            Int(ours, "SELECT count(*) FROM peers"));
  absl::StatusOr<ImportedSession> back = SqliteFormats().Detect(ours);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->session, s->session);
  EXPECT_EQ(back->extras, s->extras);
  EXPECT_TRUE(out->summary.missing.empty());
}

TEST(PyrogramSqlite, ConversionsBetweenTelethonAndPyrogramFiles) {
  absl::StatusOr<ImportedSession> t = ReadSessionFile(InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session", std::nullopt);
  ASSERT_TRUE(t.ok());
  // Telethon's file knows the user (id-0 row) but not is_bot or test mode.
  absl::StatusOr<ExportResult> p = SqliteFormats().Write(*t, Format::kPyrogramSqlite);
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<std::string> missing;
  for (const std::string& m : p->summary.missing) missing.push_back(m.substr(0, m.find(':')));
  EXPECT_EQ(missing, (std::vector<std::string>{"is_bot", "test_mode", "api_id", "channel kinds", "peer bot flags"}));
  absl::StatusOr<ImportedSession> pb = SqliteFormats().Detect(p->data.view());
  ASSERT_TRUE(pb.ok()) << pb.status();
  EXPECT_EQ(pb->session.peers.items().size(), 5u);
  EXPECT_EQ(pb->extras.user_id, 123456789);
  // Telethon cannot tell a broadcast channel from a megagroup: written as
  // "channel" and reported.
  EXPECT_EQ(pb->session.FindPeer(2222222222)->channel_kind, ChannelKind::kBroadcast);

  // And back to Telethon: Pyrogram has no update state and no names.
  absl::StatusOr<ExportResult> t2 = SqliteFormats().Write(*pb, Format::kTelethonSqlite);
  ASSERT_TRUE(t2.ok()) << t2.status();
  missing.clear();
  for (const std::string& m : t2->summary.missing) missing.push_back(m.substr(0, m.find(':')));
  EXPECT_EQ(missing, (std::vector<std::string>{"update state", "per-channel pts", "peer names"}));
  EXPECT_EQ(t2->summary.dropped[0], "is_bot (false)");
}

// --- GramJS StoreSession ---------------------------------------------------------------

TEST(GramjsStore, ReadsTheStoreSessionFolder) {
  absl::StatusOr<ImportedSession> s = ReadSessionFile(InteropVectorsDir() + "/gramjs_store_session/my_store", std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->format, Format::kGramjsStore);
  EXPECT_EQ(s->session.home_dc_id, 2);
  EXPECT_EQ(s->session.dcs[0].addr, "149.154.167.51:443");
  EXPECT_TRUE(*s->session.dcs[0].auth_key == KeyA());
  ASSERT_EQ(s->session.peers.items().size(), 3u);
  EXPECT_EQ(s->session.FindPeer(1234567890)->access_hash, 7777777777777777777);
  EXPECT_EQ(s->session.FindPeer(987654)->type, PeerType::kChat);
  EXPECT_EQ(PeerX(*s, 123456789)->phone, "15551234567");
  EXPECT_EQ(PeerX(*s, -1001234567890)->name, "Big Channel");
  // GramJS's own StringSession of this store.
  rapidjson::Document samples = ParseJsonOrDie(ReadFileOrDie(InteropVectorsDir() + "/gramjs_samples.json"));
  absl::StatusOr<ExportResult> str = SqliteFormats().Write(*s, Format::kGramjsString);
  ASSERT_TRUE(str.ok()) << str.status();
  EXPECT_EQ(str->data.str(), JsonStr(samples["store_session"]["convert_string"]));
  EXPECT_EQ(SqliteFormats().Write(*s, Format::kGramjsStore).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- hostile files ---------------------------------------------------------------------

TEST(InteropFilesHostile, TruncatedAndCorruptedFilesFailCleanly) {
  for (const char* file : {"telethon_1.25.1_dc2_v4_full.session", "pyrogram_2.0.106_dc2_full.session"}) {
    SCOPED_TRACE(file);
    const std::string real = ReadFileOrDie(InteropVectorsDir() + "/" + file);
    for (size_t n : {size_t{0}, size_t{15}, size_t{16}, size_t{99}, size_t{100}, size_t{4096}, size_t{8192},
                     real.size() - 1}) {
      absl::StatusOr<ImportedSession> r = SqliteFormats().Detect(real.substr(0, n));
      ASSERT_FALSE(r.ok()) << n;
      // Shorter than SQLite's 16-byte magic: not recognisably a session.
      EXPECT_EQ(r.status().code(), n < 16 ? absl::StatusCode::kInvalidArgument : absl::StatusCode::kDataLoss)
          << n << ": " << r.status();
    }
    int ok = 0, failed = 0;
    for (size_t i = 0; i < real.size(); i += 61) {
      std::string m = real;
      m[i] = static_cast<char>(m[i] ^ 0x5a);
      absl::StatusOr<ImportedSession> r = SqliteFormats().Detect(m);
      if (r.ok()) {
        ++ok;
      } else {
        ++failed;
        EXPECT_NE(r.status().code(), absl::StatusCode::kOk);
      }
    }
    EXPECT_GT(failed, 0);
    EXPECT_GT(ok, 0);  // flips in unused or key bytes still read
  }
}

TEST(InteropFilesHostile, RefusesFilesWithAPendingJournal) {
  const std::string dir = MakeTempDir("journal");
  const std::string path = dir + "/t.session";
  const std::string real = ReadFileOrDie(InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session");
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), path, real).ok());
  ASSERT_TRUE(ReadSessionFile(path, std::nullopt).ok());
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), path + "-journal", "x").ok());
  absl::StatusOr<ImportedSession> r = ReadSessionFile(path, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "-journal")) << r.status();
}

TEST(InteropFilesHostile, OtherSqliteDatabasesAreNotSessions) {
  absl::StatusOr<sqlite::Db> db = sqlite::Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE notes (x)").ok());
  absl::StatusOr<SecretString> image = sqlite::SerializeImage(*db);
  ASSERT_TRUE(image.ok());
  absl::StatusOr<ImportedSession> r = SqliteFormats().Detect(image->view());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "notes")) << r.status();
  // A Telethon file with a wrong type where the key belongs.
  absl::StatusOr<sqlite::Db> t = sqlite::Db::OpenInMemory();
  ASSERT_TRUE(t->Exec("CREATE TABLE version (version integer primary key); INSERT INTO version VALUES (7);"
                      "CREATE TABLE sessions (dc_id integer primary key, server_address text, port integer, "
                      "auth_key blob, takeout_id integer); INSERT INTO sessions VALUES (2, '1.2.3.4', 443, 'text', NULL)")
                  .ok());
  absl::StatusOr<SecretString> timage = sqlite::SerializeImage(*t);
  r = SqliteFormats().Detect(timage->view());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "table sessions row 1 column auth_key")) << r.status();
}

TEST(InteropFilesHostile, AnomaliesAreWarningsOrStrictErrors) {
  // A second sessions row (Telethon keeps one and reads the first).
  const std::string dir = MakeTempDir("anomaly");
  const std::string path = dir + "/two.session";
  ASSERT_TRUE(
      WriteFileAtomically(PosixFileSystem(), path, ReadFileOrDie(InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session")).ok());
  {
    absl::StatusOr<sqlite::Db> db = sqlite::Db::Open(path, sqlite::OpenOptions{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO sessions VALUES (4, '149.154.167.91', 443, x'00', NULL)").ok());
  }
  absl::StatusOr<ImportedSession> s = ReadSessionFile(path, std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->session.home_dc_id, 2);
  EXPECT_EQ(s->info.anomaly_count, 1u);
  EXPECT_TRUE(absl::StrContains(s->info.warnings.back(), "sessions row 2 (DC 4) ignored")) << s->info.warnings.back();
  ReadOptions strict;
  strict.mode = DecodeMode::kStrict;
  absl::StatusOr<ImportedSession> st = ReadSessionFile(path, std::nullopt, strict);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace interop
}  // namespace tgsession
