// AVX-512 VBMI peer-table kernels: records and slots move between the two
// layouts by byte permutation, eight at a time (three 64-byte loads, three
// permutations, three stores), with the has-kind byte and the canonical-form
// test done on the permuted vectors. Compiled for AVX-512 only inside these
// functions; binary_codec.cc calls them only when
// ActiveCpuFeatures().avx512vbmi.
#include "session/internal/peer_table_kernels.h"

#ifdef TGS_HAVE_PEER_TABLE_AVX512
#include <immintrin.h>

#include <cstring>

namespace tgsession {
namespace internal {
namespace {

static_assert(kPeerRecordBytes == 19 && kPeerSlotBytes == 24, "the tables below are built for these sizes");

// --- records to slots ----------------------------------------------------------

// Slot byte f is a copy of record byte RecordByteOf(f), or zero (-1). Byte 18
// starts as a copy of the kind byte and becomes the has-kind flag.
constexpr int RecordByteOf(int f) { return f < 18 ? f : f == 18 ? 17 : f == 19 ? 18 : -1; }

// The bytes a correct writer produces, as the test (b + add) mod 256 <= max
// on slot byte f: type 0..2, kind 0..2 or 0xFF, community 0 or 1.
constexpr void SlotByteRule(int f, uint8_t* add, uint8_t* max) {
  *add = 0;
  *max = 0xFF;
  if (f == 16) *max = 2;
  if (f == 17) {
    *add = 1;
    *max = 3;
  }
  if (f == 19) *max = 1;
}

// One 64-byte vector of slots: for each lane, the input byte it takes
// (relative to `base`), the canonical-form rule, whether it carries a record
// byte (others become zero) and whether it is a has-kind byte.
struct SlotVector {
  alignas(64) uint8_t index[64];
  alignas(64) uint8_t add[64];
  alignas(64) uint8_t max[64];
  __mmask64 keep;
  __mmask64 has_kind;
};

// Vector s of the slots of `records` records whose first record starts at
// input byte 0, drawing on input bytes from `base` on.
constexpr SlotVector MakeSlotVector(int s, int base, int records) {
  SlotVector v{};
  v.keep = 0;
  v.has_kind = 0;
  for (int j = 0; j < 64; ++j) {
    const int g = 64 * s + j, rec = g / 24, f = g % 24;
    SlotByteRule(f, &v.add[j], &v.max[j]);
    const int src = RecordByteOf(f);
    if (rec >= records || src < 0) continue;  // zero: padding, or no such record
    v.index[j] = static_cast<uint8_t>(rec * 19 + src - base);
    v.keep |= __mmask64{1} << j;
    if (f == 18) v.has_kind |= __mmask64{1} << j;
  }
  return v;
}

// Eight records (152 bytes) fill three slot vectors exactly: vector 0 from a
// load at 0, vector 1 from loads at 0 and 64 as one 128-byte table, vector 2
// from a load at 96.
constexpr SlotVector kOctet[3] = {MakeSlotVector(0, 0, 8), MakeSlotVector(1, 0, 8), MakeSlotVector(2, 96, 8)};
// Two records (38 bytes) give two slots (48 bytes) of one vector.
constexpr SlotVector kPair = MakeSlotVector(0, 0, 2);

#define TGS_AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi")))

// Tests a vector of slots and turns its kind copies into has-kind bytes.
TGS_AVX512 inline __m512i FinishSlots(__m512i p, const SlotVector& v, __m512i* bad) {
  *bad = _mm512_or_si512(*bad, _mm512_subs_epu8(_mm512_add_epi8(p, _mm512_load_si512(v.add)),
                                                _mm512_load_si512(v.max)));
  const __mmask64 has = _mm512_mask_cmpneq_epi8_mask(v.has_kind, p, _mm512_set1_epi8(-1));
  return _mm512_mask_mov_epi8(p, v.has_kind, _mm512_maskz_mov_epi8(has, _mm512_set1_epi8(1)));
}

// --- slots to records ----------------------------------------------------------

// Record byte b is a copy of slot byte SlotByteOf(b); byte 17 (the kind)
// becomes 0xFF where the slot's has-kind byte (18) is 0.
constexpr int SlotByteOf(int b) { return b < 18 ? b : 19; }

// Eight slots (three 64-byte loads) give eight records (152 bytes), written
// as three 64-byte stores; the last one's tail is rewritten by the next step.
// Store s draws on loads first and first + 1 as one 128-byte table.
struct RecordVector {
  alignas(64) uint8_t index[64];     // the slot byte of each record byte
  alignas(64) uint8_t has_kind[64];  // the has-kind byte of each lane's slot
  __mmask64 kind;                    // the lanes holding a kind byte
  int first;
  bool fits;  // every index lies in the loads it draws on
};

constexpr RecordVector MakeRecordVector(int s) {
  RecordVector v{};
  v.kind = 0;
  v.first = ((64 * s) / 19 * 24 + SlotByteOf((64 * s) % 19)) / 64;
  v.fits = true;
  const int base = 64 * v.first;
  const int limit = v.first + 1 < 3 ? 128 : 64;  // the last load has no successor
  for (int j = 0; j < 64; ++j) {
    const int g = 64 * s + j, rec = g / 19, b = g % 19;
    if (g >= 8 * 19) break;  // rewritten by the next step
    const int in = rec * 24 + SlotByteOf(b) - base, flag = rec * 24 + 18 - base;
    if (in < 0 || in >= limit || flag < 0 || flag >= limit) v.fits = false;
    v.index[j] = static_cast<uint8_t>(in);
    v.has_kind[j] = static_cast<uint8_t>(flag);
    if (b == 17) v.kind |= __mmask64{1} << j;
  }
  return v;
}

constexpr RecordVector kRecordStores[3] = {MakeRecordVector(0), MakeRecordVector(1), MakeRecordVector(2)};
static_assert(kRecordStores[0].fits && kRecordStores[1].fits && kRecordStores[2].fits,
              "each stored vector draws on two adjacent loads");

// Writes the records of one stored vector from the two loads it draws on.
TGS_AVX512 inline void StoreRecords(const RecordVector& v, __m512i a, __m512i b, uint8_t* o) {
  const __m512i bytes = _mm512_permutex2var_epi8(a, _mm512_load_si512(v.index), b);
  const __m512i flags = _mm512_permutex2var_epi8(a, _mm512_load_si512(v.has_kind), b);
  const __mmask64 none = _mm512_mask_cmpeq_epi8_mask(v.kind, flags, _mm512_setzero_si512());
  _mm512_storeu_si512(o, _mm512_mask_mov_epi8(bytes, none, _mm512_set1_epi8(-1)));
}

}  // namespace

TGS_AVX512 bool DecodePeerRecordsAvx512Vbmi(const uint8_t* r, size_t count, uint8_t* out) {
  __m512i bad = _mm512_setzero_si512();
  size_t i = 0;
  {
    const __m512i i0 = _mm512_load_si512(kOctet[0].index);
    const __m512i i1 = _mm512_load_si512(kOctet[1].index);
    const __m512i i2 = _mm512_load_si512(kOctet[2].index);
    // The third load reads 160 bytes from the step's start: nine records
    // (171 bytes) must remain. Each step stores exactly its own 192 bytes.
    for (; i + 9 <= count; i += 8) {
      const uint8_t* in = r + i * 19;
      const __m512i l0 = _mm512_loadu_si512(in);
      const __m512i l1 = _mm512_loadu_si512(in + 64);
      const __m512i l2 = _mm512_loadu_si512(in + 96);
      uint8_t* o = out + i * 24;
      _mm512_storeu_si512(o, FinishSlots(_mm512_maskz_permutexvar_epi8(kOctet[0].keep, i0, l0), kOctet[0], &bad));
      _mm512_storeu_si512(o + 64,
                          FinishSlots(_mm512_maskz_permutex2var_epi8(kOctet[1].keep, l0, i1, l1), kOctet[1], &bad));
      _mm512_storeu_si512(o + 128,
                          FinishSlots(_mm512_maskz_permutexvar_epi8(kOctet[2].keep, i2, l2), kOctet[2], &bad));
    }
  }
  const __m512i index = _mm512_load_si512(kPair.index);
  // Two records a step. While four remain, the 64-byte load stays inside the
  // table (76 bytes left) and a full 64-byte store inside the output (96
  // bytes left); its last 16 bytes are rewritten by the next step.
  for (; i + 4 <= count; i += 2) {
    const __m512i v = _mm512_loadu_si512(r + i * 19);
    _mm512_storeu_si512(out + i * 24, FinishSlots(_mm512_maskz_permutexvar_epi8(kPair.keep, index, v), kPair, &bad));
  }
  // The last one or two records: masked loads and stores. Lanes past the
  // last record are zero, which passes the test.
  for (; i < count; i += 2) {
    const size_t n = count - i >= 2 ? 2 : 1;
    const __m512i v = _mm512_maskz_loadu_epi8((__mmask64{1} << (19 * n)) - 1, r + i * 19);
    const __m512i p = FinishSlots(_mm512_maskz_permutexvar_epi8(kPair.keep, index, v), kPair, &bad);
    _mm512_mask_storeu_epi8(out + i * 24, (__mmask64{1} << (24 * n)) - 1, p);
  }
  return _mm512_test_epi8_mask(bad, bad) == 0;
}

TGS_AVX512 void EncodePeerRecordsAvx512Vbmi(const uint8_t* slots, size_t count, uint8_t* out) {
  size_t i = 0;
  // Loads read the step's eight slots; the stores write 192 bytes from the
  // step's first record, so eleven records must remain.
  constexpr int f0 = kRecordStores[0].first, f1 = kRecordStores[1].first, f2 = kRecordStores[2].first;
  for (; count - i >= 11; i += 8) {
    const uint8_t* in = slots + i * 24;
    // The last load twice: second operand for a vector drawn on it alone.
    const __m512i l[4] = {_mm512_loadu_si512(in), _mm512_loadu_si512(in + 64), _mm512_loadu_si512(in + 128),
                          _mm512_loadu_si512(in + 128)};
    uint8_t* o = out + i * 19;
    StoreRecords(kRecordStores[0], l[f0], l[f0 + 1], o);
    StoreRecords(kRecordStores[1], l[f1], l[f1 + 1], o + 64);
    StoreRecords(kRecordStores[2], l[f2], l[f2 + 1], o + 128);
  }
  for (; i < count; ++i) {
    const uint8_t* s = slots + i * 24;
    uint8_t* o = out + i * 19;
    std::memcpy(o, s, 17);
    o[17] = s[18] != 0 ? s[17] : 0xFF;
    o[18] = s[19];
  }
}

}  // namespace internal
}  // namespace tgsession

#endif  // TGS_HAVE_PEER_TABLE_AVX512
