// The libsodium we link is the one BUILD.libsodium builds from Debian's
// source package (nothing links -lsodium), with Debian's security patch, and
// it does what encryption at rest asks of it.
#include <sodium.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace {

TEST(LibsodiumTest, IsThePinnedBuild) {
  ASSERT_GE(sodium_init(), 0);
  EXPECT_STREQ(sodium_version_string(), "1.0.18");
  EXPECT_EQ(sodium_library_version_major(), 10);
  EXPECT_EQ(sodium_library_minimal(), 0);
}

// CVE-2025-69277.patch: a point outside the main subgroup whose multiple by
// the group order has X == 0 but Y != Z was accepted. The point is the one
// the upstream fix adds to libsodium's own test.
TEST(LibsodiumTest, DebianSecurityPatchIsApplied) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char p[crypto_core_ed25519_BYTES];
  std::memset(p, 0x99, sizeof p);
  p[0] = 0x95;
  EXPECT_EQ(crypto_core_ed25519_is_valid_point(p), 0);
}

// Argon2id (a known answer: a wrong build, in its defines or instruction-set
// files, shows) and an XChaCha20-Poly1305 round trip.
TEST(LibsodiumTest, WhatEncryptionAtRestUses) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char salt[crypto_pwhash_SALTBYTES];
  for (size_t i = 0; i < sizeof salt; ++i) salt[i] = static_cast<unsigned char>(i);
  unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  const std::string pass = "correct horse battery staple";
  ASSERT_EQ(crypto_pwhash(key, sizeof key, pass.data(), pass.size(), salt, 2, 8 << 20, crypto_pwhash_ALG_ARGON2ID13),
            0);
  // Debian's libsodium 1.0.18-1+deb12u1 derives the same key.
  char hex[2 * sizeof key + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  EXPECT_STREQ(hex, "a891dd91a3d123add6ea78ceedcc94a7f1dc1e4ca480e57e6f240a113662ea2f");

  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(nonce, sizeof nonce);
  const std::string message = "an auth key";
  std::string sealed(message.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long sealed_len = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_encrypt(
                reinterpret_cast<unsigned char*>(&sealed[0]), &sealed_len,
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), nullptr, 0, nullptr, nonce, key),
            0);
  std::string opened(message.size(), '\0');
  unsigned long long opened_len = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                reinterpret_cast<unsigned char*>(&opened[0]), &opened_len, nullptr,
                reinterpret_cast<const unsigned char*>(sealed.data()), sealed_len, nullptr, 0, nonce, key),
            0);
  EXPECT_EQ(opened, message);
  sealed[0] ^= 1;
  EXPECT_NE(crypto_aead_xchacha20poly1305_ietf_decrypt(
                reinterpret_cast<unsigned char*>(&opened[0]), &opened_len, nullptr,
                reinterpret_cast<const unsigned char*>(sealed.data()), sealed_len, nullptr, 0, nonce, key),
            0);
}

}  // namespace
