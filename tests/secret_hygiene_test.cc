// Secrets never linger in freed memory and never print by accident.
//
// This binary replaces the global operator delete: before a block is freed,
// it is scanned for the test's auth key and token (raw bytes and hex). Every
// tgsession code path that handles keys runs here; afterwards no freed block
// may have contained them. (Buffers we hand to the caller, such as an encoded
// session, are the caller's to wipe: the test keeps them in SecretString, as
// the API documentation asks.)
//
// Built twice: //tests:secret_hygiene_test (everything) and, with
// TGS_HYGIENE_CODECS_ONLY, //tests:secret_hygiene_codecs_test, which needs no
// native OS and so also runs in WebAssembly, where freed memory stays in the
// page's heap.
#include <malloc.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
#include "session/json.h"
#include "session/secret.h"
#include "session/string_codec.h"
#ifndef TGS_HYGIENE_CODECS_ONLY
#include "backends/binary_file_backend.h"
#include "backends/file_system.h"
#include "tests/testing/test_util.h"
#include "tools/cli.h"
#endif

namespace {

// The secrets: bytes no ordinary data contains.
uint8_t g_key[256];
char g_key_hex[33];    // first 16 bytes of the key as hex
uint8_t g_token[24];
std::atomic<bool> g_armed{false};
std::atomic<int> g_leaks{0};

bool Contains(const unsigned char* p, size_t n, const void* needle, size_t m) {
  if (n < m) return false;
  const unsigned char first = *static_cast<const unsigned char*>(needle);
  for (size_t i = 0; i + m <= n; ++i) {
    if (p[i] == first && std::memcmp(p + i, needle, m) == 0) return true;
  }
  return false;
}

// Counts a block freed with a secret in it while armed. Such a block, and
// every block freed while disarmed (the test's own copies), is then zeroed:
// malloc hands freed memory out again, and a later block scanned with those
// stale bytes in its slack would count one leak many times, in whichever test
// happens to reuse it.
void Scan(void* ptr) {
  if (ptr == nullptr) return;
  const size_t n = malloc_usable_size(ptr);
  auto* p = static_cast<unsigned char*>(ptr);
  if (!g_armed.load(std::memory_order_relaxed)) {
    std::memset(p, 0, n);
    return;
  }
  if (Contains(p, n, g_key, 16) || Contains(p, n, g_key + 128, 16) || Contains(p, n, g_key_hex, 32) ||
      Contains(p, n, g_token, 16)) {
    g_leaks.fetch_add(1);
    std::memset(p, 0, n);
  }
}

}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
  Scan(p);
  std::free(p);
}
void operator delete[](void* p) noexcept {
  Scan(p);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  Scan(p);
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  Scan(p);
  std::free(p);
}

namespace tgsession {
namespace {

class SecretHygieneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int i = 0; i < 256; ++i) g_key[i] = static_cast<uint8_t>((i * 167 + 13) & 0xff);
    static const char* kDigits = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
      g_key_hex[2 * i] = kDigits[g_key[i] >> 4];
      g_key_hex[2 * i + 1] = kDigits[g_key[i] & 15];
    }
    for (int i = 0; i < 24; ++i) g_token[i] = static_cast<uint8_t>(0xC0 ^ (i * 29));
  }
  void SetUp() override {
    g_leaks = 0;
    g_armed = true;
  }
  void TearDown() override { g_armed = false; }

  static Session SecretSession() {
    Session s = NewSessionWithDefaults();
    s.dcs[1].auth_key = AuthKey(g_key);
    DcEntry v6 = DcEntry::FromParts(2, "2001:67c:4e8:f002::a", 443, DcFlags(DcFlags::kIpv6));
    v6.auth_key = AuthKey(g_key);
    s.dcs.push_back(v6);
    s.future_auth_token.emplace(absl::Span<const uint8_t>(g_token, sizeof g_token));
    for (int i = 0; i < 50; ++i) s.CachePeer(CachedPeer::User(i, i));
    return s;
  }
};

TEST_F(SecretHygieneTest, CodecsLeaveNoSecretsInFreedMemory) {
  {
    Session s = SecretSession();
    Session copy = s;                // copies
    Session moved = std::move(copy);  // moves
    for (int i = 0; i < 20; ++i) moved.dcs.push_back(moved.dcs[1]);  // vector growth moves keys
    SecretString bin(*EncodeBinary(s));
    SecretString v9(*EncodeBinary(s, EncodeOptions{VersionPolicy::kExtended}));
    EXPECT_EQ(*DecodeBinary(bin.view()), s);
    EXPECT_EQ(*DecodeBinary(v9.view()), s);
    SecretString native(*EncodeNativeString(s));
    EXPECT_EQ(*DecodeNativeString(native.view()), s);
    EXPECT_TRUE(interop::PortableFormats().Detect(native.view()).ok());
    CompactSession c = *SessionToCompact(s, 5);
    SecretString compact(*EncodeCompactString(c));
    EXPECT_EQ(*DecodeCompactString(compact.view()), c);
    JsonWriteOptions jo;
    jo.reveal_secrets = true;
    SecretString json(SessionToJson(s, jo));
    EXPECT_EQ(*SessionFromJson(json.view()), s);
    EXPECT_EQ(SessionToJson(s).find(g_key_hex), std::string::npos);
  }
  EXPECT_EQ(g_leaks.load(), 0) << "freed blocks held an auth key or token";
}

TEST_F(SecretHygieneTest, NothingPrintsSecretsByDefault) {
  const Session s = SecretSession();
  std::ostringstream os;
  os << s << s.dcs[1].auth_key.value() << *s.future_auth_token;
  EXPECT_FALSE(absl::StrContains(os.str(), g_key_hex));
  EXPECT_FALSE(absl::StrContains(s.DebugString(), g_key_hex));
  EXPECT_FALSE(absl::StrContains(SessionToJson(s), g_key_hex));
  // Error messages never carry key bytes, even for a damaged file.
  {
    SecretString encoded(*EncodeBinary(s));
    absl::StatusOr<Session> bad = DecodeBinary(encoded.view().substr(0, encoded.view().size() - 3));
    ASSERT_FALSE(bad.ok());
    EXPECT_FALSE(absl::StrContains(bad.status().message(), g_key_hex));
  }
  EXPECT_EQ(g_leaks.load(), 0) << "freed blocks held an auth key or token";
}

#ifndef TGS_HYGIENE_CODECS_ONLY
TEST_F(SecretHygieneTest, FileBackendLeavesNoSecretsInFreedMemory) {
  const std::string dir = testing::MakeTempDir("hygiene");
  {
    BinaryFileBackend::Options o;
    o.compact_min_journal_bytes = 300;  // compactions too
    auto b = *BinaryFileBackend::Open(dir + "/s.session", o);
    ASSERT_TRUE(b->Save(SecretSession()).ok());
    DcEntry e = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
    e.auth_key = AuthKey(g_key);
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(b->UpdateDc(e).ok());
      ASSERT_TRUE(b->CachePeer(CachedPeer::User(1000 + i, i)).ok());
    }
    auto loaded = b->Load();
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
  }
  {
    auto again = BinaryFileBackend::ReadSessionFiles(dir + "/s.session");
    ASSERT_TRUE(again.ok());
  }
  EXPECT_EQ(g_leaks.load(), 0) << "freed blocks held an auth key or token";
}

TEST_F(SecretHygieneTest, CliRedactsByDefault) {
  const Session s = SecretSession();
  // Human and JSON output redact; --show-secrets reveals.
  const std::string dir = testing::MakeTempDir("hygiene_cli");
  const std::string path = dir + "/s.bin";
  {
    SecretString bin(*EncodeBinary(s));
    ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), path, bin.view()).ok());
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"inspect", path}, {"inspect", "--json", path}}) {
    std::istringstream in;
    std::ostringstream out, err;
    ASSERT_EQ(RunTgsession(args, in, out, err), 0);
    EXPECT_FALSE(absl::StrContains(out.str(), g_key_hex));
    EXPECT_TRUE(absl::StrContains(out.str(), "<redacted>"));
  }
  {
    std::istringstream in;
    std::ostringstream out, err;
    ASSERT_EQ(RunTgsession({"convert", "--to", "ferogram-native", path, "-o", dir + "/s.txt"}, in, out, err), 0);
    ASSERT_EQ(RunTgsession({"convert", "--to", "ferogram-binary", dir + "/s.txt", "-o", dir + "/s2.bin"}, in, out,
                           err),
              0);
    EXPECT_FALSE(absl::StrContains(err.str(), g_key_hex));
  }
  EXPECT_EQ(g_leaks.load(), 0) << "the CLI freed a block holding a secret";
  std::istringstream in;
  std::ostringstream out, err;
  ASSERT_EQ(RunTgsession({"inspect", "--show-secrets", path}, in, out, err), 0);
  EXPECT_TRUE(absl::StrContains(out.str(), g_key_hex));
}
// Input of unknown size grows its buffer as it is read: every buffer it
// outgrows held the session and is wiped before it is freed (the secrets lie
// at both ends of an encoding, so a 1,000-peer session outgrows several).
TEST_F(SecretHygieneTest, InputOfUnknownSizeIsWipedAsItGrows) {
  Session s = SecretSession();
  for (int i = 0; i < 5000; ++i) s.CachePeer(CachedPeer::User(100000 + i, i));
  const std::string dir = testing::MakeTempDir("hygiene_grow");
  {
    // Standard input, read in 64 KiB blocks.
    g_armed = false;
    auto in = std::make_unique<std::istringstream>(EncodeBinary(s).value());
    g_armed = true;
    std::ostringstream out, err;
    ASSERT_EQ(RunTgsession({"inspect", "-"}, *in, out, err), 0) << err.str();
    EXPECT_EQ(g_leaks.load(), 0) << "reading standard input freed a block holding a secret";
    g_armed = false;
  }
  {
    // A FIFO reports size 0: ReadFileBounded reads on until its end.
    const std::string fifo = dir + "/fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    g_armed = false;
    const std::string bytes = EncodeBinary(s).value();
    std::thread writer([&] {
      FILE* f = std::fopen(fifo.c_str(), "wb");
      if (f == nullptr) return;
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    });
    g_armed = true;
    {
      absl::StatusOr<std::string> read = ReadFileBounded(PosixFileSystem(), fifo, 1u << 30);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->size(), bytes.size());
      SecretString owned(*std::move(read));
    }
    g_armed = false;
    writer.join();
    EXPECT_EQ(g_leaks.load(), 0) << "reading a FIFO freed a block holding a secret";
  }
}
#endif  // TGS_HYGIENE_CODECS_ONLY

}  // namespace
}  // namespace tgsession
