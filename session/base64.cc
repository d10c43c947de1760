#include "session/base64.h"

#include <array>
#include <cstring>

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

}  // namespace

size_t Base64EncodedLength(size_t n, Base64Format format) {
  if (format.padding == Base64Padding::kRequired) return (n + 2) / 3 * 4;
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void Base64EncodeTo(const uint8_t* in, size_t n, char* out, Base64Format format) {
  const char* s = Symbols(format.alphabet);
  size_t i = 0;
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
  for (size_t q = full; q-- > 0;) {
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
  for (size_t q = 0; q < full; ++q) {
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
