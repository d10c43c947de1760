// Fixed-width integers in a byte buffer, little- and big-endian, written with
// shifts so they mean the same on every host.
//
// The caller guarantees the bytes exist (a bounded reader checks what remains
// first). Compilers turn each Get into one load. The little-endian Puts are
// the shift form too, except on little-endian hosts, where a value's own
// bytes are already in that order and are copied in one store: g++ 12 emits
// the shift form as single-byte stores (or worse) inside loops.
#ifndef TGSESSION_SESSION_BYTE_IO_H_
#define TGSESSION_SESSION_BYTE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tgsession {
namespace byte_io {

inline uint16_t GetU16LE(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

inline uint32_t GetU32LE(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

inline uint64_t GetU64LE(const uint8_t* p) {
  return static_cast<uint64_t>(p[0]) | (static_cast<uint64_t>(p[1]) << 8) | (static_cast<uint64_t>(p[2]) << 16) |
         (static_cast<uint64_t>(p[3]) << 24) | (static_cast<uint64_t>(p[4]) << 32) |
         (static_cast<uint64_t>(p[5]) << 40) | (static_cast<uint64_t>(p[6]) << 48) |
         (static_cast<uint64_t>(p[7]) << 56);
}

inline int32_t GetI32LE(const uint8_t* p) { return static_cast<int32_t>(GetU32LE(p)); }
inline int64_t GetI64LE(const uint8_t* p) { return static_cast<int64_t>(GetU64LE(p)); }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
inline void PutU16LE(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
inline void PutU32LE(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void PutU64LE(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
#else
inline void PutU16LE(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

inline void PutU32LE(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline void PutU64LE(uint8_t* p, uint64_t v) {
  PutU32LE(p, static_cast<uint32_t>(v));
  PutU32LE(p + 4, static_cast<uint32_t>(v >> 32));
}
#endif

inline void PutI32LE(uint8_t* p, int32_t v) { PutU32LE(p, static_cast<uint32_t>(v)); }
inline void PutI64LE(uint8_t* p, int64_t v) { PutU64LE(p, static_cast<uint64_t>(v)); }

inline uint16_t GetU16BE(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

inline uint32_t GetU32BE(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

inline uint64_t GetU64BE(const uint8_t* p) {
  return (static_cast<uint64_t>(GetU32BE(p)) << 32) | GetU32BE(p + 4);
}

inline void PutU16BE(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void PutU32BE(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

inline void PutU64BE(uint8_t* p, uint64_t v) {
  PutU32BE(p, static_cast<uint32_t>(v >> 32));
  PutU32BE(p + 4, static_cast<uint32_t>(v));
}

}  // namespace byte_io
}  // namespace tgsession

#endif  // TGSESSION_SESSION_BYTE_IO_H_
