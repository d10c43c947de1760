// The real libraries read what we write:
//   * Telethon 1.25.1 (Debian's python3-telethon, run with /usr/bin/python3)
//     opens our telethon-sqlite files without migrating them and sees the
//     same DC, address, port, auth key, takeout id, update state and
//     entities (looked up by id, username and phone through its own API),
//     and reads our telethon-strings;
//   * GramJS (npm `telegram` 2.26.22) loads our gramjs-strings and writes
//     them back byte for byte;
//   * mtcute (npm `@mtcute/core` 0.29.7) reads our mtcute-strings as our
//     decoder does and writes them back byte for byte.
// The npm packages are installed into tests/interop_js by tools/setup.sh
// (npm ci from the committed lock file) and run with node.
// Each part is skipped, with the reason, only when its library is missing.
// Nothing connects to the network: the scripts use the session classes only.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/file_system.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/interop/convert.h"
#include "session/interop/files/session_files.h"
#include "session/interop/formats.h"
#include "session/interop/mtcute_string.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace interop {
namespace {

using ::tgsession::testing::InteropVectorsDir;
using ::tgsession::testing::JsonStr;
using ::tgsession::testing::MakeTempDir;
using ::tgsession::testing::ReadFileOrDie;
using ::tgsession::testing::RunfilePath;

// Runs `interpreter` on the checker script `script` (a runfile) with `input`
// on stdin, and returns what it prints, parsed as JSON; fails the test (and
// returns nothing) when the script fails or prints no JSON.
std::optional<rapidjson::Document> RunChecker(const std::string& interpreter, const std::string& script,
                                              const std::string& input) {
  static int n = 0;
  const std::string dir = MakeTempDir(absl::StrCat("run", ++n));
  const std::string in_path = dir + "/stdin.json";
  EXPECT_TRUE(WriteFileAtomically(PosixFileSystem(), in_path, input).ok());
  const std::string command = absl::StrCat(interpreter, " ", RunfilePath(script));
  FILE* p = ::popen(absl::StrCat(command, " < '", in_path, "' 2>'", dir, "/stderr'").c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  const int status = ::pclose(p);
  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (exit_code != 0) {
    ADD_FAILURE() << command << " failed (exit " << exit_code << "): " << ReadFileOrDie(dir + "/stderr");
    return std::nullopt;
  }
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(out.data(), out.size());
  if (d.HasParseError()) {
    ADD_FAILURE() << command << " printed no JSON: " << out;
    return std::nullopt;
  }
  return d;
}

std::optional<rapidjson::Document> RunTelethonChecker(const std::string& input) {
  return RunChecker("/usr/bin/python3", "tests/interop_py/telethon_check.py", input);
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool TelethonAvailable() { return std::system("/usr/bin/python3 -c 'import telethon' >/dev/null 2>&1") == 0; }

#define SKIP_WITHOUT_TELETHON()                                                                               \
  if (!TelethonAvailable()) {                                                                                 \
    GTEST_SKIP() << "python3-telethon is not installed (apt-get install python3-telethon, or run "            \
                    "tools/setup.sh): the real-Telethon checks are skipped";                                 \
  }

// --- Telethon: SQLite files ---------------------------------------------------------------

// A session to hand to Telethon, and what Telethon must see.
struct Case {
  std::string name;
  ImportedSession session;
};

std::vector<Case> TelethonCases() {
  std::vector<Case> cases;
  const auto add = [&](const std::string& name, absl::StatusOr<ImportedSession> s) {
    EXPECT_TRUE(s.ok()) << name << ": " << s.status();
    if (s.ok()) cases.push_back({name, *std::move(s)});
  };
  add("telethon file", ReadSessionFile(InteropVectorsDir() + "/telethon_1.25.1_dc2_v4_full.session", std::nullopt));
  add("pyrogram 2 file", ReadSessionFile(InteropVectorsDir() + "/pyrogram_2.0.106_dc2_full.session", std::nullopt));
  add("pyrogram 1 file", ReadSessionFile(InteropVectorsDir() + "/pyrogram_1.4.16_dc2_full.session", std::nullopt));
  add("gramjs store", ReadSessionFile(InteropVectorsDir() + "/gramjs_store_session/my_store", std::nullopt));
  // A ferogram session on an IPv6-only home DC with a takeout id, every peer
  // kind and per-channel pts.
  {
    ImportedSession f;
    f.format = Format::kFerogramBinary;
    Session& s = f.session;
    s.home_dc_id = 4;
    DcEntry e = DcEntry::FromParts(4, "2001:67c:4e8:f004::a", 443, DcFlags(DcFlags::kIpv6));
    uint8_t key[AuthKey::kSize];
    for (int i = 0; i < 256; ++i) key[i] = static_cast<uint8_t>(i * 13 + 1);
    e.auth_key = AuthKey(key);
    s.dcs.push_back(e);
    s.dcs.push_back(DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags()));
    s.updates_state.pts = 100;
    s.updates_state.qts = 7;
    s.updates_state.date = 1700000000;
    s.updates_state.seq = 3;
    s.updates_state.SetChannelPts(1234567890, 55);
    s.CachePeer(CachedPeer::User(42, -9000000000000000000));
    s.CachePeer(CachedPeer::Chat(999999999999));
    s.CachePeer(CachedPeer::Channel(8000000000, 9223372036854775807, ChannelKind::kMegagroup));
    f.extras.user_id = 42;
    f.extras.takeout_id = 77;
    f.extras.peers[42].username = "someone";
    f.extras.peers[42].phone = "447700900123";
    f.extras.peers[42].name = "Some One";
    cases.push_back({"ferogram ipv6", std::move(f)});
  }
  return cases;
}

TEST(RealTelethon, OpensOurSqliteFilesAndSeesTheSameSession) {
  SKIP_WITHOUT_TELETHON();
  const std::string dir = MakeTempDir("telethon_sqlite");
  std::vector<Case> cases = TelethonCases();
  std::vector<std::string> requests, contents;
  for (size_t i = 0; i < cases.size(); ++i) {
    WriteOptions o;
    o.now_unix = 1700000000;
    absl::StatusOr<ExportResult> out = SqliteFormats().Write(cases[i].session, Format::kTelethonSqlite, o);
    ASSERT_TRUE(out.ok()) << cases[i].name << ": " << out.status();
    const std::string path = absl::StrCat(dir, "/case", i, ".session");
    ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), path, out->data.view()).ok());
    contents.push_back(out->data.str());
    std::vector<std::string> ids, usernames, phones;
    for (const CachedPeer& p : cases[i].session.session.peers.items()) {
      ids.push_back(absl::StrCat(*MarkPeerId(p.type, p.id)));
    }
    for (const auto& [marked, x] : cases[i].session.extras.peers) {
      if (x.username) usernames.push_back(JsonString(*x.username));
      if (x.phone) phones.push_back(JsonString("+" + *x.phone));
    }
    requests.push_back(absl::StrCat("{\"path\":", JsonString(path), ",\"ids\":[", absl::StrJoin(ids, ","),
                                    "],\"usernames\":[", absl::StrJoin(usernames, ","), "],\"phones\":[",
                                    absl::StrJoin(phones, ","), "]}"));
  }
  std::optional<rapidjson::Document> out =
      RunTelethonChecker(absl::StrCat("{\"sqlite\":[", absl::StrJoin(requests, ","), "]}"));
  ASSERT_TRUE(out.has_value());
  const rapidjson::Document& d = *out;
  EXPECT_EQ(JsonStr(d["telethon_version"]), "1.25.1");
  ASSERT_EQ(d["sqlite"].Size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    const rapidjson::Value& t = d["sqlite"][static_cast<rapidjson::SizeType>(i)];
    const Session& s = cases[i].session.session;
    const SessionExtras& x = cases[i].session.extras;
    // The sessions row: the home DC's entry with its key (IPv4 preferred).
    const DcEntry* home = nullptr;
    for (const DcEntry* e : s.AllDcsFor(s.home_dc_id)) {
      if (e->auth_key && (home == nullptr || (home->is_ipv6() && !e->is_ipv6()))) home = e;
    }
    ASSERT_NE(home, nullptr);
    absl::StatusOr<HostPort> hp = home->ParseAddress();
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(t["version"].GetInt(), 7);
    EXPECT_EQ(t["dc_id"].GetInt(), s.home_dc_id);
    EXPECT_EQ(JsonStr(t["server_address"]), hp->host);
    EXPECT_EQ(t["port"].GetInt(), hp->port);
    EXPECT_EQ(JsonStr(t["auth_key_hex"]), home->auth_key->RevealHex(kRevealSecrets));
    if (x.takeout_id) {
      EXPECT_EQ(t["takeout_id"].GetInt64(), *x.takeout_id);
    } else {
      EXPECT_TRUE(t["takeout_id"].IsNull());
    }
    const UpdatesState& u = s.updates_state;
    if (u.pts == 0 && u.qts == 0 && u.date == 0 && u.seq == 0) {
      EXPECT_TRUE(t["update_state"].IsNull());
    } else {
      EXPECT_EQ(t["update_state"]["pts"].GetInt(), u.pts);
      EXPECT_EQ(t["update_state"]["qts"].GetInt(), u.qts);
      EXPECT_EQ(t["update_state"]["date"].GetInt(), u.date);
      EXPECT_EQ(t["update_state"]["seq"].GetInt(), u.seq);
    }
    EXPECT_EQ(t["channel_pts"].MemberCount(), u.channels().size());
    for (const ChannelPts& c : u.channels()) {
      const std::string key = absl::StrCat(c.channel_id);
      ASSERT_TRUE(t["channel_pts"].HasMember(key.c_str())) << key;
      EXPECT_EQ(t["channel_pts"][key.c_str()].GetInt(), c.pts);
    }
    // Every peer, through Telethon's get_input_entity.
    const auto expect_peer = [](const rapidjson::Value& got, const CachedPeer& p) {
      ASSERT_TRUE(got.HasMember("_")) << JsonStr(got["error"]);
      const char* want = p.is_user() ? "InputPeerUser" : p.is_chat() ? "InputPeerChat" : "InputPeerChannel";
      EXPECT_EQ(JsonStr(got["_"]), want);
      EXPECT_EQ(got["id"].GetInt64(), p.id);
      if (!p.is_chat()) {
        EXPECT_EQ(got["access_hash"].GetInt64(), p.access_hash);
      }
    };
    EXPECT_EQ(t["ids"].MemberCount(), s.peers.items().size());
    for (const CachedPeer& p : s.peers.items()) {
      SCOPED_TRACE(p.id);
      expect_peer(t["ids"][absl::StrCat(*MarkPeerId(p.type, p.id)).c_str()], p);
    }
    for (const auto& [marked, px] : x.peers) {
      absl::StatusOr<BarePeerId> bare = UnmarkPeerId(marked);
      ASSERT_TRUE(bare.ok());
      const CachedPeer* p = s.FindPeer(bare->id);
      ASSERT_NE(p, nullptr);
      if (px.username) expect_peer(t["usernames"][px.username->c_str()], *p);
      if (px.phone) expect_peer(t["phones"][("+" + *px.phone).c_str()], *p);
    }
    // Telethon neither migrated nor rewrote the file.
    EXPECT_TRUE(ReadFileOrDie(absl::StrCat(dir, "/case", i, ".session")) == contents[i]);
  }
}

// --- Telethon and GramJS: strings ---------------------------------------------------------

// Every string vector we can read, converted to `to`.
struct StringCase {
  std::string id;
  ImportedSession source;
  std::string ours;
  std::vector<std::string> warnings;
};

std::vector<StringCase> StringCases(Format to) {
  const std::string text = ReadFileOrDie(InteropVectorsDir() + "/vectors.json");
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  std::vector<StringCase> out;
  for (const auto& v : d["vectors"].GetArray()) {
    if (v["string"].IsNull()) continue;
    const std::string label = JsonStr(v["format"]);
    std::optional<Format> f;
    if (label == "telethon_string") f = Format::kTelethonString;
    if (label == "gramjs_string") f = Format::kGramjsString;
    if (absl::StartsWith(label, "pyrogram_")) f = Format::kPyrogramString;
    if (label == "mtcute_v3") f = Format::kMtcuteString;
    if (!f) continue;
    absl::StatusOr<ImportedSession> in = SqliteFormats().Read(JsonStr(v["string"]), *f);
    EXPECT_TRUE(in.ok()) << JsonStr(v["id"]) << ": " << in.status();
    if (!in.ok()) continue;
    absl::StatusOr<ExportResult> e = SqliteFormats().Write(*in, to);
    if (!e.ok()) {
      // Only a zero key (no key to export) or, for Telethon, a host name.
      EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition) << JsonStr(v["id"]) << ": " << e.status();
      continue;
    }
    out.push_back({JsonStr(v["id"]), *std::move(in), e->data.str(), e->summary.warnings});
  }
  return out;
}

// Our strings of `cases`, as a JSON array.
std::string OursJson(const std::vector<StringCase>& cases) {
  std::vector<std::string> strings;
  for (const StringCase& c : cases) strings.push_back(JsonString(c.ours));
  return absl::StrCat("[", absl::StrJoin(strings, ","), "]");
}

// What a node checker (tests/interop_js/<script>) printed for our strings of
// `cases`, or why it could not run: node or `library` (the npm package the
// script loads) not installed.
struct NodeCheck {
  std::string skip;
  std::optional<rapidjson::Document> out;
};

NodeCheck RunNodeChecker(const std::string& script, const std::string& library,
                         const std::vector<StringCase>& cases) {
  NodeCheck c;
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    c.skip = absl::StrCat("node is not installed (apt-get install nodejs): the ", library, " checks are skipped");
    return c;
  }
  c.out = RunChecker("node", "tests/interop_js/" + script, OursJson(cases));
  if (c.out.has_value() && c.out->HasMember("missing")) {
    c.skip = absl::StrCat(library, " is not installed in tests/interop_js (run tools/setup.sh): ",
                          JsonStr((*c.out)["missing"]));
  }
  return c;
}

// Checks that `got`, a library's reading of one of our strings, names the
// home DC, address and auth key of `s` under the given field names, and
// returns the home DC's address (nothing, after a test failure, when the
// library reported an error).
std::optional<HostPort> ExpectHomeDc(const rapidjson::Value& got, const Session& s, const char* dc_id_field,
                                     const char* address_field, const char* key_field) {
  if (got.HasMember("error")) {
    ADD_FAILURE() << JsonStr(got["error"]);
    return std::nullopt;
  }
  const DcEntry& e = s.dcs[0];
  absl::StatusOr<HostPort> hp = e.ParseAddress();
  if (!hp.ok()) {
    ADD_FAILURE() << hp.status();
    return std::nullopt;
  }
  EXPECT_EQ(got[dc_id_field].GetInt(), s.home_dc_id);
  EXPECT_EQ(JsonStr(got[address_field]), hp->host);
  EXPECT_EQ(JsonStr(got[key_field]), e.auth_key->RevealHex(kRevealSecrets));
  return *hp;
}

TEST(RealTelethon, ReadsOurStrings) {
  SKIP_WITHOUT_TELETHON();
  std::vector<StringCase> cases = StringCases(Format::kTelethonString);
  ASSERT_GE(cases.size(), 90u);
  std::optional<rapidjson::Document> out = RunTelethonChecker(absl::StrCat("{\"strings\":", OursJson(cases), "}"));
  ASSERT_TRUE(out.has_value());
  const rapidjson::Document& d = *out;
  ASSERT_EQ(d["strings"].Size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].id);
    const rapidjson::Value& t = d["strings"][static_cast<rapidjson::SizeType>(i)];
    std::optional<HostPort> hp =
        ExpectHomeDc(t, cases[i].source.session, "dc_id", "server_address", "auth_key_hex");
    ASSERT_TRUE(hp.has_value());
    EXPECT_EQ(t["port"].GetInt(), hp->port);
    EXPECT_EQ(JsonStr(t["save"]), cases[i].ours);  // Telethon writes back exactly our string
  }
}

TEST(RealGramjs, LoadsOurStrings) {
  std::vector<StringCase> cases = StringCases(Format::kGramjsString);
  ASSERT_GE(cases.size(), 100u);
  NodeCheck check = RunNodeChecker("gramjs_check.js", "GramJS (npm telegram)", cases);
  if (!check.skip.empty()) GTEST_SKIP() << check.skip;
  ASSERT_TRUE(check.out.has_value());
  const rapidjson::Document& d = *check.out;
  EXPECT_EQ(JsonStr(d["version"]), "2.26.22");
  ASSERT_EQ(d["results"].Size(), cases.size());
  int high_ports = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].id);
    const rapidjson::Value& g = d["results"][static_cast<rapidjson::SizeType>(i)];
    std::optional<HostPort> hp = ExpectHomeDc(g, cases[i].source.session, "dcId", "serverAddress", "authKeyHex");
    ASSERT_TRUE(hp.has_value());
    if (hp->port > 32767) {
      // GramJS's own misreading, which our summary warns about.
      ++high_ports;
      EXPECT_EQ(g["port"].GetInt(), hp->port - 65536);
      ASSERT_EQ(cases[i].warnings.size(), 1u);
      EXPECT_TRUE(absl::StrContains(cases[i].warnings[0], absl::StrCat(hp->port - 65536)));
    } else {
      EXPECT_EQ(g["port"].GetInt(), hp->port);
      EXPECT_EQ(JsonStr(g["save"]), cases[i].ours);  // GramJS writes back exactly our string
    }
  }
  EXPECT_GE(high_ports, 2);
}

TEST(RealMtcute, ReadsOurStrings) {
  std::vector<StringCase> cases = StringCases(Format::kMtcuteString);
  ASSERT_GE(cases.size(), 100u);
  NodeCheck check = RunNodeChecker("mtcute_check.mjs", "mtcute (npm @mtcute/core)", cases);
  if (!check.skip.empty()) GTEST_SKIP() << check.skip;
  ASSERT_TRUE(check.out.has_value());
  const rapidjson::Document& d = *check.out;
  EXPECT_EQ(JsonStr(d["version"]), "0.29.7");
  ASSERT_EQ(d["results"].Size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].id);
    const rapidjson::Value& m = d["results"][static_cast<rapidjson::SizeType>(i)];
    ASSERT_FALSE(m.HasMember("error")) << JsonStr(m["error"]);
    // mtcute reads what our decoder reads...
    absl::StatusOr<MtcuteStringSession> ours = DecodeMtcuteString(cases[i].ours);
    ASSERT_TRUE(ours.ok()) << ours.status();
    const auto check_dc = [&](const rapidjson::Value& got, const MtcuteDcOption& want) {
      EXPECT_EQ(got["id"].GetInt(), want.id);
      EXPECT_EQ(JsonStr(got["ipAddress"]), want.ip_address);
      EXPECT_EQ(got["port"].GetInt(), want.port);
      EXPECT_EQ(got["ipv6"].GetBool(), (want.flags & MtcuteDcOption::kIpv6) != 0);
      EXPECT_EQ(got["mediaOnly"].GetBool(), (want.flags & MtcuteDcOption::kMediaOnly) != 0);
      EXPECT_EQ(got["testMode"].GetBool(), ours->test_mode());
    };
    check_dc(m["main"], ours->main);
    check_dc(m["media"], ours->media ? *ours->media : ours->main);
    EXPECT_EQ(m["mediaIsMain"].GetBool(), !ours->media.has_value());
    if (ours->self) {
      EXPECT_EQ(m["self"]["userId"].GetInt64(), ours->self->user_id);
      EXPECT_EQ(m["self"]["isBot"].GetBool(), ours->self->is_bot);
    } else {
      EXPECT_TRUE(m["self"].IsNull());
    }
    EXPECT_EQ(JsonStr(m["authKeyHex"]), ours->auth_key.RevealHex(kRevealSecrets));
    // ...which is the source's home DC and key...
    const Session& s = cases[i].source.session;
    absl::StatusOr<HostPort> hp = s.dcs[0].ParseAddress();
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(m["main"]["id"].GetInt(), s.home_dc_id);
    EXPECT_EQ(JsonStr(m["main"]["ipAddress"]), hp->host);
    EXPECT_EQ(m["main"]["port"].GetInt(), hp->port);
    EXPECT_EQ(JsonStr(m["authKeyHex"]), s.dcs[0].auth_key->RevealHex(kRevealSecrets));
    // ...and writes back exactly our string.
    EXPECT_EQ(JsonStr(m["save"]), cases[i].ours);
  }
}

}  // namespace
}  // namespace interop
}  // namespace tgsession
