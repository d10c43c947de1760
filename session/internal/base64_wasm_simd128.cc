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

// Every constant of the loops below is a vector loaded from these tables
// before the loop, through a pointer read once from a volatile: V8 keeps
// such a value in a register, while it rebuilds a v128.const inside the loop
// at each use (three to five instructions), which cost more than the work.
// Shuffles with a fixed pattern are swizzles by a loaded pattern for the
// same reason (V8 builds a shuffle's pattern each time too).
struct LoopConstants {
  NibbleTables url, std;
  uint8_t low_nibble[16];     // 0x0F in every byte
  uint8_t url_last[16];       // symbols[63] in every byte
  uint8_t std_last[16];
  uint8_t eight[16];          // 8 in every byte
  uint8_t pair_low[16];       // 0xFF in the low byte of each 16-bit lane
  uint8_t pair_weights[16];   // i16 pairs (0x1000, 1): a << 12 | b
  uint8_t pack[16];           // each group's 3 bytes, first byte first
  uint8_t spread[16];         // each group's 3 bytes into a 32-bit lane, first byte highest
  uint8_t mask_s1[16];        // 0x3F00 in every 32-bit lane
  uint8_t mask_s2[16];        // 0x3F0000
  uint8_t mask_s3[16];        // 0x3F000000
  uint8_t fifty_one[16];      // 51 in every byte
  uint8_t twenty_six[16];     // 26
  uint8_t thirteen[16];       // 13
  int8_t url_offsets[16];     // by range (see the encoder)
  int8_t std_offsets[16];
};

constexpr LoopConstants MakeLoopConstants() {
  LoopConstants c{};
  c.url = kUrlNibbles;
  c.std = kStdNibbles;
  for (int i = 0; i < 16; ++i) {
    c.low_nibble[i] = 0x0F;
    c.url_last[i] = static_cast<uint8_t>(kBase64UrlSymbols[63]);
    c.std_last[i] = static_cast<uint8_t>(kBase64StdSymbols[63]);
    c.eight[i] = 8;
    c.pair_low[i] = i % 2 == 0 ? 0xFF : 0;
    c.fifty_one[i] = 51;
    c.twenty_six[i] = 26;
    c.thirteen[i] = 13;
  }
  for (int lane = 0; lane < 4; ++lane) {
    // Little-endian lanes (WebAssembly's byte order).
    const uint8_t weights[4] = {0x00, 0x10, 0x01, 0x00};
    const uint8_t s1[4] = {0, 0x3F, 0, 0}, s2[4] = {0, 0, 0x3F, 0}, s3[4] = {0, 0, 0, 0x3F};
    const uint8_t spread[4] = {2, 1, 0, 0x80};  // 0x80: out of range, reads as 0
    for (int b = 0; b < 4; ++b) {
      c.pair_weights[4 * lane + b] = weights[b];
      c.mask_s1[4 * lane + b] = s1[b];
      c.mask_s2[4 * lane + b] = s2[b];
      c.mask_s3[4 * lane + b] = s3[b];
      c.spread[4 * lane + b] = spread[b] == 0x80 ? 0x80 : static_cast<uint8_t>(3 * lane + spread[b]);
    }
  }
  const uint8_t pack[16] = {2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 3, 7, 11, 15};
  for (int i = 0; i < 16; ++i) c.pack[i] = pack[i];
  // Offset to add to a sextet, by its range: 26..51, 52..61, 62, 63, 0..25.
  for (int url = 0; url < 2; ++url) {
    int8_t* o = url ? c.url_offsets : c.std_offsets;
    o[0] = 'a' - 26;
    for (int i = 1; i <= 10; ++i) o[i] = '0' - 52;
    o[11] = static_cast<int8_t>((url ? '-' : '+') - 62);
    o[12] = static_cast<int8_t>((url ? '_' : '/') - 63);
    o[13] = 'A';
  }
  return c;
}

constexpr LoopConstants kLoopConstants = MakeLoopConstants();
const LoopConstants* volatile loop_constants = &kLoopConstants;

inline v128_t Load16(const void* p) { return wasm_v128_load(p); }

}  // namespace

size_t Base64DecodeQuantaWasmSimd128(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const LoopConstants& k = *loop_constants;
  const NibbleTables& t = url_safe ? k.url : k.std;
  const v128_t bad_hi = Load16(t.bad_hi), bad_lo = Load16(t.bad_lo), roll = Load16(t.roll);
  const v128_t last = Load16(url_safe ? k.url_last : k.std_last);
  const v128_t low_nibble = Load16(k.low_nibble), eight = Load16(k.eight), pair_low = Load16(k.pair_low);
  const v128_t pair_weights = Load16(k.pair_weights), pack = Load16(k.pack);
  const size_t len = 4 * quanta;
  size_t i = 0;
  // 16 symbols -> 12 bytes, stored as 16 (the excess is rewritten next):
  // while the store stays inside out[0, 3 * quanta), that is
  // 3i/4 + 16 <= 3 len/4, i + 64/3 <= len, i + 22 <= len in whole numbers
  // (which also keeps the 16 symbols read inside the text). In place, each
  // store ends at or below the next step's symbols. Stops before a block
  // holding a byte outside the alphabet; the portable kernel then finds it.
  for (; i + 22 <= len; i += 16) {
    const v128_t c = Load16(text + i);
    const v128_t hi = wasm_v128_and(wasm_u16x8_shr(c, 4), low_nibble);
    const v128_t lo = wasm_v128_and(c, low_nibble);
    if (wasm_v128_any_true(wasm_v128_and(wasm_i8x16_swizzle(bad_hi, hi), wasm_i8x16_swizzle(bad_lo, lo)))) break;
    const v128_t row = wasm_v128_or(hi, wasm_v128_and(wasm_i8x16_eq(c, last), eight));
    const v128_t sextets = wasm_i8x16_add(c, wasm_i8x16_swizzle(roll, row));
    // Per 16-bit lane (s0, s1) -> s0 << 6 | s1; per 32-bit lane of two of
    // those (a, b) -> a << 12 | b: the group's 24 bits, first byte highest.
    const v128_t pairs = wasm_v128_or(wasm_i16x8_shl(wasm_v128_and(sextets, pair_low), 6), wasm_u16x8_shr(sextets, 8));
    const v128_t groups = wasm_i32x4_dot_i16x8(pairs, pair_weights);
    wasm_v128_store(out + i / 4 * 3, wasm_i8x16_swizzle(groups, pack));
  }
  const size_t q = i / 4;
  return q + Base64DecodeQuantaPortable(text + i, quanta - q, out + 3 * q, url_safe);
}

void Base64EncodeInPlaceWasmSimd128(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe) {
  const LoopConstants& k = *loop_constants;
  const v128_t offsets = Load16(url_safe ? k.url_offsets : k.std_offsets);
  const v128_t spread = Load16(k.spread), mask_s1 = Load16(k.mask_s1), mask_s2 = Load16(k.mask_s2),
               mask_s3 = Load16(k.mask_s3);
  const v128_t fifty_one = Load16(k.fifty_one), twenty_six = Load16(k.twenty_six), thirteen = Load16(k.thirteen);
  // Four groups a step, last to first. The step for groups [q, q + 4) reads
  // buf[3q, 3q + 16) and then writes the symbols buf[4q, 4q + 16): the bytes
  // still to be read lie below 3q <= 4q, and its own 12 bytes are intact,
  // the previous step having written from 4q + 16 on. The 4 bytes read past
  // them are discarded lanes.
  size_t q = triples;
  while (q >= 4 && (q - 4) * 3 + 16 <= buf_size) {
    q -= 4;
    // Each 32-bit lane: one group's 24 bits, first byte highest.
    const v128_t v = wasm_i8x16_swizzle(Load16(buf + 3 * q), spread);
    // Its four sextets, first in the lowest byte.
    v128_t s = wasm_u32x4_shr(v, 18);
    s = wasm_v128_or(s, wasm_v128_and(wasm_u32x4_shr(v, 4), mask_s1));
    s = wasm_v128_or(s, wasm_v128_and(wasm_i32x4_shl(v, 10), mask_s2));
    s = wasm_v128_or(s, wasm_v128_and(wasm_i32x4_shl(v, 24), mask_s3));
    // Range of each sextet: 0 for 26..51, 1..12 for 52..63, 13 for 0..25.
    v128_t range = wasm_u8x16_sub_sat(s, fifty_one);
    // (Sextets are below 64, so the signed compare is one instruction where
    // the unsigned one is four.)
    range = wasm_v128_or(range, wasm_v128_and(wasm_i8x16_gt(twenty_six, s), thirteen));
    wasm_v128_store(buf + 4 * q, wasm_i8x16_add(s, wasm_i8x16_swizzle(offsets, range)));
  }
  Base64EncodeInPlacePortable(buf, q, buf_size, url_safe);
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_BASE64_WASM_SIMD128
