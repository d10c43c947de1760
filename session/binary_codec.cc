#include "session/binary_codec.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/byte_bounds.h"
#include "session/byte_io.h"
#include "session/crc32c.h"
#include "session/internal/cpu_features.h"
#include "session/status_macros.h"
#include "session/string_resize.h"
#include "session/utf8.h"

namespace tgsession {

uint32_t Crc32c(const uint8_t* data, size_t n, uint32_t crc) { return crc32c::Extend(crc, data, n); }

namespace {

using byte_io::GetI32LE;
using byte_io::GetI64LE;
using byte_io::GetU16LE;
using byte_io::GetU32LE;

constexpr uint8_t kV9Magic[3] = {'t', 'g', 's'};
constexpr size_t kV9HeaderBytes = 4;  // version byte + magic
constexpr size_t kCrcBytes = 4;
constexpr uint8_t kNoChannelKind = 0xFF;

// Per-version shape of the format.
struct Layout {
  int version;
  bool has_version_byte;
  bool wide;            // v9: u32 counts, u16 address length, u32 token length
  bool dc_flags;        // v3+
  bool update_state;    // v2+
  bool min_peers;       // v4+
  bool channel_kind;    // v6+
  bool token;           // v7+
  bool community;       // v8+
  size_t peer_record;   // bytes per peer
};

Layout LayoutFor(int v) {
  Layout l{};
  l.version = v;
  l.has_version_byte = v >= 2;
  l.wide = v >= 9;
  l.dc_flags = v >= 3;
  l.update_state = v >= 2;
  l.min_peers = v >= 4;
  l.channel_kind = v >= 6;
  l.token = v >= 7;
  l.community = v >= 8;
  l.peer_record = 17 + (l.channel_kind ? 1 : 0) + (l.community ? 1 : 0);
  return l;
}

constexpr size_t kChannelRecord = 12;
constexpr size_t kMinPeerRecord = 20;

// Decodes `count` records of kStride bytes at `r` into the raw slots `out`
// (IndexedList::AssignUninitialized), each record read once and its slot
// written once, by Decoder::Fill.
template <size_t kStride, typename Decoder>
void FillRecords(const uint8_t* r, uint32_t count, const Decoder& decoder, typename Decoder::Value* out) {
  for (uint32_t i = 0; i < count; ++i, r += kStride) decoder.Fill(r, out + i);
}

// On little-endian hosts the first kStride bytes of ChannelPts and
// CachedMinPeer are their wire records (session.h asserts the layouts), so a
// record is decoded by copying its bytes into the slot: one 16-byte and one
// overlapping 4-byte move instead of a store per field. Padding is left as
// is. Elsewhere, field by field.
template <typename T, size_t kStride>
inline void CopyRecordInto(const uint8_t* r, T* slot) {
  static_assert(kStride <= sizeof(T), "a record is a prefix of its value");
  std::memcpy(static_cast<void*>(slot), r, kStride);
}

struct ChannelPtsDecoder {
  using Value = ChannelPts;
  void Fill(const uint8_t* r, ChannelPts* slot) const {
#ifdef TGS_LITTLE_ENDIAN_HOST
    CopyRecordInto<ChannelPts, kChannelRecord>(r, slot);
#else
    new (slot) ChannelPts{GetI64LE(r), GetI32LE(r + 8)};
#endif
  }
};

struct MinPeerDecoder {
  using Value = CachedMinPeer;
  void Fill(const uint8_t* r, CachedMinPeer* slot) const {
#ifdef TGS_LITTLE_ENDIAN_HOST
    CopyRecordInto<CachedMinPeer, kMinPeerRecord>(r, slot);
#else
    new (slot) CachedMinPeer{GetI64LE(r), GetI64LE(r + 8), GetI32LE(r + 16)};
#endif
  }
};

// Peer records of one layout (the field set is a template parameter, so the
// decode has no per-peer layout tests).
//
// Two decoders: kExact maps every byte the way ferogram reads it (a type > 2
// is a user, a kind > 2 other than 0xFF is "none", any non-zero community
// byte is true); the other is a copy, exact only for the bytes a correct
// writer produces, and runs after PeersAreCanonical has checked that every
// record holds only those (ParsePeers takes the exact one otherwise).
template <bool kKind, bool kCommunity, bool kExact>
struct PeerDecoder {
  using Value = CachedPeer;
  static constexpr size_t kStride = 17 + (kKind ? 1 : 0) + (kCommunity ? 1 : 0);

  void Fill(const uint8_t* r, CachedPeer* slot) const {
#ifdef TGS_LITTLE_ENDIAN_HOST
    if (!kExact && kKind && kCommunity) {
      // Canonical v8/v9 record: its 19 bytes are the peer's first 19 (a
      // type <= 2, a kind byte, a community byte of 0 or 1 are valid
      // representations of the fields).
      CopyRecordInto<CachedPeer, kStride>(r, slot);
      return;
    }
#endif
    const uint8_t type = r[16];
    const uint8_t kind = kKind ? r[17] : kNoChannelKind;
    const uint8_t community = kCommunity ? r[kStride - 1] : 0;
    new (slot) CachedPeer{GetI64LE(r), GetI64LE(r + 8), static_cast<PeerType>(kExact && type > 2 ? 0 : type),
                          OptionalChannelKind::FromByte(kExact && kind > 2 ? kNoChannelKind : kind), community != 0};
  }
};

// True when every peer record holds only bytes a correct writer produces:
// type 0..2, channel kind 0..2 or 0xFF, community 0 or 1.
//
// On x86-64 this is one vectorized byte-range test over the whole peer
// table (byte_bounds.h): a few instructions per 16-64 bytes instead of a
// dozen per record. The tables repeat every 64 records, a multiple of every
// vector width. Elsewhere (WebAssembly, ARM) a per-record loop.
//
// The rule for byte `f` of a record (byte_bounds.h form: (b + *add) mod 256
// <= *max); every canonical-form test below is built from it.
constexpr void CanonicalPeerByte(size_t f, size_t stride, bool kind, bool community, uint8_t* add,
                                 uint8_t* max) {
  *add = 0;
  *max = 0xFF;
  if (f == 16) *max = 2;  // type
  if (kind && f == 17) {  // kind: 0xFF, 0, 1, 2 -> 0..3
    *add = 1;
    *max = 3;
  }
  if (community && f == stride - 1) *max = 1;  // community
}

template <size_t kStride, bool kKind, bool kCommunity>
struct PeerByteRule {
  static constexpr size_t kPeriod = kStride * 64;
  uint8_t add[kPeriod] = {};
  uint8_t max[kPeriod] = {};
  constexpr PeerByteRule() {
    for (size_t j = 0; j < kPeriod; ++j) CanonicalPeerByte(j % kStride, kStride, kKind, kCommunity, &add[j], &max[j]);
  }
};

template <bool kKind, bool kCommunity>
bool PeersAreCanonical(const uint8_t* r, uint32_t count) {
  constexpr size_t kStride = 17 + (kKind ? 1 : 0) + (kCommunity ? 1 : 0);
#if defined(__x86_64__)
  static constexpr PeerByteRule<kStride, kKind, kCommunity> kRule;
  return BytesWithinBounds(r, size_t{count} * kStride, ByteBounds{kRule.add, kRule.max, kRule.kPeriod});
#else
  unsigned bad = 0;
  for (uint32_t i = 0; i < count; ++i, r += kStride) {
    bad |= r[16] > 2;
    if (kKind) bad |= static_cast<uint8_t>(r[17] + 1) > 3;
    if (kCommunity) bad |= r[kStride - 1] > 1;
  }
  return bad == 0;
#endif
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(TGS_LITTLE_ENDIAN_HOST)
#define TGS_PEERS_AVX512 1
#include <immintrin.h>

bool HaveAvx512Vbmi() { return internal::ActiveCpuFeatures().avx512vbmi; }

// 48-byte output block: two CachedPeers from two 19-byte v8/v9 records.
struct PeerPairShuffle {
  alignas(64) uint8_t index[64];  // output byte j <- input byte index[j]
  alignas(64) uint8_t add[64];    // canonical-form test on the output bytes,
  alignas(64) uint8_t max[64];    // as in PeerByteRule
};

constexpr PeerPairShuffle MakePeerPairShuffle() {
  PeerPairShuffle t{};
  for (int j = 0; j < 64; ++j) {
    const int rec = j / 24, f = j % 24;
    t.index[j] = static_cast<uint8_t>(rec < 2 && f < 19 ? rec * 19 + f : 0);
    // Output padding (f >= 19) and lanes past the two peers are unconstrained.
    CanonicalPeerByte(rec < 2 ? f : 0, 19, true, true, &t.add[j], &t.max[j]);
  }
  return t;
}

constexpr PeerPairShuffle kPeerPairShuffle = MakePeerPairShuffle();

// Eight peers (152 input bytes) fill exactly three 64-byte output vectors.
// Output vector s takes its bytes from a 64-byte load at kOctetLoad[s] (s = 1
// from the 128 bytes of loads 0 and 1, through a two-source permutation).
struct PeerOctetShuffle {
  alignas(64) uint8_t index[3][64];
  alignas(64) uint8_t add[3][64];
  alignas(64) uint8_t max[3][64];
  __mmask64 keep[3];
};

constexpr size_t kOctetLoad[3] = {0, 64, 96};

constexpr PeerOctetShuffle MakePeerOctetShuffle() {
  PeerOctetShuffle t{};
  for (int s = 0; s < 3; ++s) {
    t.keep[s] = 0;
    for (int j = 0; j < 64; ++j) {
      const int g = 64 * s + j, rec = g / 24, f = g % 24;
      const int in = rec * 19 + (f < 19 ? f : 0);
      // Vector 1 indexes loads 0 and 1 as one 128-byte table.
      t.index[s][j] = static_cast<uint8_t>(s == 1 ? in : in - static_cast<int>(kOctetLoad[s]));
      if (f < 19) t.keep[s] |= __mmask64{1} << j;
      CanonicalPeerByte(f, 19, true, true, &t.add[s][j], &t.max[s][j]);
    }
  }
  return t;
}

constexpr PeerOctetShuffle kPeerOctetShuffle = MakePeerOctetShuffle();

// Checks and converts `count` v8/v9 peer records (19 bytes each) into the
// raw slots `out`, every byte written. Records move into CachedPeer layout by
// byte permutation (padding zeroed), and their type, kind and community bytes
// are tested in place, so the table is read once: eight records a step (three
// loads, permutations and stores), then two a step. Returns false if any
// record is not canonical (the caller then decodes with the exact mapping
// instead). Reads only [r, r + 19 * count).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) bool ConvertV8PeersAvx512(const uint8_t* r,
                                                                                size_t count, CachedPeer* out) {
  const __m512i index = _mm512_load_si512(kPeerPairShuffle.index);
  const __m512i add = _mm512_load_si512(kPeerPairShuffle.add);
  const __m512i max = _mm512_load_si512(kPeerPairShuffle.max);
  // Output lanes that carry record bytes; the rest (padding) become zero.
  constexpr __mmask64 kKeep = ((__mmask64{1} << 19) - 1) | (((__mmask64{1} << 19) - 1) << 24);
  __m512i bad = _mm512_setzero_si512();
  auto* o = reinterpret_cast<uint8_t*>(out);
  size_t i = 0;
  {
    const __m512i i0 = _mm512_load_si512(kPeerOctetShuffle.index[0]);
    const __m512i i1 = _mm512_load_si512(kPeerOctetShuffle.index[1]);
    const __m512i i2 = _mm512_load_si512(kPeerOctetShuffle.index[2]);
    // The third load reads 160 bytes from the step's start: nine records
    // (171 bytes) must remain. Each step stores exactly its own 192 bytes.
    for (; i + 9 <= count; i += 8) {
      const uint8_t* in = r + i * 19;
      const __m512i l0 = _mm512_loadu_si512(in);
      const __m512i l1 = _mm512_loadu_si512(in + kOctetLoad[1]);
      const __m512i l2 = _mm512_loadu_si512(in + kOctetLoad[2]);
      const __m512i p0 = _mm512_maskz_permutexvar_epi8(kPeerOctetShuffle.keep[0], i0, l0);
      const __m512i p1 = _mm512_maskz_permutex2var_epi8(kPeerOctetShuffle.keep[1], l0, i1, l1);
      const __m512i p2 = _mm512_maskz_permutexvar_epi8(kPeerOctetShuffle.keep[2], i2, l2);
      bad = _mm512_or_si512(
          bad, _mm512_subs_epu8(_mm512_add_epi8(p0, _mm512_load_si512(kPeerOctetShuffle.add[0])),
                                _mm512_load_si512(kPeerOctetShuffle.max[0])));
      bad = _mm512_or_si512(
          bad, _mm512_subs_epu8(_mm512_add_epi8(p1, _mm512_load_si512(kPeerOctetShuffle.add[1])),
                                _mm512_load_si512(kPeerOctetShuffle.max[1])));
      bad = _mm512_or_si512(
          bad, _mm512_subs_epu8(_mm512_add_epi8(p2, _mm512_load_si512(kPeerOctetShuffle.add[2])),
                                _mm512_load_si512(kPeerOctetShuffle.max[2])));
      uint8_t* dst = o + i * 24;
      _mm512_storeu_si512(dst, p0);
      _mm512_storeu_si512(dst + 64, p1);
      _mm512_storeu_si512(dst + 128, p2);
    }
  }
  // While four peers remain, the 64-byte load stays in the table (76 bytes
  // left) and a full 64-byte store in the output (96 bytes left): its last
  // 16 bytes are rewritten by the next step. (Byte-masked stores measured 25%
  // slower here.)
  for (; i + 4 <= count; i += 2) {
    const __m512i v = _mm512_loadu_si512(r + i * 19);
    const __m512i peers = _mm512_maskz_permutexvar_epi8(kKeep, index, v);
    bad = _mm512_or_si512(bad, _mm512_subs_epu8(_mm512_add_epi8(peers, add), max));
    _mm512_storeu_si512(o + i * 24, peers);
  }
  for (; i < count; i += 2) {
    const size_t n = count - i >= 2 ? 2 : 1;
    const __mmask64 in_mask = (__mmask64{1} << (19 * n)) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(in_mask, r + i * 19);
    const __m512i peers = _mm512_maskz_permutexvar_epi8(kKeep, index, v);
    const __mmask64 out_mask = (__mmask64{1} << (24 * n)) - 1;
    bad = _mm512_or_si512(bad, _mm512_maskz_subs_epu8(out_mask, _mm512_add_epi8(peers, add), max));
    _mm512_mask_storeu_epi8(o + i * 24, out_mask, peers);
  }
  return _mm512_test_epi8_mask(bad, bad) == 0;
}


// Index for ExpandRecordsAvx512: output byte j <- input byte j / kSlot *
// kStride + j % kSlot (the record's own bytes; padding lanes are masked off).
template <size_t kStride, size_t kSlot>
struct ExpandShuffle {
  alignas(64) uint8_t index[64];
  __mmask64 keep;
};

template <size_t kStride, size_t kSlot>
constexpr ExpandShuffle<kStride, kSlot> MakeExpandShuffle() {
  ExpandShuffle<kStride, kSlot> t{};
  t.keep = 0;
  for (size_t j = 0; j < 64; ++j) {
    const size_t rec = j / kSlot, f = j % kSlot;
    const bool data = rec < 64 / kSlot && f < kStride;
    t.index[j] = static_cast<uint8_t>(data ? rec * kStride + f : 0);
    if (data) t.keep |= __mmask64{1} << j;
  }
  return t;
}

// Copies `count` records of kStride bytes into slots of kSlot bytes (their
// wire bytes first, padding zeroed): the channel-pts (12 -> 16) and min-peer
// (20 -> 24) tables, 64 / kSlot records per byte permutation and store
// instead of two moves per record. Like ConvertV8PeersAvx512, full 64-byte
// loads and stores only while they stay inside the table and the slots (a
// store's tail is rewritten by the next step), masked ones at the end.
template <size_t kStride, size_t kSlot>
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void ExpandRecordsAvx512(const uint8_t* r, size_t count,
                                                                               void* out) {
  static_assert(kStride <= kSlot && kSlot <= 64 && 64 / kSlot * kStride <= 64, "records fit one vector");
  static constexpr ExpandShuffle<kStride, kSlot> kShuffle = MakeExpandShuffle<kStride, kSlot>();
  constexpr size_t kPerStep = 64 / kSlot;
  const __m512i index = _mm512_load_si512(kShuffle.index);
  auto* o = static_cast<uint8_t*>(out);
  size_t i = 0;
  for (; (count - i) * kStride >= 64 && (count - i) * kSlot >= 64; i += kPerStep) {
    const __m512i v = _mm512_loadu_si512(r + i * kStride);
    _mm512_storeu_si512(o + i * kSlot, _mm512_maskz_permutexvar_epi8(kShuffle.keep, index, v));
  }
  for (; i < count; i += kPerStep) {
    const size_t n = count - i >= kPerStep ? kPerStep : count - i;
    const __m512i v = _mm512_maskz_loadu_epi8((__mmask64{1} << (n * kStride)) - 1, r + i * kStride);
    const __mmask64 out_mask = n * kSlot == 64 ? ~__mmask64{0} : (__mmask64{1} << (n * kSlot)) - 1;
    _mm512_mask_storeu_epi8(o + i * kSlot, out_mask, _mm512_maskz_permutexvar_epi8(kShuffle.keep, index, v));
  }
}

// The encoder's inverse of the expansions above: kLoads 64-byte loads of
// slots (kSlot bytes each) give kRecords records of kStride bytes, written
// as kStores 64-byte vectors. Vector s draws on the 128 bytes of loads
// first[s] and first[s] + 1 (or on load first[s] alone, the last one).
template <size_t kSlot, size_t kStride, size_t kLoads>
struct CompactShuffle {
  static constexpr size_t kRecords = 64 * kLoads / kSlot;
  static constexpr size_t kOutBytes = kRecords * kStride;
  static constexpr size_t kStores = (kOutBytes + 63) / 64;
  alignas(64) uint8_t index[kStores][64];
  size_t first[kStores];
  bool fits;  // every vector's bytes lie in its two loads
};

template <size_t kSlot, size_t kStride, size_t kLoads>
constexpr CompactShuffle<kSlot, kStride, kLoads> MakeCompactShuffle() {
  using T = CompactShuffle<kSlot, kStride, kLoads>;
  T t{};
  t.fits = 64 * kLoads % kSlot == 0;
  for (size_t s = 0; s < T::kStores; ++s) {
    const size_t first_in = (64 * s) / kStride * kSlot + (64 * s) % kStride;
    t.first[s] = first_in / 64;
    const size_t base = 64 * t.first[s];
    const size_t limit = t.first[s] + 1 < kLoads ? base + 128 : base + 64;
    for (size_t j = 0; j < 64; ++j) {
      const size_t g = 64 * s + j;
      if (g >= T::kOutBytes) break;  // rewritten by the next step
      const size_t in = g / kStride * kSlot + g % kStride;
      if (in < base || in >= limit) t.fits = false;
      t.index[s][j] = static_cast<uint8_t>(in - base);
    }
  }
  return t;
}

// Writes `count` records from their slots `items` (on little-endian hosts a
// slot begins with its record: session.h asserts the layouts), CompactShuffle
// ::kRecords a step while the loads stay inside the slots and the stores
// inside the table; returns how many it wrote (the caller copies the rest).
template <size_t kSlot, size_t kStride, size_t kLoads>
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t CompactRecordsAvx512(const void* items,
                                                                                  size_t count, uint8_t* out) {
  using T = CompactShuffle<kSlot, kStride, kLoads>;
  static constexpr T kShuffle = MakeCompactShuffle<kSlot, kStride, kLoads>();
  static_assert(kShuffle.fits, "each output vector comes from two adjacent loads");
  const auto* in = static_cast<const uint8_t*>(items);
  size_t i = 0;
  for (; count - i >= T::kRecords && (count - i) * kStride >= 64 * T::kStores; i += T::kRecords) {
    // Unrolled, so the loads stay in registers and first[s] is a constant.
    __m512i l[kLoads + 1];
#pragma GCC unroll 4
    for (size_t k = 0; k < kLoads; ++k) l[k] = _mm512_loadu_si512(in + i * kSlot + 64 * k);
    l[kLoads] = l[kLoads - 1];  // second operand for a vector drawn on the last load alone
    uint8_t* o = out + i * kStride;
#pragma GCC unroll 4
    for (size_t s = 0; s < T::kStores; ++s) {
      const __m512i index = _mm512_load_si512(kShuffle.index[s]);
      _mm512_storeu_si512(o + 64 * s,
                          _mm512_permutex2var_epi8(l[kShuffle.first[s]], index, l[kShuffle.first[s] + 1]));
    }
  }
  return i;
}
#endif

absl::Status Truncated(size_t at, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("session truncated at byte ", at, " reading ", what));
}

// Collects anomalies: values a correct writer never produces but ferogram
// accepts. Strict mode turns the first one into an error.
class Anomalies {
 public:
  explicit Anomalies(DecodeMode mode) : strict_(mode == DecodeMode::kStrict) {}

  template <typename MakeMessage>
  absl::Status Report(MakeMessage make_message) {
    if (strict_) return absl::DataLossError(make_message());
    ++count_;
    if (warnings_.size() < DecodeInfo::kMaxWarnings) warnings_.push_back(make_message());
    return absl::OkStatus();
  }

  bool strict() const { return strict_; }
  void MoveTo(DecodeInfo* info) {
    info->anomaly_count += count_;
    for (std::string& w : warnings_) {
      if (info->warnings.size() < DecodeInfo::kMaxWarnings) info->warnings.push_back(std::move(w));
    }
  }

 private:
  bool strict_;
  size_t count_ = 0;
  std::vector<std::string> warnings_;
};

// The channel-pts and min-peer tables: the AVX-512 VBMI expansion where the
// CPU has it (the slots are the records plus padding on little-endian
// hosts, session.h asserts), record by record otherwise.
template <size_t kStride, typename Decoder>
void FillTable(const uint8_t* r, uint32_t count, const Decoder& decoder, typename Decoder::Value* out) {
#ifdef TGS_PEERS_AVX512
  if (HaveAvx512Vbmi()) {
    ExpandRecordsAvx512<kStride, sizeof(typename Decoder::Value)>(r, count, out);
    return;
  }
#endif
  FillRecords<kStride>(r, count, decoder, out);
}

// Reads the body of one version starting at `pos`; on success `*end` is the
// offset just past the session. Never reads at or beyond `n`.
class BodyParser {
 public:
  BodyParser(const uint8_t* d, size_t n, const Layout& layout, const DecodeLimits& limits,
             Anomalies* anomalies)
      : d_(d), n_(n), l_(layout), limits_(limits), an_(anomalies) {}

  absl::Status Parse(size_t pos, Session* s, size_t* end) {
    pos_ = pos;
    if (l_.has_version_byte) {
      if (!Have(1)) return Truncated(pos_, "version byte");
      pos_ += l_.wide ? kV9HeaderBytes : 1;
    }
    if (!Have(4)) return Truncated(pos_, "home_dc_id");
    s->home_dc_id = GetI32LE(d_ + pos_);
    pos_ += 4;

    TGS_RETURN_IF_ERROR(ParseDcs(s));
    dcs_end_ = pos_;
    if (l_.update_state) {
      TGS_RETURN_IF_ERROR(ParseCounters(s));
      TGS_RETURN_IF_ERROR(ParseChannels(s));
      TGS_RETURN_IF_ERROR(ParsePeers(s));
      if (l_.min_peers) TGS_RETURN_IF_ERROR(ParseMinPeers(s));
      token_begin_ = pos_;
      if (l_.token) TGS_RETURN_IF_ERROR(ParseToken(s));
    }
    *end = pos_;
    if (!l_.update_state) token_begin_ = pos_;
    return absl::OkStatus();
  }

  // After a successful Parse: where the DC table (and its keys) ends and
  // where the token field begins.
  size_t dcs_end() const { return dcs_end_; }
  size_t token_begin() const { return token_begin_; }

 private:
  bool Have(size_t k) const { return n_ - pos_ >= k; }
  size_t Remaining() const { return n_ - pos_; }

  // Reads a count field (u8/u16 in v1-v8, u32 in v9).
  absl::Status ReadCount(size_t narrow_bytes, absl::string_view what, uint32_t limit, uint32_t* out) {
    const size_t width = l_.wide ? 4 : narrow_bytes;
    if (!Have(width)) return Truncated(pos_, what);
    const uint8_t* p = d_ + pos_;
    *out = width == 1 ? p[0] : width == 2 ? GetU16LE(p) : GetU32LE(p);
    if (*out > limit) {
      return absl::DataLossError(absl::StrCat(what, " ", *out, " at byte ", pos_,
                                              " is over the decode limit of ", limit));
    }
    pos_ += width;
    return absl::OkStatus();
  }

  // Fails unless `count` records of `record` bytes fit in what is left,
  // naming the record and field where the input ends.
  template <typename FieldName>
  absl::Status CheckRecords(uint32_t count, size_t record, absl::string_view item, FieldName field_at) {
    const size_t left = Remaining();
    if (count <= left / record) return absl::OkStatus();
    const size_t index = left / record;
    const size_t offset_in_record = left % record;
    const auto [field_offset, field] = field_at(offset_in_record);
    return Truncated(pos_ + index * record + field_offset, absl::StrCat(item, " ", index, " ", field));
  }

  absl::Status ParseDcs(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(ReadCount(1, "dc_count", limits_.max_dcs, &count));
    // Smallest possible entry: no key, empty address.
    const size_t min_entry = 4 + 1 + 8 + 4 + (l_.wide ? 2 : 1) + (l_.dc_flags ? 1 : 0);
    if (count > Remaining() / min_entry) {
      // Parse anyway to report the exact field; nothing is reserved first.
      s->dcs.clear();
    } else {
      s->dcs.reserve(count);
    }
    for (uint32_t i = 0; i < count; ++i) {
      // Built in place: moving a DcEntry copies (and wipes) its 256-byte key.
      DcEntry& e = s->dcs.emplace_back();
      if (!Have(4)) return Truncated(pos_, absl::StrCat("dc ", i, " dc_id"));
      e.dc_id = GetI32LE(d_ + pos_);
      pos_ += 4;
      if (!Have(1)) return Truncated(pos_, absl::StrCat("dc ", i, " has_key"));
      const uint8_t has_key = d_[pos_];
      const size_t has_key_at = pos_;
      pos_ += 1;
      if (has_key == 1) {
        if (!Have(AuthKey::kSize)) return Truncated(pos_, absl::StrCat("dc ", i, " auth_key"));
        // Built from the bytes in place (emplace() would zero 256 bytes first).
        e.auth_key.emplace(*reinterpret_cast<const uint8_t(*)[AuthKey::kSize]>(d_ + pos_));
        pos_ += AuthKey::kSize;
      } else if (has_key != 0) {
        if (l_.wide) {
          return absl::DataLossError(absl::StrCat("dc ", i, " has_key byte ", has_key, " at byte ",
                                                  has_key_at, " (must be 0 or 1)"));
        }
        TGS_RETURN_IF_ERROR(an_->Report([&] {
          return absl::StrCat("dc ", i, " has_key byte ", has_key, " at byte ", has_key_at,
                              " is neither 0 nor 1; read as 'no key' (as ferogram does)");
        }));
      }
      if (!Have(8)) return Truncated(pos_, absl::StrCat("dc ", i, " first_salt"));
      e.first_salt = GetI64LE(d_ + pos_);
      pos_ += 8;
      if (!Have(4)) return Truncated(pos_, absl::StrCat("dc ", i, " time_offset"));
      e.time_offset = GetI32LE(d_ + pos_);
      pos_ += 4;
      const size_t len_width = l_.wide ? 2 : 1;
      if (!Have(len_width)) return Truncated(pos_, absl::StrCat("dc ", i, " addr_len"));
      const size_t addr_len = l_.wide ? GetU16LE(d_ + pos_) : d_[pos_];
      if (addr_len > limits_.max_addr_bytes) {
        return absl::DataLossError(absl::StrCat("dc ", i, " addr_len ", addr_len, " at byte ", pos_,
                                                " is over the decode limit of ", limits_.max_addr_bytes));
      }
      pos_ += len_width;
      if (!Have(addr_len)) return Truncated(pos_, absl::StrCat("dc ", i, " addr"));
      const absl::string_view addr(reinterpret_cast<const char*>(d_ + pos_), addr_len);
      e.addr.assign(addr.data(), addr.size());
      // v9 is ours and keeps addresses byte for byte (a v8 session read with
      // such an address and then grown past v8's limits is saved as v9), so
      // only the ferogram versions treat bad UTF-8 as an anomaly. The input
      // is checked, not the copy: reading the copy back in 8-byte words right
      // after the byte-sized stores of a short copy stalls on store
      // forwarding.
      if (!l_.wide && !IsValidUtf8(addr)) {
        const size_t at = pos_;
        TGS_RETURN_IF_ERROR(an_->Report([&] {
          return absl::StrCat("dc ", i, " address at byte ", at,
                              " is not valid UTF-8; kept byte for byte (ferogram would replace the "
                              "bad bytes with U+FFFD)");
        }));
      }
      pos_ += addr_len;
      if (l_.dc_flags) {
        if (!Have(1)) return Truncated(pos_, absl::StrCat("dc ", i, " flags"));
        e.flags = DcFlags(d_[pos_]);
        pos_ += 1;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseCounters(Session* s) {
    static constexpr const char* kNames[] = {"pts", "qts", "date", "seq"};
    int32_t v[4];
    for (int k = 0; k < 4; ++k) {
      if (!Have(4)) return Truncated(pos_, kNames[k]);
      v[k] = GetI32LE(d_ + pos_);
      pos_ += 4;
    }
    s->updates_state.pts = v[0];
    s->updates_state.qts = v[1];
    s->updates_state.date = v[2];
    s->updates_state.seq = v[3];
    return absl::OkStatus();
  }

  absl::Status ParseChannels(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(ReadCount(2, "channel_pts_count", limits_.max_channels, &count));
    TGS_RETURN_IF_ERROR(CheckRecords(count, kChannelRecord, "channel_pts", [](size_t off) {
      return off < 8 ? std::pair<size_t, const char*>(0, "channel_id")
                     : std::pair<size_t, const char*>(8, "pts");
    }));
    FillTable<kChannelRecord>(d_ + pos_, count, ChannelPtsDecoder(),
                                s->updates_state.mutable_channels().AssignUninitialized(count));
    pos_ += size_t{count} * kChannelRecord;
    return absl::OkStatus();
  }

  absl::Status ParsePeers(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(ReadCount(2, "peer_count", limits_.max_peers, &count));
    const size_t rec = l_.peer_record;
    TGS_RETURN_IF_ERROR(CheckRecords(count, rec, "peer", [&](size_t off) {
      if (off < 8) return std::pair<size_t, const char*>(0, "id");
      if (off < 16) return std::pair<size_t, const char*>(8, "access_hash");
      if (off < 17) return std::pair<size_t, const char*>(16, "type");
      if (l_.channel_kind && off < 18) return std::pair<size_t, const char*>(17, "channel_kind");
      return std::pair<size_t, const char*>(rec - 1, "is_community");
    }));
    const uint8_t* r = d_ + pos_;
    CachedPeer* out = s->peers.AssignUninitialized(count);
    bool canonical;
    if (l_.community) {
      canonical = DecodePeers<true, true>(r, count, out);
    } else if (l_.channel_kind) {
      canonical = DecodePeers<true, false>(r, count, out);
    } else {
      canonical = DecodePeers<false, false>(r, count, out);
    }
    if (!canonical) TGS_RETURN_IF_ERROR(ReportPeerAnomalies(count, rec));
    pos_ += size_t{count} * rec;
    return absl::OkStatus();
  }

  // Decodes `count` peer records into the raw slots `out`; returns whether
  // they were all canonical (otherwise the caller reports the anomalies).
  template <bool kKind, bool kCommunity>
  static bool DecodePeers(const uint8_t* r, uint32_t count, CachedPeer* out) {
    using Fast = PeerDecoder<kKind, kCommunity, false>;
    using Exact = PeerDecoder<kKind, kCommunity, true>;
#ifdef TGS_PEERS_AVX512
    if (kKind && kCommunity && HaveAvx512Vbmi()) {
      if (ConvertV8PeersAvx512(r, count, out)) return true;
      FillRecords<Exact::kStride>(r, count, Exact(), out);  // overwrites every slot
      return false;
    }
#endif
    if (PeersAreCanonical<kKind, kCommunity>(r, count)) {
      FillRecords<Fast::kStride>(r, count, Fast(), out);
      return true;
    }
    FillRecords<Exact::kStride>(r, count, Exact(), out);
    return false;
  }

  // The slow path of ParsePeers: names every odd byte (strict mode: the
  // first one is the error).
  absl::Status ReportPeerAnomalies(uint32_t count, size_t rec) {
    const uint8_t* r = d_ + pos_;
    for (uint32_t i = 0; i < count; ++i, r += rec) {
      if (r[16] > 2) TGS_RETURN_IF_ERROR(PeerAnomaly(i, r + 16, "type", r[16], "read as a user (as ferogram does)"));
      if (l_.channel_kind && r[17] > 2 && r[17] != kNoChannelKind) {
        TGS_RETURN_IF_ERROR(PeerAnomaly(i, r + 17, "channel_kind", r[17], "read as 'no kind' (as ferogram does)"));
      }
      if (l_.community && r[rec - 1] > 1) {
        TGS_RETURN_IF_ERROR(
            PeerAnomaly(i, r + rec - 1, "is_community", r[rec - 1], "read as true (as ferogram does)"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status PeerAnomaly(uint32_t index, const uint8_t* at, absl::string_view field, uint8_t value,
                           absl::string_view action) {
    const size_t offset = static_cast<size_t>(at - d_);
    if (l_.wide) {
      return absl::DataLossError(
          absl::StrCat("peer ", index, " ", field, " byte ", value, " at byte ", offset, " is invalid"));
    }
    return an_->Report([&] {
      return absl::StrCat("peer ", index, " ", field, " byte ", value, " at byte ", offset,
                          " is undefined; ", action);
    });
  }

  absl::Status ParseMinPeers(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(ReadCount(2, "min_peer_count", limits_.max_min_peers, &count));
    TGS_RETURN_IF_ERROR(CheckRecords(count, kMinPeerRecord, "min_peer", [](size_t off) {
      if (off < 8) return std::pair<size_t, const char*>(0, "user_id");
      if (off < 16) return std::pair<size_t, const char*>(8, "peer_id");
      return std::pair<size_t, const char*>(16, "msg_id");
    }));
    FillTable<kMinPeerRecord>(d_ + pos_, count, MinPeerDecoder(), s->min_peers.AssignUninitialized(count));
    pos_ += size_t{count} * kMinPeerRecord;
    return absl::OkStatus();
  }

  absl::Status ParseToken(Session* s) {
    if (!Have(1)) return Truncated(pos_, "has_token");
    const uint8_t has = d_[pos_];
    const size_t has_at = pos_;
    pos_ += 1;
    if (has == 0) return absl::OkStatus();
    if (has != 1) {
      if (l_.wide) {
        return absl::DataLossError(
            absl::StrCat("has_token byte ", has, " at byte ", has_at, " (must be 0 or 1)"));
      }
      // ferogram reads "no token" and consumes nothing more.
      return an_->Report([&] {
        return absl::StrCat("has_token byte ", has, " at byte ", has_at,
                            " is neither 0 nor 1; read as 'no token' (as ferogram does)");
      });
    }
    const size_t width = l_.wide ? 4 : 2;
    if (!Have(width)) return Truncated(pos_, "future_auth_token length");
    const uint32_t len = l_.wide ? GetU32LE(d_ + pos_) : GetU16LE(d_ + pos_);
    if (len > limits_.max_token_bytes) {
      return absl::DataLossError(absl::StrCat("future_auth_token length ", len, " at byte ", pos_,
                                              " is over the decode limit of ", limits_.max_token_bytes));
    }
    pos_ += width;
    if (!Have(len)) return Truncated(pos_, "future_auth_token");
    s->future_auth_token.emplace(absl::Span<const uint8_t>(d_ + pos_, len));
    pos_ += len;
    return absl::OkStatus();
  }

  const uint8_t* d_;
  size_t n_;
  const Layout& l_;
  const DecodeLimits& limits_;
  Anomalies* an_;
  size_t pos_ = 0;
  size_t dcs_end_ = 0;
  size_t token_begin_ = 0;
};

struct Attempt {
  absl::Status status;
  Session session;
  size_t end = 0;
  size_t dcs_end = 0;
  size_t token_begin = 0;
  Anomalies anomalies;
  explicit Attempt(DecodeMode mode) : anomalies(mode) {}
};

void RunAttempt(const uint8_t* d, size_t n, int version, const DecodeOptions& options, Attempt* a) {
  const Layout layout = LayoutFor(version);
  BodyParser parser(d, n, layout, options.limits, &a->anomalies);
  a->status = parser.Parse(0, &a->session, &a->end);
  a->dcs_end = parser.dcs_end();
  a->token_begin = parser.token_begin();
}

absl::StatusOr<Session> DecodeV9(const uint8_t* d, size_t n, const DecodeOptions& options, DecodeInfo* info) {
  if (n < kV9HeaderBytes + kCrcBytes) return Truncated(n, "v9 header and checksum");
  const uint32_t stored = GetU32LE(d + n - kCrcBytes);
  const uint32_t computed = crc32c::Extend(0, d, n - kCrcBytes);
  if (stored != computed) {
    return absl::DataLossError(absl::StrCat("v9 session checksum mismatch: stored 0x", absl::Hex(stored),
                                            ", computed 0x", absl::Hex(computed),
                                            " over ", n - kCrcBytes, " bytes (file corrupted)"));
  }
  Attempt a(DecodeMode::kStrict);  // our own format: anomalies are corruption
  RunAttempt(d, n - kCrcBytes, 9, options, &a);
  if (!a.status.ok()) return a.status;
  if (a.end != n - kCrcBytes) {
    return absl::DataLossError(absl::StrCat("v9 session has ", n - kCrcBytes - a.end,
                                            " unexpected bytes at byte ", a.end, " before its checksum"));
  }
  if (info != nullptr) {
    info->version = 9;
    info->secrets_end = a.dcs_end;
    info->secrets_tail_begin = a.token_begin;
  }
  return std::move(a.session);
}

absl::StatusOr<Session> Finish(Attempt& a, int version, size_t n, const DecodeLimits& limits, DecodeInfo* info) {
  if (a.end != n) {
    const size_t trailing = n - a.end;
    if (trailing > limits.max_trailing_bytes) {
      return absl::DataLossError(absl::StrCat(trailing, " bytes follow the v", version, " session ending at byte ",
                                              a.end, ": this is not a session (at most ",
                                              limits.max_trailing_bytes, " trailing bytes are tolerated)"));
    }
    if (a.anomalies.strict()) {
      return absl::DataLossError(absl::StrCat(trailing, " trailing bytes after the v", version,
                                              " session, at byte ", a.end));
    }
    absl::Status s = a.anomalies.Report([&] {
      return absl::StrCat(trailing, " trailing bytes after the v", version, " session at byte ", a.end,
                          " ignored (as ferogram does)");
    });
    (void)s;  // kCompatible: Report never fails
    if (info != nullptr) info->trailing_bytes = trailing;
  }
  if (info != nullptr) {
    info->version = version;
    info->secrets_end = a.dcs_end;
    info->secrets_tail_begin = a.token_begin;
    a.anomalies.MoveTo(info);
  }
  return std::move(a.session);
}

bool IsV9(const uint8_t* d, size_t n) {
  return n >= kV9HeaderBytes && d[0] == 9 && std::memcmp(d + 1, kV9Magic, 3) == 0;
}

}  // namespace

absl::StatusOr<Session> DecodeBinary(absl::string_view data, const DecodeOptions& options, DecodeInfo* info) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  if (n == 0) return absl::DataLossError("empty session data");
  if (n > options.limits.max_input_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("session of ", n, " bytes is over the decode limit of ",
                                                     options.limits.max_input_bytes, " bytes"));
  }
  if (info != nullptr) *info = DecodeInfo();
  if (IsV9(d, n)) return DecodeV9(d, n, options, info);

  const uint8_t first = d[0];
  if (first >= 2 && first <= 8) {
    Attempt versioned(options.mode);
    RunAttempt(d, n, first, options, &versioned);
    if (versioned.status.ok() && versioned.end == n) return Finish(versioned, first, n, options.limits, info);
    // The first byte may instead be the low byte of a v1 file's home_dc_id.
    // A genuine v1 file for home DC 2..8 reads as home_dc_id == first byte
    // (bytes 1..3 zero) and has at least one DC (a v1 file without a DC holds
    // no key and was never written). Requiring both keeps truncated v2..v8
    // files from passing as v1: their v1 reading has no DC or an absurd DC id.
    if (n >= 5 && d[1] == 0 && d[2] == 0 && d[3] == 0 && d[4] >= 1) {
      Attempt v1(options.mode);
      RunAttempt(d, n, 1, options, &v1);
      if (v1.status.ok() && v1.end == n) {
        if (info != nullptr) info->read_as_v1_fallback = true;
        return Finish(v1, 1, n, options.limits, info);
      }
    }
    if (versioned.status.ok()) return Finish(versioned, first, n, options.limits, info);
    return versioned.status;
  }
  // 0x00, 0x01, 0x09 without magic and 0x0A..0xFF: ferogram reads all of
  // these as v1 (the byte is part of home_dc_id).
  Attempt v1(options.mode);
  RunAttempt(d, n, 1, options, &v1);
  if (!v1.status.ok()) return v1.status;
  return Finish(v1, 1, n, options.limits, info);
}

absl::StatusOr<Session> DecodeBinaryAsVersion(absl::string_view data, int version,
                                              const DecodeOptions& options, DecodeInfo* info) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  if (version < 1 || version > 9) {
    return absl::InvalidArgumentError(absl::StrCat("no binary session version ", version));
  }
  if (n == 0) return absl::DataLossError("empty session data");
  if (n > options.limits.max_input_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("session of ", n, " bytes is over the decode limit of ",
                                                     options.limits.max_input_bytes, " bytes"));
  }
  if (info != nullptr) *info = DecodeInfo();
  if (version == 9) {
    if (!IsV9(d, n)) return absl::DataLossError("not a v9 session (missing 09 't' 'g' 's' header)");
    return DecodeV9(d, n, options, info);
  }
  if (version >= 2 && d[0] != version) {
    return absl::DataLossError(
        absl::StrCat("version byte is ", static_cast<int>(d[0]), ", not ", version));
  }
  Attempt a(options.mode);
  RunAttempt(d, n, version, options, &a);
  if (!a.status.ok()) return a.status;
  return Finish(a, version, n, options.limits, info);
}

// ---------------------------------------------------------------------------
// Encoding

namespace {

constexpr uint32_t kU8Max = 0xFF;
constexpr uint32_t kU16Max = 0xFFFF;

class Writer {
 public:
  explicit Writer(uint8_t* p) : p_(p) {}
  void U8(uint8_t v) { *p_++ = v; }
  void U16(uint16_t v) {
    byte_io::PutU16LE(p_, v);
    p_ += 2;
  }
  void U32(uint32_t v) {
    byte_io::PutU32LE(p_, v);
    p_ += 4;
  }
  void I32(int32_t v) {
    byte_io::PutI32LE(p_, v);
    p_ += 4;
  }
  void I64(int64_t v) {
    byte_io::PutI64LE(p_, v);
    p_ += 8;
  }
  void Bytes(const void* src, size_t n) {
    if (n > 0) std::memcpy(p_, src, n);
    p_ += n;
  }
  // Writes one kRecord-byte record per item. On little-endian hosts an
  // item's first kRecord bytes are its record (session.h asserts the
  // layouts), so each is one fixed-size copy; `encode` is the portable form.
  template <size_t kRecord, typename T, typename Encode>
  void Records(absl::Span<const T> items, Encode encode) {
    static_assert(kRecord <= sizeof(T), "a record is a prefix of its item");
#ifdef TGS_LITTLE_ENDIAN_HOST
    (void)encode;
    size_t done = 0;
#ifdef TGS_PEERS_AVX512
    // Three loads (eight 24-byte slots) or four (sixteen 16-byte slots).
    constexpr size_t kLoads = sizeof(T) == 16 ? 4 : 3;
    if constexpr (64 * kLoads % sizeof(T) == 0) {
      if (HaveAvx512Vbmi()) {
        done = CompactRecordsAvx512<sizeof(T), kRecord, kLoads>(items.data(), items.size(), p_);
        p_ += done * kRecord;
      }
    }
#endif
    for (const T& item : items.subspan(done)) {
      std::memcpy(p_, &item, kRecord);
      p_ += kRecord;
    }
#else
    for (const T& item : items) {
      encode(p_, item);
      p_ += kRecord;
    }
#endif
  }
  uint8_t* pos() const { return p_; }

 private:
  uint8_t* p_;
};

size_t DcBytes(const DcEntry& e, bool wide) {
  return 4 + 1 + (e.auth_key ? AuthKey::kSize : 0) + 8 + 4 + (wide ? 2 : 1) + e.addr.size() + 1;
}

}  // namespace

absl::Status CheckFitsBinaryVersion(const Session& s, int version) {
  if (version != 8 && version != 9) {
    return absl::InvalidArgumentError(absl::StrCat("can only write binary versions 8 and 9, not ", version));
  }
  const bool wide = version == 9;
  const DecodeLimits limits;  // never write what our own default reader refuses
  const uint32_t max_dcs = wide ? limits.max_dcs : kU8Max;
  const uint32_t max_addr = wide ? std::min<uint32_t>(limits.max_addr_bytes, kU16Max) : kU8Max;
  const uint32_t max_ch = wide ? limits.max_channels : kU16Max;
  const uint32_t max_peers = wide ? limits.max_peers : kU16Max;
  const uint32_t max_min = wide ? limits.max_min_peers : kU16Max;
  const uint32_t max_token = wide ? limits.max_token_bytes : kU16Max;
  const absl::string_view where = wide ? "v9 (decode limits)" : "ferogram's v8 format";
  if (s.dcs.size() > max_dcs) {
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.dcs.size(), " DC entries; ", where, " stores at most ", max_dcs));
  }
  for (size_t i = 0; i < s.dcs.size(); ++i) {
    if (s.dcs[i].addr.size() > max_addr) {
      return absl::OutOfRangeError(absl::StrCat("dc ", i, " address is ", s.dcs[i].addr.size(),
                                                " bytes; ", where, " stores at most ", max_addr));
    }
  }
  if (s.updates_state.channels().size() > max_ch) {
    return absl::OutOfRangeError(absl::StrCat("session has ", s.updates_state.channels().size(),
                                              " channel pts entries; ", where, " stores at most ", max_ch));
  }
  if (s.peers.size() > max_peers) {
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.peers.size(), " peers; ", where, " stores at most ", max_peers));
  }
  if (s.min_peers.size() > max_min) {
    return absl::OutOfRangeError(absl::StrCat("session has ", s.min_peers.size(), " min peers; ", where,
                                              " stores at most ", max_min));
  }
  if (s.future_auth_token && s.future_auth_token->size() > max_token) {
    return absl::OutOfRangeError(absl::StrCat("future auth token is ", s.future_auth_token->size(),
                                              " bytes; ", where, " stores at most ", max_token));
  }
  if (wide && BinaryEncodedSize(s, 9) > limits.max_input_bytes) {
    return absl::OutOfRangeError(absl::StrCat("session would encode to ", BinaryEncodedSize(s, 9),
                                              " bytes, over the decode limit of ", limits.max_input_bytes));
  }
  return absl::OkStatus();
}

namespace {

// The allocation-free test behind ChooseBinaryVersion (CheckFitsBinaryVersion
// builds an error message, which allocates, just to say "no").
bool FitsV8(const Session& s) {
  if (s.dcs.size() > kU8Max || s.updates_state.channels().size() > kU16Max || s.peers.size() > kU16Max ||
      s.min_peers.size() > kU16Max) {
    return false;
  }
  for (const DcEntry& e : s.dcs) {
    if (e.addr.size() > kU8Max) return false;
  }
  return !s.future_auth_token || s.future_auth_token->size() <= kU16Max;
}

}  // namespace

int ChooseBinaryVersion(const Session& s) { return FitsV8(s) ? 8 : 9; }

size_t BinaryEncodedSize(const Session& s, int version) {
  const bool wide = version == 9;
  size_t n = wide ? kV9HeaderBytes : 1;
  n += 4;                // home_dc_id
  n += wide ? 4 : 1;     // dc_count
  for (const DcEntry& e : s.dcs) n += DcBytes(e, wide);
  n += 16;               // pts qts date seq
  n += (wide ? 4 : 2) + kChannelRecord * s.updates_state.channels().size();
  n += (wide ? 4 : 2) + LayoutFor(version).peer_record * s.peers.size();
  n += (wide ? 4 : 2) + kMinPeerRecord * s.min_peers.size();
  n += 1;  // has_token
  if (s.future_auth_token) n += (wide ? 4 : 2) + s.future_auth_token->size();
  if (wide) n += kCrcBytes;
  return n;
}

absl::StatusOr<size_t> EncodeBinaryTo(const Session& s, int version, absl::Span<uint8_t> out) {
  if (!(version == 8 && FitsV8(s))) TGS_RETURN_IF_ERROR(CheckFitsBinaryVersion(s, version));
  const size_t size = BinaryEncodedSize(s, version);
  if (out.size() < size) {
    return absl::InvalidArgumentError(
        absl::StrCat("output buffer of ", out.size(), " bytes is smaller than the ", size, " needed"));
  }
  const bool wide = version == 9;
  Writer w(out.data());
  w.U8(static_cast<uint8_t>(version));
  if (wide) w.Bytes(kV9Magic, 3);
  w.I32(s.home_dc_id);
  if (wide) {
    w.U32(static_cast<uint32_t>(s.dcs.size()));
  } else {
    w.U8(static_cast<uint8_t>(s.dcs.size()));
  }
  for (const DcEntry& e : s.dcs) {
    w.I32(e.dc_id);
    if (e.auth_key) {
      w.U8(1);
      w.Bytes(e.auth_key->data(), AuthKey::kSize);
    } else {
      w.U8(0);
    }
    w.I64(e.first_salt);
    w.I32(e.time_offset);
    if (wide) {
      w.U16(static_cast<uint16_t>(e.addr.size()));
    } else {
      w.U8(static_cast<uint8_t>(e.addr.size()));
    }
    w.Bytes(e.addr.data(), e.addr.size());
    w.U8(e.flags.bits);
  }
  const UpdatesState& u = s.updates_state;
  w.I32(u.pts);
  w.I32(u.qts);
  w.I32(u.date);
  w.I32(u.seq);
  const auto count = [&](size_t c) {
    if (wide) {
      w.U32(static_cast<uint32_t>(c));
    } else {
      w.U16(static_cast<uint16_t>(c));
    }
  };
  count(u.channels().size());
  w.Records<kChannelRecord>(u.channels(), [](uint8_t* o, const ChannelPts& c) {
    byte_io::PutI64LE(o, c.channel_id);
    byte_io::PutI32LE(o + 8, c.pts);
  });
  count(s.peers.size());
  // v8 and v9 peer records are 19 bytes: id, access_hash, type, kind, community.
  w.Records<19>(s.peers.items(), [](uint8_t* o, const CachedPeer& p) {
    byte_io::PutI64LE(o, p.id);
    byte_io::PutI64LE(o + 8, p.access_hash);
    o[16] = static_cast<uint8_t>(p.type);
    o[17] = p.channel_kind.byte();
    o[18] = p.is_community ? 1 : 0;
  });
  count(s.min_peers.size());
  w.Records<kMinPeerRecord>(s.min_peers.items(), [](uint8_t* o, const CachedMinPeer& m) {
    byte_io::PutI64LE(o, m.user_id);
    byte_io::PutI64LE(o + 8, m.peer_id);
    byte_io::PutI32LE(o + 16, m.msg_id);
  });
  if (s.future_auth_token) {
    w.U8(1);
    if (wide) {
      w.U32(static_cast<uint32_t>(s.future_auth_token->size()));
    } else {
      w.U16(static_cast<uint16_t>(s.future_auth_token->size()));
    }
    w.Bytes(s.future_auth_token->data(), s.future_auth_token->size());
  } else {
    w.U8(0);
  }
  if (wide) {
    const size_t body = static_cast<size_t>(w.pos() - out.data());
    w.U32(crc32c::Extend(0, out.data(), body));
  }
  const size_t written = static_cast<size_t>(w.pos() - out.data());
  if (written != size) {
    // A bug in BinaryEncodedSize; never hand out a torn encoding.
    return absl::InternalError(absl::StrCat("binary encoder wrote ", written, " bytes, expected ", size));
  }
  return written;
}

absl::StatusOr<int> SelectBinaryVersion(const Session& s, const EncodeOptions& options) {
  switch (options.policy) {
    case VersionPolicy::kAuto:
      return ChooseBinaryVersion(s);
    case VersionPolicy::kFerogramOnly:
      TGS_RETURN_IF_ERROR(CheckFitsBinaryVersion(s, 8));
      return 8;
    case VersionPolicy::kExtended:
      return 9;
  }
  return absl::InvalidArgumentError("unknown VersionPolicy");
}

absl::StatusOr<std::string> EncodeBinary(const Session& s, const EncodeOptions& options) {
  TGS_ASSIGN_OR_RETURN(const int version, SelectBinaryVersion(s, options));
  std::string out;
  // EncodeBinaryTo writes every byte (it fails rather than return fewer).
  ResizeForOverwrite(&out, BinaryEncodedSize(s, version));
  absl::StatusOr<size_t> written =
      EncodeBinaryTo(s, version, absl::Span<uint8_t>(reinterpret_cast<uint8_t*>(&out[0]), out.size()));
  if (!written.ok()) {
    SecureZero(&out[0], out.size());  // it may hold keys written before the failure
    return written.status();
  }
  return out;
}

}  // namespace tgsession
