// Base64 (RFC 4648) encoders and strict decoders.
//
// Session strings are secrets that users paste around, so the decoders are
// strict in the same way as Rust's `base64` crate that ferogram uses: a symbol
// outside the alphabet, padding where none is allowed, a length that no
// encoder produces (len % 4 == 1) or non-zero unused bits in the last symbol
// are errors, each naming the offset. This keeps exactly one text for each
// byte string, so "did the string change?" has a clear answer.
//
// The codecs never allocate: callers size the output with the *Length()
// helpers. Decoding can run in place (out == in) because output never
// overtakes input.
#ifndef TGSESSION_SESSION_BASE64_H_
#define TGSESSION_SESSION_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tgsession {

enum class Base64Alphabet {
  kUrlSafe,   // A-Z a-z 0-9 - _
  kStandard,  // A-Z a-z 0-9 + /
};

enum class Base64Padding {
  kNone,      // no '=' (ferogram native and compact strings)
  kRequired,  // '=' to a multiple of 4 (Telethon, GramJS, Pyrogram)
  kOptional,  // either
};

struct Base64Format {
  Base64Alphabet alphabet = Base64Alphabet::kUrlSafe;
  Base64Padding padding = Base64Padding::kNone;
};

inline constexpr Base64Format kBase64UrlNoPad{Base64Alphabet::kUrlSafe, Base64Padding::kNone};
inline constexpr Base64Format kBase64UrlPadded{Base64Alphabet::kUrlSafe, Base64Padding::kRequired};
inline constexpr Base64Format kBase64StdPadded{Base64Alphabet::kStandard, Base64Padding::kRequired};

// Number of characters Base64Encode writes for `n` input bytes.
size_t Base64EncodedLength(size_t n, Base64Format format);

// Encodes `n` bytes at `in` into `out`, which has room for
// Base64EncodedLength(n) characters. No allocation.
void Base64EncodeTo(const uint8_t* in, size_t n, char* out, Base64Format format);

std::string Base64Encode(absl::string_view bytes, Base64Format format = kBase64UrlNoPad);

// Encodes the first `n` bytes of `buf` in place: `buf` must hold
// Base64EncodedLength(n) characters; the bytes are at its start on entry.
// (Used to build a native session string with a single allocation.)
void Base64EncodeInPlace(char* buf, size_t n, Base64Format format);

// Upper bound of the decoded size of `len` characters.
inline size_t Base64DecodedMaxLength(size_t len) { return (len / 4) * 3 + 3; }

// Decodes `text` into `out` (room for Base64DecodedMaxLength(text.size())
// bytes; may alias text.data()). Returns the number of bytes written, or
// kInvalidArgument naming the first problem and its offset.
absl::StatusOr<size_t> Base64DecodeTo(absl::string_view text, uint8_t* out, Base64Format format);

absl::StatusOr<std::string> Base64Decode(absl::string_view text, Base64Format format = kBase64UrlNoPad);

// True if every character of `text` belongs to the alphabet (padding aside).
bool IsBase64Text(absl::string_view text, Base64Alphabet alphabet, bool allow_padding);

// Removes leading and trailing Unicode White_Space, like Rust's str::trim()
// (which ferogram applies before decoding a string).
absl::string_view TrimUnicodeWhitespace(absl::string_view s);

}  // namespace tgsession

#endif  // TGSESSION_SESSION_BASE64_H_
