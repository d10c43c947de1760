#include "backends/sqlite_backend.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "backends/keyed_tables.h"
#include "session/status_macros.h"

namespace tgsession {

namespace {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;
using sqlite::ValueType;

// ferogram-session 0.6.5's SCHEMA, statement for statement. SQLite stores a
// table's SQL as "CREATE TABLE " followed by the text from the table name on,
// so this text (whitespace included) is what makes our sqlite_master equal to
// a ferogram-written file's.
constexpr char kFerogramSchema[] = R"sql(
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT    PRIMARY KEY,
            value INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE IF NOT EXISTS dcs (
            dc_id       INTEGER NOT NULL,
            flags       INTEGER NOT NULL DEFAULT 0,
            addr        TEXT    NOT NULL,
            auth_key    BLOB,
            first_salt  INTEGER NOT NULL DEFAULT 0,
            time_offset INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (dc_id, flags)
        );

        CREATE TABLE IF NOT EXISTS update_state (
            id   INTEGER PRIMARY KEY CHECK (id = 1),
            pts  INTEGER NOT NULL DEFAULT 0,
            qts  INTEGER NOT NULL DEFAULT 0,
            date INTEGER NOT NULL DEFAULT 0,
            seq  INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE IF NOT EXISTS channel_pts (
            channel_id INTEGER PRIMARY KEY,
            pts        INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS peers (
            id           INTEGER PRIMARY KEY,
            access_hash  INTEGER NOT NULL,
            is_channel   INTEGER NOT NULL DEFAULT 0,
            is_chat      INTEGER NOT NULL DEFAULT 0,
            channel_kind INTEGER,
            is_community INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE IF NOT EXISTS min_peers (
            user_id INTEGER PRIMARY KEY,
            peer_id INTEGER NOT NULL,
            msg_id  INTEGER NOT NULL
        );
)sql";

// Columns ferogram added to `peers` over time, in the order its
// migrate_legacy_sqlite_schema adds them, with its exact definitions (ALTER
// TABLE ADD COLUMN appends the definition text to the stored CREATE TABLE).
struct LegacyColumn {
  const char* name;
  const char* definition;
};
constexpr LegacyColumn kPeerMigrations[] = {
    {"is_chat", "is_chat INTEGER NOT NULL DEFAULT 0"},
    {"channel_kind", "channel_kind INTEGER"},
    {"is_community", "is_community INTEGER NOT NULL DEFAULT 0"},
};

// Every column we read or write, per table; checked after migration so a
// database with some other schema fails once, clearly, at open.
struct TableColumnsSpec {
  const char* table;
  std::vector<const char*> columns;
};
const std::vector<TableColumnsSpec>& RequiredColumns() {
  static const auto* specs = new std::vector<TableColumnsSpec>{
      {"meta", {"key", "value"}},
      {"dcs", {"dc_id", "flags", "addr", "auth_key", "first_salt", "time_offset"}},
      {"update_state", {"id", "pts", "qts", "date", "seq"}},
      {"channel_pts", {"channel_id", "pts"}},
      {"peers", {"id", "access_hash", "is_channel", "is_chat", "channel_kind", "is_community"}},
      {"min_peers", {"user_id", "peer_id", "msg_id"}},
  };
  return *specs;
}

// The column that remembers item order (see the header), and the tables that
// need it, indexed like SqliteBackend::OrderedList.
constexpr char kOrderColumn[] = "tgs_order";
constexpr const char* kOrderedTables[] = {"peers", "channel_pts", "min_peers"};

constexpr char kMetaHomeDc[] = "home_dc_id";
constexpr char kMetaToken[] = "future_auth_token";

constexpr int64_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// Cached statements, by id.
enum StmtId {
  kEnsureMeta,
  kSetHome,
  kSetToken,
  kDeleteToken,
  kInsertDc,
  kFindDc,
  kDeleteDcDuplicate,
  kUpdateDcRow,
  kSaveState,
  kReplaceState,
  kSetPrimary,
  kSetSecondary,
  kInsertChannel,
  kUpsertChannel,
  kInsertPeer,
  kUpsertPeer,
  kInsertMinPeer,
  kDataVersion,
  kNumStatements,
};

constexpr char kPeerColumns[] = "id, access_hash, is_channel, is_chat, channel_kind, is_community";
constexpr char kPeerUpdate[] =
    "access_hash = excluded.access_hash, is_channel = excluded.is_channel, is_chat = excluded.is_chat, "
    "channel_kind = excluded.channel_kind, is_community = excluded.is_community";

std::string StatementSql(int id, bool with_order, bool keep_newer_pts_qts) {
  const std::string order_col = with_order ? absl::StrCat(", ", kOrderColumn) : "";
  switch (id) {
    case kEnsureMeta:
      return "INSERT INTO meta (key, value) VALUES ('home_dc_id', 0) ON CONFLICT(key) DO NOTHING";
    case kSetHome:
      return "INSERT INTO meta (key, value) VALUES ('home_dc_id', ?1) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    case kSetToken:
      return "INSERT INTO meta (key, value) VALUES ('future_auth_token', ?1) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    case kDeleteToken:
      return "DELETE FROM meta WHERE key = 'future_auth_token'";
    case kInsertDc:
      return "INSERT INTO dcs (dc_id, flags, addr, auth_key, first_salt, time_offset) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    case kFindDc:
      // The entry Session::UpsertDc replaces: same dc_id, same IPV6 and
      // MEDIA_ONLY bits, first in table order.
      return "SELECT rowid, flags FROM dcs WHERE dc_id = ?1 AND (flags & 3) = ?2 ORDER BY rowid LIMIT 1";
    case kDeleteDcDuplicate:
      return "DELETE FROM dcs WHERE dc_id = ?1 AND flags = ?2 AND rowid <> ?3";
    case kUpdateDcRow:
      return "UPDATE dcs SET dc_id = ?2, flags = ?3, addr = ?4, auth_key = ?5, first_salt = ?6, "
             "time_offset = ?7 WHERE rowid = ?1";
    case kSaveState:
    case kReplaceState:
      // ferogram keeps MAX(stored, new) for pts and qts on save.
      return keep_newer_pts_qts && id == kSaveState
                 ? "INSERT INTO update_state (id, pts, qts, date, seq) VALUES (1, ?1, ?2, ?3, ?4) "
                   "ON CONFLICT(id) DO UPDATE SET pts = MAX(excluded.pts, update_state.pts), "
                   "qts = MAX(excluded.qts, update_state.qts), date = excluded.date, seq = excluded.seq"
                 : "INSERT INTO update_state (id, pts, qts, date, seq) VALUES (1, ?1, ?2, ?3, ?4) "
                   "ON CONFLICT(id) DO UPDATE SET pts = excluded.pts, qts = excluded.qts, "
                   "date = excluded.date, seq = excluded.seq";
    case kSetPrimary:
      return "INSERT INTO update_state (id, pts, qts, date, seq) VALUES (1, ?1, 0, ?2, ?3) "
             "ON CONFLICT(id) DO UPDATE SET pts = excluded.pts, date = excluded.date, seq = excluded.seq";
    case kSetSecondary:
      return "INSERT INTO update_state (id, pts, qts, date, seq) VALUES (1, 0, ?1, 0, 0) "
             "ON CONFLICT(id) DO UPDATE SET qts = excluded.qts";
    case kInsertChannel:
      return absl::StrCat("INSERT INTO channel_pts (channel_id, pts", order_col, ") VALUES (?1, ?2",
                          with_order ? ", ?3" : "", ")");
    case kUpsertChannel:
      return absl::StrCat("INSERT INTO channel_pts (channel_id, pts", order_col, ") VALUES (?1, ?2",
                          with_order ? ", ?3" : "", ") ON CONFLICT(channel_id) DO UPDATE SET pts = excluded.pts");
    case kInsertPeer:
      return absl::StrCat("INSERT INTO peers (", kPeerColumns, order_col, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6",
                          with_order ? ", ?7" : "", ")");
    case kUpsertPeer:
      return absl::StrCat("INSERT INTO peers (", kPeerColumns, order_col, ") VALUES (?1, ?2, ?3, ?4, ?5, ?6",
                          with_order ? ", ?7" : "", ") ON CONFLICT(id) DO UPDATE SET ", kPeerUpdate);
    case kInsertMinPeer:
      return absl::StrCat("INSERT INTO min_peers (user_id, peer_id, msg_id", order_col, ") VALUES (?1, ?2, ?3",
                          with_order ? ", ?4" : "", ")");
    case kDataVersion:
      return "PRAGMA data_version";
    default:
      return "";
  }
}

absl::Status WithContext(const absl::Status& s, absl::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

// --- binding a session's values -----------------------------------------------

void BindDc(Statement& st, int first, const DcEntry& dc) {
  st.BindInt(first, dc.dc_id).BindInt(first + 1, dc.flags.bits).BindText(first + 2, dc.addr);
  if (dc.auth_key.has_value()) {
    st.BindBlob(first + 3, dc.auth_key->bytes());
  } else {
    st.BindNull(first + 3);
  }
  st.BindInt(first + 4, dc.first_salt).BindInt(first + 5, dc.time_offset);
}

// Binds a peer's six columns from parameter `first` on.
void BindPeer(Statement& st, const CachedPeer& p, int first = 1) {
  st.BindInt(first, p.id)
      .BindInt(first + 1, p.access_hash)
      .BindInt(first + 2, p.type == PeerType::kChannel ? 1 : 0)
      .BindInt(first + 3, p.type == PeerType::kChat ? 1 : 0);
  if (p.channel_kind.has_value()) {
    st.BindInt(first + 4, static_cast<int64_t>(*p.channel_kind));
  } else {
    st.BindNull(first + 4);
  }
  st.BindInt(first + 5, p.is_community ? 1 : 0);
}

// --- multi-row upserts (batches) ------------------------------------------------

// Rows per multi-row statement: 64 peers are 448 parameters, under the 999
// that SQLite before 3.32 allows (SQLITE_MAX_VARIABLE_NUMBER).
constexpr size_t kRowsPerStatement = 64;

enum MultiRowTable { kMultiPeers = 0, kMultiMinPeers = 1, kMultiChannels = 2 };

// Columns of each table's upsert (the order column, when written, comes
// last in each row).
int MultiRowColumns(int table) { return table == kMultiPeers ? 6 : table == kMultiMinPeers ? 3 : 2; }

std::string MultiRowSql(int table, size_t rows, bool with_order) {
  const int cols = MultiRowColumns(table) + (with_order ? 1 : 0);
  std::string values;
  for (size_t r = 0; r < rows; ++r) {
    absl::StrAppend(&values, r == 0 ? "" : ", ", "(");
    for (int c = 0; c < cols; ++c) absl::StrAppend(&values, c == 0 ? "" : ", ", "?", r * cols + c + 1);
    values += ")";
  }
  const std::string order_col = with_order ? absl::StrCat(", ", kOrderColumn) : "";
  switch (table) {
    case kMultiPeers:
      return absl::StrCat("INSERT INTO peers (", kPeerColumns, order_col, ") VALUES ", values,
                          " ON CONFLICT(id) DO UPDATE SET ", kPeerUpdate);
    case kMultiMinPeers:
      return absl::StrCat("INSERT INTO min_peers (user_id, peer_id, msg_id", order_col, ") VALUES ", values,
                          " ON CONFLICT(user_id) DO UPDATE SET peer_id = excluded.peer_id, msg_id = excluded.msg_id");
    default:
      return absl::StrCat("INSERT INTO channel_pts (channel_id, pts", order_col, ") VALUES ", values,
                          " ON CONFLICT(channel_id) DO UPDATE SET pts = excluded.pts");
  }
}

// --- reading untrusted rows ----------------------------------------------------

// Names a row in error messages: "table peers, row id=5, column channel_kind".
// The row text is built only when an error is reported.
class RowRef {
 public:
  RowRef(absl::string_view table, absl::string_view key_name, int64_t key)
      : table_(table), key_name_(key_name), key_(key) {}
  // For meta, whose key is text.
  RowRef(absl::string_view table, absl::string_view key_name, absl::string_view text_key)
      : table_(table), key_name_(key_name), text_key_(text_key), has_text_key_(true) {}

  absl::Status Error(absl::string_view column, absl::string_view problem) const {
    const std::string row =
        has_text_key_ ? absl::StrCat(key_name_, "='", text_key_, "'") : absl::StrCat(key_name_, "=", key_);
    return absl::DataLossError(absl::StrCat("table ", table_, ", row ", row, ", column ", column, ": ", problem));
  }

 private:
  absl::string_view table_;
  absl::string_view key_name_;
  int64_t key_ = 0;
  absl::string_view text_key_;
  bool has_text_key_ = false;
};

absl::Status TypeError(const RowRef& row, absl::string_view column, ValueType got, absl::string_view want) {
  if (got == ValueType::kNull) return row.Error(column, "NULL where a value is required");
  return row.Error(column, absl::StrCat("has type ", sqlite::ValueTypeName(got), ", expected ", want));
}

// Reads an INTEGER column in [lo, hi]. Values of any other storage class
// are refused: SQLite's conversions ('12abc' -> 12, 1.5 -> 1) would hide
// corruption.
absl::StatusOr<int64_t> ReadInt(const Statement& st, int col, const RowRef& row, absl::string_view column,
                                int64_t lo = kI64Min, int64_t hi = kI64Max) {
  const ValueType t = st.ColumnType(col);
  if (t != ValueType::kInteger) return TypeError(row, column, t, "an integer");
  const int64_t v = st.ColumnInt(col);
  if (v < lo || v > hi) {
    return row.Error(column, absl::StrCat(v, " is out of range [", lo, ", ", hi, "]"));
  }
  return v;
}

absl::StatusOr<bool> ReadBool(const Statement& st, int col, const RowRef& row, absl::string_view column) {
  const ValueType t = st.ColumnType(col);
  if (t != ValueType::kInteger) return TypeError(row, column, t, "0 or 1");
  const int64_t v = st.ColumnInt(col);
  if (v != 0 && v != 1) return row.Error(column, absl::StrCat(v, " is not a boolean (0 or 1)"));
  return v == 1;
}

// count(*) of a table, checked against a limit before anything is read, so
// the caller can reserve exactly.
absl::StatusOr<size_t> CountRows(Db& db, absl::string_view table, uint32_t limit, absl::string_view limit_name) {
  TGS_ASSIGN_OR_RETURN(const int64_t n, db.QueryInt(absl::StrCat("SELECT count(*) FROM ", table)));
  if (n < 0 || static_cast<uint64_t>(n) > limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("table ", table, " has ", n, " rows; the limit is ", limit, " (DecodeLimits::", limit_name, ")"));
  }
  return static_cast<size_t>(n);
}

// Steps `st` over all rows, calling `row_fn` for each.
template <typename F>
absl::Status ForEachRow(Statement& st, F row_fn) {
  while (true) {
    TGS_ASSIGN_OR_RETURN(const bool has_row, st.Step());
    if (!has_row) return absl::OkStatus();
    absl::Status s = row_fn();
    if (!s.ok()) {
      st.Reset();
      return s;
    }
  }
}

absl::Status ReadMeta(Db& db, const DecodeLimits& limits, Session* s) {
  TGS_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT key, value FROM meta WHERE key IN (?1, ?2)"));
  st.BindText(1, kMetaHomeDc).BindText(2, kMetaToken);
  return ForEachRow(st, [&]() -> absl::Status {
    const absl::string_view key = st.ColumnText(0);
    const RowRef row("meta", "key", key);
    if (key == kMetaHomeDc) {
      TGS_ASSIGN_OR_RETURN(const int64_t v, ReadInt(st, 1, row, "value", kI32Min, kI32Max));
      s->home_dc_id = static_cast<int32_t>(v);
      return absl::OkStatus();
    }
    const ValueType t = st.ColumnType(1);
    if (t != ValueType::kBlob) return TypeError(row, "value", t, "a blob");
    const size_t n = st.ColumnBytes(1);
    if (n > limits.max_token_bytes) {
      return row.Error("value", absl::StrCat("token of ", n, " bytes is over the limit of ", limits.max_token_bytes));
    }
    s->future_auth_token.emplace(st.ColumnBlob(1));
    return absl::OkStatus();
  });
}

absl::Status ReadDcs(Db& db, const DecodeLimits& limits, Session* s) {
  TGS_ASSIGN_OR_RETURN(const size_t n, CountRows(db, "dcs", limits.max_dcs, "max_dcs"));
  s->dcs.reserve(n);
  TGS_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("SELECT rowid, dc_id, flags, addr, auth_key, first_salt, time_offset FROM dcs ORDER BY rowid"));
  return ForEachRow(st, [&]() -> absl::Status {
    const RowRef row{"dcs", "rowid", st.ColumnInt(0)};
    DcEntry dc;
    TGS_ASSIGN_OR_RETURN(const int64_t dc_id, ReadInt(st, 1, row, "dc_id", kI32Min, kI32Max));
    TGS_ASSIGN_OR_RETURN(const int64_t flags, ReadInt(st, 2, row, "flags", 0, 255));
    dc.dc_id = static_cast<int32_t>(dc_id);
    dc.flags = DcFlags(static_cast<uint8_t>(flags));
    const ValueType addr_type = st.ColumnType(3);
    if (addr_type != ValueType::kText) return TypeError(row, "addr", addr_type, "text");
    if (st.ColumnBytes(3) > limits.max_addr_bytes) {
      return row.Error("addr", absl::StrCat("address of ", st.ColumnBytes(3), " bytes is over the limit of ",
                                            limits.max_addr_bytes));
    }
    dc.addr = std::string(st.ColumnText(3));
    const ValueType key_type = st.ColumnType(4);
    if (key_type == ValueType::kBlob) {
      // Only the length is ever reported, never the bytes.
      const absl::string_view key = st.ColumnBlob(4);
      if (key.size() != AuthKey::kSize) {
        return row.Error("auth_key", absl::StrCat("blob of ", key.size(), " bytes; an auth key is ", AuthKey::kSize,
                                                  " bytes (or NULL for none)"));
      }
      dc.auth_key = AuthKey::FromRawUnchecked(reinterpret_cast<const uint8_t*>(key.data()));
    } else if (key_type != ValueType::kNull) {
      return row.Error(
          "auth_key", absl::StrCat("has type ", sqlite::ValueTypeName(key_type), ", expected a 256-byte blob or NULL"));
    }
    TGS_ASSIGN_OR_RETURN(dc.first_salt, ReadInt(st, 5, row, "first_salt"));
    TGS_ASSIGN_OR_RETURN(const int64_t offset, ReadInt(st, 6, row, "time_offset", kI32Min, kI32Max));
    dc.time_offset = static_cast<int32_t>(offset);
    s->dcs.push_back(std::move(dc));
    return absl::OkStatus();
  });
}

absl::Status ReadUpdateState(Db& db, Session* s) {
  TGS_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT pts, qts, date, seq FROM update_state WHERE id = 1"));
  return ForEachRow(st, [&]() -> absl::Status {
    const RowRef row{"update_state", "id", 1};
    UpdatesState& u = s->updates_state;
    int32_t* fields[] = {&u.pts, &u.qts, &u.date, &u.seq};
    const char* names[] = {"pts", "qts", "date", "seq"};
    for (int i = 0; i < 4; ++i) {
      TGS_ASSIGN_OR_RETURN(const int64_t v, ReadInt(st, i, row, names[i], kI32Min, kI32Max));
      *fields[i] = static_cast<int32_t>(v);
    }
    return absl::OkStatus();
  });
}

std::string OrderBy(bool ordered, absl::string_view key) {
  // NULL sorts first in SQLite: rows another writer (ferogram) added without
  // a position come first, in id order, as ferogram itself returns them.
  return ordered ? absl::StrCat(" ORDER BY ", kOrderColumn, ", ", key) : absl::StrCat(" ORDER BY ", key);
}

// The rows of one of the keyed lists (channel_pts, peers, min_peers): at
// most `limit` of them (DecodeLimits::`limit_name`), `columns` with the key
// first, in the session's order, each made an item by `decode`.
template <typename T, typename Decode>
absl::StatusOr<std::vector<T>> ReadList(Db& db, absl::string_view table, absl::string_view columns,
                                        absl::string_view key, uint32_t limit, absl::string_view limit_name,
                                        bool ordered, Decode decode) {
  TGS_ASSIGN_OR_RETURN(const size_t n, CountRows(db, table, limit, limit_name));
  std::vector<T> items;
  items.reserve(n);
  TGS_ASSIGN_OR_RETURN(Statement st,
                       db.Prepare(absl::StrCat("SELECT ", columns, " FROM ", table, OrderBy(ordered, key))));
  TGS_RETURN_IF_ERROR(ForEachRow(st, [&]() -> absl::Status {
    TGS_ASSIGN_OR_RETURN(T item, decode(st, RowRef{table, key, st.ColumnInt(0)}));
    items.push_back(std::move(item));
    return absl::OkStatus();
  }));
  return items;
}

absl::StatusOr<ChannelPts> DecodeChannel(const Statement& st, const RowRef& row) {
  TGS_ASSIGN_OR_RETURN(const int64_t id, ReadInt(st, 0, row, "channel_id"));
  TGS_ASSIGN_OR_RETURN(const int64_t pts, ReadInt(st, 1, row, "pts", kI32Min, kI32Max));
  return ChannelPts{id, static_cast<int32_t>(pts)};
}

absl::Status ReadChannels(Db& db, const DecodeLimits& limits, bool ordered, Session* s) {
  TGS_ASSIGN_OR_RETURN(std::vector<ChannelPts> channels,
                       ReadList<ChannelPts>(db, "channel_pts", "channel_id, pts", "channel_id", limits.max_channels,
                                            "max_channels", ordered, DecodeChannel));
  s->updates_state.mutable_channels().Assign(std::move(channels));
  return absl::OkStatus();
}

absl::StatusOr<CachedPeer> DecodePeer(const Statement& st, const RowRef& row) {
  CachedPeer p;
  TGS_ASSIGN_OR_RETURN(p.id, ReadInt(st, 0, row, "id"));
  TGS_ASSIGN_OR_RETURN(p.access_hash, ReadInt(st, 1, row, "access_hash"));
  TGS_ASSIGN_OR_RETURN(const bool is_channel, ReadBool(st, 2, row, "is_channel"));
  TGS_ASSIGN_OR_RETURN(const bool is_chat, ReadBool(st, 3, row, "is_chat"));
  if (is_channel && is_chat) return row.Error("is_chat", "is_channel and is_chat are both 1");
  p.type = is_chat ? PeerType::kChat : is_channel ? PeerType::kChannel : PeerType::kUser;
  const ValueType kind_type = st.ColumnType(4);
  if (kind_type != ValueType::kNull) {
    if (kind_type != ValueType::kInteger) {
      return row.Error("channel_kind",
                       absl::StrCat("has type ", sqlite::ValueTypeName(kind_type), ", expected NULL, 0, 1 or 2"));
    }
    const int64_t kind = st.ColumnInt(4);
    if (kind < 0 || kind > 2) {
      return row.Error("channel_kind", absl::StrCat(kind, " is not a channel kind (NULL, 0, 1 or 2)"));
    }
    p.channel_kind = static_cast<ChannelKind>(kind);
  }
  TGS_ASSIGN_OR_RETURN(p.is_community, ReadBool(st, 5, row, "is_community"));
  return p;
}

absl::Status ReadPeers(Db& db, const DecodeLimits& limits, bool ordered, Session* s) {
  TGS_ASSIGN_OR_RETURN(std::vector<CachedPeer> peers,
                       ReadList<CachedPeer>(db, "peers", kPeerColumns, "id", limits.max_peers, "max_peers", ordered,
                                            DecodePeer));
  s->peers.Assign(std::move(peers));
  return absl::OkStatus();
}

absl::StatusOr<CachedMinPeer> DecodeMinPeer(const Statement& st, const RowRef& row) {
  CachedMinPeer m;
  TGS_ASSIGN_OR_RETURN(m.user_id, ReadInt(st, 0, row, "user_id"));
  TGS_ASSIGN_OR_RETURN(m.peer_id, ReadInt(st, 1, row, "peer_id"));
  TGS_ASSIGN_OR_RETURN(const int64_t msg_id, ReadInt(st, 2, row, "msg_id", kI32Min, kI32Max));
  m.msg_id = static_cast<int32_t>(msg_id);
  return m;
}

absl::Status ReadMinPeers(Db& db, const DecodeLimits& limits, bool ordered, Session* s) {
  TGS_ASSIGN_OR_RETURN(std::vector<CachedMinPeer> mins,
                       ReadList<CachedMinPeer>(db, "min_peers", "user_id, peer_id, msg_id", "user_id",
                                               limits.max_min_peers, "max_min_peers", ordered, DecodeMinPeer));
  s->min_peers.Assign(std::move(mins));
  return absl::OkStatus();
}

// --- checking a session before writing it ----------------------------------------

// The schema keys DCs by (dc_id, flags) and the three lists by id, and our own
// Load refuses what is over DecodeLimits: such sessions are refused up front,
// with the offending index, instead of failing half-way through the
// transaction.
constexpr KeyedSchema kSqliteSchema{"the SQLite schema", /*dcs_keyed_by_id_and_flags=*/true,
                                    /*peer_enums_checked=*/false};

}  // namespace

struct SqliteBackend::Cache {
  std::array<Statement, kNumStatements> statements;
  // Multi-row upserts by (table, rows): kRowsPerStatement rows, and one per
  // remainder size met so far.
  absl::flat_hash_map<std::pair<int, size_t>, Statement> multi_row;
};

SqliteBackend::SqliteBackend(std::string name_prefix) : name_prefix_(std::move(name_prefix)) {}

SqliteBackend::~SqliteBackend() { (void)Close(); }

absl::Status SqliteBackend::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  cache_.reset();  // finalize statements before the connection closes
  return WithContext(db_.Close(), Name());
}

absl::Status SqliteBackend::CheckOpen() const {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat(Name(), " is closed"));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SqliteBackend>> SqliteBackend::Open(const std::string& path,
                                                                   const SqliteOptions& options) {
  auto backend = absl::WrapUnique(new SqliteBackend("sqlite"));
  TGS_RETURN_IF_ERROR(backend->Initialize(path, /*in_memory=*/false, options));
  return backend;
}

absl::StatusOr<std::unique_ptr<SqliteBackend>> SqliteBackend::OpenInMemory(const SqliteOptions& options) {
  auto backend = absl::WrapUnique(new SqliteBackend("sqlite"));
  TGS_RETURN_IF_ERROR(backend->Initialize("", /*in_memory=*/true, options));
  return backend;
}

absl::StatusOr<std::unique_ptr<LibSqlBackend>> LibSqlBackend::OpenLocal(const std::string& path,
                                                                        const SqliteOptions& options) {
  auto backend = absl::WrapUnique(new LibSqlBackend());
  TGS_RETURN_IF_ERROR(backend->Initialize(path, /*in_memory=*/false, options));
  return backend;
}

absl::StatusOr<std::unique_ptr<LibSqlBackend>> LibSqlBackend::OpenInMemory(const SqliteOptions& options) {
  auto backend = absl::WrapUnique(new LibSqlBackend());
  TGS_RETURN_IF_ERROR(backend->Initialize("", /*in_memory=*/true, options));
  return backend;
}

std::string SqliteBackend::Name() const { return absl::StrCat(name_prefix_, ":", path_.empty() ? ":memory:" : path_); }

absl::Status SqliteBackend::Initialize(const std::string& path, bool in_memory, const SqliteOptions& options) {
  absl::MutexLock lock(&mu_);
  options_ = options;
  path_ = path;
  const std::string where = Name();

  sqlite::OpenOptions open;
  open.mode = sqlite::OpenOptions::Mode::kReadWriteCreate;
  open.create_mode = 0600;
  open.busy_timeout_ms = options.busy_timeout_ms;
  open.vfs = options.vfs;
  // Nothing we store is bigger than a token or an address; a stored value
  // above that is refused by SQLite before it is allocated.
  const uint64_t largest =
      std::max<uint64_t>({options.limits.max_token_bytes, options.limits.max_addr_bytes, AuthKey::kSize}) + 1024;
  open.max_value_bytes = static_cast<int>(std::min<uint64_t>(largest, std::numeric_limits<int>::max()));
  TGS_ASSIGN_OR_RETURN(db_, in_memory ? Db::OpenInMemory(open) : Db::Open(path, open));
  if (db_.ReadOnly()) {
    return absl::PermissionDeniedError(
        absl::StrCat(where, ": opened read-only (the file or its directory is not writable)"));
  }

  // Our tables go only into an empty database or a ferogram one: a Telethon
  // or Pyrogram .session (which has its own update_state table) or another
  // application's database is not ours to extend.
  TGS_ASSIGN_OR_RETURN(const int64_t tables, db_.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                                          "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"));
  TGS_ASSIGN_OR_RETURN(const bool has_meta, db_.HasTable("meta"));
  if (tables > 0 && !has_meta) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": not a ferogram session database (it has ", tables,
                                                      " tables but no `meta` table); refusing to add tables to it"));
  }

  // ferogram's SCHEMA starts with these two PRAGMAs. journal_mode=WAL is
  // stored in the file; it stays "memory" for an in-memory database.
  // (A filesystem without WAL support keeps the rollback journal, which is
  // still correct; the result is therefore not checked.)
  TGS_RETURN_IF_ERROR(db_.QueryText("PRAGMA journal_mode = WAL").status());
  TGS_RETURN_IF_ERROR(SetSynchronous(options.synchronous == SqliteOptions::Synchronous::kFull));
  // Freed rows are overwritten with zeros, so a replaced or deleted auth key
  // does not stay readable in the file's free space.
  TGS_RETURN_IF_ERROR(db_.Exec("PRAGMA secure_delete = ON", where));
  // Files may come from elsewhere: check b-tree cell sizes as pages are read,
  // so a corrupted page is SQLITE_CORRUPT (kDataLoss) at once.
  TGS_RETURN_IF_ERROR(db_.Exec("PRAGMA cell_size_check = ON", where));
  if (options.max_file_bytes > 0) {
    TGS_ASSIGN_OR_RETURN(const int64_t page_size, db_.QueryInt("PRAGMA page_size"));
    const int64_t pages = std::max<int64_t>(1, options.max_file_bytes / std::max<int64_t>(page_size, 512));
    TGS_RETURN_IF_ERROR(db_.Exec(absl::StrCat("PRAGMA max_page_count = ", pages), where));
  }

  {
    // Schema and legacy migration in one transaction: a crash leaves the old
    // schema or the new one.
    TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Kind::kImmediate));
    TGS_RETURN_IF_ERROR(db_.Exec(kFerogramSchema, absl::StrCat(where, ": creating the schema")));
    TGS_ASSIGN_OR_RETURN(std::vector<std::string> peer_columns, db_.TableColumns("peers"));
    for (const LegacyColumn& c : kPeerMigrations) {
      if (std::find(peer_columns.begin(), peer_columns.end(), c.name) == peer_columns.end()) {
        TGS_RETURN_IF_ERROR(db_.Exec(absl::StrCat("ALTER TABLE peers ADD COLUMN ", c.definition),
                                     absl::StrCat(where, ": migrating peers (adding ", c.name, ")")));
      }
    }
    TGS_RETURN_IF_ERROR(WithContext(txn.Commit(), where));
  }

  for (const TableColumnsSpec& spec : RequiredColumns()) {
    TGS_ASSIGN_OR_RETURN(std::vector<std::string> have, db_.TableColumns(spec.table));
    for (const char* col : spec.columns) {
      if (std::find(have.begin(), have.end(), col) == have.end()) {
        return absl::FailedPreconditionError(
            absl::StrCat(where, ": table ", spec.table, " has no column ", col, "; not a ferogram session schema"));
      }
    }
  }
  order_columns_ = true;
  for (const char* table : kOrderedTables) {
    TGS_ASSIGN_OR_RETURN(std::vector<std::string> have, db_.TableColumns(table));
    if (std::find(have.begin(), have.end(), kOrderColumn) == have.end()) order_columns_ = false;
  }
  write_order_ = options_.keep_order && order_columns_;
  cache_ = std::make_unique<Cache>();
  return absl::OkStatus();
}

absl::Status SqliteBackend::SetSynchronous(bool full) {
  return db_.Exec(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "setting synchronous");
}

absl::StatusOr<Statement*> SqliteBackend::Cached(int id) {
  Statement& st = cache_->statements[static_cast<size_t>(id)];
  if (!st.valid()) {
    TGS_ASSIGN_OR_RETURN(st, db_.Prepare(StatementSql(id, write_order_, options_.save_keeps_newer_pts_qts),
                                         /*persistent=*/true));
  }
  return &st;
}

absl::Status SqliteBackend::EnsureOrderColumns() {
  if (!options_.keep_order || order_columns_) return absl::OkStatus();
  {
    TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Kind::kImmediate));
    for (const char* table : kOrderedTables) {
      TGS_ASSIGN_OR_RETURN(std::vector<std::string> have, db_.TableColumns(table));
      if (std::find(have.begin(), have.end(), kOrderColumn) != have.end()) continue;
      TGS_RETURN_IF_ERROR(db_.Exec(absl::StrCat("ALTER TABLE ", table, " ADD COLUMN ", kOrderColumn, " INTEGER"),
                                   absl::StrCat(Name(), ": adding ", table, ".", kOrderColumn)));
    }
    TGS_RETURN_IF_ERROR(txn.Commit());
  }
  order_columns_ = true;
  write_order_ = true;
  // Statements prepared so far name no order column.
  cache_ = std::make_unique<Cache>();
  next_order_version_.reset();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteBackend::DataVersion() {
  TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kDataVersion));
  TGS_ASSIGN_OR_RETURN(const bool row, st->Step());
  const int64_t version = row ? st->ColumnInt(0) : -1;
  st->Reset();
  return version;
}

absl::Status SqliteBackend::RefreshNextOrder() {
  if (!write_order_) return absl::OkStatus();
  // data_version changes only when another connection commits, so the cached
  // numbers stay right across our own writes.
  TGS_ASSIGN_OR_RETURN(const int64_t version, DataVersion());
  if (next_order_version_ == version) return absl::OkStatus();
  for (int list = 0; list < kOrderedLists; ++list) {
    // Only integers count: another writer may have stored anything there.
    TGS_ASSIGN_OR_RETURN(
        const int64_t max_order,
        db_.QueryInt(absl::StrCat("SELECT IFNULL(MAX(", kOrderColumn, "), 0) FROM ", kOrderedTables[list],
                                  " WHERE typeof(", kOrderColumn, ") = 'integer'")));
    next_order_[static_cast<size_t>(list)] = max_order < kI64Max ? max_order + 1 : kI64Max;
  }
  next_order_version_ = version;
  return absl::OkStatus();
}

int64_t SqliteBackend::TakeOrder(int list) {
  int64_t& next = next_order_[static_cast<size_t>(list)];
  const int64_t order = next;
  // Saturates instead of overflowing when a file already holds the largest
  // number: later items then tie, and ties are broken by id.
  if (next < kI64Max) ++next;
  return order;
}

absl::Status SqliteBackend::EnsureSessionRow() {
  TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kEnsureMeta));
  return st->Run();
}

template <typename F>
absl::Status SqliteBackend::WriteTransaction(bool durable, F body) {
  const bool upgrade =
      durable && options_.durable_key_writes && options_.synchronous != SqliteOptions::Synchronous::kFull;
  if (upgrade) TGS_RETURN_IF_ERROR(SetSynchronous(true));
  absl::Status result = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Kind::kImmediate));
    TGS_RETURN_IF_ERROR(body());
    return txn.Commit();
    // An early return destroys `txn`, which rolls back.
  }();
  if (upgrade) {
    absl::Status restore = SetSynchronous(false);
    if (result.ok()) result = restore;
  }
  if (!result.ok()) next_order_version_.reset();  // recount after a rollback
  return WithContext(result, Name());
}

absl::Status SqliteBackend::InsertChannels(const UpdatesState& state) {
  TGS_RETURN_IF_ERROR(db_.Exec("DELETE FROM channel_pts"));
  TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kInsertChannel));
  const absl::Span<const ChannelPts> channels = state.channels();
  for (size_t i = 0; i < channels.size(); ++i) {
    st->BindInt(1, channels[i].channel_id).BindInt(2, channels[i].pts);
    if (write_order_) st->BindInt(3, static_cast<int64_t>(i) + 1);
    TGS_RETURN_IF_ERROR(WithContext(st->Run(), absl::StrCat("saving updates_state.channels[", i, "]")));
  }
  next_order_[kChannels] = static_cast<int64_t>(channels.size()) + 1;
  return absl::OkStatus();
}

absl::Status SqliteBackend::WriteSession(const Session& s) {
  TGS_ASSIGN_OR_RETURN(const int64_t version, DataVersion());
  {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetHome));
    st->BindInt(1, s.home_dc_id);
    TGS_RETURN_IF_ERROR(WithContext(st->Run(), "saving home_dc_id"));
  }
  if (s.future_auth_token.has_value()) {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetToken));
    st->BindBlob(1, s.future_auth_token->bytes());
    TGS_RETURN_IF_ERROR(WithContext(st->Run(), "saving future_auth_token"));
  } else {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kDeleteToken));
    TGS_RETURN_IF_ERROR(WithContext(st->Run(), "removing future_auth_token"));
  }

  TGS_RETURN_IF_ERROR(db_.Exec("DELETE FROM dcs"));
  {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kInsertDc));
    for (size_t i = 0; i < s.dcs.size(); ++i) {
      BindDc(*st, 1, s.dcs[i]);
      TGS_RETURN_IF_ERROR(WithContext(st->Run(), absl::StrCat("saving dcs[", i, "]")));
    }
  }
  {
    const UpdatesState& u = s.updates_state;
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSaveState));
    st->BindInt(1, u.pts).BindInt(2, u.qts).BindInt(3, u.date).BindInt(4, u.seq);
    TGS_RETURN_IF_ERROR(WithContext(st->Run(), "saving updates_state"));
  }
  TGS_RETURN_IF_ERROR(InsertChannels(s.updates_state));

  TGS_RETURN_IF_ERROR(db_.Exec("DELETE FROM peers"));
  {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kInsertPeer));
    for (size_t i = 0; i < s.peers.size(); ++i) {
      BindPeer(*st, s.peers[i]);
      if (write_order_) st->BindInt(7, static_cast<int64_t>(i) + 1);
      TGS_RETURN_IF_ERROR(WithContext(st->Run(), absl::StrCat("saving peers[", i, "]")));
    }
  }
  TGS_RETURN_IF_ERROR(db_.Exec("DELETE FROM min_peers"));
  {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kInsertMinPeer));
    for (size_t i = 0; i < s.min_peers.size(); ++i) {
      const CachedMinPeer& m = s.min_peers[i];
      st->BindInt(1, m.user_id).BindInt(2, m.peer_id).BindInt(3, m.msg_id);
      if (write_order_) st->BindInt(4, static_cast<int64_t>(i) + 1);
      TGS_RETURN_IF_ERROR(WithContext(st->Run(), absl::StrCat("saving min_peers[", i, "]")));
    }
  }
  next_order_[kPeers] = static_cast<int64_t>(s.peers.size()) + 1;
  next_order_[kMinPeers] = static_cast<int64_t>(s.min_peers.size()) + 1;
  next_order_version_ = version;
  return absl::OkStatus();
}

absl::Status SqliteBackend::Save(const Session& session) {
  // Checked before taking the lock: it reads only `session`.
  TGS_RETURN_IF_ERROR(WithContext(CheckKeyedSession(session, options_.limits, kSqliteSchema), Name()));
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  TGS_RETURN_IF_ERROR(WithContext(EnsureOrderColumns(), Name()));
  return WriteTransaction(/*durable=*/true, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return WriteSession(session); });
}

absl::StatusOr<std::optional<Session>> SqliteBackend::ReadSession() {
  // One read transaction: every table from the same snapshot, even while
  // another process writes.
  TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Kind::kDeferred));
  TGS_ASSIGN_OR_RETURN(const int64_t has_session, db_.QueryInt("SELECT EXISTS (SELECT 1 FROM meta)"));
  if (has_session == 0) {
    TGS_RETURN_IF_ERROR(txn.Commit());
    return std::optional<Session>();
  }
  const bool ordered = options_.keep_order && order_columns_;
  const DecodeLimits& limits = options_.limits;
  std::optional<Session> s(std::in_place);
  TGS_RETURN_IF_ERROR(ReadMeta(db_, limits, &*s));
  TGS_RETURN_IF_ERROR(ReadDcs(db_, limits, &*s));
  TGS_RETURN_IF_ERROR(ReadUpdateState(db_, &*s));
  TGS_RETURN_IF_ERROR(ReadChannels(db_, limits, ordered, &*s));
  TGS_RETURN_IF_ERROR(ReadPeers(db_, limits, ordered, &*s));
  TGS_RETURN_IF_ERROR(ReadMinPeers(db_, limits, ordered, &*s));
  TGS_RETURN_IF_ERROR(txn.Commit());
  return s;
}

absl::StatusOr<std::optional<Session>> SqliteBackend::Load() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  absl::StatusOr<std::optional<Session>> s = ReadSession();
  if (!s.ok()) return WithContext(s.status(), Name());
  return s;
}

absl::Status SqliteBackend::Delete() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  TGS_RETURN_IF_ERROR(WriteTransaction(/*durable=*/true, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    for (const char* table : {"meta", "dcs", "update_state", "channel_pts", "peers", "min_peers"}) {
      TGS_RETURN_IF_ERROR(db_.Exec(absl::StrCat("DELETE FROM ", table)));
    }
    return absl::OkStatus();
  }));
  next_order_ = {1, 1, 1};
  // The deleted pages are zeroed in the database (secure_delete), but older
  // copies of them (auth keys) stay in the WAL until it is checkpointed and
  // reset. Best effort: with readers still on old snapshots the WAL cannot be
  // truncated now, and the delete itself has succeeded.
  (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return absl::OkStatus();
}

absl::Status SqliteBackend::SetHomeDc(int32_t dc_id) {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  return WriteTransaction(/*durable=*/true, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetHome));
    st->BindInt(1, dc_id);
    return st->Run();
  });
}

absl::Status SqliteBackend::UpdateDc(const DcEntry& entry) {
  if (entry.addr.size() > options_.limits.max_addr_bytes) {
    return absl::OutOfRangeError(absl::StrCat(Name(), ": DC address is ", entry.addr.size(), " bytes; the limit is ",
                                              options_.limits.max_addr_bytes));
  }
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  return WriteTransaction(/*durable=*/true, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_RETURN_IF_ERROR(EnsureSessionRow());
    TGS_ASSIGN_OR_RETURN(Statement * find, Cached(kFindDc));
    find->BindInt(1, entry.dc_id).BindInt(2, entry.flags.bits & (DcFlags::kIpv6 | DcFlags::kMediaOnly));
    TGS_ASSIGN_OR_RETURN(const bool found, find->Step());
    const int64_t rowid = found ? find->ColumnInt(0) : 0;
    const int64_t old_flags = found ? find->ColumnInt(1) : 0;
    find->Reset();
    if (!found) {
      TGS_ASSIGN_OR_RETURN(Statement * insert, Cached(kInsertDc));
      BindDc(*insert, 1, entry);
      return insert->Run();
    }
    if (old_flags != entry.flags.bits) {
      // The replaced entry takes new flags; a later entry of the same DC,
      // family and media kind that already has them would collide with it on
      // the (dc_id, flags) key. It is the older duplicate: drop it.
      TGS_ASSIGN_OR_RETURN(Statement * dup, Cached(kDeleteDcDuplicate));
      dup->BindInt(1, entry.dc_id).BindInt(2, entry.flags.bits).BindInt(3, rowid);
      TGS_RETURN_IF_ERROR(dup->Run());
    }
    TGS_ASSIGN_OR_RETURN(Statement * update, Cached(kUpdateDcRow));
    update->BindInt(1, rowid);
    BindDc(*update, 2, entry);
    return update->Run();
  });
}

absl::Status SqliteBackend::ApplyUpdateState(const UpdateStateChange& change) {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  TGS_RETURN_IF_ERROR(WithContext(EnsureOrderColumns(), Name()));
  return WriteTransaction(/*durable=*/false, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_RETURN_IF_ERROR(EnsureSessionRow());
    switch (change.kind) {
      case UpdateStateChange::Kind::kAll: {
        const UpdatesState& u = change.all;
        TGS_RETURN_IF_ERROR(CheckKeyedChannels(u, options_.limits, kSqliteSchema));
        // Replaces the counters (no MAX: this is an explicit state change).
        TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kReplaceState));
        st->BindInt(1, u.pts).BindInt(2, u.qts).BindInt(3, u.date).BindInt(4, u.seq);
        TGS_RETURN_IF_ERROR(st->Run());
        return InsertChannels(u);
      }
      case UpdateStateChange::Kind::kPrimary: {
        TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetPrimary));
        st->BindInt(1, change.pts).BindInt(2, change.date).BindInt(3, change.seq);
        return st->Run();
      }
      case UpdateStateChange::Kind::kSecondary: {
        TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetSecondary));
        st->BindInt(1, change.qts);
        return st->Run();
      }
      case UpdateStateChange::Kind::kChannel: {
        TGS_RETURN_IF_ERROR(RefreshNextOrder());
        TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kUpsertChannel));
        st->BindInt(1, change.channel_id).BindInt(2, change.pts);
        // An existing row keeps its position (the upsert does not touch
        // tgs_order); a number is used up either way, which only leaves gaps.
        if (write_order_) st->BindInt(3, TakeOrder(kChannels));
        return st->Run();
      }
    }
    return absl::InvalidArgumentError("unknown update state change");
  });
}

template <typename T, typename BindRow>
absl::Status SqliteBackend::UpsertRows(int table, absl::Span<const T> items, int list, BindRow bind_row) {
  const int cols = MultiRowColumns(table) + (write_order_ ? 1 : 0);
  for (size_t start = 0; start < items.size(); start += kRowsPerStatement) {
    const size_t rows = std::min(kRowsPerStatement, items.size() - start);
    Statement& st = cache_->multi_row[{table, rows}];
    if (!st.valid()) {
      TGS_ASSIGN_OR_RETURN(st, db_.Prepare(MultiRowSql(table, rows, write_order_), /*persistent=*/true));
    }
    for (size_t r = 0; r < rows; ++r) {
      const int first = static_cast<int>(r) * cols + 1;
      bind_row(st, items[start + r], first);
      // An existing row keeps its position (the upsert does not touch
      // tgs_order); a number is used up either way, which only leaves gaps.
      if (write_order_) st.BindInt(first + cols - 1, TakeOrder(list));
    }
    TGS_RETURN_IF_ERROR(st.Run());
  }
  return absl::OkStatus();
}

absl::Status SqliteBackend::ApplyChanges(const SessionChanges& changes) {
  if (changes.empty()) return absl::OkStatus();
  const NetUpdateState net = NetUpdateState::Of(changes.updates);
  if (net.replace_channels != nullptr) {
    TGS_RETURN_IF_ERROR(WithContext(CheckKeyedChannels(*net.replace_channels, options_.limits, kSqliteSchema), Name()));
  }
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  TGS_RETURN_IF_ERROR(WithContext(EnsureOrderColumns(), Name()));
  return WriteTransaction(/*durable=*/false, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_RETURN_IF_ERROR(EnsureSessionRow());
    TGS_RETURN_IF_ERROR(RefreshNextOrder());
    TGS_RETURN_IF_ERROR(UpsertRows(kMultiPeers, changes.peers, kPeers,
                                   [](Statement& st, const CachedPeer& p, int first) { BindPeer(st, p, first); }));
    TGS_RETURN_IF_ERROR(UpsertRows(kMultiMinPeers, changes.min_peers, kMinPeers,
                                   [](Statement& st, const CachedMinPeer& m, int first) {
                                     st.BindInt(first, m.user_id).BindInt(first + 1, m.peer_id).BindInt(first + 2,
                                                                                                       m.msg_id);
                                   }));
    if (net.replace_channels != nullptr) TGS_RETURN_IF_ERROR(InsertChannels(*net.replace_channels));
    TGS_RETURN_IF_ERROR(UpsertRows(kMultiChannels, absl::Span<const ChannelPts>(net.channels), kChannels,
                                   [](Statement& st, const ChannelPts& c, int first) {
                                     st.BindInt(first, c.channel_id).BindInt(first + 1, c.pts);
                                   }));
    if (net.primary) {
      TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetPrimary));
      st->BindInt(1, net.primary->pts).BindInt(2, net.primary->date).BindInt(3, net.primary->seq);
      TGS_RETURN_IF_ERROR(st->Run());
    }
    if (net.qts) {
      TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kSetSecondary));
      st->BindInt(1, *net.qts);
      TGS_RETURN_IF_ERROR(st->Run());
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteBackend::CachePeer(const CachedPeer& peer) {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpen());
  TGS_RETURN_IF_ERROR(WithContext(EnsureOrderColumns(), Name()));
  return WriteTransaction(/*durable=*/false, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    TGS_RETURN_IF_ERROR(EnsureSessionRow());
    TGS_RETURN_IF_ERROR(RefreshNextOrder());
    TGS_ASSIGN_OR_RETURN(Statement * st, Cached(kUpsertPeer));
    BindPeer(*st, peer);
    if (write_order_) st->BindInt(7, TakeOrder(kPeers));
    return st->Run();
  });
}

}  // namespace tgsession
