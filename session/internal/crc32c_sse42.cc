#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "session/byte_io.h"
#include "session/internal/crc32c_kernels.h"

#ifdef TGS_HAVE_CRC32C_SSE42

namespace tgsession {
namespace internal {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

// Three independent crc32 streams over three adjacent blocks hide the
// instruction's 3-cycle latency (one stream is latency-bound at ~2.7 bytes
// per cycle); the partial CRCs are then combined by "appending zeros" with
// precomputed GF(2) operators, as in Mark Adler's crc32c.c.
constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;

// Multiplies a 32x32 GF(2) matrix by a vector.
uint32_t Gf2Times(const uint32_t* mat, uint32_t vec) {
  uint32_t sum = 0;
  while (vec != 0) {
    if (vec & 1) sum ^= *mat;
    vec >>= 1;
    ++mat;
  }
  return sum;
}

void Gf2Square(uint32_t* square, const uint32_t* mat) {
  for (int n = 0; n < 32; ++n) square[n] = Gf2Times(mat, mat[n]);
}

// Tables applying the operator "feed `len` zero bytes" to a raw CRC
// register, one byte of the register at a time.
struct ZerosTable {
  uint32_t t[4][256];
};

ZerosTable MakeZeros(size_t len) {
  uint32_t even[32], odd[32];
  odd[0] = kPoly;  // the operator for one zero bit
  uint32_t row = 1;
  for (int n = 1; n < 32; ++n) {
    odd[n] = row;
    row <<= 1;
  }
  Gf2Square(even, odd);  // two zero bits
  Gf2Square(odd, even);  // four zero bits
  // Square up to the number of zero bytes.
  uint32_t* op = odd;
  uint32_t* other = even;
  uint32_t result[32];
  bool have = false;
  do {
    Gf2Square(other, op);  // op now covers twice as many zeros in `other`
    std::swap(op, other);
    if (len & 1) {
      if (!have) {
        std::memcpy(result, op, sizeof result);
        have = true;
      } else {
        uint32_t tmp[32];
        for (int n = 0; n < 32; ++n) tmp[n] = Gf2Times(op, result[n]);
        std::memcpy(result, tmp, sizeof result);
      }
    }
    len >>= 1;
  } while (len != 0);
  ZerosTable z;
  for (uint32_t n = 0; n < 256; ++n) {
    z.t[0][n] = Gf2Times(result, n);
    z.t[1][n] = Gf2Times(result, n << 8);
    z.t[2][n] = Gf2Times(result, n << 16);
    z.t[3][n] = Gf2Times(result, n << 24);
  }
  return z;
}

uint32_t Shift(const ZerosTable& z, uint32_t crc) {
  return z.t[0][crc & 0xff] ^ z.t[1][(crc >> 8) & 0xff] ^ z.t[2][(crc >> 16) & 0xff] ^ z.t[3][crc >> 24];
}

const ZerosTable& LongZeros() {
  static const ZerosTable* z = new ZerosTable(MakeZeros(kLongBlock));
  return *z;
}
const ZerosTable& ShortZeros() {
  static const ZerosTable* z = new ZerosTable(MakeZeros(kShortBlock));
  return *z;
}

__attribute__((target("sse4.2"))) uint64_t Crc64Words(uint64_t c, const uint8_t* p, size_t words) {
  for (size_t i = 0; i < words; ++i) {
    c = __builtin_ia32_crc32di(c, byte_io::GetU64LE(p + 8 * i));
  }
  return c;
}

template <size_t kBlock>
__attribute__((target("sse4.2"))) uint64_t ThreeWay(uint64_t c0, const uint8_t* p) {
  uint64_t c1 = 0, c2 = 0;
  for (size_t i = 0; i < kBlock; i += 8) {
    c0 = __builtin_ia32_crc32di(c0, byte_io::GetU64LE(p + i));
    c1 = __builtin_ia32_crc32di(c1, byte_io::GetU64LE(p + kBlock + i));
    c2 = __builtin_ia32_crc32di(c2, byte_io::GetU64LE(p + 2 * kBlock + i));
  }
  const ZerosTable& z = kBlock == kLongBlock ? LongZeros() : ShortZeros();
  uint32_t c = Shift(z, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return Shift(z, c) ^ static_cast<uint32_t>(c2);
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = ~crc;
  while (n >= 3 * kLongBlock) {
    c = ThreeWay<kLongBlock>(c, p);
    p += 3 * kLongBlock;
    n -= 3 * kLongBlock;
  }
  while (n >= 3 * kShortBlock) {
    c = ThreeWay<kShortBlock>(c, p);
    p += 3 * kShortBlock;
    n -= 3 * kShortBlock;
  }
  c = Crc64Words(c, p, n / 8);
  p += n / 8 * 8;
  n %= 8;
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return ~c32;
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_CRC32C_SSE42
