// AVX-512 VBMI base64 decoding after Wojciech Muła and Daniel Lemire, "Base64
// encoding and decoding at almost the speed of a memory copy" (2019): one
// two-table byte permutation translates 64 symbols and flags bad ones, two
// multiply-adds join each 4 sextets into 3 bytes, one permutation packs the
// 48 bytes. base64.cc calls it only when ActiveCpuFeatures().avx512vbmi.
#include "session/internal/base64_kernels.h"

#ifdef TGS_HAVE_BASE64_X86
#include <immintrin.h>

namespace tgsession {
namespace internal {
namespace {

// Symbol -> sextet for the 128 ASCII codes; 0x80 marks a code outside the
// alphabet (so OR-ing input and result exposes both bad codes and bytes >= 0x80).
struct SextetTable {
  alignas(64) uint8_t v[128];
};

constexpr SextetTable MakeSextetTable(const char* symbols) {
  SextetTable t{};
  for (int c = 0; c < 128; ++c) t.v[c] = 0x80;
  for (uint8_t v = 0; v < 64; ++v) t.v[static_cast<unsigned char>(symbols[v])] = v;
  return t;
}

constexpr SextetTable kUrlSextets = MakeSextetTable(kBase64UrlSymbols);
constexpr SextetTable kStdSextets = MakeSextetTable(kBase64StdSymbols);

// Output byte j of a decoded block comes from byte 2 - j % 3 of 32-bit lane
// j / 3 (each lane holds one 24-bit group, most significant byte first out).
struct PackIndex {
  alignas(64) uint8_t v[64];
};
constexpr PackIndex MakePackIndex() {
  PackIndex p{};
  for (int j = 0; j < 48; ++j) p.v[j] = static_cast<uint8_t>(4 * (j / 3) + 2 - j % 3);
  return p;
}
constexpr PackIndex kPackIndex = MakePackIndex();

}  // namespace

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t Base64DecodeQuantaAvx512Vbmi(
    const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const SextetTable& table = url_safe ? kUrlSextets : kStdSextets;
  const __m512i lo = _mm512_load_si512(table.v);
  const __m512i hi = _mm512_load_si512(table.v + 64);
  const __m512i pack = _mm512_load_si512(kPackIndex.v);
  const __m512i join_pairs = _mm512_set1_epi32(0x01400140);
  const __m512i join_quads = _mm512_set1_epi32(0x00011000);
  constexpr __mmask64 kOut48 = (__mmask64{1} << 48) - 1;
  const size_t len = 4 * quanta;
  size_t i = 0;
  // The 48-byte store is masked, so it stays inside out[0, 3 * quanta), and
  // in place it ends below the next step's symbols (3i/4 + 48 <= i + 64).
  // Stops before a block holding a byte outside the alphabet; the portable
  // kernel then finds it.
  for (; i + 64 <= len; i += 64) {
    const __m512i in = _mm512_loadu_si512(text + i);
    const __m512i sextets = _mm512_permutex2var_epi8(lo, in, hi);
    if (_mm512_movepi8_mask(_mm512_or_si512(in, sextets)) != 0) break;
    const __m512i pairs = _mm512_maddubs_epi16(sextets, join_pairs);
    const __m512i quads = _mm512_madd_epi16(pairs, join_quads);
    // (maskz with every lane: GCC 12 warns of its own _mm512_undefined in the
    // unmasked form under -O2 -Werror=maybe-uninitialized.)
    _mm512_mask_storeu_epi8(out + i / 4 * 3, kOut48, _mm512_maskz_permutexvar_epi8(~__mmask64{0}, pack, quads));
  }
  const size_t q = i / 4;
  return q + Base64DecodeQuantaPortable(text + i, quanta - q, out + 3 * q, url_safe);
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_BASE64_X86
