// ByteReader: little-endian fixed-width fields read in order from untrusted
// bytes. Every read checks what remains and returns false (nullptr for
// Bytes) instead of reading past the end; after a failed read the position
// is unchanged. The caller turns a false into its own status, naming its
// field and offset.
#ifndef TGSESSION_SESSION_BYTE_READER_H_
#define TGSESSION_SESSION_BYTE_READER_H_

#include <cstddef>
#include <cstdint>

#include "session/byte_io.h"

namespace tgsession {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), n_(data == nullptr ? 0 : size) {}

  // 64-bit, so a count times a record size cannot wrap with a 32-bit size_t.
  bool Need(uint64_t k) const { return n_ - pos_ >= k; }
  bool U8(uint8_t* v) { return Take(GetU8, v); }
  bool U16(uint16_t* v) { return Take(byte_io::GetU16LE, v); }
  bool U32(uint32_t* v) { return Take(byte_io::GetU32LE, v); }
  bool I32(int32_t* v) { return Take(byte_io::GetI32LE, v); }
  bool I64(int64_t* v) { return Take(byte_io::GetI64LE, v); }
  const uint8_t* Bytes(size_t k) {
    if (!Need(k)) return nullptr;
    const uint8_t* r = p_ + pos_;
    pos_ += k;
    return r;
  }
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ == n_; }

 private:
  static uint8_t GetU8(const uint8_t* p) { return *p; }

  template <typename T>
  bool Take(T (*get)(const uint8_t*), T* v) {
    if (!Need(sizeof(T))) return false;
    *v = get(p_ + pos_);
    pos_ += sizeof(T);
    return true;
  }

  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

}  // namespace tgsession

#endif  // TGSESSION_SESSION_BYTE_READER_H_
