// A PgBouncer (Debian's `pgbouncer`, installed by tools/setup.sh) in front
// of a PgTestServer, for tests: pool_mode = transaction, listening on
// 127.0.0.1 on a free port, trust authentication, its files in a folder of
// the server's directory (removed with it).
//
// PgBouncer refuses to run as root: the child process switches to the
// `postgres` user (as the server does) and asks the kernel to kill it when
// the test process dies (PR_SET_PDEATHSIG), so a crashed or killed test
// leaves no pooler listening.
#ifndef TGSESSION_TESTS_TESTING_PGBOUNCER_H_
#define TGSESSION_TESTS_TESTING_PGBOUNCER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {

class PgBouncerTestProcess {
 public:
  struct Options {
    // Server connections per database and user (default_pool_size).
    int pool_size = 8;
    // Lines appended to the [pgbouncer] section.
    std::string extra_conf;
  };
  static absl::StatusOr<std::unique_ptr<PgBouncerTestProcess>> Start(const PgTestServer& server,
                                                                     const Options& options);
  ~PgBouncerTestProcess();  // stops it (SIGINT, then SIGKILL)

  // A libpq connection string for `dbname` through the pooler.
  std::string Conninfo(absl::string_view dbname = "tgs") const;
  int port() const { return port_; }
  // Everything PgBouncer logged so far.
  std::string Log() const;

 private:
  PgBouncerTestProcess() = default;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Whether Debian's pgbouncer is installed (/usr/sbin/pgbouncer).
bool HavePgBouncer();

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PGBOUNCER_H_
