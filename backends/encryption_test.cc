// Encryption at rest: BinaryFileBackend with a passphrase.
#include <chrono>
#include <fstream>

#include "absl/strings/match.h"
#include "backends/binary_file_backend.h"
#include "backends/encryption.h"
#include "backends/journal.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/byte_io.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/crash_harness.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

std::shared_ptr<const SecretString> Pass(const std::string& p) { return std::make_shared<SecretString>(p); }

BinaryFileBackend::Options Encrypted(const std::string& pass = "correct horse battery staple") {
  BinaryFileBackend::Options o;
  o.passphrase = Pass(pass);
  o.kdf = KdfParams::Minimum();  // tests: fast derivation
  o.compact_on_close = false;
  return o;
}

INSTANTIATE_TEST_SUITE_P(Encrypted, BackendConformanceTest,
                         ::testing::Values(BackendFactory{"encrypted",
                                                          [](const std::string& dir) -> std::unique_ptr<SessionBackend> {
                                                            auto b = BinaryFileBackend::Open(dir + "/s.session",
                                                                                             Encrypted());
                                                            return b.ok() ? std::move(*b) : nullptr;
                                                          },
                                                          true, false, true}),
                         BackendFactoryName);

void WriteRaw(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

class EncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    path_ = dir_ + "/secret.session";
  }
  void SaveRich(BinaryFileBackend::Options o = Encrypted()) {
    auto b = BinaryFileBackend::Open(path_, o);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE((*b)->Save(RichSession()).ok());
    DcEntry e = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
    e.auth_key = *RichSession().dcs[0].auth_key;
    ASSERT_TRUE((*b)->UpdateDc(e).ok());  // a key in the journal too
  }
  Session Want() {
    Session s = RichSession();
    DcEntry e = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
    e.auth_key = *RichSession().dcs[0].auth_key;
    s.UpsertDc(e);
    return s;
  }
  std::string dir_, path_;
};

TEST_F(EncryptionTest, FilesHoldNoPlaintextAndReopen) {
  SaveRich();
  const std::string key(reinterpret_cast<const char*>(RichSession().dcs[0].auth_key->data()), 32);
  const std::string snap = ReadFileOrDie(path_);
  const std::string journal = ReadFileOrDie(path_ + ".journal");
  EXPECT_TRUE(IsEncryptedSession(snap));
  EXPECT_FALSE(absl::StrContains(snap, key));
  EXPECT_FALSE(absl::StrContains(journal, key));
  EXPECT_FALSE(absl::StrContains(snap, "149.154.167.51"));
  EXPECT_EQ(DecodeBinary(snap).status().code(), absl::StatusCode::kDataLoss);
  auto b = BinaryFileBackend::Open(path_, Encrypted());
  ASSERT_TRUE(b.ok());
  auto s = (*b)->Load();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(**s, Want());
  auto read = BinaryFileBackend::ReadSessionFiles(path_, {}, nullptr, "correct horse battery staple");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(**read, Want());
}

TEST_F(EncryptionTest, WrongOrMissingPassphraseFailsClosed) {
  SaveRich();
  const std::string snap = ReadFileOrDie(path_);
  {
    auto b = BinaryFileBackend::Open(path_, Encrypted("wrong"));
    ASSERT_TRUE(b.ok());
    auto s = (*b)->Load();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_TRUE(absl::StrContains(s.status().message(), "wrong passphrase")) << s.status();
    EXPECT_EQ((*b)->Save(Session()).code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ((*b)->CachePeer(CachedPeer::User(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ((*b)->RecoverCorrupt().status().code(), absl::StatusCode::kFailedPrecondition);
  }
  {
    auto b = BinaryFileBackend::Open(path_);  // no passphrase
    ASSERT_TRUE(b.ok());
    auto s = (*b)->Load();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StrContains(s.status().message(), "encrypted")) << s.status();
  }
  EXPECT_EQ(ReadFileOrDie(path_), snap) << "a failed open must not touch the file";
}

TEST_F(EncryptionTest, EveryTamperingIsDetected) {
  SaveRich();
  const std::string snap = ReadFileOrDie(path_);
  const std::string journal = ReadFileOrDie(path_ + ".journal");
  // Every byte of the snapshot, flipped one at a time (sampled).
  int checked = 0;
  for (size_t i = 0; i < snap.size(); i += (i < 80 ? 1 : 37)) {
    std::string bad = snap;
    bad[i] ^= 0x01;
    WriteRaw(path_, bad);
    ::unlink((path_ + ".journal").c_str());
    auto b = BinaryFileBackend::Open(path_, Encrypted());
    ASSERT_TRUE(b.ok());
    auto s = (*b)->Load();
    ASSERT_FALSE(s.ok()) << "flipped byte " << i << " went unnoticed";
    // The AEAD tag fails (kPermissionDenied: wrong passphrase or modified),
    // or the envelope's own header no longer parses (kDataLoss).
    EXPECT_TRUE(s.status().code() == absl::StatusCode::kPermissionDenied ||
                s.status().code() == absl::StatusCode::kDataLoss)
        << "flipped byte " << i << ": " << s.status();
    ++checked;
  }
  EXPECT_GT(checked, 100);
  // A journal record changed and re-checksummed: the CRC passes, the AEAD
  // does not.
  WriteRaw(path_, snap);
  std::string j = journal;
  j[journal::kHeaderSize + 8 + 30] ^= 0x01;
  const uint32_t len = byte_io::GetU32LE(reinterpret_cast<const uint8_t*>(&j[journal::kHeaderSize]));
  const uint32_t crc = Crc32c(absl::string_view(j).substr(journal::kHeaderSize + 8, len));
  const uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  byte_io::PutU32LE(reinterpret_cast<uint8_t*>(&j[journal::kHeaderSize + 4]), masked);
  WriteRaw(path_ + ".journal", j);
  auto b = BinaryFileBackend::Open(path_, Encrypted());
  ASSERT_TRUE(b.ok());
  auto s = (*b)->Load();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kPermissionDenied) << s.status();
}

TEST_F(EncryptionTest, PlainFileIsEncryptedByTheFirstWrite) {
  {
    auto b = BinaryFileBackend::Open(path_);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->Save(RichSession()).ok());
  }
  EXPECT_FALSE(IsEncryptedSession(ReadFileOrDie(path_)));
  {
    auto b = BinaryFileBackend::Open(path_, Encrypted());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(**(*b)->Load(), RichSession());
    ASSERT_TRUE((*b)->CachePeer(CachedPeer::User(5, 5)).ok());
  }
  EXPECT_TRUE(IsEncryptedSession(ReadFileOrDie(path_)));
  auto b = BinaryFileBackend::Open(path_, Encrypted());
  Session want = RichSession();
  want.CachePeer(CachedPeer::User(5, 5));
  EXPECT_EQ(**(*b)->Load(), want);
}

TEST_F(EncryptionTest, DefaultKdfCost) {
  BinaryFileBackend::Options o = Encrypted();
  o.kdf = KdfParams();  // Argon2id interactive: 2 passes, 64 MiB
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto b = BinaryFileBackend::Open(path_, o);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->Save(RichSession()).ok());
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[encryption] first save with Argon2id interactive parameters: " << ms << " ms\n";
  auto b = BinaryFileBackend::Open(path_, o);
  EXPECT_EQ(**(*b)->Load(), RichSession());
}

TEST(EncryptionCrash, KilledWhileSavingEncrypted) {
  const std::string dir = MakeTempDir("enc_crash");
  CrashHarnessOptions ho;
  ho.kills = 100;
  ho.save_peers = 1000;
  CrashHarnessResult r = RunCrashHarness(
      [&]() -> std::unique_ptr<SessionBackend> {
        auto b = BinaryFileBackend::Open(dir + "/c.session", Encrypted());
        return b.ok() ? std::move(*b) : nullptr;
      },
      ho);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.verified, 100);
  std::cout << "[crash] binary-file/encrypted: " << r.kills << " kills, " << r.verified << " verified, "
            << r.total_ops << " acknowledged ops\n";
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
