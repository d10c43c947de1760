// The tgsession CLI used as an attacker or a careless user would: JSON that
// strict parsers accept whatever the names hold, no message that echoes a
// secret, one line per message whatever the damage, inputs that are no
// session named as such, oversized inputs refused before they are read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/sqlite_db.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "session/binary_codec.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "session/utf8.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_util.h"
#include "tools/cli.h"

namespace tgsession {
namespace testing {
namespace {

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

// The one-line contract of a failed run.
void ExpectOneErrorLine(const CliResult& r) {
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_TRUE(absl::EndsWith(r.err, "\n")) << r.err;
  EXPECT_TRUE(absl::StartsWith(r.err, "tgsession: ")) << r.err;
}

// Fails when any 12 consecutive bytes of `secret` appear in `text`.
::testing::AssertionResult EchoesNoPartOf(const std::string& text, absl::string_view secret) {
  constexpr size_t kPiece = 12;
  for (size_t i = 0; i + kPiece <= secret.size(); ++i) {
    if (absl::StrContains(text, secret.substr(i, kPiece))) {
      return ::testing::AssertionFailure() << "echoes \"" << secret.substr(i, kPiece) << "\" (offset " << i
                                           << " of the secret): " << text;
    }
  }
  return ::testing::AssertionSuccess();
}

rapidjson::Document ParseStrictly(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
  EXPECT_FALSE(d.HasParseError()) << "invalid JSON at offset " << d.GetErrorOffset() << ": "
                                  << json.substr(d.GetErrorOffset() > 40 ? d.GetErrorOffset() - 40 : 0, 80);
  return d;
}


// --- 1. JSON -----------------------------------------------------------------------------------

// What names, usernames, phone numbers and addresses may hold in files
// written by other programs.
const std::vector<std::string>& HostileStrings() {
  static const auto* v = new std::vector<std::string>{
      "\xD0\x9E\xD0\xBB\xD0\xB5\xD0\xB3 O'Brien",  // "Олег O'Brien": the reported case
      "say \"hi\" \\ back\\slash / \\u0041",
      std::string("ctl \t\n\r\x01\x1b[31m\x7f nul>") + std::string(1, '\0') + "<",
      "bad \xFF\xFE utf8",
      "cut \xD0",                                  // a 2-byte sequence cut short
      "\xED\xA0\x80 surrogate",                    // an encoded surrogate is not UTF-8
      "\xC0\xAF overlong",                         // an overlong '/'
      "emoji \xF0\x9F\x98\x80 separator \xE2\x80\xA8 bidi \xE2\x80\xAE",
  };
  return *v;
}

// `field` of `obj` holds `want`: the text itself when it is UTF-8, otherwise
// its lossy form plus the exact bytes in "<field>_hex".
void ExpectJsonString(const rapidjson::Value& obj, const std::string& field, const std::string& want) {
  SCOPED_TRACE(absl::StrCat(field, " = \"", absl::CHexEscape(want), "\""));
  ASSERT_TRUE(obj.HasMember(field.c_str()));
  ASSERT_TRUE(obj[field.c_str()].IsString());
  const std::string hex_field = field + "_hex";
  if (IsValidUtf8(want)) {
    EXPECT_EQ(JsonStr(obj[field.c_str()]), want);
    EXPECT_FALSE(obj.HasMember(hex_field.c_str()));
  } else {
    EXPECT_EQ(JsonStr(obj[field.c_str()]), Utf8Lossy(want));
    ASSERT_TRUE(obj.HasMember(hex_field.c_str()));
    EXPECT_EQ(JsonStr(obj[hex_field.c_str()]), BytesToHex(want));
  }
}

interop::ImportedSession SessionWithHostileNames() {
  interop::ImportedSession in;
  absl::StatusOr<Session> base =
      DecodeBinary(ReadFileOrDie(VectorsDir() + "/ferogram/binary/v8_dc_ipv4_ipv6_pair.bin"));
  EXPECT_TRUE(base.ok()) << base.status();
  if (base.ok()) in.session = *std::move(base);
  in.extras.user_id = 100;
  in.extras.api_id = 12345;
  in.extras.is_bot = false;
  in.extras.test_mode = false;
  const std::vector<std::string>& h = HostileStrings();
  for (size_t i = 0; i < h.size(); ++i) {
    const int64_t id = 100 + static_cast<int64_t>(i);
    in.session.CachePeer(CachedPeer::User(id, id * 7));
    interop::PeerExtras x;
    x.username = h[i];
    x.phone = h[(i + 1) % h.size()];
    x.name = h[(i + 2) % h.size()];
    in.extras.peers[id] = x;
  }
  return in;
}

TEST(CliHostileTest, InspectJsonIsValidJsonWhateverTheNamesHold) {
  const std::string dir = MakeTempDir("cli_json_names");
  const interop::ImportedSession in = SessionWithHostileNames();
  int checked = 0;
  for (interop::Format f : {interop::Format::kTelethonSqlite, interop::Format::kPyrogramSqlite}) {
    SCOPED_TRACE(interop::FormatName(f));
    absl::StatusOr<interop::ExportResult> file = interop::SqliteFormats().Write(in, f);
    ASSERT_TRUE(file.ok()) << file.status();
    const std::string path = absl::StrCat(dir, "/", interop::FormatName(f), ".session");
    WriteFileOrDie(path, file->data.view());
    const CliResult r = RunCli({"inspect", "--json", path});
    ASSERT_EQ(r.code, 0) << r.err;
    rapidjson::Document d = ParseStrictly(r.out);
    ASSERT_TRUE(d.IsObject());
    ASSERT_TRUE(d.HasMember("extras")) << r.out;
    const rapidjson::Value& peers = d["extras"]["peers"];
    ASSERT_TRUE(peers.IsArray());
    for (const rapidjson::Value& p : peers.GetArray()) {
      const int64_t id = p["marked_id"].GetInt64();
      const auto it = in.extras.peers.find(id);
      if (it == in.extras.peers.end()) continue;
      for (const auto& [field, value] : {std::make_pair("username", it->second.username),
                                         std::make_pair("phone", it->second.phone),
                                         std::make_pair("name", it->second.name)}) {
        // Pyrogram's schema has no names.
        if (!p.HasMember(field) && f == interop::Format::kPyrogramSqlite && std::string(field) == "name") continue;
        ExpectJsonString(p, field, *value);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, static_cast<int>(HostileStrings().size() * 5));
}

TEST(CliHostileTest, InspectJsonCarriesAnyDcAddress) {
  const std::string dir = MakeTempDir("cli_json_addr");
  for (const std::string& h : HostileStrings()) {
    SCOPED_TRACE(absl::CHexEscape(h));
    Session s = NewSessionWithDefaults();
    ASSERT_FALSE(s.dcs.empty());
    s.dcs[0].addr = h + ":443";
    absl::StatusOr<std::string> bin = EncodeBinary(s);
    ASSERT_TRUE(bin.ok()) << bin.status();
    const std::string path = dir + "/s.bin";
    WriteFileOrDie(path, *bin);
    const CliResult r = RunCli({"inspect", "--json", path});
    ASSERT_EQ(r.code, 0) << r.err;
    rapidjson::Document d = ParseStrictly(r.out);
    ASSERT_TRUE(d.IsObject());
    ExpectJsonString(d["dcs"][0], "addr", s.dcs[0].addr);
  }
}

// --- 2. secrets in messages ---------------------------------------------------------------------

// One valid session string of each format.
std::vector<std::pair<std::string, std::string>> SessionStrings() {
  std::vector<std::pair<std::string, std::string>> out;
  rapidjson::Document d = ParseJsonOrDie(ReadFileOrDie(VectorsDir() + "/interop/vectors.json"));
  std::vector<std::string> seen;
  for (const rapidjson::Value& v : d["vectors"].GetArray()) {
    const std::string format = JsonStr(v["format"]).substr(0, JsonStr(v["format"]).find(' '));
    if (std::find(seen.begin(), seen.end(), format) != seen.end()) continue;
    seen.push_back(format);
    out.emplace_back(format, JsonStr(v["string"]));
  }
  for (const char* f : {"ferogram/binary/v8_update_state.txt", "ferogram/binary/v7_full.txt",
                        "ferogram/string_session/ss_v2_ipv4.txt", "ferogram/string_session/ss_v1_ipv6.txt"}) {
    std::string s = ReadFileOrDie(absl::StrCat(VectorsDir(), "/", f));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    out.emplace_back(f, s);
  }
  return out;
}

// A session string as a careless user or a broken pipe delivers it.
std::vector<std::pair<std::string, std::string>> Damaged(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  const size_t mid = s.size() / 2;
  auto with = [&](size_t at, char c) {
    std::string t = s;
    t[at] = c;
    return t;
  };
  out.emplace_back("'!' in the middle", with(mid, '!'));
  out.emplace_back("'.' near the start", with(3, '.'));
  out.emplace_back("' ' in the middle", with(mid, ' '));
  out.emplace_back("first character changed", with(0, s[0] == 'Z' ? 'Y' : 'Z'));
  out.emplace_back("a newline inserted", s.substr(0, mid) + "\n" + s.substr(mid));
  out.emplace_back("raw bytes inserted", s.substr(0, mid) + "\x01\xFF\x1B[2J" + s.substr(mid));
  out.emplace_back("cut in half", s.substr(0, mid));
  out.emplace_back("trailing garbage", s + "AAAAB");
  std::string long_one;
  for (int i = 0; i < 40; ++i) long_one += s;
  out.emplace_back("40 copies", long_one);
  return out;
}

TEST(CliHostileTest, NoMessageEchoesASessionString) {
  const std::string dir = MakeTempDir("cli_secret_echo");
  int failures_checked = 0;
  for (const auto& [format, good] : SessionStrings()) {
    for (const auto& [how, bad] : Damaged(good)) {
      SCOPED_TRACE(absl::StrCat(format, ", ", how));
      const std::vector<std::vector<std::string>> runs = {
          {"inspect", bad},
          {"inspect", "--json", "--strict", bad},
          {"inspect", "--from", "telethon-string", bad},
          {"inspect", "--from", "ferogram-native", bad},
          {"convert", "--to", "ferogram-binary", bad, "-o", dir + "/out.bin", "--force"},
          {"convert", "--to", "telethon-string", "--stdout", bad},
      };
      for (const std::vector<std::string>& args : runs) {
        const CliResult r = RunCli(args);
        EXPECT_TRUE(EchoesNoPartOf(r.err, bad)) << args[1];
        if (r.code != 0) {
          ExpectOneErrorLine(r);
          ++failures_checked;
        }
      }
      const CliResult piped = RunCli({"inspect", "-"}, bad);
      EXPECT_TRUE(EchoesNoPartOf(piped.err, bad));
      if (piped.code != 0) ExpectOneErrorLine(piped);
    }
  }
  EXPECT_GE(failures_checked, 300);
}

TEST(CliHostileTest, NoMessageEchoesAMisplacedSecret) {
  const std::string dir = MakeTempDir("cli_misplaced");
  const std::string file = VectorsDir() + "/ferogram/binary/v7_full.bin";
  WriteFileOrDie(dir + "/pass", "a passphrase of some length\n");
  ASSERT_EQ(RunCli({"convert", "--to", "ferogram-binary", "--encrypt", "--passphrase-file", dir + "/pass", file, "-o",
                    dir + "/enc.bin"})
                .code,
            0);
  for (const auto& [format, secret] : SessionStrings()) {
    SCOPED_TRACE(format);
    const std::vector<std::vector<std::string>> runs = {
        {"inspect", "--from", secret, file},                         // the format name forgotten
        {"convert", "--to", secret, file, "--stdout"},
        {"inspect", file, secret},                                   // two inputs
        {"inspect", absl::StrCat("-", secret)},                      // taken for an option
        {"inspect", absl::StrCat("--", secret)},
        {"inspect", "--passphrase-file", secret, dir + "/enc.bin"},  // the passphrase itself
        {"inspect", "--passphrase-env", secret, dir + "/enc.bin"},
        {"convert", "--to", "ferogram-binary", "--user-id", secret, file, "--stdout"},
        {"convert", "--to", "ferogram-binary", "--api-id", secret, file, "--stdout"},
    };
    for (const std::vector<std::string>& args : runs) {
      const CliResult r = RunCli(args);
      EXPECT_NE(r.code, 0);
      EXPECT_TRUE(EchoesNoPartOf(r.err, secret)) << absl::StrJoin(args, " ").substr(0, 60);
      EXPECT_EQ(Lines(r.err), 1u) << r.err;
    }
  }
}

TEST(CliHostileTest, NoMessageEchoesAPostgresPassword) {
  const std::string password = "Hunter2SecretPassw0rd";
  for (const std::string& conninfo :
       {absl::StrCat("postgresql://u:", password, "@[::1/db"), absl::StrCat("postgresql://u:", password, "%zz@h/db"),
        absl::StrCat("host=h ", password), absl::StrCat("postgresql://h/db?x=1&", password),
        absl::StrCat("postgresql://u:", password, " x@h/db")}) {
    const CliResult r = RunCli({"inspect", absl::StrCat("postgres:", conninfo, "/name")});
    ExpectOneErrorLine(r);
    EXPECT_TRUE(EchoesNoPartOf(r.err, password));
  }
}

// --- 3. one line per message --------------------------------------------------------------------

std::string TelethonFile() { return ReadFileOrDie(VectorsDir() + "/interop/telethon_1.25.1_dc2_v4_full.session"); }

void MakeDb(const std::string& path, const std::vector<std::string>& statements) {
  ::unlink(path.c_str());
  absl::StatusOr<sqlite::Db> db = sqlite::Db::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  for (const std::string& s : statements) ASSERT_TRUE(db->Exec(s).ok()) << s;
}

TEST(CliHostileTest, DamagedSqliteFilesGiveOneLine) {
  const std::string dir = MakeTempDir("cli_damaged_sqlite");
  const std::string good = TelethonFile();
  ASSERT_EQ(good.size() % 4096, 0u);
  struct Case {
    std::string name;
    std::string bytes;        // empty: built with MakeDb
    std::string must_say;     // part of the one line
    std::string verbose_says;  // only with --verbose ("" when there is nothing more)
  };
  std::vector<Case> cases;
  cases.push_back({"truncated", good.substr(0, 3000), "truncated", ""});
  cases.push_back({"truncated at a page boundary", good.substr(0, 8192), "truncated", ""});
  {
    std::string b = good;
    for (size_t p = 1; p < 6; ++p) std::fill(b.begin() + p * 4096, b.begin() + (p + 1) * 4096, 'A');
    cases.push_back({"five pages overwritten", b, "corrupt", "Page 6"});
  }
  {
    std::string b = good;
    for (size_t i = 4100; i < 4300; ++i) b[i] = static_cast<char>(i * 131 + 7);
    cases.push_back({"one page damaged", b, "corrupt", ""});
  }
  {
    std::string b = good;
    for (size_t i = 16; i < 100; ++i) b[i] = static_cast<char>(0xA5 ^ i);
    cases.push_back({"garbage in the header", b, "not an SQLite database", ""});
  }
  cases.push_back({"wrong schema", "", "has no column server_address", ""});
  cases.push_back({"not a session database", "", "not a session", ""});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = absl::StrCat(dir, "/", c.name, ".session");
    if (c.name == "wrong schema") {
      MakeDb(path, {"CREATE TABLE version (version INTEGER)", "INSERT INTO version VALUES (7)",
                    "CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, \"server\naddress\" TEXT)",
                    "INSERT INTO sessions VALUES (2, 'x')"});
    } else if (c.name == "not a session database") {
      MakeDb(path, {"CREATE TABLE \"my\ntable\" (a)", "CREATE TABLE \"other\r\n\x1b[31mtable\" (b)"});
    } else {
      WriteFileOrDie(path, c.bytes);
    }
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"inspect", path}, {"inspect", "--json", path},
          {"convert", "--to", "ferogram-binary", "--stdout", path}}) {
      const CliResult r = RunCli(args);
      ExpectOneErrorLine(r);
      EXPECT_TRUE(absl::StrContains(r.err, path)) << r.err;
      EXPECT_TRUE(absl::StrContains(r.err, c.must_say)) << r.err;
      EXPECT_FALSE(absl::StrContains(r.err, "\x1b")) << r.err;
      if (!c.verbose_says.empty()) {
        EXPECT_FALSE(absl::StrContains(r.err, c.verbose_says)) << r.err;
        EXPECT_TRUE(absl::StrContains(r.err, "--verbose")) << r.err;
      }
    }
    const CliResult v = RunCli({"inspect", "--verbose", path});
    EXPECT_EQ(v.code, 1);
    EXPECT_TRUE(absl::StartsWith(v.err, "tgsession: ")) << v.err;
    if (!c.verbose_says.empty()) {
      EXPECT_GT(Lines(v.err), 1u) << v.err;
      EXPECT_TRUE(absl::StrContains(v.err, c.verbose_says)) << v.err;
    }
    for (absl::string_view line : absl::StrSplit(v.err, '\n', absl::SkipEmpty())) {
      EXPECT_TRUE(absl::StartsWith(line, "tgsession: ")) << v.err;
    }
  }
}

// --- (a) size before reading, (b) not a session -------------------------------------------------

// Bytes this process has read through read(2) and the like so far.
int64_t BytesReadByThisProcess() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

// inspect's human output on standard output carries text read from the
// file too (a Pyrogram file's extra tables are listed as not carried): it
// is escaped like every message, so a table name cannot forge lines or
// drive the terminal.
TEST(CliHostileTest, HumanOutputEscapesTextReadFromTheFile) {
  const std::string dir = MakeTempDir("cli_human_escapes");
  const std::string path = dir + "/p.session";
  absl::StatusOr<interop::ExportResult> file =
      interop::SqliteFormats().Write(SessionWithHostileNames(), interop::Format::kPyrogramSqlite);
  ASSERT_TRUE(file.ok()) << file.status();
  WriteFileOrDie(path, file->data.view());
  {
    absl::StatusOr<sqlite::Db> db = sqlite::Db::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("CREATE TABLE \"x\nwarning:       forged\r\x1b[2J\" (a)").ok());
  }
  const CliResult r = RunCli({"inspect", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "\nwarning:       forged")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "x\\nwarning:       forged\\r\\x1b[2J")) << r.out;
}

TEST(CliHostileTest, HugeFileIsRefusedWithoutReadingIt) {
  const std::string dir = MakeTempDir("cli_huge");
  const std::string path = dir + "/huge.session";
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 300ll << 20), 0);  // sparse: no disk used
    ::close(fd);
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"inspect", path}, {"convert", "--to", "ferogram-native", "--stdout", path}}) {
    const int64_t before = BytesReadByThisProcess();
    const CliResult r = RunCli(args);
    const int64_t read = BytesReadByThisProcess() - before;
    ExpectOneErrorLine(r);
    EXPECT_TRUE(absl::StrContains(r.err, "over the limit")) << r.err;
    if (before >= 0) {
      EXPECT_LT(read, 1 << 20) << "bytes read before refusing";
    }
  }
}

// An endless standard input that counts what was taken from it.
class EndlessZeros : public std::streambuf {
 public:
  size_t served() const { return served_; }

 protected:
  int_type underflow() override {
    served_ += sizeof buf_;
    setg(buf_, buf_, buf_ + sizeof buf_);
    return traits_type::to_int_type(buf_[0]);
  }

 private:
  char buf_[1 << 16] = {};
  size_t served_ = 0;
};

TEST(CliHostileTest, EndlessStdinIsCutAtTheLimit) {
  EndlessZeros zeros;
  std::istream in(&zeros);
  std::ostringstream out, err;
  const int code = RunTgsession({"inspect", "-"}, in, out, err);
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(absl::StrContains(err.str(), "over the limit")) << err.str();
  // Nothing decodes more than 256 MiB: reading further is wasted.
  EXPECT_LE(zeros.served(), (256u << 20) + (1u << 17));
}

TEST(CliHostileTest, FilesOfOtherKindsAreNotSessions) {
  const std::string dir = MakeTempDir("cli_not_session");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91h6\0\0\0\x0cIDATx"
                          "\x9c" "c\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xae" "B`\x82",
                          67)},
      {"jpeg", std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xFF\xDB\0C\0\x08\x06\x06", 28)},
      {"gzip", std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03\xcb\x48\xcd\xc9\xc9\x07\0\x86\xa6\x10\x36\x05\0\0\0", 25)},
      {"zip", std::string("PK\x03\x04\x14\0\0\0\x08\0\0\0!\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0hello", 35)},
      {"pdf", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"},
      {"elf", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0", 24) + std::string(64, 'x')},
      {"text", "Hello, this is a README.\nIt has two lines.\n"},
      {"empty", ""},
      {"one newline", "\n"},
  };
  for (const auto& [kind, bytes] : files) {
    SCOPED_TRACE(kind);
    const std::string path = absl::StrCat(dir, "/file.", kind);
    WriteFileOrDie(path, bytes);
    for (const CliResult& r : {RunCli({"inspect", path}), RunCli({"inspect", "-"}, bytes)}) {
      ExpectOneErrorLine(r);
      EXPECT_TRUE(absl::StrContains(r.err, "not a session")) << r.err;
      EXPECT_FALSE(absl::StrContains(r.err, "truncated")) << r.err;
    }
  }
  // An SQLite database of another program.
  MakeDb(dir + "/other.db", {"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"});
  const CliResult r = RunCli({"inspect", dir + "/other.db"});
  ExpectOneErrorLine(r);
  EXPECT_TRUE(absl::StrContains(r.err, "not a session")) << r.err;
}

TEST(CliHostileTest, TruncatedFerogramFilesKeepTheirPreciseMessage) {
  const std::string dir = MakeTempDir("cli_truncated");
  int n = 0;
  for (const char* name : {"v8_peers_all_kinds.bin", "v7_full.bin", "v1_full.bin", "v1_negative_home.bin",
                           "v2_full.bin"}) {
    const std::string full = ReadFileOrDie(absl::StrCat(VectorsDir(), "/ferogram/binary/", name));
    for (size_t cut : {size_t{1}, size_t{3}, size_t{7}, full.size() / 2, full.size() - 1}) {
      if (cut >= full.size()) continue;
      SCOPED_TRACE(absl::StrCat(name, " cut at ", cut));
      const std::string path = dir + "/cut.bin";
      WriteFileOrDie(path, full.substr(0, cut));
      const CliResult r = RunCli({"inspect", path});
      ExpectOneErrorLine(r);
      EXPECT_TRUE(absl::StrContains(r.err, absl::StrCat("truncated at byte "))) << r.err;
      ++n;
    }
  }
  EXPECT_GE(n, 20);
  // v1 files whose home DC 2..8 looks like a version byte are still read.
  for (int dc = 1; dc <= 9; ++dc) {
    const CliResult r = RunCli({"inspect", absl::StrCat(VectorsDir(), "/ferogram/malformed/v1_home_dc_", dc, ".bin")});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(absl::StrContains(r.out, absl::StrCat("home DC:       ", dc, "\n"))) << r.out;
  }
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
