// CRC-32C kernels behind crc32c::Extend (session/crc32c.h). Each computes
// exactly what the portable one does; crc32c.cc picks one per call from
// ActiveCpuFeatures().
#ifndef TGSESSION_SESSION_INTERNAL_CRC32C_KERNELS_H_
#define TGSESSION_SESSION_INTERNAL_CRC32C_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace tgsession {
namespace internal {

// The reference: slicing-by-8 tables, any target.
uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t n);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TGS_HAVE_CRC32C_SSE42 1
// SSE4.2's crc32 instruction, three streams at once. Needs CpuFeatures::sse42.
uint32_t Crc32cSse42(uint32_t crc, const uint8_t* data, size_t n);
#endif

}  // namespace internal
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTERNAL_CRC32C_KERNELS_H_
