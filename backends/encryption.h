// Encryption at rest for session files: a key derived from a passphrase with
// Argon2id, authenticated encryption with XChaCha20-Poly1305 (libsodium).
//
// Envelope (an encrypted snapshot file):
//   "TGSENC\x01\x00"     8 bytes: magic and envelope version
//   u8  aead             1 = XChaCha20-Poly1305 (IETF)
//   u8  kdf              1 = Argon2id v1.3
//   u16 reserved         0
//   u32 opslimit         Argon2id passes
//   u32 memlimit_kib     Argon2id memory
//   16  salt
//   24  nonce            random for every write
//   ciphertext + 16-byte tag of the binary session
// The first 36 bytes are authenticated too (associated data), so the KDF
// parameters cannot be weakened by editing the file.
//
// Journal records of an encrypted session carry nonce + ciphertext + tag as
// their payload, authenticated together with the journal header and the
// record's offset, so records cannot be moved between positions or files.
//
// Decryption fails closed: a wrong passphrase and a modified file both give
// kPermissionDenied ("wrong passphrase, or the file was modified") — an AEAD
// cannot tell them apart, and neither yields any plaintext.
#ifndef TGSESSION_BACKENDS_ENCRYPTION_H_
#define TGSESSION_BACKENDS_ENCRYPTION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/secret.h"

namespace tgsession {

// Argon2id cost. The defaults are libsodium's "interactive" limits (2 passes,
// 64 MiB: ~0.1-0.3 s on a server core); tests use the minimum.
struct KdfParams {
  uint32_t opslimit = 2;
  uint32_t memlimit_kib = 64 * 1024;
  static KdfParams Minimum() { return KdfParams{1, 8}; }
};

// True if `bytes` start with the envelope magic.
bool IsEncryptedSession(absl::string_view bytes);

// False in a build without libsodium (TGS_NO_SODIUM): SessionCipher's
// constructors then fail with kUnimplemented, so a passphrase is refused and
// an encrypted file is recognised but cannot be opened.
bool EncryptionAvailable();

// A key derived for one file. Holds the key in libsodium-guarded memory
// semantics: wiped on destruction.
class SessionCipher {
 public:
  // A new random salt and the key derived from it.
  static absl::StatusOr<std::unique_ptr<SessionCipher>> ForNewFile(absl::string_view passphrase, KdfParams params);
  // The key for an existing envelope (its salt and parameters). Refuses
  // parameters beyond sane bounds (a hostile file could ask for terabytes).
  static absl::StatusOr<std::unique_ptr<SessionCipher>> ForEnvelope(absl::string_view envelope,
                                                                    absl::string_view passphrase);
  ~SessionCipher();

  // Encrypts a snapshot into an envelope (fresh nonce).
  std::string Seal(absl::string_view plaintext) const;
  // Decrypts an envelope written with this key; kPermissionDenied when the
  // passphrase is wrong or the bytes were changed, kDataLoss when it is not
  // an envelope at all.
  absl::StatusOr<SecretString> Open(absl::string_view envelope) const;

  // Journal records: `ad` binds the record to its journal and position.
  std::string SealRecord(absl::string_view payload, absl::string_view ad) const;
  absl::StatusOr<SecretString> OpenRecord(absl::string_view sealed, absl::string_view ad) const;
  static size_t RecordOverhead();

 private:
  SessionCipher() = default;

  std::array<uint8_t, 36> header_{};  // magic .. salt, reused for every Seal
  uint8_t key_[32] = {};
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_ENCRYPTION_H_
