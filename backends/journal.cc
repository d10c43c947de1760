#include "backends/journal.h"

#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/binary_codec.h"
#include "session/byte_io.h"
#include "session/byte_reader.h"
#include "session/status_macros.h"

namespace tgsession {
namespace journal {
namespace {

using byte_io::GetU32LE;
using byte_io::GetU64LE;

constexpr char kMagic[4] = {'T', 'G', 'S', 'J'};
constexpr uint32_t kFormatVersion = 1;

// As in LevelDB: storing the CRC of data that itself contains CRCs makes the
// check weaker, so stored CRCs are masked.
constexpr uint32_t kMaskDelta = 0xa282ead8u;
uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

enum class UpdateKind : uint8_t { kAll = 0, kPrimary = 1, kSecondary = 2, kChannel = 3 };

void PutU8(std::string* s, uint8_t v) { s->push_back(static_cast<char>(v)); }
void PutU16(std::string* s, uint16_t v) {
  char b[2];
  byte_io::PutU16LE(reinterpret_cast<uint8_t*>(b), v);
  s->append(b, 2);
}
void PutU32(std::string* s, uint32_t v) {
  char b[4];
  byte_io::PutU32LE(reinterpret_cast<uint8_t*>(b), v);
  s->append(b, 4);
}
void PutU64(std::string* s, uint64_t v) {
  char b[8];
  byte_io::PutU64LE(reinterpret_cast<uint8_t*>(b), v);
  s->append(b, 8);
}
void PutI32(std::string* s, int32_t v) { PutU32(s, static_cast<uint32_t>(v)); }
void PutI64(std::string* s, int64_t v) { PutU64(s, static_cast<uint64_t>(v)); }


absl::Status BadRecord(size_t offset, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("session journal record at byte ", offset, " is corrupt: ", what));
}

constexpr size_t kPeerBytes = 19;
constexpr size_t kMinPeerBytes = 20;
constexpr size_t kSmallestUpdateBytes = 5;  // kind + qts

// Each Read* returns nullptr or what is wrong with the bytes.
const char* ReadPeer(ByteReader& r, CachedPeer* peer) {
  uint8_t ptype, kind, community;
  if (!r.I64(&peer->id) || !r.I64(&peer->access_hash) || !r.U8(&ptype) || !r.U8(&kind) || !r.U8(&community)) {
    return "short peer";
  }
  if (ptype > 2 || (kind > 2 && kind != 0xFF) || community > 1) return "invalid peer bytes";
  peer->type = static_cast<PeerType>(ptype);
  peer->channel_kind = kind == 0xFF ? std::nullopt : std::optional<ChannelKind>(static_cast<ChannelKind>(kind));
  peer->is_community = community == 1;
  return nullptr;
}

const char* ReadMinPeer(ByteReader& r, CachedMinPeer* m) {
  if (!r.I64(&m->user_id) || !r.I64(&m->peer_id) || !r.I32(&m->msg_id)) return "short min peer";
  return nullptr;
}

// An update-state change (kind byte and fields). Without `c` the bytes are
// only checked (a kAll's channel list is skipped, not built).
const char* ReadUpdate(ByteReader& r, UpdateStateChange* c) {
  UpdateStateChange scratch;
  UpdateStateChange& out = c != nullptr ? *c : scratch;
  uint8_t kind;
  if (!r.U8(&kind)) return "short update";
  switch (static_cast<UpdateKind>(kind)) {
    case UpdateKind::kPrimary:
      out.kind = UpdateStateChange::Kind::kPrimary;
      if (!r.I32(&out.pts) || !r.I32(&out.date) || !r.I32(&out.seq)) return "short update";
      return nullptr;
    case UpdateKind::kSecondary:
      out.kind = UpdateStateChange::Kind::kSecondary;
      if (!r.I32(&out.qts)) return "short update";
      return nullptr;
    case UpdateKind::kChannel:
      out.kind = UpdateStateChange::Kind::kChannel;
      if (!r.I64(&out.channel_id) || !r.I32(&out.pts)) return "short update";
      return nullptr;
    case UpdateKind::kAll: {
      out.kind = UpdateStateChange::Kind::kAll;
      UpdatesState& u = out.all;
      uint32_t count;
      if (!r.I32(&u.pts) || !r.I32(&u.qts) || !r.I32(&u.date) || !r.I32(&u.seq) || !r.U32(&count)) {
        return "short update";
      }
      if (!r.Need(uint64_t{count} * 12)) return "channel count past the record";
      if (c == nullptr) {
        r.Bytes(size_t{count} * 12);
        return nullptr;
      }
      std::vector<ChannelPts> channels(count);
      for (ChannelPts& ch : channels) {
        r.I64(&ch.channel_id);
        r.I32(&ch.pts);
      }
      u.mutable_channels().Assign(std::move(channels));
      return nullptr;
    }
  }
  return "unknown update kind";
}

// Reads one payload and, when `s` is set, applies it. DecodeAndApply runs it
// twice, checking first, so a corrupt record never half-applies and a batch
// is never held decoded beside the session (a hostile count cannot make us
// allocate more than the session itself grows by).
absl::Status Walk(absl::string_view payload, size_t offset, Session* s) {
  ByteReader r(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  uint8_t type;
  if (!r.U8(&type)) return BadRecord(offset, "empty payload");
  switch (static_cast<Op::Type>(type)) {
    case Op::Type::kCachePeer: {
      CachedPeer peer;
      if (const char* bad = ReadPeer(r, &peer)) return BadRecord(offset, bad);
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      if (s != nullptr) s->CachePeer(peer);
      return absl::OkStatus();
    }
    case Op::Type::kCacheMinPeer: {
      CachedMinPeer m;
      if (const char* bad = ReadMinPeer(r, &m)) return BadRecord(offset, bad);
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      if (s != nullptr) s->CacheMinPeer(m);
      return absl::OkStatus();
    }
    case Op::Type::kSetHomeDc: {
      int32_t dc;
      if (!r.I32(&dc)) return BadRecord(offset, "short home DC");
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      if (s != nullptr) s->home_dc_id = dc;
      return absl::OkStatus();
    }
    case Op::Type::kUpsertDc: {
      DcEntry e;
      uint8_t has_key;
      if (!r.I32(&e.dc_id) || !r.U8(&has_key) || has_key > 1) return BadRecord(offset, "bad DC header");
      if (has_key == 1) {
        const uint8_t* k = r.Bytes(AuthKey::kSize);
        if (k == nullptr) return BadRecord(offset, "short auth key");
        if (s != nullptr) e.auth_key = AuthKey::FromRawUnchecked(k);
      }
      uint16_t addr_len;
      uint8_t flags;
      if (!r.I64(&e.first_salt) || !r.I32(&e.time_offset) || !r.U16(&addr_len)) return BadRecord(offset, "short DC");
      const uint8_t* a = r.Bytes(addr_len);
      if (a == nullptr || !r.U8(&flags)) return BadRecord(offset, "short DC address");
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      if (s != nullptr) {
        e.addr.assign(reinterpret_cast<const char*>(a), addr_len);
        e.flags = DcFlags(flags);
        s->UpsertDc(std::move(e));
      }
      return absl::OkStatus();
    }
    case Op::Type::kUpdateState: {
      UpdateStateChange c;
      if (const char* bad = ReadUpdate(r, s != nullptr ? &c : nullptr)) return BadRecord(offset, bad);
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      if (s != nullptr) s->ApplyUpdateState(c);
      return absl::OkStatus();
    }
    case Op::Type::kBatch: {
      uint32_t peers;
      if (!r.U32(&peers) || !r.Need(uint64_t{peers} * kPeerBytes)) return BadRecord(offset, "peer count past the record");
      for (uint32_t i = 0; i < peers; ++i) {
        CachedPeer p;
        if (const char* bad = ReadPeer(r, &p)) return BadRecord(offset, absl::StrCat(bad, " (batch peer ", i, ")"));
        if (s != nullptr) s->CachePeer(p);
      }
      uint32_t mins;
      if (!r.U32(&mins) || !r.Need(uint64_t{mins} * kMinPeerBytes)) {
        return BadRecord(offset, "min peer count past the record");
      }
      for (uint32_t i = 0; i < mins; ++i) {
        CachedMinPeer m;
        ReadMinPeer(r, &m);  // cannot fail: the bytes are there
        if (s != nullptr) s->CacheMinPeer(m);
      }
      uint32_t updates;
      if (!r.U32(&updates) || !r.Need(uint64_t{updates} * kSmallestUpdateBytes)) {
        return BadRecord(offset, "update count past the record");
      }
      for (uint32_t i = 0; i < updates; ++i) {
        UpdateStateChange c;
        if (const char* bad = ReadUpdate(r, s != nullptr ? &c : nullptr)) {
          return BadRecord(offset, absl::StrCat(bad, " (batch update ", i, ")"));
        }
        if (s != nullptr) s->ApplyUpdateState(c);
      }
      if (!r.AtEnd()) return BadRecord(offset, "trailing bytes in the record");
      return absl::OkStatus();
    }
  }
  return BadRecord(offset, absl::StrCat("unknown op ", type, " (a journal from a newer tgsession?)"));
}

absl::Status DecodeAndApply(absl::string_view payload, size_t offset, Session* s) {
  TGS_RETURN_IF_ERROR(Walk(payload, offset, nullptr));
  return Walk(payload, offset, s);
}

uint64_t UpdateBodySize(const UpdateStateChange& c) {
  switch (c.kind) {
    case UpdateStateChange::Kind::kPrimary:
      return 1 + 12;
    case UpdateStateChange::Kind::kSecondary:
      return 1 + 4;
    case UpdateStateChange::Kind::kChannel:
      return 1 + 12;
    case UpdateStateChange::Kind::kAll:
      return 1 + 16 + 4 + 12 * uint64_t{c.all.channels().size()};
  }
  return 0;
}

uint64_t PayloadSize64(const Op& op) {
  switch (op.type) {
    case Op::Type::kCachePeer:
      return 1 + kPeerBytes;
    case Op::Type::kCacheMinPeer:
      return 1 + kMinPeerBytes;
    case Op::Type::kSetHomeDc:
      return 1 + 4;
    case Op::Type::kUpsertDc:
      return 1 + 4 + 1 + (op.dc->auth_key ? AuthKey::kSize : 0) + 8 + 4 + 2 + uint64_t{op.dc->addr.size()} + 1;
    case Op::Type::kUpdateState:
      return 1 + UpdateBodySize(*op.change);
    case Op::Type::kBatch: {
      const SessionChanges& c = *op.changes;
      uint64_t n = 1 + 4 + kPeerBytes * uint64_t{c.peers.size()} + 4 + kMinPeerBytes * uint64_t{c.min_peers.size()} + 4;
      for (const UpdateStateChange& u : c.updates) n += UpdateBodySize(u);
      return n;
    }
  }
  return 0;
}

void PutPeer(std::string* s, const CachedPeer& p) {
  PutI64(s, p.id);
  PutI64(s, p.access_hash);
  PutU8(s, static_cast<uint8_t>(p.type));
  PutU8(s, p.channel_kind ? static_cast<uint8_t>(*p.channel_kind) : 0xFF);
  PutU8(s, p.is_community ? 1 : 0);
}

void PutMinPeer(std::string* s, const CachedMinPeer& m) {
  PutI64(s, m.user_id);
  PutI64(s, m.peer_id);
  PutI32(s, m.msg_id);
}

void PutUpdate(std::string* s, const UpdateStateChange& c) {
  switch (c.kind) {
    case UpdateStateChange::Kind::kPrimary:
      PutU8(s, static_cast<uint8_t>(UpdateKind::kPrimary));
      PutI32(s, c.pts);
      PutI32(s, c.date);
      PutI32(s, c.seq);
      return;
    case UpdateStateChange::Kind::kSecondary:
      PutU8(s, static_cast<uint8_t>(UpdateKind::kSecondary));
      PutI32(s, c.qts);
      return;
    case UpdateStateChange::Kind::kChannel:
      PutU8(s, static_cast<uint8_t>(UpdateKind::kChannel));
      PutI64(s, c.channel_id);
      PutI32(s, c.pts);
      return;
    case UpdateStateChange::Kind::kAll: {
      const UpdatesState& u = c.all;
      PutU8(s, static_cast<uint8_t>(UpdateKind::kAll));
      PutI32(s, u.pts);
      PutI32(s, u.qts);
      PutI32(s, u.date);
      PutI32(s, u.seq);
      PutU32(s, static_cast<uint32_t>(u.channels().size()));
      for (const ChannelPts& ch : u.channels()) {
        PutI64(s, ch.channel_id);
        PutI32(s, ch.pts);
      }
      return;
    }
  }
}

// An Op of `type` whose one field for that type is set to `value`.
template <typename Field>
Op OpWith(Op::Type type, Field Op::*field, Field value) {
  Op op;
  op.type = type;
  op.*field = value;
  return op;
}

}  // namespace

std::string EncodeHeader(const Header& h) {
  std::string s(kMagic, 4);
  PutU32(&s, kFormatVersion);
  PutU64(&s, h.snapshot_size);
  PutU32(&s, h.snapshot_crc);
  PutU64(&s, h.snapshot_hash64);
  PutU32(&s, Crc32c(s));
  return s;
}

absl::StatusOr<Header> DecodeHeader(absl::string_view b) {
  if (b.size() < kHeaderSize) return absl::DataLossError("session journal header is truncated");
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  if (std::memcmp(p, kMagic, 4) != 0) return absl::DataLossError("not a session journal (bad magic)");
  if (GetU32LE(p + 28) != Crc32c(b.substr(0, 28))) return absl::DataLossError("session journal header checksum mismatch");
  if (GetU32LE(p + 4) != kFormatVersion) {
    return absl::DataLossError(absl::StrCat("unsupported session journal version ", GetU32LE(p + 4)));
  }
  Header h;
  h.snapshot_size = GetU64LE(p + 8);
  h.snapshot_crc = GetU32LE(p + 16);
  h.snapshot_hash64 = GetU64LE(p + 20);
  return h;
}

Header HeaderFor(absl::string_view snapshot) {
  Header h;
  h.snapshot_size = snapshot.size();
  h.snapshot_crc = Crc32c(snapshot);
  // A second, independent 64-bit hash: a stale journal must never be taken
  // for the current snapshot's (a CRC-32C alone collides once in 2^32 saves).
  // Four multiply-xorshift lanes over 8-byte words rather than a
  // byte-serial hash: snapshots can be megabytes.
  const auto* p = reinterpret_cast<const uint8_t*>(snapshot.data());
  const size_t n = snapshot.size();
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t lane[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      lane[k] = (lane[k] ^ GetU64LE(p + i + 8 * k)) * kMul;
      lane[k] ^= lane[k] >> 29;
    }
  }
  uint64_t tail = 0xCBF29CE484222325ull;
  for (; i < n; ++i) tail = (tail ^ p[i]) * 0x100000001B3ull;
  uint64_t mix = tail ^ n;
  for (uint64_t l : lane) {
    mix = (mix ^ l) * kMul;
    mix ^= mix >> 32;
  }
  h.snapshot_hash64 = mix;
  return h;
}

Op Op::CachePeer(const CachedPeer& p) { return OpWith(Op::Type::kCachePeer, &Op::peer, &p); }
Op Op::SetHomeDc(int32_t dc_id) { return OpWith(Op::Type::kSetHomeDc, &Op::home_dc_id, dc_id); }
Op Op::UpsertDc(const DcEntry& e) { return OpWith(Op::Type::kUpsertDc, &Op::dc, &e); }
Op Op::UpdateState(const UpdateStateChange& c) { return OpWith(Op::Type::kUpdateState, &Op::change, &c); }
Op Op::CacheMinPeer(const CachedMinPeer& m) { return OpWith(Op::Type::kCacheMinPeer, &Op::min_peer, &m); }
Op Op::Batch(const SessionChanges& c) { return OpWith(Op::Type::kBatch, &Op::changes, &c); }

void Op::ApplyTo(Session& s) const {
  switch (type) {
    case Type::kCachePeer:
      s.CachePeer(*peer);
      return;
    case Type::kSetHomeDc:
      s.home_dc_id = home_dc_id;
      return;
    case Type::kUpsertDc:
      s.UpsertDc(*dc);
      return;
    case Type::kUpdateState:
      s.ApplyUpdateState(*change);
      return;
    case Type::kCacheMinPeer:
      s.CacheMinPeer(*min_peer);
      return;
    case Type::kBatch:
      changes->ApplyTo(s);
      return;
  }
}

size_t PayloadSize(const Op& op) {
  const uint64_t n = PayloadSize64(op);
  return n > std::numeric_limits<size_t>::max() ? std::numeric_limits<size_t>::max() : static_cast<size_t>(n);
}

absl::Status AppendRecord(const Op& op, std::string* out, const RecordCipher* cipher, uint64_t offset) {
  if (op.type == Op::Type::kUpsertDc && op.dc->addr.size() > 0xFFFF) {
    return absl::OutOfRangeError(absl::StrCat("DC address of ", op.dc->addr.size(), " bytes is too long"));
  }
  const uint64_t payload_size = PayloadSize64(op);
  if (payload_size > kMaxPayload) {
    return absl::OutOfRangeError(absl::StrCat("a journal record of ", payload_size, " bytes is over the limit of ",
                                              kMaxPayload, " (too many changes for one record)"));
  }
  if (cipher != nullptr) {
    SecretString plain;
    TGS_RETURN_IF_ERROR(AppendRecord(op, plain.mutable_str(), nullptr, 0));
    const std::string sealed = cipher->Seal(plain.view().substr(kRecordOverhead), offset);
    PutU32(out, static_cast<uint32_t>(sealed.size()));
    PutU32(out, Mask(Crc32c(sealed)));
    out->append(sealed);
    return absl::OkStatus();
  }
  // Frame in place: reserve the length and CRC, append the payload, then
  // fill them in. The exact capacity is reserved first so the buffer never
  // reallocates, which would free a copy of an auth key unwiped.
  const size_t start = out->size();
  out->reserve(start + kRecordOverhead + static_cast<size_t>(payload_size));
  out->append(kRecordOverhead, '\0');
  std::string& payload = *out;
  PutU8(&payload, static_cast<uint8_t>(op.type));
  switch (op.type) {
    case Op::Type::kCachePeer:
      PutPeer(&payload, *op.peer);
      break;
    case Op::Type::kCacheMinPeer:
      PutMinPeer(&payload, *op.min_peer);
      break;
    case Op::Type::kSetHomeDc:
      PutI32(&payload, op.home_dc_id);
      break;
    case Op::Type::kUpsertDc: {
      const DcEntry& e = *op.dc;
      PutI32(&payload, e.dc_id);
      PutU8(&payload, e.auth_key ? 1 : 0);
      if (e.auth_key) payload.append(reinterpret_cast<const char*>(e.auth_key->data()), AuthKey::kSize);
      PutI64(&payload, e.first_salt);
      PutI32(&payload, e.time_offset);
      PutU16(&payload, static_cast<uint16_t>(e.addr.size()));
      payload.append(e.addr.data(), e.addr.size());
      PutU8(&payload, e.flags.bits);
      break;
    }
    case Op::Type::kUpdateState:
      PutUpdate(&payload, *op.change);
      break;
    case Op::Type::kBatch: {
      const SessionChanges& c = *op.changes;
      PutU32(&payload, static_cast<uint32_t>(c.peers.size()));
      for (const CachedPeer& p : c.peers) PutPeer(&payload, p);
      PutU32(&payload, static_cast<uint32_t>(c.min_peers.size()));
      for (const CachedMinPeer& m : c.min_peers) PutMinPeer(&payload, m);
      PutU32(&payload, static_cast<uint32_t>(c.updates.size()));
      for (const UpdateStateChange& u : c.updates) PutUpdate(&payload, u);
      break;
    }
  }
  const size_t len = out->size() - start - kRecordOverhead;
  auto* frame = reinterpret_cast<uint8_t*>(&(*out)[start]);
  byte_io::PutU32LE(frame, static_cast<uint32_t>(len));
  byte_io::PutU32LE(frame + 4, Mask(Crc32c(reinterpret_cast<const uint8_t*>(frame + kRecordOverhead), len)));
  return absl::OkStatus();
}

absl::StatusOr<ReplayResult> Replay(absl::string_view journal, Session* s, const RecordCipher* cipher) {
  ReplayResult r;
  size_t pos = kHeaderSize;
  if (journal.size() < kHeaderSize) return absl::DataLossError("session journal shorter than its header");
  const auto* p = reinterpret_cast<const uint8_t*>(journal.data());
  // Where the run of zeros the file ends with begins (its size if none).
  size_t zeros_from = journal.size();
  while (zeros_from > pos && p[zeros_from - 1] == 0) --zeros_from;
  while (journal.size() - pos >= kRecordOverhead) {
    const uint32_t len = GetU32LE(p + pos);
    const uint32_t crc = GetU32LE(p + pos + 4);
    const size_t left = journal.size() - pos - kRecordOverhead;
    // An append interrupted by a crash can only damage the last record: it
    // is incomplete, or the file ends right after it, or, after a power loss
    // that wrote the new size but not all of the data (ext4 data=writeback,
    // XFS), nothing but zeros follows from some byte inside it on. Anything
    // else is corruption.
    if (len > left) break;  // incomplete last record: torn
    const absl::string_view payload = journal.substr(pos + kRecordOverhead, len);
    if (len == 0 || len > kMaxPayload || Mask(Crc32c(payload)) != crc) {
      if (len == left || zeros_from < pos + kRecordOverhead + len) break;  // torn
      return absl::DataLossError(absl::StrCat("session journal is corrupt at byte ", pos, " (",
                                              journal.size() - pos, " bytes follow)"));
    }
    if (cipher != nullptr) {
      TGS_ASSIGN_OR_RETURN(SecretString plain, cipher->Open(payload, pos));
      TGS_RETURN_IF_ERROR(DecodeAndApply(plain.view(), pos, s));
    } else {
      TGS_RETURN_IF_ERROR(DecodeAndApply(payload, pos, s));
    }
    pos += kRecordOverhead + len;
    ++r.records;
  }
  r.valid_bytes = pos;
  r.torn_bytes = journal.size() - pos;
  return r;
}

}  // namespace journal
}  // namespace tgsession
