#include "session/secret.h"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tgsession {

void SecureZero(void* p, size_t n) {
  if (n == 0) return;
  std::memset(p, 0, n);
  // The empty asm that "reads" p through memory keeps the compiler from
  // treating the memset as a dead store before free() or end of lifetime.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

bool ConstantTimeEquals(const uint8_t* a, const uint8_t* b, size_t n) {
  uint8_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

namespace {

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 0xf];
  }
  return out;
}

}  // namespace

AuthKey::AuthKey(const uint8_t (&data)[kSize]) { std::memcpy(bytes_.data(), data, kSize); }

absl::StatusOr<AuthKey> AuthKey::FromBytes(absl::Span<const uint8_t> data) {
  if (data.size() != kSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth key must be exactly 256 bytes, got ", data.size()));
  }
  return FromRawUnchecked(data.data());
}

absl::StatusOr<AuthKey> AuthKey::FromBytes(absl::string_view data) {
  return FromBytes(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

AuthKey AuthKey::FromRawUnchecked(const uint8_t* data) {
  AuthKey key;
  std::memcpy(key.bytes_.data(), data, kSize);
  return key;
}

AuthKey& AuthKey::operator=(const AuthKey& other) {
  if (this != &other) bytes_ = other.bytes_;
  return *this;
}

AuthKey::AuthKey(AuthKey&& other) noexcept : bytes_(other.bytes_) {
  SecureZeroFixed<kSize>(other.bytes_.data());
}

AuthKey& AuthKey::operator=(AuthKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    SecureZeroFixed<kSize>(other.bytes_.data());
  }
  return *this;
}

std::string AuthKey::RevealHex(RevealSecrets) const { return Hex(bytes_.data(), kSize); }

std::ostream& operator<<(std::ostream& os, const AuthKey&) { return os << "<redacted>"; }

SecretBytes::SecretBytes(absl::Span<const uint8_t> data) : size_(data.size()) {
  if (size_ > 0) {
    data_.reset(new uint8_t[size_]);
    std::memcpy(data_.get(), data.data(), size_);
  }
}

SecretBytes::SecretBytes(absl::string_view data)
    : SecretBytes(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size())) {}

SecretBytes::SecretBytes(const SecretBytes& other) : SecretBytes(other.bytes()) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    SecretBytes copy(other);
    *this = std::move(copy);
  }
  return *this;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (data_ != nullptr) SecureZero(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

std::string SecretBytes::RevealHex(RevealSecrets) const { return Hex(data_.get(), size_); }

bool operator==(const SecretBytes& a, const SecretBytes& b) {
  if (a.size_ != b.size_) return false;
  return ConstantTimeEquals(a.data_.get(), b.data_.get(), a.size_);
}

std::ostream& operator<<(std::ostream& os, const SecretBytes&) { return os << "<redacted>"; }

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe();
    s_ = std::move(other.s_);
    other.Wipe();
  }
  return *this;
}

std::string SecretString::Release() {
  std::string out = std::move(s_);
  s_.clear();
  return out;
}

void SecretString::Append(absl::string_view data) {
  if (s_.capacity() - s_.size() < data.size()) {
    std::string grown;
    grown.reserve(std::max(s_.size() + data.size(), 2 * s_.capacity()));
    grown.append(s_);
    Wipe();
    s_ = std::move(grown);
  }
  s_.append(data.data(), data.size());
}

void SecretString::Wipe() {
  // Wipe the whole capacity: a shrunk string may still hold old bytes.
  if (s_.capacity() > 0) SecureZero(&s_[0], s_.capacity());
  // Release the buffer too (clear() keeps it): a wiped encoding of a large
  // session must not stay allocated until the object dies.
  std::string().swap(s_);
}

}  // namespace tgsession
