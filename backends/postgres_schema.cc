#include "backends/postgres_schema.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "backends/postgres_sql.h"
#include "session/status_macros.h"

namespace tgsession {
namespace postgres_schema {

using pg::Result;
using pg::Transaction;
namespace sql = postgres_sql;

namespace {
constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
}  // namespace

absl::StatusOr<int> ReadSchemaVersion(pg::Connection& conn) {
  TGS_ASSIGN_OR_RETURN(Result exists, conn.Query("SELECT to_regclass('tgs_schema_version') IS NOT NULL",
                                                 "looking for the tgsession schema"));
  TGS_ASSIGN_OR_RETURN(const bool has_version, pg::GetBool(exists, 0, 0, [] { return std::string("to_regclass"); }));
  if (!has_version) return 0;
  TGS_ASSIGN_OR_RETURN(Result r, conn.Query("SELECT version FROM tgs_schema_version WHERE id = 1",
                                            "reading the tgsession schema version"));
  if (r.rows() == 0) return 0;
  TGS_ASSIGN_OR_RETURN(const int64_t v, pg::GetInt(r, 0, 0, [] { return std::string("tgs_schema_version.version"); }));
  return static_cast<int>(std::clamp<int64_t>(v, -1, kI32Max));
}

absl::Status CheckSchemaVersion(int version) {
  if (version > PostgresStore::kSchemaVersion || version < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database has tgsession schema version ", version, "; this tgsession reads version ",
                     PostgresStore::kSchemaVersion, " (upgrade tgsession)"));
  }
  return absl::OkStatus();
}

std::vector<std::string> MigrationStatements(int from) {
  std::vector<std::string> out;
  if (from >= PostgresStore::kSchemaVersion) return out;
  out.push_back(absl::StrCat("SELECT pg_advisory_xact_lock(", sql::kMigrationLockKey, ")"));
  out.push_back(sql::kCreateVersionTable);
  for (int next = from + 1; next <= PostgresStore::kSchemaVersion; ++next) {
    out.push_back(std::string(absl::StripAsciiWhitespace(sql::kMigrations[next - 1])));
  }
  out.push_back(absl::StrCat("INSERT INTO tgs_schema_version (id, version) VALUES (1, ", PostgresStore::kSchemaVersion,
                             ") ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, migrated_at = now()"));
  return out;
}

absl::StatusOr<PostgresMigration> RunMigration(pg::Connection& conn) {
  PostgresMigration m;
  m.to_version = PostgresStore::kSchemaVersion;
  TGS_ASSIGN_OR_RETURN(m.from_version, ReadSchemaVersion(conn));
  TGS_RETURN_IF_ERROR(CheckSchemaVersion(m.from_version));
  if (m.from_version == PostgresStore::kSchemaVersion) return m;
  TGS_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, Transaction::Kind::kReadWrite,
                                                           Transaction::Sync::kDurable));
  TGS_RETURN_IF_ERROR(conn.Exec(MigrationStatements(0)[0], "waiting for the schema migration lock"));
  // Read with a plain SELECT: the catalog lookup of ReadSchemaVersion can
  // miss a table another opener created while we waited for the lock.
  TGS_RETURN_IF_ERROR(conn.Exec(sql::kCreateVersionTable, "creating tgs_schema_version"));
  {
    TGS_ASSIGN_OR_RETURN(Result r, conn.Query("SELECT version FROM tgs_schema_version WHERE id = 1",
                                              "reading the tgsession schema version"));
    m.from_version = 0;
    if (r.rows() == 1) {
      TGS_ASSIGN_OR_RETURN(const int64_t v,
                           pg::GetInt(r, 0, 0, [] { return std::string("tgs_schema_version.version"); }));
      m.from_version = static_cast<int>(std::clamp<int64_t>(v, -1, kI32Max));
    }
  }
  TGS_RETURN_IF_ERROR(CheckSchemaVersion(m.from_version));
  if (m.from_version == PostgresStore::kSchemaVersion) return m;  // another opener did it
  const std::vector<std::string> statements = MigrationStatements(m.from_version);
  for (size_t i = 2; i < statements.size(); ++i) {
    TGS_RETURN_IF_ERROR(conn.Exec(statements[i], absl::StrCat("migrating the tgsession schema from version ",
                                                              m.from_version, " (statement ", i + 1, ")")));
  }
  TGS_RETURN_IF_ERROR(txn.Commit());
  m.statements = statements;
  return m;
}

}  // namespace postgres_schema
}  // namespace tgsession
