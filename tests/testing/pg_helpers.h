// Helpers shared by the PostgreSQL tests: stores and sessions that fail the
// test instead of returning errors, a child process holding a session's
// lease (for the tests that kill it), and a plain admin connection to look
// behind the backend's back.
#ifndef TGSESSION_TESTS_TESTING_PG_HELPERS_H_
#define TGSESSION_TESTS_TESTING_PG_HELPERS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "backends/postgres_backend.h"
#include "backends/postgres_db.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {

std::unique_ptr<PostgresStore> OpenStoreOrDie(const std::string& conninfo, const PostgresOptions& o = {});
std::unique_ptr<PostgresBackend> OpenSessionOrDie(PostgresStore& store, const std::string& name,
                                                  const OpenSessionOptions& o = {});

// Forks a process that opens session `name` on `conninfo` with a 1 s lease
// and the owner label "child-process-<its pid>", saves `first` and, once that
// is acknowledged, runs `then` and exits 0. Returns its pid once the save is
// acknowledged; -1, after a test failure, when the child could not open or
// save. The caller kills it and waits for it.
pid_t ForkLeaseHolder(const std::string& conninfo, const std::string& name, const Session& first,
                      const std::function<void(PostgresBackend&)>& then);
// For `then`: hold the lease (renewing it) until killed.
void HoldUntilKilled(PostgresBackend&);

// A plain connection to `db` on `server` (no prepared statements).
std::unique_ptr<pg::Connection> Admin(PgTestServer& server, const std::string& db = "tgs");
void AdminExec(PgTestServer& server, const std::string& sql, const std::string& db = "tgs");
// The single integer `sql` returns (-1 after a test failure).
int64_t AdminInt(PgTestServer& server, const std::string& sql, const std::string& db = "tgs");
// Drops and creates database `name`; returns it.
std::string FreshDatabase(PgTestServer& server, const std::string& name);

// TSan cannot start threads in a child forked from a multi-threaded process
// (our stores have renewal threads): the fork-based tests run in the other
// configurations, the threaded ones under TSan too.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kUnderTsan = true;
#else
inline constexpr bool kUnderTsan = false;
#endif
#else
inline constexpr bool kUnderTsan = false;
#endif
#define SKIP_FORK_UNDER_TSAN() \
  if (kUnderTsan) GTEST_SKIP() << "forks a multi-threaded process, which TSan does not support"

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PG_HELPERS_H_
