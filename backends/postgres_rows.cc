#include "backends/postgres_rows.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "session/status_macros.h"

namespace tgsession {
namespace postgres_rows {

using pg::Params;
using pg::Result;

absl::StatusOr<int64_t> ReadInt(const Result& r, int row, int col, const RowRef& ref, absl::string_view column,
                                int64_t lo, int64_t hi) {
  TGS_ASSIGN_OR_RETURN(const int64_t v, pg::GetInt(r, row, col, [&] { return ref.Where(column); }));
  if (v < lo || v > hi) return ref.Error(column, absl::StrCat(v, " is out of range [", lo, ", ", hi, "]"));
  return v;
}

absl::StatusOr<int32_t> ReadInt32(const Result& r, int row, int col, const RowRef& ref, absl::string_view column) {
  TGS_ASSIGN_OR_RETURN(const int64_t v, ReadInt(r, row, col, ref, column, std::numeric_limits<int32_t>::min(),
                                                 std::numeric_limits<int32_t>::max()));
  return static_cast<int32_t>(v);
}

absl::Status CheckRowLimit(const Result& r, absl::string_view table, absl::string_view session, uint32_t limit,
                           absl::string_view limit_name) {
  if (static_cast<uint64_t>(r.rows()) > limit) {
    return absl::ResourceExhaustedError(absl::StrCat("table ", table, " has more than ", limit, " rows for session ",
                                                     "'", session, "'", " (DecodeLimits::", limit_name, ")"));
  }
  return absl::OkStatus();
}

int32_t LimitPlusOne(uint64_t limit) {
  return static_cast<int32_t>(std::min<uint64_t>(limit + 1, static_cast<uint64_t>(std::numeric_limits<int32_t>::max())));
}

absl::StatusOr<ChannelPts> DecodeChannelRow(const Result& r, int i, absl::string_view session) {
  ChannelPts c;
  TGS_ASSIGN_OR_RETURN(c.channel_id, ReadInt(r, i, 0, RowRef("tgs_channel_pts", session, "#", i), "channel_id"));
  TGS_ASSIGN_OR_RETURN(c.pts, ReadInt32(r, i, 1, RowRef("tgs_channel_pts", session, "channel_id", c.channel_id),
                                        "pts"));
  return c;
}

absl::StatusOr<CachedPeer> DecodePeerRow(const Result& r, int i, absl::string_view session) {
  CachedPeer p;
  TGS_ASSIGN_OR_RETURN(p.id, ReadInt(r, i, 0, RowRef("tgs_peers", session, "#", i), "peer_id"));
  const RowRef row("tgs_peers", session, "peer_id", p.id);
  TGS_ASSIGN_OR_RETURN(p.access_hash, ReadInt(r, i, 1, row, "access_hash"));
  TGS_ASSIGN_OR_RETURN(const int64_t type, pg::GetInt(r, i, 2, [&] { return row.Where("peer_type"); }));
  if (type < 0 || type > 2) {
    return row.Error("peer_type", absl::StrCat(type, " is not a peer type (0 user, 1 channel, 2 chat)"));
  }
  p.type = static_cast<PeerType>(type);
  if (!r.IsNull(i, 3)) {
    TGS_ASSIGN_OR_RETURN(const int64_t kind, pg::GetInt(r, i, 3, [&] { return row.Where("channel_kind"); }));
    if (kind < 0 || kind > 2) {
      return row.Error("channel_kind", absl::StrCat(kind, " is not a channel kind (NULL, 0, 1 or 2)"));
    }
    p.channel_kind = static_cast<ChannelKind>(kind);
  }
  TGS_ASSIGN_OR_RETURN(p.is_community, pg::GetBool(r, i, 4, [&] { return row.Where("is_community"); }));
  return p;
}

absl::StatusOr<CachedMinPeer> DecodeMinPeerRow(const Result& r, int i, absl::string_view session) {
  CachedMinPeer m;
  TGS_ASSIGN_OR_RETURN(m.user_id, ReadInt(r, i, 0, RowRef("tgs_min_peers", session, "#", i), "user_id"));
  const RowRef row("tgs_min_peers", session, "user_id", m.user_id);
  TGS_ASSIGN_OR_RETURN(m.peer_id, ReadInt(r, i, 1, row, "peer_id"));
  TGS_ASSIGN_OR_RETURN(m.msg_id, ReadInt32(r, i, 2, row, "msg_id"));
  return m;
}

// Integers only: COPY text needs no escaping.
std::string PeerRows(int64_t session_id, const PeerList& peers) {
  std::string out;
  out.reserve(peers.size() * 48);
  for (size_t i = 0; i < peers.size(); ++i) {
    const CachedPeer& p = peers[i];
    absl::StrAppend(&out, session_id, "\t", p.id, "\t", p.access_hash, "\t", static_cast<int>(p.type), "\t");
    if (p.channel_kind) {
      absl::StrAppend(&out, static_cast<int>(*p.channel_kind));
    } else {
      out += "\\N";
    }
    out += p.is_community ? "\tt\n" : "\tf\n";
  }
  return out;
}

std::string ChannelRows(int64_t session_id, absl::Span<const ChannelPts> channels) {
  std::string out;
  out.reserve(channels.size() * 32);
  for (const ChannelPts& c : channels) absl::StrAppend(&out, session_id, "\t", c.channel_id, "\t", c.pts, "\n");
  return out;
}

std::string MinPeerRows(int64_t session_id, const MinPeerList& mins) {
  std::string out;
  out.reserve(mins.size() * 40);
  for (size_t i = 0; i < mins.size(); ++i) {
    const CachedMinPeer& m = mins[i];
    absl::StrAppend(&out, session_id, "\t", m.user_id, "\t", m.peer_id, "\t", m.msg_id, "\n");
  }
  return out;
}

void AddDcParams(Params& p, const DcEntry& dc) {
  p.Int32(dc.dc_id).Int16(static_cast<int16_t>(dc.flags.bits)).Bytea(dc.addr);
  if (dc.auth_key.has_value()) {
    p.Bytea(dc.auth_key->bytes());
  } else {
    p.Null(pg::oid::kBytea);
  }
  p.Int64(dc.first_salt).Int32(dc.time_offset);
}

void AddPeerParams(Params& p, const CachedPeer& peer) {
  p.Int64(peer.id).Int64(peer.access_hash).Int16(static_cast<int16_t>(peer.type));
  if (peer.channel_kind) {
    p.Int16(static_cast<int16_t>(*peer.channel_kind));
  } else {
    p.Null(pg::oid::kInt2);
  }
  p.Bool(peer.is_community);
}

}  // namespace postgres_rows
}  // namespace tgsession
