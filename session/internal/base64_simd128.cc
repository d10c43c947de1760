// WebAssembly SIMD128 base64 kernels: 16 symbols <-> 12 bytes a step, after
// the SSE forms of Wojciech Muła and Daniel Lemire's algorithms, with
// compares instead of lookups for the alphabet (it has no 16-entry shape) and
// shifts instead of the multiply-adds WebAssembly lacks. Compiled only into
// modules built with -msimd128; base64.cc calls them when
// ActiveCpuFeatures().wasm_simd128.
#include "session/internal/base64_kernels.h"

#ifdef TGS_HAVE_BASE64_SIMD128
#include <wasm_simd128.h>

namespace tgsession {
namespace internal {

size_t Base64DecodeQuantaSimd128(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const v128_t s62 = wasm_i8x16_splat(url_safe ? '-' : '+');
  const v128_t s63 = wasm_i8x16_splat(url_safe ? '_' : '/');
  // Byte j of the 12 comes from byte 2 - j % 3 of 32-bit lane j / 3.
  const v128_t pack = wasm_i8x16_const(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const size_t len = 4 * quanta;
  size_t i = 0;
  // 16 symbols -> 12 bytes, stored as 16 (the excess is rewritten next)
  // while the store stays inside out[0, 3 * quanta); in place, each store
  // ends below the next step's symbols. Stops before a block holding a byte
  // outside the alphabet; the portable kernel then finds it.
  for (; i + 16 <= len && i / 4 * 3 + 16 <= 3 * quanta; i += 16) {
    const v128_t c = wasm_v128_load(text + i);
    const v128_t upper = wasm_u8x16_lt(wasm_i8x16_sub(c, wasm_i8x16_splat('A')), wasm_i8x16_splat(26));
    const v128_t lower = wasm_u8x16_lt(wasm_i8x16_sub(c, wasm_i8x16_splat('a')), wasm_i8x16_splat(26));
    const v128_t digit = wasm_u8x16_lt(wasm_i8x16_sub(c, wasm_i8x16_splat('0')), wasm_i8x16_splat(10));
    const v128_t e62 = wasm_i8x16_eq(c, s62);
    const v128_t e63 = wasm_i8x16_eq(c, s63);
    const v128_t valid = wasm_v128_or(wasm_v128_or(upper, lower), wasm_v128_or(digit, wasm_v128_or(e62, e63)));
    if (!wasm_i8x16_all_true(valid)) break;
    v128_t v = wasm_v128_and(upper, wasm_i8x16_sub(c, wasm_i8x16_splat('A')));
    v = wasm_v128_or(v, wasm_v128_and(lower, wasm_i8x16_sub(c, wasm_i8x16_splat('a' - 26))));
    v = wasm_v128_or(v, wasm_v128_and(digit, wasm_i8x16_add(c, wasm_i8x16_splat(52 - '0'))));
    v = wasm_v128_or(v, wasm_v128_and(e62, wasm_i8x16_splat(62)));
    v = wasm_v128_or(v, wasm_v128_and(e63, wasm_i8x16_splat(63)));
    // Sextets a b c d per 32-bit lane -> a << 18 | b << 12 | c << 6 | d.
    const v128_t pairs = wasm_v128_or(wasm_i16x8_shl(wasm_v128_and(v, wasm_i16x8_splat(0x00FF)), 6),
                                      wasm_u16x8_shr(v, 8));
    const v128_t quads = wasm_v128_or(wasm_i32x4_shl(wasm_v128_and(pairs, wasm_i32x4_splat(0xFFFF)), 12),
                                      wasm_u32x4_shr(pairs, 16));
    wasm_v128_store(out + i / 4 * 3, wasm_i8x16_swizzle(quads, pack));
  }
  const size_t q = i / 4;
  return q + Base64DecodeQuantaPortable(text + i, quanta - q, out + 3 * q, url_safe);
}

void Base64EncodeInPlaceSimd128(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe) {
  // Each group's 3 bytes, as the big-endian 24-bit value of a 32-bit lane.
  const v128_t spread = wasm_i8x16_const(2, 1, 0, -1, 5, 4, 3, -1, 8, 7, 6, -1, 11, 10, 9, -1);
  const int8_t c62 = url_safe ? '-' - 62 : '+' - 62;
  const int8_t c63 = url_safe ? '_' - 63 : '/' - 63;
  // Symbol = index + lut[r]: r 0 for 26..51, 1..10 for 52..61, 11 and 12 for
  // 62 and 63, 13 for 0..25.
  const v128_t lut = wasm_i8x16_make('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                     '0' - 52, '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0);
  // Four groups a step, last to first. The step for groups [q, q + 4) reads
  // buf[3q, 3q + 16) and then writes the symbols buf[4q, 4q + 16): the bytes
  // still to be read lie below 3q <= 4q, and its own 12 bytes are intact,
  // the previous step having written from 4q + 16 on. The 4 bytes read past
  // them are discarded lanes.
  size_t q = triples;
  while (q >= 4 && (q - 4) * 3 + 16 <= buf_size) {
    q -= 4;
    const v128_t v = wasm_i8x16_swizzle(wasm_v128_load(buf + 3 * q), spread);
    // Lane value V -> the indices V >> 18, V >> 12, V >> 6, V (6 bits each)
    // in bytes 0..3.
    const v128_t idx = wasm_v128_or(
        wasm_v128_or(wasm_v128_and(wasm_u32x4_shr(v, 18), wasm_i32x4_splat(0x3F)),
                     wasm_v128_and(wasm_u32x4_shr(v, 4), wasm_i32x4_splat(0x3F00))),
        wasm_v128_or(wasm_v128_and(wasm_i32x4_shl(v, 10), wasm_i32x4_splat(0x3F0000)),
                     wasm_v128_and(wasm_i32x4_shl(v, 24), wasm_i32x4_splat(0x3F000000))));
    v128_t r = wasm_u8x16_sub_sat(idx, wasm_i8x16_splat(51));
    r = wasm_v128_or(r, wasm_v128_and(wasm_u8x16_lt(idx, wasm_i8x16_splat(26)), wasm_i8x16_splat(13)));
    wasm_v128_store(buf + 4 * q, wasm_i8x16_add(idx, wasm_i8x16_swizzle(lut, r)));
  }
  Base64EncodeInPlacePortable(buf, q, buf_size, url_safe);
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_BASE64_SIMD128
