// Types that hold session secrets: MTProto auth keys and future auth tokens.
//
// Whoever holds an auth key can act as the account, so these types
//   * wipe their bytes when destroyed, moved from or reassigned (the compiler
//     may not elide the wipe: see SecureZero);
//   * never print their contents by accident: operator<< and DebugString()
//     write "<redacted>", and the bytes are reachable only through explicitly
//     named accessors (`bytes()`, `RevealHex()`);
//   * compare in constant time, so an equality check does not leak a prefix
//     length through timing.
//
// Nothing here locks memory against swapping (mlock): sessions are saved to
// disk anyway, and mlock limits are small on most systems.
#ifndef TGSESSION_SESSION_SECRET_H_
#define TGSESSION_SESSION_SECRET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace tgsession {

// Overwrites `n` bytes at `p` with zeros in a way the optimizer must keep even
// when the memory is freed right after.
void SecureZero(void* p, size_t n);

// SecureZero for a size known at compile time, inline, as plain vector
// stores: a decoded session wipes one 256-byte key per DC when it is
// destroyed, and GCC (generic x86-64 tuning) turns a 256-byte memset into
// `rep stosq`, whose start-up cost is several times the sixteen stores. The
// empty asm after each 64 bytes keeps the
// compiler from merging the blocks back into one memset, and, as in
// SecureZero, from treating the stores as dead before the end of the
// lifetime.
template <size_t kN>
inline void SecureZeroFixed(uint8_t* p) {
  static_assert(kN % 64 == 0, "SecureZeroFixed wipes whole 64-byte blocks");
  for (size_t i = 0; i < kN; i += 64) {
    std::memset(p + i, 0, 64);  // inlined as four 16-byte stores
    __asm__ __volatile__("" : : "r"(p) : "memory");
  }
}

// Constant-time equality of two equally long byte ranges.
bool ConstantTimeEquals(const uint8_t* a, const uint8_t* b, size_t n);

// Marker argument for the few functions that reveal secret bytes as text, so
// every such call site reads as deliberate: `key.RevealHex(kRevealSecrets)`.
enum class RevealSecrets { kYes };
inline constexpr RevealSecrets kRevealSecrets = RevealSecrets::kYes;

// A 2048-bit MTProto authorization key, stored inline (no allocation).
class AuthKey {
 public:
  static constexpr size_t kSize = 256;

  // All-zero key. A DC without a key is represented by an empty
  // std::optional<AuthKey>, never by a zero key.
  AuthKey() : bytes_{} {}
  // Copies exactly kSize bytes from `data`.
  explicit AuthKey(const uint8_t (&data)[kSize]);

  // Builds a key from `data`, which must be exactly 256 bytes long.
  static absl::StatusOr<AuthKey> FromBytes(absl::Span<const uint8_t> data);
  static absl::StatusOr<AuthKey> FromBytes(absl::string_view data);
  // Builds a key from `data`, which must hold at least kSize bytes; reads
  // exactly kSize of them. For decoders that already checked the length.
  static AuthKey FromRawUnchecked(const uint8_t* data);

  AuthKey(const AuthKey& other) = default;
  AuthKey& operator=(const AuthKey& other);
  // Moving copies the bytes and wipes the source.
  AuthKey(AuthKey&& other) noexcept;
  AuthKey& operator=(AuthKey&& other) noexcept;
  ~AuthKey() { SecureZeroFixed<kSize>(bytes_.data()); }

  absl::Span<const uint8_t> bytes() const { return bytes_; }
  uint8_t* mutable_data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  static constexpr size_t size() { return kSize; }

  // Lower-case hex of all 256 bytes. Only for an explicit user request
  // (`inspect --show-secrets`).
  std::string RevealHex(RevealSecrets) const;

  // "<redacted>": safe to log.
  std::string DebugString() const { return "<redacted>"; }

  friend bool operator==(const AuthKey& a, const AuthKey& b) {
    return ConstantTimeEquals(a.bytes_.data(), b.bytes_.data(), kSize);
  }
  friend bool operator!=(const AuthKey& a, const AuthKey& b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, const AuthKey& key);

 private:
  std::array<uint8_t, kSize> bytes_;
};

// A variable-length secret (the future auth token). Owns exactly one heap
// block of exactly size() bytes, wiped before it is freed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(absl::Span<const uint8_t> data);
  explicit SecretBytes(absl::string_view data);

  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  absl::Span<const uint8_t> bytes() const { return {data_.get(), size_}; }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  std::string RevealHex(RevealSecrets) const;
  std::string DebugString() const { return "<redacted>"; }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b);
  friend bool operator!=(const SecretBytes& a, const SecretBytes& b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, const SecretBytes& s);

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// A std::string whose buffer is wiped on destruction: for encoded sessions,
// strings and files that contain keys. Moving leaves the source empty.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string s) : s_(std::move(s)) {}
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  SecretString(SecretString&& other) noexcept : s_(std::move(other.s_)) { other.Wipe(); }
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString() { Wipe(); }

  const std::string& str() const { return s_; }
  std::string* mutable_str() { return &s_; }
  absl::string_view view() const { return s_; }
  // Hands the contents over; the caller becomes responsible for wiping.
  std::string Release();
  // Appends `data`. When the buffer must grow, the contents move to a new
  // buffer (at least twice as large) and the old one is wiped before it is
  // freed: std::string's own growth would free it with the secret inside.
  void Append(absl::string_view data);

 private:
  void Wipe();
  std::string s_;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_SECRET_H_
