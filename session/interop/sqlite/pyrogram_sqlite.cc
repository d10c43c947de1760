#include "session/interop/sqlite/pyrogram_sqlite.h"

#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "session/interop/known_dcs.h"
#include "session/interop/sqlite/image.h"
#include "session/interop/sqlite/marked_peers.h"
#include "session/interop/sqlite/rows.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "pyrogram-sqlite";

// Pyrogram 2.0.106's schema, statement by statement, with the exact text
// sqlite_master shows for its files (tests/vectors/interop).
constexpr const char* kSchema[] = {
    "CREATE TABLE sessions\n"
    "(\n"
    "    dc_id     INTEGER PRIMARY KEY,\n"
    "    api_id    INTEGER,\n"
    "    test_mode INTEGER,\n"
    "    auth_key  BLOB,\n"
    "    date      INTEGER NOT NULL,\n"
    "    user_id   INTEGER,\n"
    "    is_bot    INTEGER\n"
    ")",
    "CREATE TABLE peers\n"
    "(\n"
    "    id             INTEGER PRIMARY KEY,\n"
    "    access_hash    INTEGER,\n"
    "    type           INTEGER NOT NULL,\n"
    "    username       TEXT,\n"
    "    phone_number   TEXT,\n"
    "    last_update_on INTEGER NOT NULL DEFAULT (CAST(STRFTIME('%s', 'now') AS INTEGER))\n"
    ")",
    "CREATE TABLE version\n"
    "(\n"
    "    number INTEGER PRIMARY KEY\n"
    ")",
    "CREATE INDEX idx_peers_id ON peers (id)",
    "CREATE INDEX idx_peers_username ON peers (username)",
    "CREATE INDEX idx_peers_phone_number ON peers (phone_number)",
    "CREATE TRIGGER trg_peers_last_update_on\n"
    "    AFTER UPDATE\n"
    "    ON peers\n"
    "BEGIN\n"
    "    UPDATE peers\n"
    "    SET last_update_on = CAST(STRFTIME('%s', 'now') AS INTEGER)\n"
    "    WHERE id = NEW.id;\n"
    "END",
};

absl::StatusOr<std::optional<bool>> OptBool(const sqlite::rows::Row& row, int col, absl::string_view name,
                                            ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(std::optional<int64_t> v, row.OptInt(col, name));
  if (!v) return std::optional<bool>();
  if (*v != 0 && *v != 1) {
    out.info.warnings.push_back(absl::StrCat("sessions.", name, " is ", *v, ", read as true (as Python does)"));
    out.info.anomaly_count += 1;
  }
  return std::optional<bool>(*v != 0);
}

absl::Status ReadSessions(sqlite::Db& db, ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(sqlite::Statement st,
                       sqlite::rows::SelectByName(db, kWhat, "sessions",
                                                  {"dc_id", "api_id", "test_mode", "auth_key", "user_id", "is_bot"},
                                                  {"dc_id", "test_mode", "auth_key", "user_id", "is_bot"}));
  TGS_ASSIGN_OR_RETURN(bool has_row, st.Step());
  if (!has_row) return absl::DataLossError(absl::StrCat(kWhat, ": the sessions table is empty"));
  const sqlite::rows::Row row(st, kWhat, "sessions", 1);
  TGS_ASSIGN_OR_RETURN(int64_t dc_id, row.Int(0, "dc_id"));
  if (dc_id < 1 || dc_id > 255) return row.Error("dc_id", absl::StrCat(dc_id, " is not a DC id"));
  TGS_ASSIGN_OR_RETURN(std::optional<int64_t> api_id, row.OptInt(1, "api_id"));
  TGS_ASSIGN_OR_RETURN(std::optional<bool> test_mode, OptBool(row, 2, "test_mode", out));
  TGS_ASSIGN_OR_RETURN(std::optional<absl::string_view> key, row.OptBlobView(3, "auth_key"));
  TGS_ASSIGN_OR_RETURN(std::optional<int64_t> user_id, row.OptInt(4, "user_id"));
  TGS_ASSIGN_OR_RETURN(std::optional<bool> is_bot, OptBool(row, 5, "is_bot", out));
  if (api_id) {
    if (*api_id < 0 || *api_id > std::numeric_limits<int32_t>::max()) {
      return row.Error("api_id", absl::StrCat(*api_id, " is not an api_id"));
    }
    out.extras.api_id = static_cast<int32_t>(*api_id);
  }
  out.extras.test_mode = test_mode.value_or(false);
  if (user_id && *user_id != 0) out.extras.user_id = *user_id;
  if (is_bot) out.extras.is_bot = *is_bot;
  out.session.home_dc_id = static_cast<int32_t>(dc_id);
  std::optional<HostPort> hp = PyrogramDcAddress(static_cast<int32_t>(dc_id), *out.extras.test_mode);
  if (!hp) {
    return absl::FailedPreconditionError(absl::StrCat(kWhat, ": DC ", dc_id, *out.extras.test_mode ? " (test)" : "",
                                                      " has no address Pyrogram knows, and the file stores none"));
  }
  DcEntry e = DcEntry::FromParts(static_cast<int32_t>(dc_id), hp->host, hp->port, DcFlags());
  if (key && !key->empty()) {
    absl::StatusOr<AuthKey> k = AuthKey::FromBytes(*key);
    if (!k.ok()) return row.Error("auth_key", absl::StrCat(key->size(), " bytes (expected 256)"));
    e.auth_key = *std::move(k);
  } else {
    out.info.warnings.push_back("no auth key stored (a Pyrogram session that never logged in)");
  }
  out.session.dcs.push_back(std::move(e));
  out.info.warnings.push_back(absl::StrCat("DC address: not stored in Pyrogram files; using ",
                                           FormatHostPort(hp->host, hp->port), ", Pyrogram's address for DC ", dc_id,
                                           *out.extras.test_mode ? " (test)" : ""));
  TGS_ASSIGN_OR_RETURN(bool more, st.Step());
  if (more) {
    out.info.warnings.push_back("sessions has more than one row; Pyrogram reads the first");
    out.info.anomaly_count += 1;
    st.Reset();
  }
  return absl::OkStatus();
}

absl::Status ReadPeers(sqlite::Db& db, ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(bool has, db.HasTable("peers"));
  if (!has) return absl::OkStatus();
  TGS_ASSIGN_OR_RETURN(sqlite::Statement st,
                       sqlite::rows::SelectByName(db, kWhat, "peers",
                                                  {"id", "access_hash", "type", "username", "phone_number",
                                                   "last_update_on"},
                                                  {"id", "access_hash", "type"}));
  int64_t stamped = 0;
  const auto read_row = [&](const sqlite::rows::Row& row) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(int64_t id, row.Int(0, "id"));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> hash, row.OptInt(1, "access_hash"));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> type, row.OptText(2, "type"));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> username, row.OptText(3, "username"));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> phone, row.OptText(4, "phone_number", /*allow_int=*/true));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> stamp, row.OptInt(5, "last_update_on"));
    if (stamp) ++stamped;
    if (!type) return row.Error("type", "NULL");
    absl::StatusOr<BarePeerId> bare = UnmarkPeerId(id);
    if (!bare.ok()) return row.Error("id", bare.status().message());
    CachedPeer p;
    p.id = bare->id;
    p.type = bare->type;
    p.access_hash = hash.value_or(0);
    PeerExtras x;
    PeerType want;
    if (*type == "user" || *type == "bot") {
      want = PeerType::kUser;
      x.is_bot = *type == "bot";
    } else if (*type == "group") {
      want = PeerType::kChat;
    } else if (*type == "channel") {
      want = PeerType::kChannel;
      p.channel_kind = ChannelKind::kBroadcast;
    } else if (*type == "supergroup") {
      want = PeerType::kChannel;
      p.channel_kind = ChannelKind::kMegagroup;
    } else {
      return row.Error("type", absl::StrCat("unknown peer type \"", *type, "\""));
    }
    if (want != p.type) {
      return row.Error("type", absl::StrCat("\"", *type, "\" does not match the id ", id));
    }
    if (out.session.FindPeer(p.id) != nullptr) {
      out.info.warnings.push_back(absl::StrCat("peer ", id, " skipped: another peer has the same bare id ", p.id));
      out.info.anomaly_count += 1;
      return absl::OkStatus();
    }
    out.session.CachePeer(p);
    x.username = std::move(username);
    x.phone = std::move(phone);
    if (!x.empty()) out.extras.peers[id] = std::move(x);
    return absl::OkStatus();
  };
  TGS_RETURN_IF_ERROR(sqlite::rows::ForEachRow(st, kWhat, "peers", read_row).status());
  if (stamped > 0) out.not_carried.push_back(absl::StrCat("peers.last_update_on (", stamped, " rows)"));
  return absl::OkStatus();
}

}  // namespace

namespace sqlite_internal {

absl::StatusOr<ImportedSession> ImportPyrogramSqliteDb(sqlite::Db& db) {
  ImportedSession out;
  out.format = Format::kPyrogramSqlite;
  TGS_ASSIGN_OR_RETURN(int64_t version, sqlite::rows::SchemaVersion(db, kWhat, "number"));
  out.info.layout = absl::StrCat("schema ", version);
  if (version < 2) {
    return absl::UnimplementedError(absl::StrCat(kWhat, ": schema version ", version, " (Pyrogram < 1.0)"));
  }
  if (version > kPyrogramSchemaVersion) {
    out.info.warnings.push_back(absl::StrCat("schema version ", version, " is newer than Pyrogram 2.0's ",
                                             kPyrogramSchemaVersion, " (a fork?); read by column name"));
  }
  TGS_RETURN_IF_ERROR(ReadSessions(db, out));
  TGS_RETURN_IF_ERROR(ReadPeers(db, out));
  TGS_ASSIGN_OR_RETURN(std::vector<std::string> tables, db.TableNames());
  for (const std::string& t : tables) {
    if (t == "sessions" || t == "peers" || t == "version") continue;
    TGS_ASSIGN_OR_RETURN(int64_t rows, sqlite::rows::CountRows(db, t));
    out.not_carried.push_back(absl::StrCat("table ", t, " (", rows, " rows; not part of Pyrogram 2.0's schema)"));
  }
  return out;
}

}  // namespace sqlite_internal

absl::StatusOr<ImportedSession> ImportPyrogramSqlite(absl::string_view file_bytes) {
  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::OpenImage(file_bytes));
  return sqlite_internal::ImportPyrogramSqliteDb(db);
}

absl::StatusOr<SecretString> ExportPyrogramSqlite(const Session& session, const SessionExtras& extras,
                                                  int64_t now_unix, std::vector<std::string>* dropped) {
  if (session.home_dc_id < 1 || session.home_dc_id > 255) {
    return absl::FailedPreconditionError(absl::StrCat("home DC ", session.home_dc_id, " is not a Pyrogram DC id"));
  }
  if (!extras.user_id || *extras.user_id <= 0) {
    return absl::FailedPreconditionError(
        "pyrogram-sqlite needs the account's user id, which the source does not hold (pass --user-id); "
        "Pyrogram treats a session without one as logged out");
  }
  TGS_ASSIGN_OR_RETURN(const DcEntry* home, internal::HomeEntryWithKey(session, kWhat));

  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::OpenInMemory());
  for (const char* sql : kSchema) TGS_RETURN_IF_ERROR(db.Exec(sql));
  TGS_ASSIGN_OR_RETURN(sqlite::Transaction tx, sqlite::Transaction::Begin(db, sqlite::Transaction::Kind::kImmediate));
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("INSERT INTO version VALUES (?)"));
    st.BindInt(1, kPyrogramSchemaVersion);
    TGS_RETURN_IF_ERROR(st.Run());
  }
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)"));
    st.BindInt(1, session.home_dc_id);
    if (extras.api_id) {
      st.BindInt(2, *extras.api_id);
    } else {
      st.BindNull(2);
    }
    st.BindInt(3, extras.test_mode.value_or(false) ? 1 : 0)
        .BindBlob(4, home->auth_key->bytes())
        .BindInt(5, now_unix)
        .BindInt(6, *extras.user_id)
        .BindInt(7, extras.is_bot.value_or(false) ? 1 : 0);
    TGS_RETURN_IF_ERROR(st.Run());
  }
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st,
                         db.Prepare("REPLACE INTO peers (id, access_hash, type, username, phone_number, "
                                    "last_update_on) VALUES (?, ?, ?, ?, ?, ?)"));
    TGS_RETURN_IF_ERROR(sqlite_internal::ForEachMarkedPeer(session, dropped, [&](const CachedPeer& p, int64_t marked) {
      const PeerExtras* x = extras.FindPeer(p);
      const char* type = "user";
      if (p.is_user()) {
        type = x != nullptr && x->is_bot.value_or(false) ? "bot" : "user";
      } else if (p.is_chat()) {
        type = "group";
      } else {
        type = p.channel_kind && *p.channel_kind != ChannelKind::kBroadcast ? "supergroup" : "channel";
      }
      st.BindInt(1, marked).BindInt(2, p.access_hash).BindText(3, type);
      if (x != nullptr && x->username) {
        st.BindText(4, *x->username);
      } else {
        st.BindNull(4);
      }
      if (x != nullptr && x->phone) {
        st.BindText(5, *x->phone);
      } else {
        st.BindNull(5);
      }
      // The time the file is dated (WriteOptions::now_unix), as Pyrogram's
      // column default would give it, so one conversion gives one file.
      st.BindInt(6, now_unix);
      return st.Run();
    }));
  }
  TGS_RETURN_IF_ERROR(tx.Commit());
  return sqlite::SerializeImage(db);
}

}  // namespace interop
}  // namespace tgsession
