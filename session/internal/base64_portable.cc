// The portable base64 kernels: table lookups on whole words, the reference
// for the vector kernels.
#include <cstddef>
#include <cstdint>

#include "session/byte_io.h"
#include "session/internal/base64_kernels.h"

namespace tgsession {
namespace internal {
namespace {

// d[j][c]: the 6 bits of symbol c at position j of a group, placed where they
// belong in the group's 3 bytes read as a little-endian word (byte 0 first).
// A byte outside the alphabet maps to all ones, so the OR of a group's four
// entries is below 2^24 exactly when all four are symbols.
struct DecodeTable {
  uint32_t d[4][256];
};

constexpr uint32_t kNotASymbol = 0xFFFFFFFFu;

constexpr DecodeTable MakeDecodeTable(const char* symbols) {
  DecodeTable t{};
  for (int j = 0; j < 4; ++j) {
    for (int c = 0; c < 256; ++c) t.d[j][c] = kNotASymbol;
  }
  for (uint32_t v = 0; v < 64; ++v) {
    const auto c = static_cast<unsigned char>(symbols[v]);
    t.d[0][c] = v << 2;                           // byte 0, bits 7..2
    t.d[1][c] = (v >> 4) | ((v & 0xF) << 12);      // byte 0 bits 1..0, byte 1 bits 7..4
    t.d[2][c] = ((v >> 2) << 8) | ((v & 3) << 22);  // byte 1 bits 3..0, byte 2 bits 7..6
    t.d[3][c] = v << 16;                          // byte 2, bits 5..0
  }
  return t;
}

constexpr DecodeTable kUrlDecode = MakeDecodeTable(kBase64UrlSymbols);
constexpr DecodeTable kStdDecode = MakeDecodeTable(kBase64StdSymbols);

// e[x]: the two symbols of the 12-bit value x, first symbol in the low byte.
struct EncodeTable {
  uint16_t e[4096];
};

constexpr EncodeTable MakeEncodeTable(const char* symbols) {
  EncodeTable t{};
  for (uint32_t x = 0; x < 4096; ++x) {
    t.e[x] = static_cast<uint16_t>(static_cast<unsigned char>(symbols[x >> 6]) |
                                   (static_cast<unsigned char>(symbols[x & 63]) << 8));
  }
  return t;
}

constexpr EncodeTable kUrlEncode = MakeEncodeTable(kBase64UrlSymbols);
constexpr EncodeTable kStdEncode = MakeEncodeTable(kBase64StdSymbols);

inline uint32_t Group(const DecodeTable& t, const uint8_t* p) {
  return t.d[0][p[0]] | t.d[1][p[1]] | t.d[2][p[2]] | t.d[3][p[3]];
}

// The symbols of the 24 bits at v's bits 63..40: two table entries, first
// symbol in the low byte.
inline uint32_t Pair(const uint16_t* e, uint64_t v) {
  return uint32_t{e[v >> 52]} | (uint32_t{e[(v >> 40) & 0xFFF]} << 16);
}

// The symbols of the 48 bits at v's bits 63..16: four table entries.
inline uint64_t Four(const uint16_t* e, uint64_t v) {
  return uint64_t{Pair(e, v)} | (uint64_t{Pair(e, v << 24)} << 32);
}

}  // namespace

size_t Base64DecodeQuantaPortable(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const DecodeTable& t = url_safe ? kUrlDecode : kStdDecode;
  size_t q = 0;
  // Four groups a step, stored as two 8-byte words of 6 bytes each (the
  // excess is overwritten next), while the excess stays below 3 * quanta.
  // All 16 symbols are read before anything is written: in place, the
  // writes stay below the next step's symbols.
  for (; q + 5 <= quanta; q += 4) {
    const uint8_t* p = text + 4 * q;
    const uint32_t w0 = Group(t, p), w1 = Group(t, p + 4), w2 = Group(t, p + 8), w3 = Group(t, p + 12);
    if (((w0 | w1 | w2 | w3) >> 24) != 0) break;  // the loop below stops at the bad group
    uint8_t* o = out + 3 * q;
    byte_io::PutU64LE(o, w0 | (uint64_t{w1} << 24));
    byte_io::PutU64LE(o + 6, w2 | (uint64_t{w3} << 24));
  }
  for (; q < quanta; ++q) {
    const uint32_t w = Group(t, text + 4 * q);
    if ((w >> 24) != 0) break;
    uint8_t* o = out + 3 * q;
    o[0] = static_cast<uint8_t>(w);
    o[1] = static_cast<uint8_t>(w >> 8);
    o[2] = static_cast<uint8_t>(w >> 16);
  }
  return q;
}

void Base64EncodeInPlacePortable(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe) {
  (void)buf_size;  // reads stay below 3 * triples, writes below 4 * triples
  const uint16_t* e = (url_safe ? kUrlEncode : kStdEncode).e;
  // Last group first: group q reads buf[3q, 3q + 3) and writes buf[4q, 4q + 4),
  // and every group still to be read lies below 3q <= 4q. The last groups
  // one at a time, down to a multiple of four, so that the four-group steps
  // below may load whole 8-byte words: their 2 spare bytes are input bytes
  // of the group above, read but not yet overwritten (its symbols start at
  // 4 * (q + 4)).
  size_t q = triples;
  if (q != 0) {
    do {
      --q;
      const uint8_t* p = buf + 3 * q;
      byte_io::PutU32LE(buf + 4 * q, Pair(e, (uint64_t{byte_io::GetU16BE(p)} << 48) | (uint64_t{p[2]} << 40)));
    } while (q % 4 != 0);
  }
  // Four groups a step: each 8-byte word's top 48 bits are two groups, four
  // 12-bit table entries, one 8-byte store.
  while (q >= 4) {
    q -= 4;
    const uint8_t* p = buf + 3 * q;
    const uint64_t a = byte_io::GetU64BE(p), b = byte_io::GetU64BE(p + 6);
    uint8_t* o = buf + 4 * q;
    byte_io::PutU64LE(o, Four(e, a));
    byte_io::PutU64LE(o + 8, Four(e, b));
  }
}

}  // namespace internal
}  // namespace tgsession
