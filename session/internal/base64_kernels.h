// Base64 kernels behind session/base64.cc: the bulk of a decode, and of an
// in-place encode. Every kernel returns exactly what the portable one
// returns and leaves the same bytes behind; base64.cc picks one per call from
// ActiveCpuFeatures().
#ifndef TGSESSION_SESSION_INTERNAL_BASE64_KERNELS_H_
#define TGSESSION_SESSION_INTERNAL_BASE64_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace tgsession {
namespace internal {

// The two alphabets, in sextet order.
inline constexpr char kBase64UrlSymbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
inline constexpr char kBase64StdSymbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// `url_safe` picks the alphabet: A-Z a-z 0-9 - _ (base64url) or + / instead
// of - _ (standard base64).
//
// Decodes the `quanta` 4-symbol groups at `text` into 3 bytes each at `out`,
// stopping before the first group that holds a byte outside the alphabet.
// Returns the number of groups decoded. Writes only out[0, 3 * quanta); `out`
// may be `text` (decoding in place).
size_t Base64DecodeQuantaPortable(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe);

// Encodes the `triples` 3-byte groups at buf[0, 3 * triples) into the
// 4 * triples symbols at buf[0, 4 * triples), in place. Reads and writes only
// buf[0, buf_size); buf_size >= 4 * triples.
void Base64EncodeInPlacePortable(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TGS_HAVE_BASE64_X86 1
// Need CpuFeatures::avx2.
size_t Base64DecodeQuantaAvx2(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe);
void Base64EncodeInPlaceAvx2(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe);
// Needs CpuFeatures::avx512vbmi.
size_t Base64DecodeQuantaAvx512Vbmi(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe);
#endif

#ifdef __wasm_simd128__
#define TGS_HAVE_BASE64_WASM_SIMD128 1
// Needs CpuFeatures::wasm_simd128.
size_t Base64DecodeQuantaWasmSimd128(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe);
void Base64EncodeInPlaceWasmSimd128(uint8_t* buf, size_t triples, size_t buf_size, bool url_safe);
#endif

}  // namespace internal
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTERNAL_BASE64_KERNELS_H_
