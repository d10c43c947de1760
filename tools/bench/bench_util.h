// Shared helpers for tgsession's benchmark programs: synthetic sessions shaped
// like the ones the real crate was measured with, an allocation counter, and
// peak RSS.
#ifndef TGSESSION_TOOLS_BENCH_BENCH_UTIL_H_
#define TGSESSION_TOOLS_BENCH_BENCH_UTIL_H_

#include <cstddef>
#include <cstdint>

#include "session/session.h"

namespace tgsession {
namespace bench {

// 10 DCs (keys on half), `peers` peers of every kind, peers/10 channel pts,
// peers/5 min peers and a token: the shape of ferogram's published figures.
Session SyntheticSession(size_t peers);

// Counts every operator new / delete in the process (the benchmark binaries
// replace the global operators).
struct AllocCounts {
  uint64_t allocations = 0;
  uint64_t bytes = 0;
};
AllocCounts CurrentAllocs();

// Peak resident set size of this process so far, in bytes (VmHWM).
size_t PeakRssBytes();
// Resets the peak (writes 5 to /proc/self/clear_refs); false if unsupported.
bool ResetPeakRss();
size_t CurrentRssBytes();

}  // namespace bench
}  // namespace tgsession

#endif  // TGSESSION_TOOLS_BENCH_BENCH_UTIL_H_
