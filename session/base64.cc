#include "session/base64.h"

#include <array>
#include <atomic>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TGS_BASE64_AVX2 1
#endif

#include "absl/strings/str_cat.h"
#include "session/secret.h"

namespace tgsession {
namespace {

constexpr char kUrlSymbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdSymbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char* Symbols(Base64Alphabet a) { return a == Base64Alphabet::kUrlSafe ? kUrlSymbols : kStdSymbols; }

// Decoding tables: for each of the four positions in a quantum, the symbol's
// 6 bits already shifted into place in a 24-bit group; 0xFFFFFFFF marks a
// symbol outside the alphabet, so one OR of four lookups both decodes the
// quantum and detects any bad symbol (the top byte becomes non-zero).
struct DecodeTables {
  uint32_t d[4][256];
};

constexpr uint32_t kBad = 0xFFFFFFFFu;

constexpr DecodeTables MakeDecodeTables(const char* symbols) {
  DecodeTables t{};
  for (int pos = 0; pos < 4; ++pos) {
    for (int c = 0; c < 256; ++c) t.d[pos][c] = kBad;
    for (uint32_t v = 0; v < 64; ++v) {
      const auto c = static_cast<unsigned char>(symbols[v]);
      t.d[pos][c] = v << (18 - 6 * pos);
    }
  }
  return t;
}

constexpr DecodeTables kUrlTables = MakeDecodeTables(kUrlSymbols);
constexpr DecodeTables kStdTables = MakeDecodeTables(kStdSymbols);

const DecodeTables& Tables(Base64Alphabet a) {
  return a == Base64Alphabet::kUrlSafe ? kUrlTables : kStdTables;
}

absl::Status BadSymbol(absl::string_view text, size_t i, Base64Alphabet a) {
  const auto c = static_cast<unsigned char>(text[i]);
  const char* name = a == Base64Alphabet::kUrlSafe ? "base64url" : "base64";
  if (c == '=') {
    return absl::InvalidArgumentError(absl::StrCat("unexpected padding '=' at offset ", i, " in ", name,
                                                   " text"));
  }
  if (c >= 0x21 && c < 0x7f) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", name, " symbol '", std::string(1, c),
                                                   "' at offset ", i));
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid ", name, " symbol byte 0x", absl::Hex(c),
                                                 " at offset ", i));
}

// Finds the first bad symbol in a quantum known to contain one.
absl::Status BadSymbolIn(absl::string_view text, size_t start, size_t len, Base64Alphabet a) {
  const DecodeTables& t = Tables(a);
  for (size_t i = start; i < start + len; ++i) {
    if (t.d[0][static_cast<unsigned char>(text[i])] == kBad) return BadSymbol(text, i, a);
  }
  return absl::InternalError("base64: bad quantum without a bad symbol");
}


#ifdef TGS_BASE64_AVX2
// AVX2 kernels after Wojciech Muła and Daniel Lemire's vectorized base64
// ("Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018):
// 24 bytes <-> 32 symbols per step. Compiled for AVX2 only inside these
// functions and chosen at run time, so the library still runs on any x86-64.

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}

// Turns 24 input bytes (loaded from in - 4, so the lanes hold bytes 0..11
// and 12..23 at the positions the shuffle expects) into 32 symbols.
__attribute__((target("avx2"))) inline __m256i EncodeBlockAvx2(__m256i v, __m256i lut) {
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

__attribute__((target("avx2"))) inline __m256i SymbolLutAvx2(Base64Alphabet alphabet) {
  const int8_t c62 = alphabet == Base64Alphabet::kUrlSafe ? '-' - 62 : '+' - 62;
  const int8_t c63 = alphabet == Base64Alphabet::kUrlSafe ? '_' - 63 : '/' - 63;
  return _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                          '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0,  //
                          'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                          '0' - 52, '0' - 52, '0' - 52, c62, c63, 'A', 0, 0);
}

// Encodes whole 24-byte blocks of in[start, ...) whose 4-byte look-behind and
// 4-byte look-ahead (the load covers in[i-4, i+28)) stay inside [0, n).
// Returns the input offset reached (a multiple of 3 >= start).
__attribute__((target("avx2"))) size_t EncodeAvx2(const uint8_t* in, size_t n, size_t start, char* out,
                                                   Base64Alphabet alphabet) {
  const __m256i lut = SymbolLutAvx2(alphabet);
  size_t i = start;
  char* o = out + i / 3 * 4;
  for (; i >= 4 && i + 28 <= n; i += 24, o += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i - 4));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), EncodeBlockAvx2(v, lut));
  }
  return i;
}

// In-place encoding, last block first: `q` quanta (3-byte groups) at the
// start of `buf` are still raw. A block at input offset i reads
// [i-4, i+28) and writes symbols [i/3*4, i/3*4+32); every byte still to be
// read lies below i+4 <= i/3*4 once i >= 12, and the load completes before
// the store, so nothing unread is overwritten. Returns the quanta left raw.
__attribute__((target("avx2"))) size_t EncodeInPlaceBackwardAvx2(uint8_t* buf, size_t q, size_t buf_len,
                                                                  Base64Alphabet alphabet) {
  const __m256i lut = SymbolLutAvx2(alphabet);
  while (q >= 12 && (q - 8) * 3 >= 12 && (q - 8) * 3 + 28 <= buf_len) {
    q -= 8;
    const size_t i = q * 3;
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(buf + i - 4));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(buf + q * 4), EncodeBlockAvx2(v, lut));
  }
  return q;
}

// Decodes whole 32-symbol blocks of text[start, ...) into out (which must
// have 8 bytes of slack past each block's 24). Stops before the first block
// holding a symbol outside the alphabet (the scalar code then reports it).
// Returns the text offset reached (a multiple of 4 >= start).
__attribute__((target("avx2"))) size_t DecodeAvx2(const unsigned char* text, size_t len, size_t start,
                                                   uint8_t* out, size_t out_cap, Base64Alphabet alphabet) {
  const char s62 = alphabet == Base64Alphabet::kUrlSafe ? '-' : '+';
  const char s63 = alphabet == Base64Alphabet::kUrlSafe ? '_' : '/';
  const __m256i pack_shuf = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                             2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i pack_perm = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  size_t i = start;
  for (; i + 32 <= len && i / 4 * 3 + 32 <= out_cap; i += 32) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(text + i));
    const __m256i upper = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('A' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), c));
    const __m256i lower = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('a' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), c));
    const __m256i digit = _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8('0' - 1)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), c));
    const __m256i e62 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(s62));
    const __m256i e63 = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(s63));
    const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower), _mm256_or_si256(digit, _mm256_or_si256(e62, e63)));
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
  return i;
}

bool HaveAvx512Vbmi() {
  static const bool have = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
  return have;
}

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

constexpr SextetTable kUrlSextets = MakeSextetTable(kUrlSymbols);
constexpr SextetTable kStdSextets = MakeSextetTable(kStdSymbols);

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

// AVX-512 VBMI kernel after Wojciech Muła and Daniel Lemire, "Base64 encoding
// and decoding at almost the speed of a memory copy" (2019): one two-table
// byte permutation translates 64 symbols and flags bad ones, two multiply-adds
// join each 4 sextets into 3 bytes, one permutation packs the 48 bytes. The
// 48-byte store is masked, so no output slack is needed, and output never
// overtakes input (3i/4 + 48 <= i + 64), so in-place decoding stays safe.
// Stops before the first block holding a symbol outside the alphabet.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t DecodeAvx512Vbmi(const unsigned char* text,
                                                                              size_t len, uint8_t* out,
                                                                              Base64Alphabet alphabet) {
  const SextetTable& table = alphabet == Base64Alphabet::kUrlSafe ? kUrlSextets : kStdSextets;
  const __m512i lo = _mm512_load_si512(table.v);
  const __m512i hi = _mm512_load_si512(table.v + 64);
  const __m512i pack = _mm512_load_si512(kPackIndex.v);
  const __m512i join_pairs = _mm512_set1_epi32(0x01400140);
  const __m512i join_quads = _mm512_set1_epi32(0x00011000);
  constexpr __mmask64 kOut48 = (__mmask64{1} << 48) - 1;
  size_t i = 0;
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
  return i;
}
#endif  // TGS_BASE64_AVX2

}  // namespace

namespace base64_internal {
namespace {
// -1: not forced (tests only ever force it).
std::atomic<int> g_forced_kernel{-1};

Kernel BestKernel() {
#ifdef TGS_BASE64_AVX2
  if (HaveAvx512Vbmi()) return Kernel::kAvx512Vbmi;
  if (HaveAvx2()) return Kernel::kAvx2;
#endif
  return Kernel::kScalar;
}
}  // namespace

bool KernelAvailable(Kernel k) {
  switch (k) {
    case Kernel::kScalar:
      return true;
#ifdef TGS_BASE64_AVX2
    case Kernel::kAvx2:
      return HaveAvx2();
    case Kernel::kAvx512Vbmi:
      return HaveAvx512Vbmi() && HaveAvx2();
#else
    default:
      return false;
#endif
  }
  return false;
}

Kernel ActiveKernel() {
  const int forced = g_forced_kernel.load(std::memory_order_relaxed);
  if (forced >= 0) return static_cast<Kernel>(forced);
  static const Kernel best = BestKernel();
  return best;
}

const char* KernelName(Kernel k) {
  switch (k) {
    case Kernel::kScalar:
      return "scalar";
    case Kernel::kAvx2:
      return "avx2";
    case Kernel::kAvx512Vbmi:
      return "avx512vbmi";
  }
  return "unknown";
}

void ForceKernelForTesting(Kernel k) { g_forced_kernel.store(static_cast<int>(k), std::memory_order_relaxed); }
void ResetKernelForTesting() { g_forced_kernel.store(-1, std::memory_order_relaxed); }

}  // namespace base64_internal

size_t Base64EncodedLength(size_t n, Base64Format format) {
  if (format.padding == Base64Padding::kRequired) return (n + 2) / 3 * 4;
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void Base64EncodeTo(const uint8_t* in, size_t n, char* out, Base64Format format) {
  const char* s = Symbols(format.alphabet);
  size_t i = 0;
#ifdef TGS_BASE64_AVX2
  if (n >= 64 && base64_internal::ActiveKernel() != base64_internal::Kernel::kScalar) {
    // Two scalar quanta first: the vector loads look 4 bytes behind.
    for (; i < 6; i += 3) {
      const uint32_t v = (static_cast<uint32_t>(in[i]) << 16) | (static_cast<uint32_t>(in[i + 1]) << 8) | in[i + 2];
      out[0] = s[v >> 18];
      out[1] = s[(v >> 12) & 63];
      out[2] = s[(v >> 6) & 63];
      out[3] = s[v & 63];
      out += 4;
    }
    const size_t reached = EncodeAvx2(in, n, i, out - 8, format.alphabet);
    out += (reached - i) / 3 * 4;
    i = reached;
  }
#endif
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (static_cast<uint32_t>(in[i]) << 16) | (static_cast<uint32_t>(in[i + 1]) << 8) | in[i + 2];
    out[0] = s[v >> 18];
    out[1] = s[(v >> 12) & 63];
    out[2] = s[(v >> 6) & 63];
    out[3] = s[v & 63];
    out += 4;
  }
  const size_t rest = n - i;
  if (rest == 1) {
    const uint32_t v = static_cast<uint32_t>(in[i]) << 16;
    *out++ = s[v >> 18];
    *out++ = s[(v >> 12) & 63];
    if (format.padding == Base64Padding::kRequired) {
      *out++ = '=';
      *out++ = '=';
    }
  } else if (rest == 2) {
    const uint32_t v = (static_cast<uint32_t>(in[i]) << 16) | (static_cast<uint32_t>(in[i + 1]) << 8);
    *out++ = s[v >> 18];
    *out++ = s[(v >> 12) & 63];
    *out++ = s[(v >> 6) & 63];
    if (format.padding == Base64Padding::kRequired) *out++ = '=';
  }
}

void Base64EncodeInPlace(char* buf, size_t n, Base64Format format) {
  // Work from the last quantum backwards: quantum q reads bytes [3q, 3q+3)
  // and writes chars [4q, 4q+4); since 4q >= 3q, every write lands at or
  // after the bytes still to be read, which all lie below 3q.
  const char* s = Symbols(format.alphabet);
  auto* in = reinterpret_cast<uint8_t*>(buf);
  const size_t full = n / 3;
  const size_t rest = n % 3;
  if (rest != 0) {
    const size_t i = full * 3;
    const uint8_t b0 = in[i];
    const uint8_t b1 = rest == 2 ? in[i + 1] : 0;
    char* out = buf + full * 4;
    const uint32_t v = (static_cast<uint32_t>(b0) << 16) | (static_cast<uint32_t>(b1) << 8);
    out[0] = s[v >> 18];
    out[1] = s[(v >> 12) & 63];
    if (rest == 2) {
      out[2] = s[(v >> 6) & 63];
      if (format.padding == Base64Padding::kRequired) out[3] = '=';
    } else if (format.padding == Base64Padding::kRequired) {
      out[2] = '=';
      out[3] = '=';
    }
  }
  size_t q_end = full;
#ifdef TGS_BASE64_AVX2
  if (full >= 16 && base64_internal::ActiveKernel() != base64_internal::Kernel::kScalar) {
    // Vector blocks, last to first (see EncodeInPlaceBackwardAvx2). The
    // loads may look past the last input byte into the (larger) buffer:
    // those lanes are discarded.
    q_end = EncodeInPlaceBackwardAvx2(in, full, Base64EncodedLength(n, format), format.alphabet);
  }
#endif
  for (size_t q = q_end; q-- > 0;) {
    const uint8_t* p = in + q * 3;
    const uint32_t v = (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
    char* out = buf + q * 4;
    out[0] = s[v >> 18];
    out[1] = s[(v >> 12) & 63];
    out[2] = s[(v >> 6) & 63];
    out[3] = s[v & 63];
  }
}

std::string Base64Encode(absl::string_view bytes, Base64Format format) {
  std::string out(Base64EncodedLength(bytes.size(), format), '\0');
  Base64EncodeTo(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &out[0], format);
  return out;
}

absl::StatusOr<size_t> Base64DecodeTo(absl::string_view text, uint8_t* out, Base64Format format) {
  size_t len = text.size();
  const char* name = format.alphabet == Base64Alphabet::kUrlSafe ? "base64url" : "base64";
  // Padding.
  size_t pad = 0;
  if (format.padding != Base64Padding::kNone) {
    while (pad < 2 && len > pad && text[len - 1 - pad] == '=') ++pad;
    if (format.padding == Base64Padding::kRequired && len % 4 != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", name, " length ", len, ": padded text must be a multiple of 4"));
    }
    if (pad > 0 && len % 4 != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", name, " padding: text of length ", len, " is not a multiple of 4"));
    }
  }
  len -= pad;
  if (len % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", name, " length ", text.size(), ": no encoding has length % 4 == 1"));
  }
  if (pad > 0 && (len % 4) + pad != 4) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", name, " padding at offset ", len));
  }
  const DecodeTables& t = Tables(format.alphabet);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const size_t full = len / 4;
  uint8_t* o = out;
  size_t q0 = 0;
#ifdef TGS_BASE64_AVX2
  const base64_internal::Kernel kernel = base64_internal::ActiveKernel();
  size_t reached = 0;
  if (len >= 64 && kernel == base64_internal::Kernel::kAvx512Vbmi) {
    reached = DecodeAvx512Vbmi(in, full * 4, out, format.alphabet);
  }
  if (len >= 64 && kernel != base64_internal::Kernel::kScalar) {
    // Output slack: the caller's buffer holds Base64DecodedMaxLength(text)
    // bytes; keep each 32-byte vector store inside it.
    const size_t cap = Base64DecodedMaxLength(text.size());
    reached = DecodeAvx2(in, full * 4, reached, out, cap, format.alphabet);
  }
  q0 = reached / 4;
  o = out + q0 * 3;
#endif
  for (size_t q = q0; q < full; ++q) {
    const unsigned char* p = in + q * 4;
    const uint32_t v = t.d[0][p[0]] | t.d[1][p[1]] | t.d[2][p[2]] | t.d[3][p[3]];
    if (v >> 24) return BadSymbolIn(text, q * 4, 4, format.alphabet);
    o[0] = static_cast<uint8_t>(v >> 16);
    o[1] = static_cast<uint8_t>(v >> 8);
    o[2] = static_cast<uint8_t>(v);
    o += 3;
  }
  const size_t rest = len % 4;
  if (rest != 0) {
    const unsigned char* p = in + full * 4;
    uint32_t v = t.d[0][p[0]] | t.d[1][p[1]];
    if (rest == 3) v |= t.d[2][p[2]];
    if (v >> 24) return BadSymbolIn(text, full * 4, rest, format.alphabet);
    // The unused low bits of the last symbol must be zero (canonical form).
    const uint32_t unused_mask = rest == 2 ? 0xFFFF : 0xFF;
    if ((v & unused_mask) != 0) {
      const size_t last = full * 4 + rest - 1;
      return absl::InvalidArgumentError(absl::StrCat("non-canonical ", name, ": last symbol '",
                                                     std::string(1, static_cast<char>(p[rest - 1])),
                                                     "' at offset ", last, " has non-zero unused bits"));
    }
    *o++ = static_cast<uint8_t>(v >> 16);
    if (rest == 3) *o++ = static_cast<uint8_t>(v >> 8);
  }
  // Anything after the padding (e.g. "AA==AA") is caught above because '='
  // is not a symbol; report a stray '=' found among the symbols likewise.
  return static_cast<size_t>(o - out);
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text, Base64Format format) {
  std::string out(Base64DecodedMaxLength(text.size()), '\0');
  absl::StatusOr<size_t> n = Base64DecodeTo(text, reinterpret_cast<uint8_t*>(&out[0]), format);
  if (!n.ok()) {
    SecureZero(&out[0], out.size());
    return n.status();
  }
  out.resize(*n);
  return out;
}

bool IsBase64Text(absl::string_view text, Base64Alphabet alphabet, bool allow_padding) {
  const DecodeTables& t = Tables(alphabet);
  size_t len = text.size();
  if (allow_padding) {
    size_t pad = 0;
    while (pad < 2 && len > 0 && text[len - 1] == '=') {
      --len;
      ++pad;
    }
  }
  for (size_t i = 0; i < len; ++i) {
    if (t.d[0][static_cast<unsigned char>(text[i])] == kBad) return false;
  }
  return true;
}

namespace {

// Length of a Unicode White_Space character encoded at s[i..], or 0.
size_t WhitespaceAt(absl::string_view s, size_t i) {
  const auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  const size_t left = s.size() - i;
  if (c == 0xC2 && left >= 2 && (u(i + 1) == 0x85 || u(i + 1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && left >= 3 && u(i + 1) == 0x9A && u(i + 2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && left >= 3) {
    const unsigned char b1 = u(i + 1), b2 = u(i + 2);
    if (b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) {
      if (b2 >= 0x80) return 3;  // U+2000..U+200A, U+2028, U+2029, U+202F
    }
    if (b1 == 0x81 && b2 == 0x9F) return 3;  // U+205F
  }
  if (c == 0xE3 && left >= 3 && u(i + 1) == 0x80 && u(i + 2) == 0x80) return 3;  // U+3000
  return 0;
}

// Length of a White_Space character ending at s[end-1], or 0.
size_t WhitespaceEndingAt(absl::string_view s, size_t end) {
  for (size_t len = 1; len <= 3 && len <= end; ++len) {
    if (WhitespaceAt(s, end - len) == len) return len;
  }
  return 0;
}

}  // namespace

absl::string_view TrimUnicodeWhitespace(absl::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    const size_t w = WhitespaceAt(s, b);
    if (w == 0) break;
    b += w;
  }
  size_t e = s.size();
  while (e > b) {
    const size_t w = WhitespaceEndingAt(s, e);
    if (w == 0) break;
    e -= w;
  }
  return s.substr(b, e - b);
}

}  // namespace tgsession
