#include "tests/differential/differences.h"

namespace tgsession {
namespace differential {

const char* DifferenceName(Difference d) {
  switch (d) {
    case Difference::kNone:
      return "none";
    case Difference::kLenientValue:
      return "lenient-value";
    case Difference::kTrailingBytes:
      return "trailing-bytes";
    case Difference::kTrailingBytesOverLimit:
      return "trailing-bytes-over-limit";
    case Difference::kNonUtf8Address:
      return "non-utf8-address";
    case Difference::kV1HomeDc2To8:
      return "v1-home-dc-2-to-8";
    case Difference::kV9:
      return "v9";
    case Difference::kExceedsV8:
      return "exceeds-v8";
    case Difference::kCompactV1FromV2:
      return "compact-v1-from-v2";
    case Difference::kInputOverLimit:
      return "input-over-limit";
    case Difference::kUnlisted:
      return "UNLISTED";
  }
  return "?";
}

}  // namespace differential
}  // namespace tgsession
