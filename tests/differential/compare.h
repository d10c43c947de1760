// Compares our decoders and encoders with the real ferogram-session's, one
// input at a time: the input, and the oracle's JSON line for it
// (oracle_client.h). Field for field where both accept; byte for byte for
// every re-encoding ferogram produced of a session that fits v8.
//
// How a verdict is reached for a binary session (native strings after their
// base64, which must agree first):
//   1. ferogram's outcome must equal our emulation of its reader: the
//      version it picks from the first byte (0x02..0x08, else v1) read by
//      DecodeBinaryAsVersion without the trailing-bytes limit, addresses
//      shown the way Rust's from_utf8_lossy shows them. Its re-encodings
//      must equal our EncodeBinary / EncodeNativeString of that session.
//   2. Our DecodeBinary must give the same outcome and session, or differ
//      in exactly one of the ways differences.h lists (checked, not
//      assumed: e.g. kV1HomeDc2To8 only when DecodeInfo says we fell back).
// Anything else is Difference::kUnlisted with a description.
#ifndef TGSESSION_TESTS_DIFFERENTIAL_COMPARE_H_
#define TGSESSION_TESTS_DIFFERENTIAL_COMPARE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "session/session.h"
#include "tests/differential/differences.h"

namespace tgsession {
namespace differential {

struct Verdict {
  bool ours_ok = false;
  bool theirs_ok = false;
  Difference difference = Difference::kNone;
  std::string detail;  // for kUnlisted: what differs
  int reencodes = 0;   // encodings compared byte for byte
};

// `line` is the oracle's answer for the input: `decode-binary
// --with-reencode`, `decode-string --with-reencode`, `decode-compact`.
Verdict CheckBinary(absl::string_view input, absl::string_view line);
Verdict CheckNative(absl::string_view text, absl::string_view line);
Verdict CheckCompact(absl::string_view text, absl::string_view line);

// `line` is encode-binary's answer for OracleJson(session). Addresses must
// be valid UTF-8 (JSON cannot carry other bytes).
Verdict CheckEncode(const Session& session, absl::string_view line);
std::string OracleJson(const Session& session);

}  // namespace differential
}  // namespace tgsession

#endif  // TGSESSION_TESTS_DIFFERENTIAL_COMPARE_H_
