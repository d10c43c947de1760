// AVX2 base64 kernels after Wojciech Muła and Daniel Lemire, "Faster Base64
// Encoding and Decoding Using AVX2 Instructions" (2018): 24 bytes <-> 32
// symbols a step. Compiled for AVX2 only inside these functions, so the
// library still runs on any x86-64; base64.cc calls them only when
// ActiveCpuFeatures().avx2.
#include "session/internal/base64_kernels.h"

#ifdef TGS_HAVE_BASE64_X86
#include <immintrin.h>

namespace tgsession {
namespace internal {
namespace {

// Turns 24 input bytes (loaded from 4 bytes before them, so the lanes hold
// bytes 0..11 and 12..23 where the shuffle expects them) into 32 symbols.
__attribute__((target("avx2"))) inline __m256i EncodeBlock(__m256i v, __m256i lut) {
  const __m256i shuf = _mm256_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14,  //
                                        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  v = _mm256_shuffle_epi8(v, shuf);
  // Split each 3-byte group into four 6-bit indices (one per byte).
  const __m256i t0 = _mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00));
  const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
  const __m256i t2 = _mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0));
  const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
  const __m256i idx = _mm256_or_si256(t1, t3);
  // Index -> symbol: pick the offset of the index's range, add it.
  __m256i r = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
  const __m256i less = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx);
  r = _mm256_or_si256(r, _mm256_and_si256(less, _mm256_set1_epi8(13)));
  return _mm256_add_epi8(idx, _mm256_shuffle_epi8(lut, r));
}

__attribute__((target("avx2"))) inline __m256i SymbolLut(bool url_safe) {
  const int8_t c62 = url_safe ? '-' - 62 : '+' - 62;
  const int8_t c63 = url_safe ? '_' - 63 : '/' - 63;
  return _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                          '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0,  //
                          'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                          '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0);
}

}  // namespace

__attribute__((target("avx2"))) size_t Base64DecodeQuantaAvx2(const uint8_t* text, size_t quanta, uint8_t* out,
                                                               bool url_safe) {
  const char s62 = url_safe ? '-' : '+';
  const char s63 = url_safe ? '_' : '/';
  const __m256i pack_shuf = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                             2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i pack_perm = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  const size_t len = 4 * quanta;
  size_t i = 0;
  // 32 symbols -> 24 bytes, stored as 32 (the excess is rewritten next):
  // while the store stays inside out[0, 3 * quanta). In place, each store
  // ends at or below the next step's symbols. Stops before a block holding
  // a byte outside the alphabet; the portable kernel then finds it.
  for (; i + 32 <= len && i / 4 * 3 + 32 <= 3 * quanta; i += 32) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(text + i));
    const __m256i upper = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('A' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), c));
    const __m256i lower = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('a' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), c));
    const __m256i digit = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('0' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), c));
    const __m256i e62 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(s62));
    const __m256i e63 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(s63));
    const __m256i valid =
        _mm256_or_si256(_mm256_or_si256(upper, lower), _mm256_or_si256(digit, _mm256_or_si256(e62, e63)));
    if (_mm256_movemask_epi8(valid) != -1) break;
    __m256i v = _mm256_and_si256(upper, _mm256_sub_epi8(c, _mm256_set1_epi8('A')));
    v = _mm256_or_si256(v, _mm256_and_si256(lower, _mm256_sub_epi8(c, _mm256_set1_epi8('a' - 26))));
    v = _mm256_or_si256(v, _mm256_and_si256(digit, _mm256_add_epi8(c, _mm256_set1_epi8(52 - '0'))));
    v = _mm256_or_si256(v, _mm256_and_si256(e62, _mm256_set1_epi8(62)));
    v = _mm256_or_si256(v, _mm256_and_si256(e63, _mm256_set1_epi8(63)));
    const __m256i ab_bc = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
    __m256i packed = _mm256_madd_epi16(ab_bc, _mm256_set1_epi32(0x00011000));
    packed = _mm256_shuffle_epi8(packed, pack_shuf);
    packed = _mm256_permutevar8x32_epi32(packed, pack_perm);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i / 4 * 3), packed);
  }
  const size_t q = i / 4;
  return q + Base64DecodeQuantaPortable(text + i, quanta - q, out + 3 * q, url_safe);
}

__attribute__((target("avx2"))) void Base64EncodeInPlaceAvx2(uint8_t* buf, size_t triples, size_t buf_size,
                                                              bool url_safe) {
  const __m256i lut = SymbolLut(url_safe);
  // Eight groups a step, last to first. The step for groups [q, q + 8) reads
  // buf[3q - 4, 3q + 28) and then writes the symbols buf[4q, 4q + 32): the
  // bytes still to be read lie below 3q <= 4q, and its own 24 bytes are
  // intact, the previous step having written from 4q + 32 on. The 4 bytes
  // read past them (symbols already written, or what follows the input)
  // are discarded lanes.
  size_t q = triples;
  while (q >= 12 && (q - 8) * 3 + 28 <= buf_size) {
    q -= 8;
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(buf + 3 * q - 4));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(buf + 4 * q), EncodeBlock(v, lut));
  }
  Base64EncodeInPlacePortable(buf, q, buf_size, url_safe);
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_BASE64_X86
