// Options and diagnostics shared by the decoders of other libraries' session
// formats (Telethon, GramJS, Pyrogram, mtcute).
#ifndef TGSESSION_SESSION_INTEROP_COMMON_H_
#define TGSESSION_SESSION_INTEROP_COMMON_H_

#include <cstddef>
#include <string>
#include <vector>

#include "session/binary_codec.h"

namespace tgsession {
namespace interop {

struct InteropDecodeOptions {
  // kCompatible reads what the real library reads and reports anything a
  // correct writer would not produce (a bool byte of 2, unknown flag bits,
  // non-zero padding, trailing bytes) as an anomaly with a warning; kStrict
  // rejects those. Format detection always decodes strictly.
  DecodeMode mode = DecodeMode::kCompatible;
  // Longest session string accepted. The largest real one (an mtcute string
  // with a media DC and a host name) is under 1,200 characters.
  size_t max_chars = 4096;
};

struct InteropDecodeInfo {
  // "IPv4", "IPv6", "351 characters (v1, 32-bit user id)", "schema 7"...
  std::string layout;
  // Anomalies (see above) and facts the caller should know, such as "the
  // auth key is all zeros: Telethon treats that as no key".
  std::vector<std::string> warnings;
  // How many of `warnings` are anomalies (deviations from the real writer).
  size_t anomaly_count = 0;
};

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_COMMON_H_
