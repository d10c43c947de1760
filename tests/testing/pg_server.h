// A throwaway PostgreSQL server for tests: a new cluster (initdb) in a
// unique directory under /tmp, listening on 127.0.0.1 on a free port (and a
// unix socket in that directory), with TLS on (a test CA and a server
// certificate for localhost / 127.0.0.1, made with openssl), trust
// authentication, stopped and removed at the end.
//
// PostgreSQL refuses to run as root, and tests run as root: the cluster
// directory is owned by the `postgres` system user (Debian's package creates
// it) and initdb / pg_ctl run through runuser. The directory is under /tmp
// rather than TEST_TMPDIR because the postgres user cannot traverse the
// parents of Bazel's output base (/root is 0700). Bazel's linux-sandbox maps
// only root into its user namespace, so runuser cannot switch users there:
// targets using this are tagged "no-sandbox".
//
// A watchdog process (its own session, so a signal to the test's process
// group does not reach it) stops the server and removes the directory if the
// test process dies without doing so (crash, timeout, SIGKILL). When the test
// runs in a PID namespace the watchdog dies with it; the next server started
// then sweeps directories whose owner (an flock on owner.lock) is gone.
//
// Binaries: $TGS_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin.
#ifndef TGSESSION_TESTS_TESTING_PG_SERVER_H_
#define TGSESSION_TESTS_TESTING_PG_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tgsession {
namespace testing {

class PgTestServer {
 public:
  struct Options {
    // ssl = on with a certificate signed by the test CA.
    bool tls = true;
    // Lines appended to postgresql.conf.
    std::string extra_conf;
  };

  static absl::StatusOr<std::unique_ptr<PgTestServer>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<PgTestServer>> Start() { return Start(Options()); }
  ~PgTestServer();  // stops the server (fast) and removes the directory

  // A libpq connection string for `dbname` over TCP, TLS off.
  std::string Conninfo(absl::string_view dbname = "postgres") const;
  // The same as a postgresql:// URI.
  std::string Uri(absl::string_view dbname = "postgres") const;
  // Creates a database (fails if it exists).
  absl::Status CreateDatabase(absl::string_view dbname);

  // pg_ctl stop with a mode: "fast" (clean) or "immediate" (like a crash:
  // processes are killed, recovery runs on the next start).
  absl::Status Stop(absl::string_view mode);
  // Starts the stopped server again on the same port and directory.
  absl::Status Restart();
  bool running() const { return running_; }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The CA that signed the server certificate, and an unrelated CA.
  std::string ca_cert() const { return dir_ + "/tls/ca.crt"; }
  std::string wrong_ca_cert() const { return dir_ + "/tls/wrong_ca.crt"; }
  // Everything the server has logged so far.
  std::string ServerLog() const;

 private:
  PgTestServer() = default;
  absl::Status Init(const Options& options);
  absl::Status StartWatchdog();
  // Runs a shell command; on failure the error holds its output.
  absl::Status Run(const std::string& command) const;
  std::string AsPostgres(const std::string& command) const;

  std::string bindir_;
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
  pid_t owner_pid_ = 0;   // only this process stops the server
  pid_t watchdog_ = -1;
  int watchdog_fd_ = -1;  // write end; closing it without a byte = "clean up"
  int lock_fd_ = -1;      // owner.lock, flock()ed while this process lives
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
absl::StatusOr<int> FreeLoopbackPort();

// One server per test binary, started on first use and stopped at exit.
// Aborts the test binary (with the reason) if it cannot start.
PgTestServer& SharedPgServer();

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_PG_SERVER_H_
