// The tgsession schema in a PostgreSQL database: which version it has, and
// the statements that bring it to PostgresStore::kSchemaVersion, run in one
// transaction under an advisory lock so that openers racing on a fresh
// database migrate it once. Internal to //backends:postgres; the schema
// itself is in postgres_sql.h and docs/postgres.md.
#ifndef TGSESSION_BACKENDS_POSTGRES_SCHEMA_H_
#define TGSESSION_BACKENDS_POSTGRES_SCHEMA_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"

namespace tgsession {
namespace postgres_schema {

// The version recorded in tgs_schema_version; 0 for a database without it.
absl::StatusOr<int> ReadSchemaVersion(pg::Connection& conn);

// kFailedPrecondition for a version this tgsession cannot read (newer than
// kSchemaVersion, or negative).
absl::Status CheckSchemaVersion(int version);

// Every statement taking the schema from `from` to kSchemaVersion, in the
// order RunMigration runs them (and `tgsession pg migrate --dry-run` prints
// them); empty when there is nothing to do.
std::vector<std::string> MigrationStatements(int from);

// Creates or migrates the schema in one transaction under the migration
// lock (DDL is transactional in PostgreSQL: a failure leaves the previous
// version). The version is read again under the lock: another opener may
// have migrated meanwhile. Returns what ran.
absl::StatusOr<PostgresMigration> RunMigration(pg::Connection& conn);

}  // namespace postgres_schema
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_SCHEMA_H_
