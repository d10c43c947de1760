#include "session/crc32c.h"

#include "session/internal/cpu_features.h"
#include "session/internal/crc32c_kernels.h"

namespace tgsession {
namespace crc32c {

uint32_t Extend(uint32_t crc, const uint8_t* data, size_t n) {
#ifdef TGS_HAVE_CRC32C_SSE42
  if (internal::ActiveCpuFeatures().sse42) return internal::Crc32cSse42(crc, data, n);
#endif
  return internal::Crc32cPortable(crc, data, n);
}

}  // namespace crc32c
}  // namespace tgsession
