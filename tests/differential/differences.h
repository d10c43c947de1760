// The deliberate differences between tgsession and ferogram-session 0.6.5,
// as the differential harness names them. Each is described for users in
// docs/ferogram-differences.md (same names) and pinned by a test in
// tests/ferogram_differential_test.cc; anything the harness cannot explain
// by one of these is kUnlisted and fails.
#ifndef TGSESSION_TESTS_DIFFERENTIAL_DIFFERENCES_H_
#define TGSESSION_TESTS_DIFFERENTIAL_DIFFERENCES_H_

namespace tgsession {
namespace differential {

enum class Difference {
  kNone,  // same outcome, same session
  // Both accept the same session; we also report a warning (has_key or
  // has_token not 0/1, peer type > 2, unknown channel kind, is_community > 1).
  kLenientValue,
  // Both accept the same session with bytes after it; we warn.
  kTrailingBytes,
  // More than DecodeLimits::max_trailing_bytes after the session: ferogram
  // reads the session, we refuse the input.
  kTrailingBytesOverLimit,
  // An address that is not UTF-8: ferogram replaces the bad bytes with
  // U+FFFD (its re-save differs from the input), we keep them.
  kNonUtf8Address,
  // A v1 file whose home DC is 2..8: ferogram reads it as v2..v8 (an error,
  // or a wrong session), we read it as v1.
  kV1HomeDc2To8,
  // Input starting 09 't' 'g' 's': our v9, which ferogram reads as v1.
  kV9,
  // A session with more than 255 DCs or 65,535 peers / channel pts / min
  // peers, or an address over 255 or a token over 65,535 bytes: ferogram's
  // to_bytes wraps the count and loses data, we write v9 (or refuse v8).
  kExceedsV8,
  // Encoding a V2 compact session as V1: ferogram panics, we return
  // kFailedPrecondition.
  kCompactV1FromV2,
  // Input beyond DecodeLimits::max_input_bytes (256 MiB): ferogram reads
  // it, we refuse it before decoding.
  kInputOverLimit,
  kUnlisted,  // not explained by any of the above: a failure
};

inline constexpr int kDifferenceCount = static_cast<int>(Difference::kUnlisted) + 1;

// "none", "lenient-value", ... (the headings of docs/ferogram-differences.md).
const char* DifferenceName(Difference d);

}  // namespace differential
}  // namespace tgsession

#endif  // TGSESSION_TESTS_DIFFERENTIAL_DIFFERENCES_H_
