// How a session is read, for every format's decoder (formats.h). What a
// read noticed is reported in one DecodeInfo (binary_codec.h).
#ifndef TGSESSION_SESSION_INTEROP_READ_OPTIONS_H_
#define TGSESSION_SESSION_INTEROP_READ_OPTIONS_H_

#include <cstddef>

#include "session/binary_codec.h"

namespace tgsession {
namespace interop {

struct ReadOptions {
  // kCompatible reads what the real library reads and reports anything a
  // correct writer would not produce (a bool byte of 2, unknown flag bits,
  // non-zero padding, trailing bytes) as an anomaly with a warning; kStrict
  // rejects those. Format detection always decodes strictly.
  DecodeMode mode = DecodeMode::kCompatible;
  // Longest session string of another library accepted. The largest real
  // one (an mtcute string with a media DC and a host name) is under 1,200
  // characters. ferogram's native strings have their own bound
  // (StringDecodeLimits, 64 MiB).
  size_t max_chars = 4096;
};

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_READ_OPTIONS_H_
