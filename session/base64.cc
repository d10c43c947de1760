#include "session/base64.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "session/internal/base64_kernels.h"
#include "session/internal/cpu_features.h"
#include "session/secret.h"

namespace tgsession {
namespace {

const char* Symbols(Base64Alphabet a) {
  return a == Base64Alphabet::kUrlSafe ? internal::kBase64UrlSymbols : internal::kBase64StdSymbols;
}

// Symbol -> its 6-bit value, or -1 for a byte outside the alphabet.
struct SextetTable {
  int8_t v[256];
};

constexpr SextetTable MakeSextetTable(const char* symbols) {
  SextetTable t{};
  for (int c = 0; c < 256; ++c) t.v[c] = -1;
  for (int8_t v = 0; v < 64; ++v) t.v[static_cast<unsigned char>(symbols[v])] = v;
  return t;
}

constexpr SextetTable kUrlSextets = MakeSextetTable(internal::kBase64UrlSymbols);
constexpr SextetTable kStdSextets = MakeSextetTable(internal::kBase64StdSymbols);

const SextetTable& Sextets(Base64Alphabet a) { return a == Base64Alphabet::kUrlSafe ? kUrlSextets : kStdSextets; }

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
  const SextetTable& t = Sextets(a);
  for (size_t i = start; i < start + len; ++i) {
    if (t.v[static_cast<unsigned char>(text[i])] < 0) return BadSymbol(text, i, a);
  }
  return absl::InternalError("base64: bad quantum without a bad symbol");
}


// The kernel for this call: the bulk of the work, vectorized where the CPU
// allows (session/internal/base64_kernels.h).
size_t DecodeQuanta(const unsigned char* text, size_t quanta, uint8_t* out, Base64Alphabet alphabet) {
  const bool url_safe = alphabet == Base64Alphabet::kUrlSafe;
#ifdef TGS_HAVE_BASE64_X86
  const internal::CpuFeatures cpu = internal::ActiveCpuFeatures();
  if (cpu.avx512vbmi) return internal::Base64DecodeQuantaAvx512Vbmi(text, quanta, out, url_safe);
  if (cpu.avx2) return internal::Base64DecodeQuantaAvx2(text, quanta, out, url_safe);
#endif
#ifdef TGS_HAVE_BASE64_WASM_SIMD128
  if (internal::ActiveCpuFeatures().wasm_simd128) {
    return internal::Base64DecodeQuantaWasmSimd128(text, quanta, out, url_safe);
  }
#endif
  return internal::Base64DecodeQuantaPortable(text, quanta, out, url_safe);
}

void EncodeInPlace(uint8_t* buf, size_t triples, size_t buf_size, Base64Alphabet alphabet) {
  const bool url_safe = alphabet == Base64Alphabet::kUrlSafe;
#ifdef TGS_HAVE_BASE64_X86
  if (internal::ActiveCpuFeatures().avx2) return internal::Base64EncodeInPlaceAvx2(buf, triples, buf_size, url_safe);
#endif
#ifdef TGS_HAVE_BASE64_WASM_SIMD128
  if (internal::ActiveCpuFeatures().wasm_simd128) {
    return internal::Base64EncodeInPlaceWasmSimd128(buf, triples, buf_size, url_safe);
  }
#endif
  internal::Base64EncodeInPlacePortable(buf, triples, buf_size, url_safe);
}

}  // namespace

size_t Base64EncodedLength(size_t n, Base64Format format) {
  if (format.padding == Base64Padding::kRequired) return (n + 2) / 3 * 4;
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void Base64EncodeTo(const uint8_t* in, size_t n, char* out, Base64Format format) {
  if (n > 0) std::memmove(out, in, n);
  Base64EncodeInPlace(out, n, format);
}

void Base64EncodeInPlace(char* buf, size_t n, Base64Format format) {
  // The partial group at the end first (its symbols land past every whole
  // group's bytes), then the whole groups, last to first.
  const char* s = Symbols(format.alphabet);
  auto* bytes = reinterpret_cast<uint8_t*>(buf);
  const size_t full = n / 3;
  const size_t rest = n % 3;
  if (rest != 0) {
    const uint8_t* p = bytes + full * 3;
    const uint32_t v = (static_cast<uint32_t>(p[0]) << 16) | (rest == 2 ? static_cast<uint32_t>(p[1]) << 8 : 0);
    char* out = buf + full * 4;
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
  EncodeInPlace(bytes, full, Base64EncodedLength(n, format), format.alphabet);
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
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const size_t full = len / 4;
  const size_t decoded = DecodeQuanta(in, full, out, format.alphabet);
  if (decoded < full) return BadSymbolIn(text, decoded * 4, 4, format.alphabet);
  uint8_t* o = out + full * 3;
  const size_t rest = len % 4;
  if (rest != 0) {
    const unsigned char* p = in + full * 4;
    const SextetTable& t = Sextets(format.alphabet);
    const int a = t.v[p[0]], b = t.v[p[1]], c = rest == 3 ? t.v[p[2]] : 0;
    if (a < 0 || b < 0 || c < 0) return BadSymbolIn(text, full * 4, rest, format.alphabet);
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6);
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
  const SextetTable& t = Sextets(alphabet);
  size_t len = text.size();
  if (allow_padding) {
    size_t pad = 0;
    while (pad < 2 && len > 0 && text[len - 1] == '=') {
      --len;
      ++pad;
    }
  }
  for (size_t i = 0; i < len; ++i) {
    if (t.v[static_cast<unsigned char>(text[i])] < 0) return false;
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
