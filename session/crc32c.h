// CRC-32C (Castagnoli polynomial, as in iSCSI, ext4 and LevelDB): guards the
// v9 session format and the file backend's journal records.
#ifndef TGSESSION_SESSION_CRC32C_H_
#define TGSESSION_SESSION_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace tgsession {
namespace crc32c {

// Returns the CRC-32C of concat(A, data[0,n-1]) where `crc` is the CRC-32C of
// some string A. Extend(0, data, n) is the CRC of data alone. Uses the SSE4.2
// crc32 instruction when the CPU has it, a slicing-by-8 table otherwise.
uint32_t Extend(uint32_t crc, const uint8_t* data, size_t n);

inline uint32_t Value(const uint8_t* data, size_t n) { return Extend(0, data, n); }

}  // namespace crc32c
}  // namespace tgsession

#endif  // TGSESSION_SESSION_CRC32C_H_
