// The binary format, read and written top to bottom in portable C++: a
// bounded Reader that checks what remains before every read and fails closed
// naming the field and byte offset, and one template (Store) that a
// SizeCounter walks to learn the exact size and a Writer walks to fill an
// exactly-sized buffer. The layout is in binary_codec.h.
#include "session/binary_codec.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/byte_io.h"
#include "session/crc32c.h"
#include "session/internal/cpu_features.h"
#include "session/internal/peer_table_kernels.h"
#include "session/status_macros.h"
#include "session/utf8.h"

namespace tgsession {

uint32_t Crc32c(const uint8_t* data, size_t n, uint32_t crc) { return crc32c::Extend(crc, data, n); }

namespace {

// --- the format --------------------------------------------------------------

constexpr uint8_t kV9Magic[3] = {'t', 'g', 's'};
constexpr size_t kV9HeaderBytes = 4;  // version byte + magic
constexpr size_t kCrcBytes = 4;
constexpr uint8_t kNoChannelKind = 0xFF;
constexpr size_t kChannelRecord = 12;  // i64 channel_id, i32 pts
constexpr size_t kMinPeerRecord = 20;  // i64 user_id, i64 peer_id, i32 msg_id
constexpr uint32_t kU8Max = 0xFF;
constexpr uint32_t kU16Max = 0xFFFF;

// What one version holds.
struct Layout {
  int version;
  bool has_version_byte;  // v2+
  bool wide;              // v9: u32 counts, u16 address length, u32 token length
  bool dc_flags;          // v3+
  bool update_state;      // v2+
  bool min_peers;         // v4+
  bool channel_kind;      // v6+
  bool token;             // v7+
  bool community;         // v8+
  size_t peer_record;     // bytes per peer
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

bool IsV9(const uint8_t* d, size_t n) {
  return n >= kV9HeaderBytes && d[0] == 9 && std::memcmp(d + 1, kV9Magic, 3) == 0;
}

#ifdef TGS_HAVE_PEER_TABLE_AVX512
// Whether the peer-table kernels may run: the CPU has their instructions and
// CachedPeer is laid out as their peer slot (checked once, on real objects).
// Only built where they are (x86-64): every caller is under the same #ifdef.
bool PeerKernelsUsable() {
  static const bool layout_matches = [] {
    static_assert(std::is_trivially_copyable<CachedPeer>::value, "the kernels read and write its bytes");
    if (sizeof(CachedPeer) != internal::kPeerSlotBytes) return false;
    CachedPeer with_kind = CachedPeer::Channel(0x0807060504030201, 0x100F0E0D0C0B0A09, ChannelKind::kMegagroup);
    with_kind.type = PeerType::kChat;
    with_kind.is_community = true;
    CachedPeer without_kind = with_kind;
    without_kind.channel_kind.reset();
    without_kind.is_community = false;
    uint8_t a[sizeof(CachedPeer)], b[sizeof(CachedPeer)];
    std::memcpy(a, &with_kind, sizeof a);
    std::memcpy(b, &without_kind, sizeof b);
    for (int i = 0; i < 16; ++i) {
      if (a[i] != i + 1) return false;
    }
    return a[16] == 2 && a[17] == 1 && a[18] == 1 && a[19] == 1 && b[18] == 0 && b[19] == 0;
  }();
  return layout_matches && internal::ActiveCpuFeatures().avx512vbmi;
}
#endif  // TGS_HAVE_PEER_TABLE_AVX512

// --- reading -------------------------------------------------------------------

absl::Status Truncated(size_t at, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("session truncated at byte ", at, " reading ", what));
}

// The field being read, as errors name it ("pts", "dc 3 addr"); formatted
// only when an error needs it.
struct Field {
  Field(const char* name) : name(name) {}  // NOLINT: implicit, so reads can say U8("has_token", ...)
  Field(const char* item, uint32_t index, const char* name) : item(item), index(index), name(name) {}
  std::string ToString() const { return item == nullptr ? name : absl::StrCat(item, " ", index, " ", name); }

  const char* item = nullptr;
  uint32_t index = 0;
  const char* name;
};

// A cursor over the input that never reads past its end: every read checks
// what remains first and, when too little does, fails with kDataLoss naming
// the field and the offset, having read nothing.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* data() const { return data_; }

  absl::Status U8(const Field& f, uint8_t* v) {
    TGS_RETURN_IF_ERROR(Need(1, f));
    *v = data_[pos_];
    pos_ += 1;
    return absl::OkStatus();
  }
  absl::Status U16(const Field& f, uint16_t* v) {
    TGS_RETURN_IF_ERROR(Need(2, f));
    *v = byte_io::GetU16LE(data_ + pos_);
    pos_ += 2;
    return absl::OkStatus();
  }
  absl::Status U32(const Field& f, uint32_t* v) {
    TGS_RETURN_IF_ERROR(Need(4, f));
    *v = byte_io::GetU32LE(data_ + pos_);
    pos_ += 4;
    return absl::OkStatus();
  }
  absl::Status I32(const Field& f, int32_t* v) {
    TGS_RETURN_IF_ERROR(Need(4, f));
    *v = byte_io::GetI32LE(data_ + pos_);
    pos_ += 4;
    return absl::OkStatus();
  }
  absl::Status I64(const Field& f, int64_t* v) {
    TGS_RETURN_IF_ERROR(Need(8, f));
    *v = byte_io::GetI64LE(data_ + pos_);
    pos_ += 8;
    return absl::OkStatus();
  }
  // `n` bytes, as a pointer into the input.
  absl::Status Bytes(const Field& f, size_t n, const uint8_t** p) {
    TGS_RETURN_IF_ERROR(Need(n, f));
    *p = data_ + pos_;
    pos_ += n;
    return absl::OkStatus();
  }
  // `count` records of `record` bytes, as a pointer into the input. When
  // they do not all fit, fails naming the record and field where the input
  // ends: field_at(offset within the record) gives {field offset, name}.
  template <typename FieldAt>
  absl::Status Records(uint32_t count, size_t record, const char* item, FieldAt field_at, const uint8_t** p) {
    const size_t left = remaining();
    if (count > left / record) {
      const size_t index = left / record;
      const auto [field_offset, name] = field_at(left % record);
      return Truncated(pos_ + index * record + field_offset, absl::StrCat(item, " ", index, " ", name));
    }
    *p = data_ + pos_;
    pos_ += size_t{count} * record;
    return absl::OkStatus();
  }

 private:
  absl::Status Need(size_t n, const Field& f) const {
    if (remaining() < n) return Truncated(pos_, f.ToString());
    return absl::OkStatus();
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Values a correct writer never produces but ferogram accepts. Strict mode
// turns the first one into an error.
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

}  // namespace

namespace internal {
// Fills an IndexedList from a table of records: `make(out, n)` constructs
// (placement new) the `n` items out[0..n). Each item is written once,
// straight from its record, not value-initialised first and then overwritten.
struct IndexedListBuilder {
  template <typename T, typename KeyFn, typename Make>
  static void Build(size_t count, Make make, IndexedList<T, KeyFn>* list) {
    list->Reallocate(count);
    make(list->data_, count);
    list->size_ = count;
    list->InvalidateIndex();
  }
};
}  // namespace internal

namespace {

using internal::IndexedListBuilder;

void ReadChannelPts(const uint8_t* records, uint32_t count, IndexedList<ChannelPts, ChannelPtsKey>* out) {
  IndexedListBuilder::Build(
      count,
      [records](ChannelPts* items, size_t n) {
        const uint8_t* r = records;
        for (size_t i = 0; i < n; ++i, r += kChannelRecord) {
          ::new (static_cast<void*>(items + i)) ChannelPts{byte_io::GetI64LE(r), byte_io::GetI32LE(r + 8)};
        }
      },
      out);
}

void ReadMinPeers(const uint8_t* records, uint32_t count, MinPeerList* out) {
  IndexedListBuilder::Build(
      count,
      [records](CachedMinPeer* items, size_t n) {
        const uint8_t* r = records;
        for (size_t i = 0; i < n; ++i, r += kMinPeerRecord) {
          ::new (static_cast<void*>(items + i))
              CachedMinPeer{byte_io::GetI64LE(r), byte_io::GetI64LE(r + 8), byte_io::GetI32LE(r + 16)};
        }
      },
      out);
}

// What ferogram reads for each value of a peer record's type, channel-kind
// and community bytes (a type above 2 is a user, a kind above 2 is "no kind",
// any non-zero community byte is true). Tables, so a record is read without
// a branch per field.
struct PeerByteTables {
  PeerByteTables() {
    for (int b = 0; b < 256; ++b) {
      type[b] = static_cast<PeerType>(b > 2 ? 0 : b);
      kind[b] = b <= 2 ? std::optional<ChannelKind>(static_cast<ChannelKind>(b)) : std::nullopt;
      community[b] = b != 0;
    }
  }
  PeerType type[256];
  std::optional<ChannelKind> kind[256];
  bool community[256];
};

const PeerByteTables kPeerBytes;

// Reads `count` peer records of a layout with (kKind) or without a
// channel-kind byte and (kCommunity) a community byte. Returns whether every
// record held only bytes a correct writer produces; if not, the caller names
// each odd byte. The layout is a template parameter so the loop tests no
// version.
template <bool kKind, bool kCommunity>
bool ReadPeers(const uint8_t* records, uint32_t count, PeerList* out) {
  constexpr size_t kRecord = 17 + (kKind ? 1 : 0) + (kCommunity ? 1 : 0);
  static_assert(kNoChannelKind == 0xFF, "kind + 1 wraps 'none' to 0");
  bool odd = false;
  IndexedListBuilder::Build(
      count,
      [records, &odd](CachedPeer* peers, size_t n) {
        const uint8_t* r = records;
        // The largest type, kind + 1 (0xFF, "none", wraps to 0) and
        // community byte seen: one compare each per record, no lookup.
        unsigned max_type = 0, max_kind = 0, max_community = 0;
        for (size_t i = 0; i < n; ++i, r += kRecord) {
          const uint8_t type = r[16];
          const uint8_t kind = kKind ? r[17] : kNoChannelKind;
          const uint8_t community = kCommunity ? r[kRecord - 1] : 0;
          max_type = std::max<unsigned>(max_type, type);
          max_kind = std::max<unsigned>(max_kind, static_cast<uint8_t>(kind + 1));
          max_community = std::max<unsigned>(max_community, community);
          ::new (static_cast<void*>(peers + i))
              CachedPeer{byte_io::GetI64LE(r), byte_io::GetI64LE(r + 8), kPeerBytes.type[type],
                         kPeerBytes.kind[kind], kPeerBytes.community[community]};
        }
        odd = max_type > 2 || max_kind > 3 || max_community > 1;
      },
      out);
  return !odd;
}

// Reads the body of one version from the start of the input; on success the
// reader stands just past the session.
class BodyParser {
 public:
  BodyParser(const uint8_t* d, size_t n, const Layout& layout, const DecodeLimits& limits, Anomalies* anomalies)
      : in_(d, n), l_(layout), limits_(limits), an_(anomalies) {}

  absl::Status Parse(Session* s) {
    if (l_.has_version_byte) {
      const uint8_t* header = nullptr;
      TGS_RETURN_IF_ERROR(in_.Bytes("version byte", l_.wide ? kV9HeaderBytes : 1, &header));
    }
    TGS_RETURN_IF_ERROR(in_.I32("home_dc_id", &s->home_dc_id));
    TGS_RETURN_IF_ERROR(ParseDcs(s));
    dcs_end_ = in_.offset();
    token_begin_ = in_.offset();
    if (!l_.update_state) return absl::OkStatus();  // v1 ends here
    UpdatesState& u = s->updates_state;
    TGS_RETURN_IF_ERROR(in_.I32("pts", &u.pts));
    TGS_RETURN_IF_ERROR(in_.I32("qts", &u.qts));
    TGS_RETURN_IF_ERROR(in_.I32("date", &u.date));
    TGS_RETURN_IF_ERROR(in_.I32("seq", &u.seq));
    TGS_RETURN_IF_ERROR(ParseChannels(s));
    TGS_RETURN_IF_ERROR(ParsePeers(s));
    if (l_.min_peers) TGS_RETURN_IF_ERROR(ParseMinPeers(s));
    token_begin_ = in_.offset();
    if (l_.token) TGS_RETURN_IF_ERROR(ParseToken(s));
    return absl::OkStatus();
  }

  // After a successful Parse: where the session ends, where the DC table
  // (and its keys) ends, and where the token field begins.
  size_t end() const { return in_.offset(); }
  size_t dcs_end() const { return dcs_end_; }
  size_t token_begin() const { return token_begin_; }

 private:
  // A count field: u8 or u16 (`narrow_bytes`) up to v8, u32 in v9.
  absl::Status Count(size_t narrow_bytes, const char* what, uint32_t limit, uint32_t* out) {
    const size_t at = in_.offset();
    if (l_.wide) {
      TGS_RETURN_IF_ERROR(in_.U32(what, out));
    } else if (narrow_bytes == 1) {
      uint8_t v = 0;
      TGS_RETURN_IF_ERROR(in_.U8(what, &v));
      *out = v;
    } else {
      uint16_t v = 0;
      TGS_RETURN_IF_ERROR(in_.U16(what, &v));
      *out = v;
    }
    if (*out > limit) {
      return absl::DataLossError(
          absl::StrCat(what, " ", *out, " at byte ", at, " is over the decode limit of ", limit));
    }
    return absl::OkStatus();
  }

  absl::Status ParseDcs(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(Count(1, "dc_count", limits_.max_dcs, &count));
    // Reserve only what the input can hold (smallest entry: no key, empty
    // address); a larger count is read anyway, to name the field where it ends.
    const size_t min_entry = 4 + 1 + 8 + 4 + (l_.wide ? 2 : 1) + (l_.dc_flags ? 1 : 0);
    if (count <= in_.remaining() / min_entry) s->dcs.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      // Built in place: moving a DcEntry copies (and wipes) its 256-byte key.
      DcEntry& e = s->dcs.emplace_back();
      TGS_RETURN_IF_ERROR(in_.I32({"dc", i, "dc_id"}, &e.dc_id));
      const size_t has_key_at = in_.offset();
      uint8_t has_key = 0;
      TGS_RETURN_IF_ERROR(in_.U8({"dc", i, "has_key"}, &has_key));
      if (has_key == 1) {
        const uint8_t* key = nullptr;
        TGS_RETURN_IF_ERROR(in_.Bytes({"dc", i, "auth_key"}, AuthKey::kSize, &key));
        e.auth_key.emplace(*reinterpret_cast<const uint8_t(*)[AuthKey::kSize]>(key));
      } else if (has_key != 0) {
        if (l_.wide) {
          return absl::DataLossError(absl::StrCat("dc ", i, " has_key byte ", has_key, " at byte ", has_key_at,
                                                  " (must be 0 or 1)"));
        }
        TGS_RETURN_IF_ERROR(an_->Report([&] {
          return absl::StrCat("dc ", i, " has_key byte ", has_key, " at byte ", has_key_at,
                              " is neither 0 nor 1; read as 'no key' (as ferogram does)");
        }));
      }
      TGS_RETURN_IF_ERROR(in_.I64({"dc", i, "first_salt"}, &e.first_salt));
      TGS_RETURN_IF_ERROR(in_.I32({"dc", i, "time_offset"}, &e.time_offset));
      const size_t len_at = in_.offset();
      size_t addr_len = 0;
      if (l_.wide) {
        uint16_t v = 0;
        TGS_RETURN_IF_ERROR(in_.U16({"dc", i, "addr_len"}, &v));
        addr_len = v;
      } else {
        uint8_t v = 0;
        TGS_RETURN_IF_ERROR(in_.U8({"dc", i, "addr_len"}, &v));
        addr_len = v;
      }
      if (addr_len > limits_.max_addr_bytes) {
        return absl::DataLossError(absl::StrCat("dc ", i, " addr_len ", addr_len, " at byte ", len_at,
                                                " is over the decode limit of ", limits_.max_addr_bytes));
      }
      const size_t addr_at = in_.offset();
      const uint8_t* addr = nullptr;
      TGS_RETURN_IF_ERROR(in_.Bytes({"dc", i, "addr"}, addr_len, &addr));
      const absl::string_view addr_bytes(reinterpret_cast<const char*>(addr), addr_len);
      // Constructed, not assign()ed: assign into an empty string takes
      // libstdc++'s general replace path, several times the work of a copy.
      e.addr = std::string(addr_bytes.data(), addr_bytes.size());
      // v9 is ours and keeps addresses byte for byte (a v8 session read with
      // such an address and then grown past v8's limits is saved as v9), so
      // only the ferogram versions treat bad UTF-8 as an anomaly.
      if (!l_.wide && !IsValidUtf8(addr_bytes)) {
        TGS_RETURN_IF_ERROR(an_->Report([&] {
          return absl::StrCat("dc ", i, " address at byte ", addr_at,
                              " is not valid UTF-8; kept byte for byte (ferogram would replace the "
                              "bad bytes with U+FFFD)");
        }));
      }
      if (l_.dc_flags) TGS_RETURN_IF_ERROR(in_.U8({"dc", i, "flags"}, &e.flags.bits));
    }
    return absl::OkStatus();
  }

  absl::Status ParseChannels(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(Count(2, "channel_pts_count", limits_.max_channels, &count));
    const uint8_t* r = nullptr;
    TGS_RETURN_IF_ERROR(in_.Records(
        count, kChannelRecord, "channel_pts",
        [](size_t off) { return off < 8 ? std::make_pair(0, "channel_id") : std::make_pair(8, "pts"); }, &r));
    ReadChannelPts(r, count, &s->updates_state.mutable_channels());
    return absl::OkStatus();
  }

  absl::Status ParsePeers(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(Count(2, "peer_count", limits_.max_peers, &count));
    const size_t rec = l_.peer_record;
    const uint8_t* r = nullptr;
    TGS_RETURN_IF_ERROR(in_.Records(
        count, rec, "peer",
        [&](size_t off) {
          if (off < 8) return std::make_pair(size_t{0}, "id");
          if (off < 16) return std::make_pair(size_t{8}, "access_hash");
          if (off < 17) return std::make_pair(size_t{16}, "type");
          if (l_.channel_kind && off < 18) return std::make_pair(size_t{17}, "channel_kind");
          return std::make_pair(rec - 1, "is_community");
        },
        &r));
#ifdef TGS_HAVE_PEER_TABLE_AVX512
    if (l_.community && PeerKernelsUsable()) {
      // The kernel writes the items' bytes straight into the list's fresh
      // storage. CachedPeer is an implicit-lifetime type (an aggregate,
      // trivially copyable and destructible), so the allocation that made
      // that storage also made the objects the bytes give values to
      // ([intro.object], P0593, a defect report against earlier standards);
      // no item is constructed first and overwritten, and none is copied.
      static_assert(std::is_aggregate<CachedPeer>::value && std::is_trivially_destructible<CachedPeer>::value,
                    "CachedPeer must stay an implicit-lifetime type");
      bool canonical = true;
      IndexedListBuilder::Build(
          count,
          [r, &canonical](CachedPeer* out, size_t n) {
            canonical = internal::DecodePeerRecordsAvx512Vbmi(r, n, reinterpret_cast<uint8_t*>(out));
          },
          &s->peers);
      if (canonical) return absl::OkStatus();
      // An odd byte: read again field by field, which names it.
    }
#endif
    bool canonical;
    if (l_.community) {
      canonical = ReadPeers<true, true>(r, count, &s->peers);
    } else if (l_.channel_kind) {
      canonical = ReadPeers<true, false>(r, count, &s->peers);
    } else {
      canonical = ReadPeers<false, false>(r, count, &s->peers);
    }
    if (!canonical) TGS_RETURN_IF_ERROR(ReportPeerAnomalies(r, count));
    return absl::OkStatus();
  }

  // Names every odd byte of the peer table at `r` (strict mode: the first one
  // is the error).
  absl::Status ReportPeerAnomalies(const uint8_t* r, uint32_t count) {
    const size_t rec = l_.peer_record;
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
    const size_t offset = static_cast<size_t>(at - in_.data());
    if (l_.wide) {
      return absl::DataLossError(
          absl::StrCat("peer ", index, " ", field, " byte ", value, " at byte ", offset, " is invalid"));
    }
    return an_->Report([&] {
      return absl::StrCat("peer ", index, " ", field, " byte ", value, " at byte ", offset, " is undefined; ",
                          action);
    });
  }

  absl::Status ParseMinPeers(Session* s) {
    uint32_t count = 0;
    TGS_RETURN_IF_ERROR(Count(2, "min_peer_count", limits_.max_min_peers, &count));
    const uint8_t* r = nullptr;
    TGS_RETURN_IF_ERROR(in_.Records(
        count, kMinPeerRecord, "min_peer",
        [](size_t off) {
          if (off < 8) return std::make_pair(0, "user_id");
          if (off < 16) return std::make_pair(8, "peer_id");
          return std::make_pair(16, "msg_id");
        },
        &r));
    ReadMinPeers(r, count, &s->min_peers);
    return absl::OkStatus();
  }

  absl::Status ParseToken(Session* s) {
    const size_t has_at = in_.offset();
    uint8_t has = 0;
    TGS_RETURN_IF_ERROR(in_.U8("has_token", &has));
    if (has == 0) return absl::OkStatus();
    if (has != 1) {
      if (l_.wide) {
        return absl::DataLossError(absl::StrCat("has_token byte ", has, " at byte ", has_at, " (must be 0 or 1)"));
      }
      // ferogram reads "no token" and consumes nothing more.
      return an_->Report([&] {
        return absl::StrCat("has_token byte ", has, " at byte ", has_at,
                            " is neither 0 nor 1; read as 'no token' (as ferogram does)");
      });
    }
    const size_t len_at = in_.offset();
    uint32_t len = 0;
    if (l_.wide) {
      TGS_RETURN_IF_ERROR(in_.U32("future_auth_token length", &len));
    } else {
      uint16_t v = 0;
      TGS_RETURN_IF_ERROR(in_.U16("future_auth_token length", &v));
      len = v;
    }
    if (len > limits_.max_token_bytes) {
      return absl::DataLossError(absl::StrCat("future_auth_token length ", len, " at byte ", len_at,
                                              " is over the decode limit of ", limits_.max_token_bytes));
    }
    const uint8_t* token = nullptr;
    TGS_RETURN_IF_ERROR(in_.Bytes("future_auth_token", len, &token));
    s->future_auth_token.emplace(absl::Span<const uint8_t>(token, len));
    return absl::OkStatus();
  }

  Reader in_;
  const Layout& l_;
  const DecodeLimits& limits_;
  Anomalies* an_;
  size_t dcs_end_ = 0;
  size_t token_begin_ = 0;
};

// One reading of the input as one version.
struct Attempt {
  explicit Attempt(DecodeMode mode) : anomalies(mode) {}

  absl::Status status;
  Session session;
  size_t end = 0;
  size_t dcs_end = 0;
  size_t token_begin = 0;
  Anomalies anomalies;
};

void RunAttempt(const uint8_t* d, size_t n, int version, const DecodeOptions& options, Attempt* a) {
  const Layout layout = LayoutFor(version);
  BodyParser parser(d, n, layout, options.limits, &a->anomalies);
  a->status = parser.Parse(&a->session);
  a->end = parser.end();
  a->dcs_end = parser.dcs_end();
  a->token_begin = parser.token_begin();
}

absl::StatusOr<Session> DecodeV9(const uint8_t* d, size_t n, const DecodeOptions& options, DecodeInfo* info) {
  if (n < kV9HeaderBytes + kCrcBytes) return Truncated(n, "v9 header and checksum");
  const uint32_t stored = byte_io::GetU32LE(d + n - kCrcBytes);
  const uint32_t computed = crc32c::Extend(0, d, n - kCrcBytes);
  if (stored != computed) {
    return absl::DataLossError(absl::StrCat("v9 session checksum mismatch: stored 0x", absl::Hex(stored),
                                            ", computed 0x", absl::Hex(computed), " over ", n - kCrcBytes,
                                            " bytes (file corrupted)"));
  }
  Attempt a(DecodeMode::kStrict);  // our own format: anomalies are corruption
  RunAttempt(d, n - kCrcBytes, 9, options, &a);
  if (!a.status.ok()) return a.status;
  if (a.end != n - kCrcBytes) {
    return absl::DataLossError(absl::StrCat("v9 session has ", n - kCrcBytes - a.end, " unexpected bytes at byte ",
                                            a.end, " before its checksum"));
  }
  if (info != nullptr) {
    info->version = 9;
    info->secrets_end = a.dcs_end;
    info->secrets_tail_begin = a.token_begin;
  }
  return std::move(a.session);
}

// Accepts a successful attempt, judging the bytes after it.
absl::StatusOr<Session> Finish(Attempt& a, int version, size_t n, const DecodeLimits& limits, DecodeInfo* info) {
  if (a.end != n) {
    const size_t trailing = n - a.end;
    if (trailing > limits.max_trailing_bytes) {
      return absl::DataLossError(absl::StrCat(trailing, " bytes follow the v", version, " session ending at byte ",
                                              a.end, ": this is not a session (at most ",
                                              limits.max_trailing_bytes, " trailing bytes are tolerated)"));
    }
    if (a.anomalies.strict()) {
      return absl::DataLossError(
          absl::StrCat(trailing, " trailing bytes after the v", version, " session, at byte ", a.end));
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

absl::Status CheckInputSize(size_t n, const DecodeLimits& limits) {
  if (n == 0) return absl::DataLossError("empty session data");
  if (n > limits.max_input_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("session of ", n, " bytes is over the decode limit of ",
                                                     limits.max_input_bytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Session> DecodeBinary(absl::string_view data, const DecodeOptions& options, DecodeInfo* info) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  TGS_RETURN_IF_ERROR(CheckInputSize(n, options.limits));
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

absl::StatusOr<Session> DecodeBinaryAsVersion(absl::string_view data, int version, const DecodeOptions& options,
                                              DecodeInfo* info) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  if (version < 1 || version > 9) {
    return absl::InvalidArgumentError(absl::StrCat("no binary session version ", version));
  }
  TGS_RETURN_IF_ERROR(CheckInputSize(n, options.limits));
  if (info != nullptr) *info = DecodeInfo();
  if (version == 9) {
    if (!IsV9(d, n)) return absl::DataLossError("not a v9 session (missing 09 't' 'g' 's' header)");
    return DecodeV9(d, n, options, info);
  }
  if (version >= 2 && d[0] != version) {
    return absl::DataLossError(absl::StrCat("version byte is ", static_cast<int>(d[0]), ", not ", version));
  }
  Attempt a(options.mode);
  RunAttempt(d, n, version, options, &a);
  if (!a.status.ok()) return a.status;
  return Finish(a, version, n, options.limits, info);
}

// --- writing -------------------------------------------------------------------

namespace {

// A v8/v9 peer record: id, access_hash, type, kind (0xFF: none), community.
void WritePeerRecord(uint8_t* o, const CachedPeer& p) {
  byte_io::PutI64LE(o, p.id);
  byte_io::PutI64LE(o + 8, p.access_hash);
  o[16] = static_cast<uint8_t>(p.type);
  o[17] = p.channel_kind ? static_cast<uint8_t>(*p.channel_kind) : kNoChannelKind;
  o[18] = p.is_community ? 1 : 0;
}

// Store() below is the one description of what v8 and v9 write. Walked by a
// SizeCounter it gives the exact size; walked by a Writer it fills a buffer
// of that size.
class SizeCounter {
 public:
  void U8(uint8_t) { n_ += 1; }
  void U16(uint16_t) { n_ += 2; }
  void U32(uint32_t) { n_ += 4; }
  void I32(int32_t) { n_ += 4; }
  void I64(int64_t) { n_ += 8; }
  void Bytes(const void*, size_t n) { n_ += n; }
  template <size_t kRecord, typename T, typename Encode>
  void Records(absl::Span<const T> items, Encode) {
    n_ += kRecord * items.size();
  }
  void PeerRecords(absl::Span<const CachedPeer> peers) { n_ += internal::kPeerRecordBytes * peers.size(); }
  void Crc32c() { n_ += kCrcBytes; }
  size_t size() const { return n_; }

 private:
  size_t n_ = 0;
};

// Writes what Store() says into a buffer the caller sized with a
// SizeCounter: no check per write, one of the total at the end
// (EncodeBinaryTo).
class Writer {
 public:
  explicit Writer(uint8_t* begin) : begin_(begin), p_(begin) {}
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
  // One kRecord-byte record per item, written by encode(out, item).
  template <size_t kRecord, typename T, typename Encode>
  void Records(absl::Span<const T> items, Encode encode) {
    for (const T& item : items) {
      encode(p_, item);
      p_ += kRecord;
    }
  }
  // v8/v9 peer records: the kernel where it may run, else field by field.
  void PeerRecords(absl::Span<const CachedPeer> peers) {
#ifdef TGS_HAVE_PEER_TABLE_AVX512
    if (PeerKernelsUsable()) {
      internal::EncodePeerRecordsAvx512Vbmi(reinterpret_cast<const uint8_t*>(peers.data()), peers.size(), p_);
      p_ += internal::kPeerRecordBytes * peers.size();
      return;
    }
#endif
    Records<internal::kPeerRecordBytes>(peers, WritePeerRecord);
  }
  // The CRC-32C of everything written so far.
  void Crc32c() { U32(crc32c::Extend(0, begin_, written())); }
  size_t written() const { return static_cast<size_t>(p_ - begin_); }

 private:
  uint8_t* begin_;
  uint8_t* p_;
};

template <typename Out>
void Store(const Session& s, int version, Out* out) {
  const bool wide = version == 9;
  const auto count = [&](size_t c, bool one_byte) {
    if (wide) {
      out->U32(static_cast<uint32_t>(c));
    } else if (one_byte) {
      out->U8(static_cast<uint8_t>(c));
    } else {
      out->U16(static_cast<uint16_t>(c));
    }
  };
  out->U8(static_cast<uint8_t>(version));
  if (wide) out->Bytes(kV9Magic, 3);
  out->I32(s.home_dc_id);
  count(s.dcs.size(), true);
  for (const DcEntry& e : s.dcs) {
    out->I32(e.dc_id);
    out->U8(e.auth_key ? 1 : 0);
    if (e.auth_key) out->Bytes(e.auth_key->data(), AuthKey::kSize);
    out->I64(e.first_salt);
    out->I32(e.time_offset);
    if (wide) {
      out->U16(static_cast<uint16_t>(e.addr.size()));
    } else {
      out->U8(static_cast<uint8_t>(e.addr.size()));
    }
    out->Bytes(e.addr.data(), e.addr.size());
    out->U8(e.flags.bits);
  }
  const UpdatesState& u = s.updates_state;
  out->I32(u.pts);
  out->I32(u.qts);
  out->I32(u.date);
  out->I32(u.seq);
  count(u.channels().size(), false);
  out->template Records<kChannelRecord>(u.channels(), [](uint8_t* o, const ChannelPts& c) {
    byte_io::PutI64LE(o, c.channel_id);
    byte_io::PutI32LE(o + 8, c.pts);
  });
  count(s.peers.size(), false);
  out->PeerRecords(s.peers.items());
  count(s.min_peers.size(), false);
  out->template Records<kMinPeerRecord>(s.min_peers.items(), [](uint8_t* o, const CachedMinPeer& m) {
    byte_io::PutI64LE(o, m.user_id);
    byte_io::PutI64LE(o + 8, m.peer_id);
    byte_io::PutI32LE(o + 16, m.msg_id);
  });
  out->U8(s.future_auth_token ? 1 : 0);
  if (s.future_auth_token) {
    if (wide) {
      out->U32(static_cast<uint32_t>(s.future_auth_token->size()));
    } else {
      out->U16(static_cast<uint16_t>(s.future_auth_token->size()));
    }
    out->Bytes(s.future_auth_token->data(), s.future_auth_token->size());
  }
  if (wide) out->Crc32c();
}

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
      return absl::OutOfRangeError(absl::StrCat("dc ", i, " address is ", s.dcs[i].addr.size(), " bytes; ", where,
                                                " stores at most ", max_addr));
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
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.min_peers.size(), " min peers; ", where, " stores at most ", max_min));
  }
  if (s.future_auth_token && s.future_auth_token->size() > max_token) {
    return absl::OutOfRangeError(absl::StrCat("future auth token is ", s.future_auth_token->size(), " bytes; ",
                                              where, " stores at most ", max_token));
  }
  if (wide && BinaryEncodedSize(s, 9) > limits.max_input_bytes) {
    return absl::OutOfRangeError(absl::StrCat("session would encode to ", BinaryEncodedSize(s, 9),
                                              " bytes, over the decode limit of ", limits.max_input_bytes));
  }
  return absl::OkStatus();
}

int ChooseBinaryVersion(const Session& s) { return FitsV8(s) ? 8 : 9; }

size_t BinaryEncodedSize(const Session& s, int version) {
  SizeCounter counter;
  Store(s, version, &counter);
  return counter.size();
}

absl::StatusOr<size_t> EncodeBinaryTo(const Session& s, int version, absl::Span<uint8_t> out) {
  if (!(version == 8 && FitsV8(s))) TGS_RETURN_IF_ERROR(CheckFitsBinaryVersion(s, version));
  const size_t size = BinaryEncodedSize(s, version);
  if (out.size() < size) {
    return absl::InvalidArgumentError(
        absl::StrCat("output buffer of ", out.size(), " bytes is smaller than the ", size, " needed"));
  }
  Writer w(out.data());
  Store(s, version, &w);
  if (w.written() != size) {
    // A bug in Store's two walks; never hand out a torn encoding.
    return absl::InternalError(absl::StrCat("binary encoder wrote ", w.written(), " bytes, expected ", size));
  }
  return size;
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
  std::string out(BinaryEncodedSize(s, version), '\0');
  absl::StatusOr<size_t> written =
      EncodeBinaryTo(s, version, absl::Span<uint8_t>(reinterpret_cast<uint8_t*>(&out[0]), out.size()));
  if (!written.ok()) {
    SecureZero(&out[0], out.size());  // it may hold keys written before the failure
    return written.status();
  }
  return out;
}

}  // namespace tgsession
