#include "session/interop/sqlite/telethon_sqlite.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "session/interop/sqlite/image.h"
#include "session/interop/sqlite/marked_peers.h"
#include "session/interop/sqlite/rows.h"
#include "session/interop/wire.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

constexpr absl::string_view kWhat = "telethon-sqlite";

// Telethon 1.25.1's CREATE statements, byte for byte as they appear in
// sqlite_master of the files it writes (tests/vectors/interop).
constexpr const char* kSchema[] = {
    "CREATE TABLE version (version integer primary key)",
    "CREATE TABLE sessions (\n"
    "                    dc_id integer primary key,\n"
    "                    server_address text,\n"
    "                    port integer,\n"
    "                    auth_key blob,\n"
    "                    takeout_id integer\n"
    "                )",
    "CREATE TABLE entities (\n"
    "                    id integer primary key,\n"
    "                    hash integer not null,\n"
    "                    username text,\n"
    "                    phone integer,\n"
    "                    name text,\n"
    "                    date integer\n"
    "                )",
    "CREATE TABLE sent_files (\n"
    "                    md5_digest blob,\n"
    "                    file_size integer,\n"
    "                    type integer,\n"
    "                    id integer,\n"
    "                    hash integer,\n"
    "                    primary key(md5_digest, file_size, type)\n"
    "                )",
    "CREATE TABLE update_state (\n"
    "                    id integer primary key,\n"
    "                    pts integer,\n"
    "                    qts integer,\n"
    "                    date integer,\n"
    "                    seq integer\n"
    "                )",
};

absl::StatusOr<int32_t> ToInt32(const sqlite::rows::Row& row, absl::string_view name, int64_t v) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return row.Error(name, absl::StrCat(v, " does not fit 32 bits"));
  }
  return static_cast<int32_t>(v);
}

absl::Status ReadSessions(sqlite::Db& db, ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(
      sqlite::Statement st,
      sqlite::rows::SelectByName(db, kWhat, "sessions", {"dc_id", "server_address", "port", "auth_key", "takeout_id"},
                                 {"dc_id", "server_address", "port", "auth_key"}));
  const auto read_row = [&](const sqlite::rows::Row& row) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(int64_t dc_id64, row.Int(0, "dc_id"));
    TGS_ASSIGN_OR_RETURN(int32_t dc_id, ToInt32(row, "dc_id", dc_id64));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> addr, row.OptText(1, "server_address"));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> port, row.OptInt(2, "port"));
    TGS_ASSIGN_OR_RETURN(std::optional<absl::string_view> key, row.OptBlobView(3, "auth_key"));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> takeout, row.OptInt(4, "takeout_id"));
    if (row.number() > 1) {
      // Telethon keeps one row (set_dc deletes the others) and reads the
      // first; more rows come from another writer.
      out.info.warnings.push_back(absl::StrCat("sessions row ", row.number(), " (DC ", dc_id,
                                               ") ignored: Telethon reads only the first row"));
      out.info.anomaly_count += 1;
      return absl::OkStatus();
    }
    if (takeout) out.extras.takeout_id = *takeout;
    out.session.home_dc_id = dc_id;
    if (!addr) {
      // A fresh file: SQLiteSession() saved before any DC was set.
      if (key && !key->empty()) return row.Error("server_address", "NULL beside an auth key");
      out.info.warnings.push_back("no DC stored yet (a Telethon session that never connected)");
      return absl::OkStatus();
    }
    if (!port || *port < 1 || *port > 65535) return row.Error("port", "missing or not a TCP port");
    DcEntry e = DcEntry::FromParts(dc_id, *addr, static_cast<uint16_t>(*port), DcFlags());
    if (addr->find(':') != std::string::npos) e.flags.Set(DcFlags::kIpv6);
    absl::StatusOr<HostPort> hp = e.ParseAddress();
    if (!hp.ok()) return row.Error("server_address", hp.status().message());
    if (key && !key->empty()) {
      absl::StatusOr<AuthKey> k = AuthKey::FromBytes(*key);
      if (!k.ok()) return row.Error("auth_key", absl::StrCat(key->size(), " bytes (expected 256)"));
      e.auth_key = *std::move(k);
    }
    out.session.dcs.push_back(std::move(e));
    return absl::OkStatus();
  };
  TGS_ASSIGN_OR_RETURN(const int64_t n, sqlite::rows::ForEachRow(st, kWhat, "sessions", read_row));
  if (n == 0) out.info.warnings.push_back("no sessions row: nothing stored yet");
  return absl::OkStatus();
}

absl::Status ReadEntities(sqlite::Db& db, ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(bool has, db.HasTable("entities"));
  if (!has) return absl::OkStatus();
  TGS_ASSIGN_OR_RETURN(sqlite::Statement st,
                       sqlite::rows::SelectByName(db, kWhat, "entities",
                                                  {"id", "hash", "username", "phone", "name", "date"}, {"id", "hash"}));
  int64_t dated = 0;
  const auto read_row = [&](const sqlite::rows::Row& row) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(int64_t id, row.Int(0, "id"));
    TGS_ASSIGN_OR_RETURN(int64_t hash, row.Int(1, "hash"));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> username, row.OptText(2, "username"));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> phone, row.OptText(3, "phone", /*allow_int=*/true));
    TGS_ASSIGN_OR_RETURN(std::optional<std::string> name, row.OptText(4, "name"));
    bool date_real = false;
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> date, row.OptIntOrReal(5, "date", &date_real));
    if (date) ++dated;
    if (id == 0) {
      // Telethon 1.28+: InputPeerUser(0, self_id) stores the own user id.
      if (hash <= 0) return row.Error("hash", "the self-id row (id 0) holds no user id");
      out.extras.user_id = hash;
      return absl::OkStatus();
    }
    absl::StatusOr<BarePeerId> bare = UnmarkPeerId(id);
    if (!bare.ok()) return row.Error("id", bare.status().message());
    CachedPeer p;
    p.id = bare->id;
    p.type = bare->type;
    p.access_hash = hash;
    if (out.session.FindPeer(p.id) != nullptr) {
      // Our model keys peers by bare id (as ferogram does).
      out.info.warnings.push_back(absl::StrCat("entity ", id, " skipped: another entity has the same bare id ", p.id));
      out.info.anomaly_count += 1;
      return absl::OkStatus();
    }
    out.session.CachePeer(p);
    PeerExtras x;
    x.username = std::move(username);
    x.phone = std::move(phone);
    x.name = std::move(name);
    if (!x.empty()) out.extras.peers[id] = std::move(x);
    return absl::OkStatus();
  };
  TGS_RETURN_IF_ERROR(sqlite::rows::ForEachRow(st, kWhat, "entities", read_row).status());
  if (dated > 0) out.not_carried.push_back(absl::StrCat("entity dates (", dated, " rows)"));
  return absl::OkStatus();
}

absl::Status ReadUpdateState(sqlite::Db& db, ImportedSession& out) {
  TGS_ASSIGN_OR_RETURN(bool has, db.HasTable("update_state"));
  if (!has) return absl::OkStatus();
  TGS_ASSIGN_OR_RETURN(sqlite::Statement st,
                       sqlite::rows::SelectByName(db, kWhat, "update_state", {"id", "pts", "qts", "date", "seq"},
                                                  {"id", "pts"}));
  const auto read_row = [&](const sqlite::rows::Row& row) -> absl::Status {
    TGS_ASSIGN_OR_RETURN(int64_t id, row.Int(0, "id"));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> pts64, row.OptInt(1, "pts"));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> qts64, row.OptInt(2, "qts"));
    bool date_real = false;
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> date64, row.OptIntOrReal(3, "date", &date_real));
    TGS_ASSIGN_OR_RETURN(std::optional<int64_t> seq64, row.OptInt(4, "seq"));
    TGS_ASSIGN_OR_RETURN(int32_t pts, ToInt32(row, "pts", pts64.value_or(0)));
    if (id == 0) {
      TGS_ASSIGN_OR_RETURN(int32_t qts, ToInt32(row, "qts", qts64.value_or(0)));
      TGS_ASSIGN_OR_RETURN(int32_t date, ToInt32(row, "date", date64.value_or(0)));
      TGS_ASSIGN_OR_RETURN(int32_t seq, ToInt32(row, "seq", seq64.value_or(0)));
      UpdatesState& u = out.session.updates_state;
      u.pts = pts;
      u.qts = qts;
      u.date = date;
      u.seq = seq;
      if (date_real) {
        out.info.warnings.push_back(absl::StrCat("update_state date is fractional; read as ", date));
      }
      return absl::OkStatus();
    }
    if (id < 0) return row.Error("id", absl::StrCat(id, " is not a channel id"));
    // Telethon keeps only pts for channels; their date is arbitrary.
    out.session.updates_state.SetChannelPts(id, pts);
    return absl::OkStatus();
  };
  return sqlite::rows::ForEachRow(st, kWhat, "update_state", read_row).status();
}

}  // namespace

namespace sqlite_internal {

absl::StatusOr<ImportedSession> ImportTelethonSqliteDb(sqlite::Db& db) {
  ImportedSession out;
  out.format = Format::kTelethonSqlite;
  TGS_ASSIGN_OR_RETURN(bool has_version, db.HasTable("version"));
  TGS_ASSIGN_OR_RETURN(bool has_sessions, db.HasTable("sessions"));
  if (!has_version || !has_sessions) {
    return absl::InvalidArgumentError(absl::StrCat(kWhat, ": not a Telethon session file (no ",
                                                   has_version ? "sessions" : "version", " table)"));
  }
  TGS_ASSIGN_OR_RETURN(int64_t version, sqlite::rows::SchemaVersion(db, kWhat, "version"));
  if (version > kTelethonSchemaVersion) {
    return absl::UnimplementedError(absl::StrCat(kWhat, ": schema version ", version,
                                                 " is newer than Telethon 1.x's ", kTelethonSchemaVersion));
  }
  out.info.layout = absl::StrCat("schema ", version);
  if (version < kTelethonSchemaVersion) {
    out.info.warnings.push_back(absl::StrCat("schema version ", version,
                                             " (Telethon migrates it to 7 on open); read by column name"));
  }
  TGS_RETURN_IF_ERROR(ReadSessions(db, out));
  TGS_RETURN_IF_ERROR(ReadEntities(db, out));
  TGS_RETURN_IF_ERROR(ReadUpdateState(db, out));
  TGS_ASSIGN_OR_RETURN(int64_t sent, sqlite::rows::CountRows(db, "sent_files"));
  if (sent > 0) {
    out.not_carried.push_back(absl::StrCat("sent_files: ", sent, " rows (Telethon's cache of uploaded files)"));
  }
  return out;
}

}  // namespace sqlite_internal

absl::StatusOr<ImportedSession> ImportTelethonSqlite(absl::string_view file_bytes) {
  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::OpenImage(file_bytes));
  return sqlite_internal::ImportTelethonSqliteDb(db);
}

absl::StatusOr<SecretString> ExportTelethonSqlite(const Session& session, const SessionExtras& extras,
                                                  int64_t now_unix, std::vector<std::string>* dropped) {
  // The sessions row: as for Telethon strings, the home DC's entry with a
  // key; a host name is allowed here (Telethon connects to it).
  TGS_ASSIGN_OR_RETURN(const DcEntry* home, internal::HomeEntryWithKey(session, kWhat));
  absl::StatusOr<HostPort> hp = home->ParseAddress();
  if (!hp.ok()) return absl::FailedPreconditionError(hp.status().message());

  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::OpenInMemory());
  for (const char* sql : kSchema) TGS_RETURN_IF_ERROR(db.Exec(sql));
  TGS_ASSIGN_OR_RETURN(sqlite::Transaction tx, sqlite::Transaction::Begin(db, sqlite::Transaction::Kind::kImmediate));
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("insert into version values (?)"));
    st.BindInt(1, kTelethonSchemaVersion);
    TGS_RETURN_IF_ERROR(st.Run());
  }
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("insert or replace into sessions values (?,?,?,?,?)"));
    st.BindInt(1, session.home_dc_id).BindText(2, hp->host).BindInt(3, hp->port).BindBlob(4, home->auth_key->bytes());
    if (extras.takeout_id) {
      st.BindInt(5, *extras.takeout_id);
    } else {
      st.BindNull(5);
    }
    TGS_RETURN_IF_ERROR(st.Run());
  }
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("insert or replace into entities values (?,?,?,?,?,?)"));
    const auto bind_date = [&] {
      if (now_unix > 0) {
        st.BindInt(6, now_unix);
      } else {
        st.BindNull(6);
      }
    };
    const auto bind_opt = [&](int i, const std::optional<std::string>& v) {
      if (v) {
        st.BindText(i, *v);
      } else {
        st.BindNull(i);
      }
    };
    if (extras.user_id) {
      st.BindInt(1, 0).BindInt(2, *extras.user_id).BindNull(3).BindNull(4).BindNull(5);
      bind_date();
      TGS_RETURN_IF_ERROR(st.Run());
    }
    TGS_RETURN_IF_ERROR(sqlite_internal::ForEachMarkedPeer(session, dropped, [&](const CachedPeer& p, int64_t marked) {
      const PeerExtras* x = extras.FindPeer(p);
      st.BindInt(1, marked).BindInt(2, p.access_hash);
      bind_opt(3, x != nullptr ? x->username : std::nullopt);
      bind_opt(4, x != nullptr ? x->phone : std::nullopt);
      bind_opt(5, x != nullptr ? x->name : std::nullopt);
      bind_date();
      return st.Run();
    }));
  }
  {
    TGS_ASSIGN_OR_RETURN(sqlite::Statement st, db.Prepare("insert or replace into update_state values (?,?,?,?,?)"));
    const UpdatesState& u = session.updates_state;
    if (u.pts != 0 || u.qts != 0 || u.date != 0 || u.seq != 0) {
      st.BindInt(1, 0).BindInt(2, u.pts).BindInt(3, u.qts).BindInt(4, u.date).BindInt(5, u.seq);
      TGS_RETURN_IF_ERROR(st.Run());
    }
    for (const ChannelPts& c : u.channels()) {
      if (c.channel_id <= 0) {
        // Row 0 is the global state; negative ids are no channel.
        if (dropped != nullptr) dropped->push_back(absl::StrCat("pts of channel ", c.channel_id, " (not a channel id)"));
        continue;
      }
      // Telethon ignores a channel's date ("any datetime works; channels
      // don't need it"), but reads it as a number.
      st.BindInt(1, c.channel_id).BindInt(2, c.pts).BindInt(3, 0).BindInt(4, 0).BindInt(5, 0);
      TGS_RETURN_IF_ERROR(st.Run());
    }
  }
  TGS_RETURN_IF_ERROR(tx.Commit());
  return sqlite::SerializeImage(db);
}

}  // namespace interop
}  // namespace tgsession
