#include "session/interop/sqlite/sqlite_formats.h"

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "session/interop/sqlite/ferogram_sqlite.h"
#include "session/interop/sqlite/image.h"
#include "session/interop/sqlite/pyrogram_sqlite.h"
#include "session/interop/sqlite/rows.h"
#include "session/interop/sqlite/telethon_sqlite.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

int64_t NowOr(const WriteOptions& options) {
  return options.now_unix != 0 ? options.now_unix : static_cast<int64_t>(std::time(nullptr));
}

absl::StatusOr<ImportedSession> ReadTelethonSqlite(absl::string_view bytes, const ReadOptions&) {
  return ImportTelethonSqlite(bytes);
}

absl::StatusOr<SecretString> WriteTelethonSqlite(const ImportedSession& in, const SessionExtras& extras,
                                                 const WriteOptions& options, ConversionSummary* summary) {
  return ExportTelethonSqlite(in.session, extras, NowOr(options), &summary->dropped);
}

absl::StatusOr<ImportedSession> ReadPyrogramSqlite(absl::string_view bytes, const ReadOptions&) {
  return ImportPyrogramSqlite(bytes);
}

absl::StatusOr<SecretString> WritePyrogramSqlite(const ImportedSession& in, const SessionExtras& extras,
                                                 const WriteOptions& options, ConversionSummary* summary) {
  return ExportPyrogramSqlite(in.session, extras, NowOr(options), &summary->dropped);
}

absl::StatusOr<ImportedSession> ReadFerogramSqlite(absl::string_view bytes, const ReadOptions&) {
  return ImportFerogramSqlite(bytes);
}

absl::StatusOr<SecretString> WriteFerogramSqlite(const ImportedSession& in, const SessionExtras&,
                                                 const WriteOptions&, ConversionSummary*) {
  return ExportFerogramSqlite(in.session);
}

// Which SQLite session format a database is, by its tables.
absl::StatusOr<Format> ClassifySqlite(sqlite::Db& db) {
  TGS_ASSIGN_OR_RETURN(std::vector<std::string> tables, db.TableNames());
  const auto has = [&](absl::string_view t) { return std::find(tables.begin(), tables.end(), t) != tables.end(); };
  if (has("meta") && has("dcs")) return Format::kFerogramSqlite;
  if (has("sessions") && has("version")) {
    TGS_ASSIGN_OR_RETURN(std::vector<std::string> cols, db.TableColumns("version"));
    if (cols.size() == 1 && cols[0] == "version") return Format::kTelethonSqlite;
    if (cols.size() == 1 && cols[0] == "number") return Format::kPyrogramSqlite;
  }
  return absl::InvalidArgumentError(absl::StrCat("an SQLite file, but not a session file tgsession knows (tables: ",
                                                 tables.empty() ? "none" : absl::StrJoin(tables, ", "), ")"));
}

absl::StatusOr<ImportedSession> ReadAnySqlite(absl::string_view bytes, const ReadOptions&) {
  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::OpenImage(bytes));
  TGS_ASSIGN_OR_RETURN(Format f, ClassifySqlite(db));
  switch (f) {
    case Format::kTelethonSqlite:
      return sqlite_internal::ImportTelethonSqliteDb(db);
    case Format::kPyrogramSqlite:
      return sqlite_internal::ImportPyrogramSqliteDb(db);
    default:
      return ImportFerogramSqlite(bytes);
  }
}

std::vector<FormatCodec> SqliteCodecs(std::vector<FormatCodec> codecs) {
  codecs.push_back({Format::kTelethonSqlite, ReadTelethonSqlite, WriteTelethonSqlite});
  codecs.push_back({Format::kPyrogramSqlite, ReadPyrogramSqlite, WritePyrogramSqlite});
  codecs.push_back({Format::kFerogramSqlite, ReadFerogramSqlite, WriteFerogramSqlite});
  return codecs;
}

}  // namespace

const Formats& SqliteFormats() {
  static const Formats* const formats = new Formats(SqliteCodecs(PortableFormats().codecs()), ReadAnySqlite);
  return *formats;
}

const Formats& SqliteFileFormats() {
  static const Formats* const formats = new Formats(SqliteCodecs({}), ReadAnySqlite);
  return *formats;
}

}  // namespace interop
}  // namespace tgsession
