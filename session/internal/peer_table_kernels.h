// Kernels for the binary format's v8/v9 peer table behind binary_codec.cc:
// 19-byte records (i64 id, i64 access_hash, u8 type, u8 channel kind, u8
// community; little-endian) to 24-byte peer slots and back.
//
// A peer slot is CachedPeer's layout on the platforms we build for: bytes
// 0-7 id, 8-15 access_hash (little-endian), 16 type, 17 channel kind, 18 1
// when there is a kind (0 for the byte 0xFF), 19 community (0 or 1), 20-23
// zero. binary_codec.cc checks that layout once and calls these only where it
// holds; its field-by-field loops are the reference they must match.
#ifndef TGSESSION_SESSION_INTERNAL_PEER_TABLE_KERNELS_H_
#define TGSESSION_SESSION_INTERNAL_PEER_TABLE_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace tgsession {
namespace internal {

inline constexpr size_t kPeerRecordBytes = 19;
inline constexpr size_t kPeerSlotBytes = 24;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TGS_HAVE_PEER_TABLE_AVX512 1
// Needs CpuFeatures::avx512vbmi. Writes the slots of `count` records, every
// byte of out[0, 24 * count). Returns false if a record holds a byte a
// correct writer never produces (type above 2, kind 3..254, community above
// 1); `out` is then unspecified. Reads only records[0, 19 * count).
bool DecodePeerRecordsAvx512Vbmi(const uint8_t* records, size_t count, uint8_t* out);
// Writes the records of `count` slots (kind 0xFF where slot byte 18 is 0).
// Reads only slots[0, 24 * count), writes only out[0, 19 * count).
void EncodePeerRecordsAvx512Vbmi(const uint8_t* slots, size_t count, uint8_t* out);
#endif

}  // namespace internal
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTERNAL_PEER_TABLE_KERNELS_H_
