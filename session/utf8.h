// UTF-8 validation and lossy display (for addresses read from storage).
#ifndef TGSESSION_SESSION_UTF8_H_
#define TGSESSION_SESSION_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tgsession {

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or values above
// U+10FFFF), as Rust's std::str::from_utf8 defines it.
bool IsValidUtf8(absl::string_view s);

// `s` with every maximal invalid subsequence replaced by U+FFFD, following the
// same rule as Rust's String::from_utf8_lossy (and the WHATWG decoder).
std::string Utf8Lossy(absl::string_view s);

}  // namespace tgsession

#endif  // TGSESSION_SESSION_UTF8_H_
