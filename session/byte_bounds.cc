#include "session/byte_bounds.h"

#include "session/internal/cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TGS_BOUNDS_X86 1
#endif

namespace tgsession {
namespace {

// Byte by byte from `start`, whose table position is start % period.
bool ScalarFrom(const uint8_t* data, size_t start, size_t n, const ByteBounds& b) {
  unsigned bad = 0;
  size_t j = start % b.period;
  for (size_t i = start; i < n; ++i) {
    bad |= static_cast<uint8_t>(data[i] + b.add[j]) > b.max[j];
    if (++j == b.period) j = 0;
  }
  return bad == 0;
}

bool Scalar(const uint8_t* data, size_t n, const ByteBounds& b) { return ScalarFrom(data, 0, n, b); }

#ifdef TGS_BOUNDS_X86
// Each vector step: (byte + add) saturating-minus max is non-zero exactly
// where a byte is out of range; OR the results and test once at the end.
// Whole periods first (the table index restarts at 0), then whole vectors of
// the last partial period, then the scalar tail.

bool Sse2(const uint8_t* data, size_t n, const ByteBounds& b) {
  __m128i bad = _mm_setzero_si128();
  size_t i = 0;
  for (; i + b.period <= n; i += b.period) {
    for (size_t j = 0; j < b.period; j += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + j));
      const __m128i add = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.add + j));
      const __m128i max = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.max + j));
      bad = _mm_or_si128(bad, _mm_subs_epu8(_mm_add_epi8(v, add), max));
    }
  }
  for (size_t j = 0; i + 16 <= n; i += 16, j += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i add = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.add + j));
    const __m128i max = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.max + j));
    bad = _mm_or_si128(bad, _mm_subs_epu8(_mm_add_epi8(v, add), max));
  }
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xFFFF) return false;
  return ScalarFrom(data, i, n, b);
}

__attribute__((target("avx2"))) bool Avx2(const uint8_t* data, size_t n, const ByteBounds& b) {
  __m256i bad = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + b.period <= n; i += b.period) {
    for (size_t j = 0; j < b.period; j += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + j));
      const __m256i add = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.add + j));
      const __m256i max = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.max + j));
      bad = _mm256_or_si256(bad, _mm256_subs_epu8(_mm256_add_epi8(v, add), max));
    }
  }
  for (size_t j = 0; i + 32 <= n; i += 32, j += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i add = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.add + j));
    const __m256i max = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.max + j));
    bad = _mm256_or_si256(bad, _mm256_subs_epu8(_mm256_add_epi8(v, add), max));
  }
  if (!_mm256_testz_si256(bad, bad)) return false;
  return ScalarFrom(data, i, n, b);
}

__attribute__((target("avx512bw"))) bool Avx512(const uint8_t* data, size_t n, const ByteBounds& b) {
  __m512i bad = _mm512_setzero_si512();
  __m512i bad2 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + b.period <= n; i += b.period) {
    // Two independent accumulators (period is a multiple of 128 or of 64: the
    // odd last step runs alone).
    size_t j = 0;
    for (; j + 128 <= b.period; j += 128) {
      const __m512i v = _mm512_loadu_si512(data + i + j);
      const __m512i w = _mm512_loadu_si512(data + i + j + 64);
      bad = _mm512_or_si512(bad, _mm512_subs_epu8(_mm512_add_epi8(v, _mm512_loadu_si512(b.add + j)),
                                                  _mm512_loadu_si512(b.max + j)));
      bad2 = _mm512_or_si512(bad2, _mm512_subs_epu8(_mm512_add_epi8(w, _mm512_loadu_si512(b.add + j + 64)),
                                                    _mm512_loadu_si512(b.max + j + 64)));
    }
    if (j < b.period) {
      const __m512i v = _mm512_loadu_si512(data + i + j);
      bad = _mm512_or_si512(bad, _mm512_subs_epu8(_mm512_add_epi8(v, _mm512_loadu_si512(b.add + j)),
                                                  _mm512_loadu_si512(b.max + j)));
    }
  }
  bad = _mm512_or_si512(bad, bad2);
  // The last partial period: masked loads never touch bytes past n.
  for (size_t j = 0; i < n; i += 64, j += 64) {
    const size_t left = n - i;
    const __mmask64 m = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(m, data + i);
    const __m512i add = _mm512_maskz_loadu_epi8(m, b.add + j);
    const __m512i max = _mm512_loadu_si512(b.max + j);
    bad = _mm512_or_si512(bad, _mm512_subs_epu8(_mm512_add_epi8(v, add), max));
  }
  return _mm512_test_epi8_mask(bad, bad) == 0;
}

BytesWithinBoundsFn Choose() {
  const internal::CpuFeatures cpu = internal::ActiveCpuFeatures();
  if (cpu.avx512vbmi) return Avx512;
  if (cpu.avx2) return Avx2;
  if (cpu.any()) return Sse2;
  return Scalar;
}

const char* NameOf(BytesWithinBoundsFn fn) {
  if (fn == Avx512) return "avx512bw";
  if (fn == Avx2) return "avx2";
  if (fn == Sse2) return "sse2";
  return "scalar";
}
#else
BytesWithinBoundsFn Choose() { return Scalar; }
const char* NameOf(BytesWithinBoundsFn) { return "scalar"; }
#endif

BytesWithinBoundsFn Chosen() { return Choose(); }

}  // namespace

bool BytesWithinBounds(const uint8_t* data, size_t n, const ByteBounds& bounds) {
  return Chosen()(data, n, bounds);
}

const char* BytesWithinBoundsImplementation() { return NameOf(Chosen()); }

size_t AvailableBytesWithinBoundsImpls(BytesWithinBoundsImpl out[4]) {
  size_t k = 0;
  out[k++] = {"scalar", Scalar};
#ifdef TGS_BOUNDS_X86
  out[k++] = {"sse2", Sse2};
  const internal::CpuFeatures cpu = internal::DetectedCpuFeatures();
  if (cpu.avx2) out[k++] = {"avx2", Avx2};
  if (cpu.avx512vbmi) out[k++] = {"avx512bw", Avx512};
#endif
  return k;
}

}  // namespace tgsession
