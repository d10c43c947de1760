// Replaces the global operator new and delete (every form) with versions that
// count the bytes in use and their peak. Link counting_allocator.cc into a
// program to measure it; tools/bench/footprint.sh does so for the footprint
// program. Thread-safe (atomics); allocations by C code (malloc) are not seen.
#ifndef TGSESSION_TOOLS_BENCH_COUNTING_ALLOCATOR_H_
#define TGSESSION_TOOLS_BENCH_COUNTING_ALLOCATOR_H_

#include <cstddef>

namespace tgsession {
namespace counting_allocator {

// Bytes requested and not yet freed.
size_t InUse();
// The largest InUse() since the start or the last ResetPeak().
size_t Peak();
// Makes the peak the current use.
void ResetPeak();

}  // namespace counting_allocator
}  // namespace tgsession

#endif  // TGSESSION_TOOLS_BENCH_COUNTING_ALLOCATOR_H_
