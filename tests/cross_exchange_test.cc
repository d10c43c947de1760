// Files move between machines: what one target writes, every other reads,
// and they all write the same bytes. Each run writes its files into
// <folder>/<target> (x86-64, aarch64, armhf, s390x) and checks every target
// folder already there: same file names, byte for byte the same contents,
// and each file read back as the session it was written from.
//
// <folder> is $TGS_EXCHANGE_DIR; tools/test_all.sh points every target's
// run at one folder (two rounds, so each target reads all the others). On
// its own (TEST_TMPDIR) a run checks its own files only.
//
// The files: ferogram binary v8 and v9, native string and JSON of a
// generated 1,000-peer session, of one that needs v9 and of every committed
// ferogram vector; each writable string format of the other libraries;
// BinaryFileBackend's snapshot and journal.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/binary_file_backend.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
#include "session/json.h"
#include "session/string_codec.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace {

using testing::ListDir;
using testing::ListFiles;
using testing::ReadFileOrDie;
using testing::VectorsDir;
using testing::WriteFileOrDie;

constexpr absl::string_view kTarget =
#if defined(__x86_64__)
    "x86-64";
#elif defined(__aarch64__)
    "aarch64";
#elif defined(__arm__)
    "armhf";
#elif defined(__s390x__)
    "s390x";
#else
    "other";
#endif

AuthKey KeyFrom(uint64_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    raw[i] = static_cast<uint8_t>(seed >> 56);
  }
  return AuthKey(raw);
}

// Every field and peer kind, with values whose bytes differ, so a swapped
// or truncated field shows.
Session Generated(int peers, bool needs_v9) {
  Session s;
  s.home_dc_id = 2;
  DcEntry a = DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags());
  a.auth_key = KeyFrom(1);
  a.first_salt = -1234567890123456789;
  a.time_offset = -3;
  s.dcs.push_back(a);
  s.dcs.push_back(DcEntry::FromParts(2, "2001:67c:4e8:f002::a", 443, DcFlags(DcFlags::kIpv6)));
  DcEntry media = DcEntry::FromParts(4, "149.154.167.92", 8443, DcFlags(DcFlags::kMediaOnly | DcFlags::kStatic));
  media.auth_key = KeyFrom(2);
  s.dcs.push_back(media);
  if (needs_v9) s.dcs.push_back(DcEntry::FromParts(5, std::string(300, 'h'), 80, DcFlags(0x80)));
  s.updates_state.pts = 0x01020304;
  s.updates_state.qts = -7;
  s.updates_state.date = 1700000000;
  s.updates_state.seq = 2147483647;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  const auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 40; ++i) {
    // Two statements: the order in which a call's arguments are evaluated
    // differs between compilers and targets.
    const int64_t channel = static_cast<int64_t>(next());
    s.updates_state.SetChannelPts(channel, static_cast<int32_t>(next()));
  }
  for (int i = 0; i < peers; ++i) {
    const int64_t id = static_cast<int64_t>(next() >> 1) * (i % 2 == 0 ? 1 : -1);
    const int64_t hash = static_cast<int64_t>(next());
    switch (i % 6) {
      case 0:
        s.CachePeer(CachedPeer::User(id, hash));
        break;
      case 1:
        s.CachePeer(CachedPeer::Channel(id, hash, ChannelKind::kBroadcast));
        break;
      case 2:
        s.CachePeer(CachedPeer::Channel(id, hash, ChannelKind::kMegagroup));
        break;
      case 3: {
        CachedPeer p = CachedPeer::Channel(id, hash, ChannelKind::kGigagroup);
        p.is_community = true;
        s.CachePeer(p);
        break;
      }
      case 4:
        s.CachePeer(CachedPeer::Chat(id));
        break;
      default:
        s.CachePeer(CachedPeer::Channel(id, hash));
        break;
    }
  }
  for (int i = 0; i < 20; ++i) {
    s.CacheMinPeer({static_cast<int64_t>(next()), static_cast<int64_t>(next()), static_cast<int32_t>(next())});
  }
  const uint8_t token[] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2};
  s.future_auth_token.emplace(absl::Span<const uint8_t>(token, sizeof token));
  return s;
}

// The sessions written, by name.
std::map<std::string, Session> Sessions() {
  std::map<std::string, Session> out;
  out.emplace("generated", Generated(1000, false));
  out.emplace("generated_v9", Generated(10, true));
  const std::string dir = VectorsDir() + "/ferogram/binary";
  for (const std::string& name : ListDir(dir, ".bin")) {
    absl::StatusOr<Session> s = DecodeBinary(ReadFileOrDie(dir + "/" + name));
    EXPECT_TRUE(s.ok()) << name << ": " << s.status();
    if (s.ok()) out.emplace("vector_" + name.substr(0, name.size() - 4), *std::move(s));
  }
  return out;
}

// The changes appended to BinaryFileBackend's journal after its snapshot,
// made on `b` when there is one and on `s` always.
void ApplyChanges(SessionBackend* b, Session* s) {
  for (int i = 0; i < 30; ++i) {
    const CachedPeer p = CachedPeer::Channel(5000 + i, -i, ChannelKind::kMegagroup);
    ASSERT_TRUE(b == nullptr || b->CachePeer(p).ok());
    s->CachePeer(p);
  }
  DcEntry e = DcEntry::FromParts(3, "149.154.175.100", 443, DcFlags());
  e.auth_key = KeyFrom(3);
  ASSERT_TRUE(b == nullptr || b->UpdateDc(e).ok());
  s->UpsertDc(e);
  ASSERT_TRUE(b == nullptr || b->SetHomeDc(3).ok());
  s->home_dc_id = 3;
  const UpdateStateChange change = UpdateStateChange::Channel(77, 88);
  ASSERT_TRUE(b == nullptr || b->ApplyUpdateState(change).ok());
  s->ApplyUpdateState(change);
}

// `s` as another library's session of a known account, so every string
// format (Pyrogram's needs the user id) can be written.
interop::ImportedSession WithAccount(const Session& s) {
  interop::ImportedSession in;
  in.session = s;
  in.extras.user_id = 5123456789;
  in.extras.is_bot = false;
  in.extras.api_id = 94575;
  return in;
}

std::string ExchangeDir() {
  const char* dir = std::getenv("TGS_EXCHANGE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  return testing::MakeTempDir("exchange");
}

class CrossExchangeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(ExchangeDir());
    sessions_ = new std::map<std::string, Session>(Sessions());
    own_ = new std::string(*dir_ + "/" + std::string(kTarget));
    ::mkdir(own_->c_str(), 0700);
    testing::RemoveFiles(*own_);
    WriteAll();
  }

  // Writes this target's files into own_.
  static void WriteAll() {
    for (const auto& [name, s] : *sessions_) {
      const std::string base = *own_ + "/" + name;
      if (CheckFitsBinaryVersion(s, 8).ok()) {
        absl::StatusOr<std::string> v8 = EncodeBinary(s, EncodeOptions{VersionPolicy::kFerogramOnly});
        ASSERT_TRUE(v8.ok()) << name << ": " << v8.status();
        WriteFileOrDie(base + ".v8.bin", *v8);
      }
      absl::StatusOr<std::string> v9 = EncodeBinary(s, EncodeOptions{VersionPolicy::kExtended});
      ASSERT_TRUE(v9.ok()) << name << ": " << v9.status();
      WriteFileOrDie(base + ".v9.bin", *v9);
      absl::StatusOr<std::string> native = EncodeNativeString(s);
      ASSERT_TRUE(native.ok()) << name << ": " << native.status();
      WriteFileOrDie(base + ".native.txt", *native);
      JsonWriteOptions json;
      json.reveal_secrets = true;
      WriteFileOrDie(base + ".json", SessionToJson(s, json));
      const interop::ImportedSession in = WithAccount(s);
      for (const interop::FormatSpec& spec : interop::AllFormats()) {
        if (spec.detection != interop::Detection::kText || !spec.writable || spec.native_only) continue;
        const interop::Format f = spec.format;
        // Some sessions cannot be written in some formats (no key, no home
        // DC): the same ones on every target, so the file lists compare.
        absl::StatusOr<interop::ExportResult> r = interop::PortableFormats().Write(in, f);
        if (r.ok()) WriteFileOrDie(absl::StrCat(base, ".", interop::FormatName(f)), r->data.view());
      }
    }
    // A snapshot plus a journal (kept: no compaction on close).
    BinaryFileBackend::Options o;
    o.compact_on_close = false;
    absl::StatusOr<std::unique_ptr<BinaryFileBackend>> b =
        BinaryFileBackend::Open(*own_ + "/backend.session", o);
    ASSERT_TRUE(b.ok()) << b.status();
    Session expected = sessions_->at("generated");
    ASSERT_TRUE((*b)->Save(expected).ok());
    ApplyChanges(b->get(), &expected);
    b->reset();
    ::unlink((*own_ + "/backend.session.lock").c_str());
  }

  // The target folders in dir_, this one included.
  static std::vector<std::string> Targets() {
    std::vector<std::string> out;
    for (const std::string& name : ListDir(*dir_, "")) {
      if (name[0] != '.' && !ListFiles(*dir_ + "/" + name).empty()) out.push_back(name);
    }
    return out;
  }

  static std::string* dir_;
  static std::string* own_;
  static std::map<std::string, Session>* sessions_;
};

std::string* CrossExchangeTest::dir_ = nullptr;
std::string* CrossExchangeTest::own_ = nullptr;
std::map<std::string, Session>* CrossExchangeTest::sessions_ = nullptr;

TEST_F(CrossExchangeTest, EveryTargetWritesTheSameBytes) {
  const std::vector<std::string> ours = ListFiles(*own_);
  ASSERT_GT(ours.size(), 100u);
  const std::vector<std::string> targets = Targets();
  std::cout << kTarget << " compares its " << ours.size() << " files with those of: " << absl::StrJoin(targets, ", ")
            << "\n";
  for (const std::string& target : targets) {
    const std::string theirs = *dir_ + "/" + target;
    EXPECT_EQ(ListFiles(theirs), ours) << target << " wrote other files than " << kTarget;
    for (const std::string& name : ours) {
      if (!testing::FileExists(theirs + "/" + name)) continue;
      EXPECT_TRUE(ReadFileOrDie(theirs + "/" + name) == ReadFileOrDie(*own_ + "/" + name))
          << name << " written on " << target << " differs from the one written on " << kTarget;
    }
  }
}

TEST_F(CrossExchangeTest, EveryTargetReadsTheOthersFiles) {
  for (const std::string& target : Targets()) {
    const std::string theirs = *dir_ + "/" + target;
    size_t read = 0;
    for (const std::string& name : ListFiles(theirs)) {
      const std::string bytes = ReadFileOrDie(theirs + "/" + name);
      const std::string session_name = name.substr(0, name.find('.'));
      if (session_name == "backend") continue;
      SCOPED_TRACE(absl::StrCat(target, "/", name, " read on ", kTarget));
      ASSERT_TRUE(sessions_->count(session_name)) << "no such session";
      const Session& want = sessions_->at(session_name);
      if (absl::EndsWith(name, ".bin")) {
        absl::StatusOr<Session> s = DecodeBinary(bytes);
        ASSERT_TRUE(s.ok()) << s.status();
        EXPECT_EQ(*s, want);
      } else if (absl::EndsWith(name, ".native.txt")) {
        absl::StatusOr<Session> s = DecodeNativeString(bytes);
        ASSERT_TRUE(s.ok()) << s.status();
        EXPECT_EQ(*s, want);
      } else if (absl::EndsWith(name, ".json")) {
        absl::StatusOr<Session> s = SessionFromJson(bytes);
        ASSERT_TRUE(s.ok()) << s.status();
        EXPECT_EQ(*s, want);
      } else {
        // Another library's string: it keeps only what that library can
        // (home DC, its key); it reads as what this target makes of the
        // session it was written from.
        const std::optional<interop::Format> f = interop::FormatFromName(name.substr(name.find('.') + 1));
        ASSERT_TRUE(f.has_value());
        absl::StatusOr<interop::ImportedSession> got = interop::PortableFormats().Read(bytes, *f);
        ASSERT_TRUE(got.ok()) << got.status();
        absl::StatusOr<interop::ExportResult> mine = interop::PortableFormats().Write(WithAccount(want), *f);
        ASSERT_TRUE(mine.ok()) << mine.status();
        absl::StatusOr<interop::ImportedSession> expected = interop::PortableFormats().Read(mine->data.view(), *f);
        ASSERT_TRUE(expected.ok()) << expected.status();
        EXPECT_EQ(got->session, expected->session);
        EXPECT_EQ(got->extras, expected->extras);
      }
      ++read;
    }
    EXPECT_GT(read, 100u) << target;
    // BinaryFileBackend's files: snapshot and journal (read, not locked).
    Session expected = sessions_->at("generated");
    ApplyChanges(nullptr, &expected);
    absl::StatusOr<std::optional<Session>> loaded = BinaryFileBackend::ReadSessionFiles(theirs + "/backend.session");
    ASSERT_TRUE(loaded.ok()) << target << ": " << loaded.status();
    ASSERT_TRUE(loaded->has_value()) << target;
    EXPECT_EQ(**loaded, expected) << "BinaryFileBackend files written on " << target << ", read on " << kTarget;
  }
}

}  // namespace
}  // namespace tgsession
