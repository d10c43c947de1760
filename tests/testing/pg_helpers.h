// Helpers shared by the PostgreSQL tests: stores and sessions that fail the
// test instead of returning errors, and a plain admin connection to look
// behind the backend's back.
#ifndef TGSESSION_TESTS_TESTING_PG_HELPERS_H_
#define TGSESSION_TESTS_TESTING_PG_HELPERS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {

std::unique_ptr<PostgresStore> OpenStoreOrDie(const std::string& conninfo, const PostgresOptions& o = {});
std::unique_ptr<PostgresBackend> OpenSessionOrDie(PostgresStore& store, const std::string& name,
                                                  const OpenSessionOptions& o = {});
Session LoadOrDie(SessionBackend& b);

// A plain connection to `db` on `server` (no prepared statements).
std::unique_ptr<pg::Connection> Admin(PgTestServer& server, const std::string& db = "tgs");
void AdminExec(PgTestServer& server, const std::string& sql, const std::string& db = "tgs");
// The single integer `sql` returns (-1 after a test failure).
int64_t AdminInt(PgTestServer& server, const std::string& sql, const std::string& db = "tgs");
// Drops and creates database `name`; returns it.
std::string FreshDatabase(PgTestServer& server, const std::string& name);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PG_HELPERS_H_
