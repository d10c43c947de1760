#include "tests/testing/pg_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backends/postgres_db.h"
#include "session/status_macros.h"

namespace tgsession {
namespace testing {
namespace {

std::string ShellQuote(absl::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out += "'";
  return out;
}

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// $TGS_PG_BINDIR, or the highest-numbered /usr/lib/postgresql/N/bin.
absl::StatusOr<std::string> FindBindir() {
  const char* env = std::getenv("TGS_PG_BINDIR");
  if (env != nullptr && *env != '\0') {
    if (!IsExecutable(absl::StrCat(env, "/initdb"))) {
      return absl::NotFoundError(absl::StrCat("TGS_PG_BINDIR=", env, " has no initdb"));
    }
    return std::string(env);
  }
  int best = -1;
  if (DIR* d = ::opendir("/usr/lib/postgresql")) {
    while (dirent* e = ::readdir(d)) {
      int v = 0;
      if (absl::SimpleAtoi(e->d_name, &v) && v > best &&
          IsExecutable(absl::StrCat("/usr/lib/postgresql/", v, "/bin/initdb"))) {
        best = v;
      }
    }
    ::closedir(d);
  }
  if (best < 0) {
    return absl::NotFoundError(
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (run tools/setup.sh, which installs the Debian "
        "package postgresql, or set TGS_PG_BINDIR)");
  }
  return absl::StrCat("/usr/lib/postgresql/", best, "/bin");
}

}  // namespace

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::UnavailableError("cannot find a free port");
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Each live server's directory holds owner.lock, flock()ed by the test
// process for as long as it runs (the kernel drops the lock when the process
// dies, however it dies). A directory whose lock can be taken belongs to a
// dead test: its server is stopped (if the watchdog could not) and the
// directory removed. This catches what the watchdog misses when the test runs
// in a PID namespace that is torn down, watchdog included, as soon as the test
// process exits.
void SweepStaleServers(const std::string& bindir) {
  DIR* d = ::opendir("/tmp");
  if (d == nullptr) return;
  std::vector<std::string> stale;
  const time_t now = ::time(nullptr);
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind("tgs-pg-", 0) != 0) continue;
    const std::string dir = "/tmp/" + name;
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < 60) continue;
    const int fd = ::open((dir + "/owner.lock").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) stale.push_back(dir);
    ::close(fd);
  }
  ::closedir(d);
  for (const std::string& dir : stale) {
    const std::string stop =
        absl::StrCat("cd ", ShellQuote(dir), " && ", bindir, "/pg_ctl -D ", ShellQuote(dir + "/data"),
                     " -m immediate -w -t 30 stop");
    const std::string as_postgres = ::geteuid() == 0 ? absl::StrCat("runuser -u postgres -- sh -c ", ShellQuote(stop))
                                                     : absl::StrCat("sh -c ", ShellQuote(stop));
    const std::string cmd = absl::StrCat("( if [ -f ", ShellQuote(dir + "/data/postmaster.pid"), " ]; then ",
                                         as_postgres, "; fi; rm -rf ", ShellQuote(dir), " ) >/dev/null 2>&1");
    (void)!std::system(cmd.c_str());
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgTestServer>> PgTestServer::Start(const Options& options) {
  std::unique_ptr<PgTestServer> s(new PgTestServer());
  absl::Status st = s->Init(options);
  if (!st.ok()) {
    return absl::Status(st.code(), absl::StrCat("starting a test PostgreSQL server: ", st.message()));
  }
  return s;
}

std::string PgTestServer::AsPostgres(const std::string& command) const {
  // cd first: the postgres user may not be able to enter our working
  // directory (Bazel's runfiles under /root).
  const std::string inner = absl::StrCat("cd ", ShellQuote(dir_), " && ", command);
  if (::geteuid() != 0) return absl::StrCat("sh -c ", ShellQuote(inner));
  for (const char* runuser : {"/usr/sbin/runuser", "/sbin/runuser"}) {
    if (IsExecutable(runuser)) return absl::StrCat(runuser, " -u postgres -- sh -c ", ShellQuote(inner));
  }
  return absl::StrCat("su postgres -s /bin/sh -c ", ShellQuote(inner));
}

absl::Status PgTestServer::Run(const std::string& command) const {
  const std::string full = absl::StrCat("cd ", ShellQuote(dir_.empty() ? "/" : dir_), " && ( ", command, " ) 2>&1");
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr) return absl::InternalError(absl::StrCat("popen failed: ", command));
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  if (rc != 0) return absl::InternalError(absl::StrCat("`", command, "` failed (", rc, "): ", out));
  return absl::OkStatus();
}

absl::Status PgTestServer::Init(const Options& options) {
  owner_pid_ = ::getpid();
  TGS_ASSIGN_OR_RETURN(bindir_, FindBindir());
  char tmpl[] = "/tmp/tgs-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  dir_ = tmpl;
  lock_fd_ = ::open((dir_ + "/owner.lock").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) return absl::InternalError("cannot lock owner.lock");
  SweepStaleServers(bindir_);
  TGS_RETURN_IF_ERROR(StartWatchdog());
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) return absl::NotFoundError("no `postgres` system user (install the postgresql package)");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return absl::InternalError("chown failed");
  }
  ::chmod(dir_.c_str(), 0700);

  TGS_RETURN_IF_ERROR(Run(AsPostgres(absl::StrCat(bindir_, "/initdb -D ", ShellQuote(dir_ + "/data"),
                                                  " -A trust -U postgres --no-sync --no-locale -E UTF8 >/dev/null"))));
  std::string conf = absl::StrCat("listen_addresses = '127.0.0.1'\n", "unix_socket_directories = '", dir_, "'\n",
                                  "max_connections = 200\n", "log_line_prefix = '%m [%p] '\n");
  if (options.tls) {
    // A CA, a server certificate it signs (localhost and 127.0.0.1), and an
    // unrelated CA for the verification-failure test. EC keys: fast.
    const std::string tls = dir_ + "/tls";
    const char* ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    TGS_RETURN_IF_ERROR(Run(absl::StrCat(
        "mkdir -p ", ShellQuote(tls), " && cd ", ShellQuote(tls), " && ", "openssl req -x509 ", ec,
        " -keyout ca.key -out ca.crt -days 3 -subj '/CN=tgsession test CA' && ", "openssl req ", ec,
        " -keyout server.key -out server.csr -subj '/CN=localhost' && ",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && ",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 3 "
        "-extfile san.ext && ",
        "openssl req -x509 ", ec, " -keyout wrong_ca.key -out wrong_ca.crt -days 3 -subj '/CN=tgsession wrong CA' && ",
        "chmod 0600 server.key && chmod 0755 . && chmod 0644 *.crt && ",
        ::geteuid() == 0 ? "chown postgres:postgres server.key server.crt" : "true")));
    absl::StrAppend(&conf, "ssl = on\n", "ssl_cert_file = '", tls, "/server.crt'\n", "ssl_key_file = '", tls,
                    "/server.key'\n");
  }
  absl::StrAppend(&conf, options.extra_conf, "\n");
  {
    std::ofstream f(dir_ + "/data/postgresql.conf", std::ios::app);
    f << conf;
    if (!f.good()) return absl::InternalError("cannot write postgresql.conf");
  }
  // A port taken between our probe and the server's bind is retried.
  absl::Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    TGS_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    last = Restart();
    if (last.ok()) break;
  }
  TGS_RETURN_IF_ERROR(last);
  return CreateDatabase("tgs");
}

absl::Status PgTestServer::StartWatchdog() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  // Everything the child needs is prepared before fork().
  // The postmaster may still be removing its files when pg_ctl returns:
  // retry the removal for a few seconds.
  const std::string cleanup = absl::StrCat(
      "exec >/dev/null 2>&1; if [ -f ", ShellQuote(dir_ + "/data/postmaster.pid"), " ]; then ",
      AsPostgres(absl::StrCat(bindir_, "/pg_ctl -D ", ShellQuote(dir_ + "/data"), " -m immediate -w -t 30 stop")),
      "; fi; for i in 1 2 3 4 5 6 7 8 9 10; do rm -rf ", ShellQuote(dir_), " && break; sleep 0.5; done");
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    ::setsid();
    ::close(fds[1]);
    char byte;
    ssize_t n;
    do {
      n = ::read(fds[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) ::_exit(0);  // the server was stopped and removed normally
    ::execl("/bin/sh", "sh", "-c", cleanup.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  watchdog_ = pid;
  watchdog_fd_ = fds[1];
  return absl::OkStatus();
}

PgTestServer::~PgTestServer() {
  if (::getpid() != owner_pid_) return;  // a forked child: not ours to stop
  if (running_) (void)Stop("fast");
  if (!dir_.empty()) (void)Run(absl::StrCat("rm -rf ", ShellQuote(dir_)));
  if (watchdog_fd_ >= 0) {
    const char done = 1;
    (void)!::write(watchdog_fd_, &done, 1);
    ::close(watchdog_fd_);
  }
  if (watchdog_ > 0) ::waitpid(watchdog_, nullptr, 0);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string PgTestServer::Conninfo(absl::string_view dbname) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres dbname=", dbname, " sslmode=disable");
}

std::string PgTestServer::Uri(absl::string_view dbname) const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/", dbname, "?sslmode=disable");
}

absl::Status PgTestServer::CreateDatabase(absl::string_view dbname) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> c, pg::Connection::Open(Conninfo("postgres"), {}));
  return c->Exec(absl::StrCat("CREATE DATABASE \"", dbname, "\""));
}

absl::Status PgTestServer::Stop(absl::string_view mode) {
  absl::Status s = Run(AsPostgres(
      absl::StrCat(bindir_, "/pg_ctl -D ", ShellQuote(dir_ + "/data"), " -m ", mode, " -w -t 60 stop >/dev/null")));
  if (s.ok()) running_ = false;
  return s;
}

absl::Status PgTestServer::Restart() {
  absl::Status s = Run(AsPostgres(absl::StrCat(bindir_, "/pg_ctl -D ", ShellQuote(dir_ + "/data"), " -l ",
                                               ShellQuote(dir_ + "/server.log"), " -o ",
                                               ShellQuote(absl::StrCat("-p ", port_)), " -w -t 60 start >/dev/null")));
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(s.message(), "\nserver log:\n", ServerLog()));
  running_ = true;
  return absl::OkStatus();
}

std::string PgTestServer::ServerLog() const { return ReadAll(dir_ + "/server.log"); }

PgTestServer& SharedPgServer() {
  static PgTestServer* server = [] {
    absl::StatusOr<std::unique_ptr<PgTestServer>> s = PgTestServer::Start();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    PgTestServer* raw = s->release();
    // Stopped when the test binary exits normally (the watchdog covers the
    // other ways out).
    std::atexit([] { delete server; });
    return raw;
  }();
  return *server;
}

}  // namespace testing
}  // namespace tgsession
