// UTF-8 validation and lossy display (for addresses read from storage).
#ifndef TGSESSION_SESSION_UTF8_H_
#define TGSESSION_SESSION_UTF8_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace tgsession {

namespace utf8_internal {
bool IsValidUtf8Slow(absl::string_view s);
}  // namespace utf8_internal

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or values above
// U+10FFFF), as Rust's std::str::from_utf8 defines it.
//
// Inline for short ASCII text, which is what DC addresses are ("ip:port",
// up to 47 bytes for "[ipv6]:port"): a few word loads instead of a call.
inline bool IsValidUtf8(absl::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 8 && n <= 64) {
    uint64_t any = 0, w;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      any |= w;
    }
    std::memcpy(&w, p + n - 8, 8);  // the tail, overlapping the last word
    if (((any | w) & 0x8080808080808080ull) == 0) return true;
  } else if (n < 8) {
    unsigned any = 0;
    for (size_t i = 0; i < n; ++i) any |= static_cast<unsigned char>(p[i]);
    if (any < 0x80) return true;
  }
  return utf8_internal::IsValidUtf8Slow(s);
}

// `s` with every maximal invalid subsequence replaced by U+FFFD, following the
// same rule as Rust's String::from_utf8_lossy (and the WHATWG decoder).
std::string Utf8Lossy(absl::string_view s);

}  // namespace tgsession

#endif  // TGSESSION_SESSION_UTF8_H_
