// A session's rows in PostgreSQL, both ways: reading them back as untrusted
// data (typed, range-checked, every error kDataLoss naming table, session,
// row and column) and formatting them for COPY and statement parameters.
// Internal to //backends:postgres.
#ifndef TGSESSION_BACKENDS_POSTGRES_ROWS_H_
#define TGSESSION_BACKENDS_POSTGRES_ROWS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "backends/postgres_db.h"
#include "session/session.h"
#include "session/status_macros.h"

namespace tgsession {
namespace postgres_rows {

// Names a value in error messages: "table tgs_peers, session 'bot', row
// peer_id=5, column channel_kind". Built only when an error is reported.
class RowRef {
 public:
  RowRef(absl::string_view table, absl::string_view session, absl::string_view key_name, int64_t key)
      : table_(table), session_(session), key_name_(key_name), key_(key) {}

  std::string Where(absl::string_view column) const {
    return absl::StrCat("table ", table_, ", session '", session_, "', row ", key_name_, "=", key_, ", column ",
                        column);
  }
  absl::Status Error(absl::string_view column, absl::string_view problem) const {
    return absl::DataLossError(absl::StrCat(Where(column), ": ", problem));
  }

 private:
  absl::string_view table_;
  absl::string_view session_;
  absl::string_view key_name_;
  int64_t key_;
};

// An integer column in [lo, hi].
absl::StatusOr<int64_t> ReadInt(const pg::Result& r, int row, int col, const RowRef& ref, absl::string_view column,
                                int64_t lo = std::numeric_limits<int64_t>::min(),
                                int64_t hi = std::numeric_limits<int64_t>::max());
absl::StatusOr<int32_t> ReadInt32(const pg::Result& r, int row, int col, const RowRef& ref, absl::string_view column);

// Checks a row count against a DecodeLimits bound (queries ask for one row
// more than the limit, LimitPlusOne, so a table past it is detected without
// reading it): kResourceExhausted naming table, session and limit.
absl::Status CheckRowLimit(const pg::Result& r, absl::string_view table, absl::string_view session, uint32_t limit,
                           absl::string_view limit_name);
int32_t LimitPlusOne(uint64_t limit);

// The rows of one of a session's keyed lists (tgs_channel_pts, tgs_peers,
// tgs_min_peers) in order: `columns` of `table`, at most `limit`
// (DecodeLimits::`limit_name`), each made an item by `decode(r, i, session)`.
template <typename T, typename Decode>
absl::StatusOr<std::vector<T>> ReadList(pg::Connection& conn, int64_t session_id, absl::string_view session,
                                        absl::string_view table, absl::string_view columns, uint32_t limit,
                                        absl::string_view limit_name, Decode decode) {
  TGS_ASSIGN_OR_RETURN(pg::Result r,
                       conn.Query(absl::StrCat("SELECT ", columns, " FROM ", table,
                                               " WHERE session_id = $1 ORDER BY ord LIMIT $2"),
                                  pg::Params().Int64(session_id).Int32(LimitPlusOne(limit)),
                                  absl::StrCat("reading ", table)));
  TGS_RETURN_IF_ERROR(CheckRowLimit(r, table, session, limit, limit_name));
  std::vector<T> items;
  items.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    TGS_ASSIGN_OR_RETURN(T item, decode(r, i, session));
    items.push_back(std::move(item));
  }
  return items;
}

// Row i of tgs_channel_pts (channel_id, pts), tgs_peers (peer_id,
// access_hash, peer_type, channel_kind, is_community) and tgs_min_peers
// (user_id, peer_id, msg_id), in those column orders.
absl::StatusOr<ChannelPts> DecodeChannelRow(const pg::Result& r, int i, absl::string_view session);
absl::StatusOr<CachedPeer> DecodePeerRow(const pg::Result& r, int i, absl::string_view session);
absl::StatusOr<CachedMinPeer> DecodeMinPeerRow(const pg::Result& r, int i, absl::string_view session);

// The same lists as COPY text rows, session_id first.
std::string PeerRows(int64_t session_id, const PeerList& peers);
std::string ChannelRows(int64_t session_id, absl::Span<const ChannelPts> channels);
std::string MinPeerRows(int64_t session_id, const MinPeerList& mins);

// A DC (dc_id, flags, addr, auth_key or NULL, first_salt, time_offset) and a
// peer (id, access_hash, type, channel_kind or NULL, is_community) as
// statement parameters.
void AddDcParams(pg::Params& p, const DcEntry& dc);
void AddPeerParams(pg::Params& p, const CachedPeer& peer);

}  // namespace postgres_rows
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_ROWS_H_
