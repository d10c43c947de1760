#include "session/utf8.h"

#include <cstdint>
#include <cstring>

namespace tgsession {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid; when
// invalid, `*bad_len` is the length of the maximal invalid prefix to replace
// (at least 1), per the "substitution of maximal subparts" practice.
size_t ValidSequenceAt(absl::string_view s, size_t i, size_t* bad_len) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  *bad_len = 1;
  if (c < 0x80) return 1;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return 0;
    const uint8_t x = b(i + k);
    const uint8_t l = k == 1 ? lo : 0x80;
    const uint8_t h = k == 1 ? hi : 0xBF;
    if (x < l || x > h) return 0;
    *bad_len = k + 1;
  }
  return need + 1;
}

}  // namespace

namespace utf8_internal {

bool IsValidUtf8Slow(absl::string_view s) {
  size_t i = 0;
  // ASCII, eight bytes at a time (every address and almost every name).
  while (i + 8 <= s.size()) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((w & 0x8080808080808080ull) != 0) break;
    i += 8;
  }
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t bad;
    const size_t len = ValidSequenceAt(s, i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace utf8_internal

std::string Utf8Lossy(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t bad;
    const size_t len = ValidSequenceAt(s, i, &bad);
    if (len > 0) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      i += bad;
    }
  }
  return out;
}

}  // namespace tgsession
