// Checks that every byte of a buffer lies in a per-position range, where the
// ranges repeat with a fixed period: the canonical-form check the binary
// decoder runs over a whole table of fixed-size records (peer type, channel
// kind and community bytes) before it copies them.
//
// A position j accepts byte b when (b + add[j % period]) mod 256 <=
// max[j % period]. Unconstrained positions use add 0, max 0xFF; "0, 1 or 2"
// is add 0, max 2; "0, 1, 2 or 0xFF" is add 1, max 3.
//
// The check runs 64, 32 or 16 bytes at a time (AVX-512BW, AVX2 or SSE2,
// chosen at run time on x86-64; SSE2 on other SSE2 targets) and byte by
// byte elsewhere, so `period` must be a multiple of 64.
#ifndef TGSESSION_SESSION_BYTE_BOUNDS_H_
#define TGSESSION_SESSION_BYTE_BOUNDS_H_

#include <cstddef>
#include <cstdint>

namespace tgsession {

struct ByteBounds {
  const uint8_t* add;  // `period` bytes
  const uint8_t* max;  // `period` bytes
  size_t period;       // a multiple of 64
};

// True when every byte of data[0, n) is within `bounds`, position 0 of the
// data being position 0 of the tables.
bool BytesWithinBounds(const uint8_t* data, size_t n, const ByteBounds& bounds);

// Which implementation BytesWithinBounds uses on this machine: "avx512bw",
// "avx2", "sse2" or "scalar" (for benchmarks and tests).
const char* BytesWithinBoundsImplementation();

// Every implementation available on this machine, for tests that compare them
// with each other. Returns the number written (at most 4) into `out`.
using BytesWithinBoundsFn = bool (*)(const uint8_t*, size_t, const ByteBounds&);
struct BytesWithinBoundsImpl {
  const char* name;
  BytesWithinBoundsFn fn;
};
size_t AvailableBytesWithinBoundsImpls(BytesWithinBoundsImpl out[4]);

}  // namespace tgsession

#endif  // TGSESSION_SESSION_BYTE_BOUNDS_H_
