#include "backends/encryption.h"

#include <cstring>

#ifndef TGS_NO_SODIUM
#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "session/byte_io.h"
#endif

namespace tgsession {
namespace {
constexpr char kMagic[8] = {'T', 'G', 'S', 'E', 'N', 'C', 1, 0};
}  // namespace

bool IsEncryptedSession(absl::string_view bytes) {
  return bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0;
}

#ifndef TGS_NO_SODIUM
bool EncryptionAvailable() { return true; }

namespace {

constexpr size_t kHeaderBytes = 36;
constexpr size_t kSaltOffset = 20;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
// Bounds on parameters read from a file: enough for any sane setting, small
// enough that a hostile file cannot make us allocate or spin for long.
constexpr uint32_t kMaxOpslimit = 16;
constexpr uint32_t kMaxMemlimitKib = 1024 * 1024;  // 1 GiB

bool SodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

absl::Status Derive(absl::string_view passphrase, const uint8_t* salt, KdfParams p, uint8_t key[32]) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialise");
  if (crypto_pwhash(key, 32, passphrase.data(), passphrase.size(), salt, p.opslimit,
                    static_cast<size_t>(p.memlimit_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("Argon2id key derivation ran out of memory");
  }
  return absl::OkStatus();
}

const absl::Status& WrongKey() {
  static const absl::Status* s = new absl::Status(absl::PermissionDeniedError(
      "cannot decrypt the session: wrong passphrase, or the file was modified"));
  return *s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SessionCipher>> SessionCipher::ForNewFile(absl::string_view passphrase,
                                                                        KdfParams params) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialise");
  if (params.opslimit < 1 || params.opslimit > kMaxOpslimit || params.memlimit_kib < 8 ||
      params.memlimit_kib > kMaxMemlimitKib) {
    return absl::InvalidArgumentError("Argon2id parameters out of range");
  }
  std::unique_ptr<SessionCipher> c(new SessionCipher());
  std::memcpy(c->header_.data(), kMagic, 8);
  c->header_[8] = 1;   // XChaCha20-Poly1305
  c->header_[9] = 1;   // Argon2id v1.3
  byte_io::PutU32LE(&c->header_[12], params.opslimit);
  byte_io::PutU32LE(&c->header_[16], params.memlimit_kib);
  randombytes_buf(&c->header_[kSaltOffset], 16);
  absl::Status st = Derive(passphrase, &c->header_[kSaltOffset], params, c->key_);
  if (!st.ok()) return st;
  return c;
}

absl::StatusOr<std::unique_ptr<SessionCipher>> SessionCipher::ForEnvelope(absl::string_view envelope,
                                                                         absl::string_view passphrase) {
  if (!IsEncryptedSession(envelope) || envelope.size() < kHeaderBytes + kNonceBytes + kTagBytes) {
    return absl::DataLossError("not an encrypted tgsession file (bad header)");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(envelope.data());
  if (p[8] != 1 || p[9] != 1) {
    return absl::DataLossError(absl::StrCat("unsupported encryption (aead ", p[8], ", kdf ", p[9], ")"));
  }
  KdfParams params{byte_io::GetU32LE(p + 12), byte_io::GetU32LE(p + 16)};
  if (params.opslimit < 1 || params.opslimit > kMaxOpslimit || params.memlimit_kib < 8 ||
      params.memlimit_kib > kMaxMemlimitKib) {
    return absl::DataLossError(absl::StrCat("encrypted file asks for Argon2id opslimit ", params.opslimit,
                                            " and ", params.memlimit_kib, " KiB: out of the accepted range"));
  }
  std::unique_ptr<SessionCipher> c(new SessionCipher());
  std::memcpy(c->header_.data(), p, kHeaderBytes);
  absl::Status st = Derive(passphrase, p + kSaltOffset, params, c->key_);
  if (!st.ok()) return st;
  return c;
}

SessionCipher::~SessionCipher() { sodium_memzero(key_, sizeof key_); }

std::string SessionCipher::Seal(absl::string_view plaintext) const {
  std::string out(kHeaderBytes + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<uint8_t*>(&out[0]);
  std::memcpy(o, header_.data(), kHeaderBytes);
  randombytes_buf(o + kHeaderBytes, kNonceBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kHeaderBytes + kNonceBytes, &clen,
                                             reinterpret_cast<const uint8_t*>(plaintext.data()), plaintext.size(),
                                             o, kHeaderBytes, nullptr, o + kHeaderBytes, key_);
  return out;
}

absl::StatusOr<SecretString> SessionCipher::Open(absl::string_view envelope) const {
  if (!IsEncryptedSession(envelope) || envelope.size() < kHeaderBytes + kNonceBytes + kTagBytes) {
    return absl::DataLossError("not an encrypted tgsession file (bad header)");
  }
  const auto* e = reinterpret_cast<const uint8_t*>(envelope.data());
  // The header must be the one our key was derived for (a file whose salt
  // or parameters changed needs a new derivation, i.e. ForEnvelope).
  if (std::memcmp(e, header_.data(), kHeaderBytes) != 0) return WrongKey();
  const size_t clen = envelope.size() - kHeaderBytes - kNonceBytes;
  SecretString out(std::string(clen - kTagBytes, '\0'));
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<uint8_t*>(clen - kTagBytes > 0 ? &(*out.mutable_str())[0] : nullptr), &mlen, nullptr,
          e + kHeaderBytes + kNonceBytes, clen, e, kHeaderBytes, e + kHeaderBytes, key_) != 0) {
    return WrongKey();
  }
  return out;
}

std::string SessionCipher::SealRecord(absl::string_view payload, absl::string_view ad) const {
  std::string out(kNonceBytes + payload.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<uint8_t*>(&out[0]);
  randombytes_buf(o, kNonceBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kNonceBytes, &clen, reinterpret_cast<const uint8_t*>(payload.data()),
                                             payload.size(), reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
                                             nullptr, o, key_);
  return out;
}

absl::StatusOr<SecretString> SessionCipher::OpenRecord(absl::string_view sealed, absl::string_view ad) const {
  if (sealed.size() < kNonceBytes + kTagBytes) return absl::DataLossError("encrypted journal record is too short");
  const auto* s = reinterpret_cast<const uint8_t*>(sealed.data());
  const size_t clen = sealed.size() - kNonceBytes;
  SecretString out(std::string(clen - kTagBytes, '\0'));
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          clen - kTagBytes > 0 ? reinterpret_cast<uint8_t*>(&(*out.mutable_str())[0]) : nullptr, &mlen, nullptr,
          s + kNonceBytes, clen, reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), s, key_) != 0) {
    return WrongKey();
  }
  return out;
}

size_t SessionCipher::RecordOverhead() { return kNonceBytes + kTagBytes; }

#else  // TGS_NO_SODIUM: built without libsodium (docs/constrained-environments.md).

// No cipher can be made, so the members below it are never reached; an
// encrypted file is still recognised (IsEncryptedSession) and refused with
// this status rather than reported as corrupt.
bool EncryptionAvailable() { return false; }

namespace {
absl::Status NoSodium() {
  return absl::UnimplementedError(
      "encrypted sessions need libsodium, and this build of tgsession has none (built with TGS_NO_SODIUM)");
}
}  // namespace

absl::StatusOr<std::unique_ptr<SessionCipher>> SessionCipher::ForNewFile(absl::string_view, KdfParams) {
  return NoSodium();
}
absl::StatusOr<std::unique_ptr<SessionCipher>> SessionCipher::ForEnvelope(absl::string_view, absl::string_view) {
  return NoSodium();
}
SessionCipher::~SessionCipher() = default;
std::string SessionCipher::Seal(absl::string_view) const { return std::string(); }
absl::StatusOr<SecretString> SessionCipher::Open(absl::string_view) const { return NoSodium(); }
std::string SessionCipher::SealRecord(absl::string_view, absl::string_view) const { return std::string(); }
absl::StatusOr<SecretString> SessionCipher::OpenRecord(absl::string_view, absl::string_view) const {
  return NoSodium();
}
size_t SessionCipher::RecordOverhead() { return 0; }

#endif  // TGS_NO_SODIUM

}  // namespace tgsession
