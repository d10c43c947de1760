// WebAssembly SIMD128 base64 kernels, after Wojciech Muła and Daniel Lemire
// (the AVX2 kernels' scheme on 16 lanes, with i8x16.swizzle as the table
// lookup): 12 bytes <-> 16 symbols a step. Built only where the compiler
// targets SIMD128 (-msimd128, every WebAssembly build: README "WebAssembly"
// gives the browsers that run it).
#include "session/internal/base64_kernels.h"

#ifdef TGS_HAVE_BASE64_WASM_SIMD128
#include <wasm_simd128.h>

namespace tgsession {
namespace internal {
namespace {

// Decoding looks each symbol up by its two nibbles (c = 16 * hi + lo):
//  * c is in the alphabet iff (bad_hi[hi] & bad_lo[lo]) == 0: each distinct
//    row of the 16 x 16 "not a symbol" matrix gets a bit, set in bad_hi for
//    the rows that have it and in bad_lo for the columns that row rejects;
//  * its sextet is c + roll[hi | (c == symbols[63] ? 8 : 0)]: one offset per
//    row, the 63rd symbol (which shares its row with symbols of another
//    offset in both alphabets) taking a row index of its own.
// Derived from the alphabet at compile time; NibbleTablesHold() checks the
// derivation against every byte.
struct NibbleTables {
  uint8_t bad_hi[16];
  uint8_t bad_lo[16];
  int8_t roll[16];
};

constexpr bool IsSymbol(const char* symbols, int c) {
  for (int v = 0; v < 64; ++v) {
    if (static_cast<unsigned char>(symbols[v]) == c) return true;
  }
  return false;
}

constexpr uint16_t BadColumns(const char* symbols, int hi) {
  uint16_t bad = 0;
  for (int lo = 0; lo < 16; ++lo) {
    if (!IsSymbol(symbols, 16 * hi + lo)) bad = static_cast<uint16_t>(bad | (1u << lo));
  }
  return bad;
}

constexpr int RollIndex(const char* symbols, int c) {
  return (c >> 4) | (c == static_cast<unsigned char>(symbols[63]) ? 8 : 0);
}

constexpr NibbleTables MakeNibbleTables(const char* symbols) {
  NibbleTables t{};
  uint16_t rows[8] = {};
  int distinct = 0;
  for (int hi = 0; hi < 16; ++hi) {
    const uint16_t bad = BadColumns(symbols, hi);
    int bit = 0;
    while (bit < distinct && rows[bit] != bad) ++bit;
    if (bit == distinct && distinct < 8) rows[distinct++] = bad;  // a ninth row fails NibbleTablesHold
    t.bad_hi[hi] = static_cast<uint8_t>(1u << bit);
    for (int lo = 0; lo < 16; ++lo) {
      if ((bad >> lo) & 1) t.bad_lo[lo] = static_cast<uint8_t>(t.bad_lo[lo] | (1u << bit));
    }
  }
  for (int v = 0; v < 64; ++v) {
    const int c = static_cast<unsigned char>(symbols[v]);
    t.roll[RollIndex(symbols, c)] = static_cast<int8_t>(v - c);
  }
  return t;
}

constexpr bool NibbleTablesHold(const char* symbols, const NibbleTables& t) {
  for (int c = 0; c < 256; ++c) {
    const bool symbol = (t.bad_hi[c >> 4] & t.bad_lo[c & 15]) == 0;
    if (symbol != IsSymbol(symbols, c)) return false;
    if (!symbol) continue;
    const int sextet = c + t.roll[RollIndex(symbols, c)];
    if (sextet < 0 || sextet > 63 || static_cast<unsigned char>(symbols[sextet]) != c) return false;
  }
  return true;
}

constexpr NibbleTables kUrlNibbles = MakeNibbleTables(kBase64UrlSymbols);
constexpr NibbleTables kStdNibbles = MakeNibbleTables(kBase64StdSymbols);
static_assert(NibbleTablesHold(kBase64UrlSymbols, kUrlNibbles), "base64url nibble tables");
static_assert(NibbleTablesHold(kBase64StdSymbols, kStdNibbles), "base64 nibble tables");

inline v128_t Load16(const void* p) { return wasm_v128_load(p); }

}  // namespace

size_t Base64DecodeQuantaWasmSimd128(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const NibbleTables& t = url_safe ? kUrlNibbles : kStdNibbles;
  const v128_t bad_hi = Load16(t.bad_hi), bad_lo = Load16(t.bad_lo), roll = Load16(t.roll);
  const v128_t last = wasm_i8x16_splat(static_cast<int8_t>(url_safe ? kBase64UrlSymbols[63] : kBase64StdSymbols[63]));
  const size_t len = 4 * quanta;
  size_t i = 0;
  // 16 symbols -> 12 bytes, stored as 16 (the excess is rewritten next):
  // while the store stays inside out[0, 3 * quanta). In place, each store
  // ends at or below the next step's symbols. Stops before a block holding
  // a byte outside the alphabet; the portable kernel then finds it.
  for (; i + 16 <= len && i / 4 * 3 + 16 <= 3 * quanta; i += 16) {
    const v128_t c = Load16(text + i);
    const v128_t hi = wasm_u8x16_shr(c, 4);
    const v128_t lo = wasm_v128_and(c, wasm_i8x16_splat(15));
    if (wasm_v128_any_true(wasm_v128_and(wasm_i8x16_swizzle(bad_hi, hi), wasm_i8x16_swizzle(bad_lo, lo)))) break;
    const v128_t row = wasm_v128_or(hi, wasm_v128_and(wasm_i8x16_eq(c, last), wasm_i8x16_splat(8)));
    const v128_t sextets = wasm_i8x16_add(c, wasm_i8x16_swizzle(roll, row));
    // Per 16-bit lane (s0, s1) -> s0 << 6 | s1; per 32-bit lane of two of
    // those (a, b) -> a << 12 | b: the group's 24 bits, first byte highest.
    const v128_t pairs = wasm_v128_or(wasm_i16x8_shl(wasm_v128_and(sextets, wasm_i16x8_splat(0xFF)), 6),
                                      wasm_u16x8_shr(sextets, 8));
    const v128_t groups = wasm_i32x4_dot_i16x8(pairs, wasm_i32x4_splat(0x00011000));
    wasm_v128_store(out + i / 4 * 3,
                    wasm_i8x16_shuffle(groups, groups, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 3, 7, 11, 15));
  }
  const size_t q = i / 4;
  return q + Base64DecodeQuantaPortable(text + i, quanta - q, out + 3 * q, url_safe);
}

void Base64EncodeInPlaceWasmSimd128(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe) {
  const int8_t c62 = static_cast<int8_t>(url_safe ? '-' - 62 : '+' - 62);
  const int8_t c63 = static_cast<int8_t>(url_safe ? '_' - 63 : '/' - 63);
  // Offset to add to a sextet, by its range (see below): 26..51, 52..61,
  // 62, 63, 0..25.
  const v128_t offsets = wasm_i8x16_make('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                         '0' - 52, '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0);
  const v128_t zero = wasm_i32x4_splat(0);
  // Four groups a step, last to first. The step for groups [q, q + 4) reads
  // buf[3q, 3q + 16) and then writes the symbols buf[4q, 4q + 16): the bytes
  // still to be read lie below 3q <= 4q, and its own 12 bytes are intact,
  // the previous step having written from 4q + 16 on. The 4 bytes read past
  // them are discarded lanes.
  size_t q = triples;
  while (q >= 4 && (q - 4) * 3 + 16 <= buf_size) {
    q -= 4;
    const v128_t bytes = Load16(buf + 3 * q);
    // Each 32-bit lane: one group's 24 bits, first byte highest.
    const v128_t v = wasm_i8x16_shuffle(bytes, zero, 2, 1, 0, 16, 5, 4, 3, 16, 8, 7, 6, 16, 11, 10, 9, 16);
    // Its four sextets, first in the lowest byte.
    v128_t s = wasm_u32x4_shr(v, 18);
    s = wasm_v128_or(s, wasm_v128_and(wasm_u32x4_shr(v, 4), wasm_i32x4_splat(0x3F00)));
    s = wasm_v128_or(s, wasm_v128_and(wasm_i32x4_shl(v, 10), wasm_i32x4_splat(0x3F0000)));
    s = wasm_v128_or(s, wasm_v128_and(wasm_i32x4_shl(v, 24), wasm_i32x4_splat(0x3F000000)));
    // Range of each sextet: 0 for 26..51, 1..12 for 52..63, 13 for 0..25.
    v128_t range = wasm_u8x16_sub_sat(s, wasm_i8x16_splat(51));
    range = wasm_v128_or(range, wasm_v128_and(wasm_u8x16_lt(s, wasm_i8x16_splat(26)), wasm_i8x16_splat(13)));
    wasm_v128_store(buf + 4 * q, wasm_i8x16_add(s, wasm_i8x16_swizzle(offsets, range)));
  }
  Base64EncodeInPlacePortable(buf, q, buf_size, url_safe);
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_BASE64_WASM_SIMD128
