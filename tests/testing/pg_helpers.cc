#include "tests/testing/pg_helpers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace testing {

std::unique_ptr<PostgresStore> OpenStoreOrDie(const std::string& conninfo, const PostgresOptions& o) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(conninfo, o);
  if (!s.ok()) {
    ADD_FAILURE() << s.status();
    return nullptr;
  }
  return std::move(*s);
}

std::unique_ptr<PostgresBackend> OpenSessionOrDie(PostgresStore& store, const std::string& name,
                                                  const OpenSessionOptions& o) {
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = store.OpenSession(name, o);
  if (!b.ok()) {
    ADD_FAILURE() << b.status();
    return nullptr;
  }
  return std::move(*b);
}

pid_t ForkLeaseHolder(const std::string& conninfo, const std::string& name, const Session& first,
                      const std::function<void(PostgresBackend&)>& then) {
  int ready[2];
  if (pipe(ready) != 0) {
    ADD_FAILURE() << "pipe: " << errno;
    return -1;
  }
  const pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork: " << errno;
    return -1;
  }
  if (child == 0) {
    close(ready[0]);
    PostgresOptions o;
    o.lease_ttl = absl::Seconds(1);
    o.owner_label = absl::StrCat("child-process-", getpid());
    absl::StatusOr<std::unique_ptr<PostgresBackend>> b = PostgresBackend::Open(conninfo, name, o);
    if (!b.ok()) _exit(2);
    if (!(*b)->Save(first).ok()) _exit(3);
    if (write(ready[1], "r", 1) != 1) _exit(4);
    then(**b);
    _exit(0);
  }
  close(ready[1]);
  char c;
  const bool acknowledged = read(ready[0], &c, 1) == 1;
  close(ready[0]);
  if (!acknowledged) {
    int status = 0;
    waitpid(child, &status, 0);
    ADD_FAILURE() << "the child failed to open or save session " << name << " (exit status "
                  << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
    return -1;
  }
  return child;
}

void HoldUntilKilled(PostgresBackend&) {
  while (true) pause();
}

std::unique_ptr<pg::Connection> Admin(PgTestServer& server, const std::string& db) {
  pg::ConnectOptions o;
  o.application_name = "tgs-test-admin";
  o.prepare_statements = false;
  absl::StatusOr<std::unique_ptr<pg::Connection>> c = pg::Connection::Open(server.Conninfo(db), o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

void AdminExec(PgTestServer& server, const std::string& sql, const std::string& db) {
  std::unique_ptr<pg::Connection> c = Admin(server, db);
  ASSERT_NE(c, nullptr);
  absl::Status s = c->Exec(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s;
}

int64_t AdminInt(PgTestServer& server, const std::string& sql, const std::string& db) {
  std::unique_ptr<pg::Connection> c = Admin(server, db);
  if (c == nullptr) return -1;
  absl::StatusOr<pg::Result> r = c->Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
  if (!r.ok() || r->rows() != 1) return -1;
  absl::StatusOr<int64_t> v = pg::GetInt(*r, 0, 0, [] { return std::string("value"); });
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : -1;
}

std::string FreshDatabase(PgTestServer& server, const std::string& name) {
  std::unique_ptr<pg::Connection> c = Admin(server, "postgres");
  if (c != nullptr) {
    (void)c->Exec(absl::StrCat("DROP DATABASE IF EXISTS \"", name, "\" WITH (FORCE)"));
    absl::Status s = c->Exec(absl::StrCat("CREATE DATABASE \"", name, "\""));
    EXPECT_TRUE(s.ok()) << s;
  }
  return name;
}

}  // namespace testing
}  // namespace tgsession
