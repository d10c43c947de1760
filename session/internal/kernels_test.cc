// Every kernel against its portable reference (and the references against
// plain definitions), on random inputs of every size around the kernels'
// block edges, with an odd byte at every position.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "session/internal/base64_kernels.h"
#include "session/internal/cpu_features.h"
#include "session/internal/crc32c_kernels.h"
#include "session/internal/peer_table_kernels.h"

namespace tgsession {
namespace internal {
namespace {

std::vector<uint8_t> RandomBytes(std::mt19937* rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>((*rng)());
  return v;
}

// A kernel this machine can run, named for the failure messages.
template <typename Fn>
struct Kernel {
  const char* name;
  Fn fn;
};

// --- CRC-32C ---------------------------------------------------------------

using CrcFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);
using CrcKernel = Kernel<CrcFn>;

std::vector<CrcKernel> CrcKernels() {
  std::vector<CrcKernel> k = {{"portable", Crc32cPortable}};
#ifdef TGS_HAVE_CRC32C_SSE42
  if (DetectedCpuFeatures().sse42) k.push_back({"sse42", Crc32cSse42});
#endif
  return k;
}

// Bit at a time, from the definition.
uint32_t CrcDefinition(uint32_t crc, const uint8_t* p, size_t n) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32cKernelsTest, EveryKernelMatchesTheDefinitionAtEverySizeAndAlignment) {
  std::mt19937 rng(11);
  const std::vector<uint8_t> data = RandomBytes(&rng, 3 * 8192 * 2 + 3 * 256 * 2 + 64);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 80; ++n) sizes.push_back(n);
  // Around the three-stream blocks of the SSE4.2 kernel (3 x 256, 3 x 8192).
  for (size_t edge : {size_t{768}, size_t{1536}, size_t{24576}, size_t{49152}}) {
    for (size_t n = edge - 9; n <= edge + 9; ++n) sizes.push_back(n);
  }
  for (const CrcKernel& k : CrcKernels()) {
    SCOPED_TRACE(k.name);
    for (size_t n : sizes) {
      for (size_t start : {size_t{0}, size_t{1}, size_t{3}, size_t{7}}) {
        if (start + n > data.size()) continue;
        const uint32_t seed = static_cast<uint32_t>(n * 2654435761u);
        ASSERT_EQ(k.fn(seed, data.data() + start, n), CrcDefinition(seed, data.data() + start, n))
            << "n=" << n << " start=" << start;
      }
    }
  }
}

// --- base64 --------------------------------------------------------------------

using DecodeFn = size_t (*)(const uint8_t*, size_t, uint8_t*, bool);
using EncodeFn = void (*)(uint8_t*, size_t, size_t, bool);

using DecodeKernel = Kernel<DecodeFn>;
using EncodeKernel = Kernel<EncodeFn>;

std::vector<DecodeKernel> DecodeKernels() {
  std::vector<DecodeKernel> k = {{"portable", Base64DecodeQuantaPortable}};
#ifdef TGS_HAVE_BASE64_X86
  if (DetectedCpuFeatures().avx2) k.push_back({"avx2", Base64DecodeQuantaAvx2});
  if (DetectedCpuFeatures().avx512vbmi) k.push_back({"avx512vbmi", Base64DecodeQuantaAvx512Vbmi});
#endif
#ifdef TGS_HAVE_BASE64_WASM_SIMD128
  k.push_back({"wasm_simd128", Base64DecodeQuantaWasmSimd128});
#endif
  return k;
}

std::vector<EncodeKernel> EncodeKernels() {
  std::vector<EncodeKernel> k = {{"portable", Base64EncodeInPlacePortable}};
#ifdef TGS_HAVE_BASE64_X86
  if (DetectedCpuFeatures().avx2) k.push_back({"avx2", Base64EncodeInPlaceAvx2});
#endif
#ifdef TGS_HAVE_BASE64_WASM_SIMD128
  k.push_back({"wasm_simd128", Base64EncodeInPlaceWasmSimd128});
#endif
  return k;
}

const char* Symbols(bool url_safe) { return url_safe ? kBase64UrlSymbols : kBase64StdSymbols; }

// Group by group, from the definition: returns the groups decoded before the
// first one with a byte outside the alphabet.
size_t DecodeDefinition(const uint8_t* text, size_t quanta, uint8_t* out, bool url_safe) {
  const char* sym = Symbols(url_safe);
  for (size_t q = 0; q < quanta; ++q) {
    uint32_t v = 0;
    for (int j = 0; j < 4; ++j) {
      const char* at = static_cast<const char*>(std::memchr(sym, text[4 * q + j], 64));
      if (text[4 * q + j] == 0 || at == nullptr) return q;
      v = (v << 6) | static_cast<uint32_t>(at - sym);
    }
    out[3 * q] = static_cast<uint8_t>(v >> 16);
    out[3 * q + 1] = static_cast<uint8_t>(v >> 8);
    out[3 * q + 2] = static_cast<uint8_t>(v);
  }
  return quanta;
}

std::vector<uint8_t> RandomText(std::mt19937* rng, size_t quanta, bool url_safe) {
  std::vector<uint8_t> t(4 * quanta);
  for (uint8_t& c : t) c = static_cast<uint8_t>(Symbols(url_safe)[(*rng)() % 64]);
  return t;
}

// Bytes outside each alphabet, including the other alphabet's two symbols,
// padding, NUL and bytes with the high bit set.
std::vector<uint8_t> OddBytes(bool url_safe) {
  return {'=', '!', ' ', 0, 0x80, 0xFF, 0x7F, static_cast<uint8_t>(url_safe ? '+' : '-'),
          static_cast<uint8_t>(url_safe ? '/' : '_'), '@', '[', '`', '{', ':'};
}

// Runs `k` on `text` both into a separate buffer (checking it writes nothing
// past 3 * quanta) and in place, and checks both against the definition.
void CheckDecode(const DecodeKernel& k, const std::vector<uint8_t>& text, bool url_safe) {
  const size_t quanta = text.size() / 4;
  std::vector<uint8_t> want(3 * quanta);
  const size_t want_n = DecodeDefinition(text.data(), quanta, want.data(), url_safe);
  std::vector<uint8_t> out(3 * quanta + 64, 0xA5);
  const size_t got_n = k.fn(text.data(), quanta, out.data(), url_safe);
  ASSERT_EQ(got_n, want_n);
  ASSERT_TRUE(std::equal(want.begin(), want.begin() + 3 * want_n, out.begin()));
  for (size_t i = 3 * quanta; i < out.size(); ++i) ASSERT_EQ(out[i], 0xA5) << "wrote past the output at " << i;
  std::vector<uint8_t> in_place = text;
  ASSERT_EQ(k.fn(in_place.data(), quanta, in_place.data(), url_safe), want_n);
  ASSERT_TRUE(std::equal(want.begin(), want.begin() + 3 * want_n, in_place.begin()));
}

TEST(Base64KernelsTest, DecodersMatchTheDefinitionAtEverySizeWithAnOddByteAnywhere) {
  std::mt19937 rng(12);
  for (const DecodeKernel& k : DecodeKernels()) {
    for (bool url_safe : {true, false}) {
      SCOPED_TRACE(testing::Message() << k.name << (url_safe ? " url" : " std"));
      // Every size up to a few 64-symbol blocks, then larger ones.
      std::vector<size_t> sizes;
      for (size_t q = 0; q <= 72; ++q) sizes.push_back(q);
      for (size_t q : {size_t{255}, size_t{256}, size_t{257}, size_t{4099}}) sizes.push_back(q);
      const std::vector<uint8_t> odd = OddBytes(url_safe);
      for (size_t quanta : sizes) {
        SCOPED_TRACE(testing::Message() << "quanta=" << quanta);
        const std::vector<uint8_t> text = RandomText(&rng, quanta, url_safe);
        ASSERT_NO_FATAL_FAILURE(CheckDecode(k, text, url_safe));
        // An odd byte at every position (every 37th in the large ones).
        const size_t step = quanta > 72 ? 37 : 1;
        for (size_t pos = 0; pos < text.size(); pos += step) {
          std::vector<uint8_t> bad = text;
          bad[pos] = odd[pos % odd.size()];
          ASSERT_NO_FATAL_FAILURE(CheckDecode(k, bad, url_safe)) << "odd byte at " << pos;
        }
      }
    }
  }
}

TEST(Base64KernelsTest, InPlaceEncodersMatchTheDefinitionAtEverySize) {
  std::mt19937 rng(13);
  for (const EncodeKernel& k : EncodeKernels()) {
    for (bool url_safe : {true, false}) {
      SCOPED_TRACE(testing::Message() << k.name << (url_safe ? " url" : " std"));
      const char* sym = Symbols(url_safe);
      std::vector<size_t> sizes;
      for (size_t t = 0; t <= 100; ++t) sizes.push_back(t);
      for (size_t t : {size_t{1000}, size_t{4097}}) sizes.push_back(t);
      for (size_t triples : sizes) {
        // Exactly 4 * triples bytes, and with room after them (which the
        // kernel may read but must not change).
        for (size_t slack : {size_t{0}, size_t{5}, size_t{40}}) {
          SCOPED_TRACE(testing::Message() << "triples=" << triples << " slack=" << slack);
          const std::vector<uint8_t> bytes = RandomBytes(&rng, 3 * triples);
          std::string want;
          for (size_t g = 0; g < triples; ++g) {
            const uint32_t v = (uint32_t{bytes[3 * g]} << 16) | (uint32_t{bytes[3 * g + 1]} << 8) | bytes[3 * g + 2];
            for (int j = 3; j >= 0; --j) want += sym[(v >> (6 * j)) & 63];
          }
          std::vector<uint8_t> buf(4 * triples + slack, 0x5A);
          if (!bytes.empty()) std::memcpy(buf.data(), bytes.data(), bytes.size());
          k.fn(buf.data(), triples, buf.size(), url_safe);
          ASSERT_EQ(std::string(buf.begin(), buf.begin() + 4 * triples), want);
          for (size_t i = 4 * triples; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0x5A) << "changed byte " << i;
        }
      }
    }
  }
}

// --- peer tables ---------------------------------------------------------------

#ifdef TGS_HAVE_PEER_TABLE_AVX512
// The slot of one record, from the layout in peer_table_kernels.h.
void SlotDefinition(const uint8_t* record, uint8_t* slot) {
  std::memcpy(slot, record, 18);
  slot[18] = record[17] != 0xFF ? 1 : 0;
  slot[19] = record[18];
  std::memset(slot + 20, 0, 4);
}

bool CanonicalDefinition(const uint8_t* record) {
  return record[16] <= 2 && (record[17] <= 2 || record[17] == 0xFF) && record[18] <= 1;
}

// A random canonical record: any id and hash, type 0..2, kind 0..2 or 0xFF,
// community 0 or 1.
void RandomRecord(std::mt19937* rng, uint8_t* r) {
  for (int i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>((*rng)());
  r[16] = static_cast<uint8_t>((*rng)() % 3);
  const uint32_t k = (*rng)() % 4;
  r[17] = k == 3 ? 0xFF : static_cast<uint8_t>(k);
  r[18] = static_cast<uint8_t>((*rng)() % 2);
}

// Runs the decoding kernel on `records` and checks it against the
// definitions: every slot when all are canonical, false otherwise, and
// nothing written past the slots.
void CheckPeerDecode(const std::vector<uint8_t>& records) {
  const size_t n = records.size() / kPeerRecordBytes;
  bool canonical = true;
  std::vector<uint8_t> want(n * kPeerSlotBytes);
  for (size_t i = 0; i < n; ++i) {
    canonical = canonical && CanonicalDefinition(&records[i * kPeerRecordBytes]);
    SlotDefinition(&records[i * kPeerRecordBytes], &want[i * kPeerSlotBytes]);
  }
  std::vector<uint8_t> out(n * kPeerSlotBytes + 64, 0xA5);
  ASSERT_EQ(DecodePeerRecordsAvx512Vbmi(records.data(), n, out.data()), canonical);
  if (canonical) {
    ASSERT_TRUE(std::equal(want.begin(), want.end(), out.begin()));
  }
  for (size_t i = n * kPeerSlotBytes; i < out.size(); ++i) ASSERT_EQ(out[i], 0xA5) << "wrote past the slots at " << i;
}

TEST(PeerTableKernelsTest, DecoderMatchesTheDefinitionAtEverySizeWithAnOddByteAnywhere) {
  if (!DetectedCpuFeatures().avx512vbmi) GTEST_SKIP() << "no AVX-512 VBMI here";
  std::mt19937 rng(14);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 40; ++n) sizes.push_back(n);
  for (size_t n : {size_t{255}, size_t{256}, size_t{257}, size_t{1001}}) sizes.push_back(n);
  for (size_t n : sizes) {
    SCOPED_TRACE(testing::Message() << "records=" << n);
    std::vector<uint8_t> records(n * kPeerRecordBytes);
    for (size_t i = 0; i < n; ++i) RandomRecord(&rng, &records[i * kPeerRecordBytes]);
    ASSERT_NO_FATAL_FAILURE(CheckPeerDecode(records));
    // An odd type, kind or community byte in every record position (every
    // 7th record of the large tables), the values next to the defined ones
    // among them.
    const std::vector<uint8_t> odd_type = {3, 4, 0x7F, 0x80, 0xFF};
    const std::vector<uint8_t> odd_kind = {3, 4, 0x7F, 0x80, 0xFE};
    const std::vector<uint8_t> odd_community = {2, 3, 0x7F, 0x80, 0xFF};
    for (size_t i = 0; i < n; i += n > 40 ? 7 : 1) {
      for (size_t field : {16, 17, 18}) {
        const std::vector<uint8_t>& values = field == 16 ? odd_type : field == 17 ? odd_kind : odd_community;
        std::vector<uint8_t> odd = records;
        odd[i * kPeerRecordBytes + field] = values[(i + field) % values.size()];
        ASSERT_NO_FATAL_FAILURE(CheckPeerDecode(odd)) << "odd byte in record " << i << " field " << field;
      }
    }
  }
}

TEST(PeerTableKernelsTest, EncoderMatchesTheDefinitionAtEverySize) {
  if (!DetectedCpuFeatures().avx512vbmi) GTEST_SKIP() << "no AVX-512 VBMI here";
  std::mt19937 rng(15);
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{8}, size_t{9}, size_t{10}, size_t{11},
                   size_t{12}, size_t{18}, size_t{19}, size_t{27}, size_t{40}, size_t{255}, size_t{1001}}) {
    SCOPED_TRACE(testing::Message() << "records=" << n);
    std::vector<uint8_t> want(n * kPeerRecordBytes), slots(n * kPeerSlotBytes);
    for (size_t i = 0; i < n; ++i) {
      RandomRecord(&rng, &want[i * kPeerRecordBytes]);
      SlotDefinition(&want[i * kPeerRecordBytes], &slots[i * kPeerSlotBytes]);
      // A slot without a kind holds any value byte and any padding.
      if (want[i * kPeerRecordBytes + 17] == 0xFF) slots[i * kPeerSlotBytes + 17] = static_cast<uint8_t>(rng());
      for (size_t b = 20; b < 24; ++b) slots[i * kPeerSlotBytes + b] = static_cast<uint8_t>(rng());
    }
    std::vector<uint8_t> out(n * kPeerRecordBytes + 64, 0xA5);
    EncodePeerRecordsAvx512Vbmi(slots.data(), n, out.data());
    ASSERT_TRUE(std::equal(want.begin(), want.end(), out.begin()));
    for (size_t i = want.size(); i < out.size(); ++i) ASSERT_EQ(out[i], 0xA5) << "wrote past the records at " << i;
  }
}
#endif

// --- the switch ----------------------------------------------------------------

TEST(CpuFeaturesTest, ActiveIsDetectedUnlessForcedOrSet) {
  if (PortableForcedByEnvironment()) {
    EXPECT_FALSE(ActiveCpuFeatures().any());
  } else {
    EXPECT_EQ(ActiveCpuFeatures(), DetectedCpuFeatures());
  }
  SetCpuFeaturesForTesting(CpuFeatures());
  EXPECT_FALSE(ActiveCpuFeatures().any());
  // Never more than the machine has.
  CpuFeatures all;
  all.sse42 = all.avx2 = all.avx512vbmi = all.wasm_simd128 = true;
  SetCpuFeaturesForTesting(all);
  EXPECT_EQ(ActiveCpuFeatures(), DetectedCpuFeatures());
  ResetCpuFeaturesForTesting();
}

}  // namespace
}  // namespace internal
}  // namespace tgsession
