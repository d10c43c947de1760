#include "tests/testing/pgbouncer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "session/status_macros.h"

namespace tgsession {
namespace testing {
namespace {

constexpr char kPgBouncer[] = "/usr/sbin/pgbouncer";

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

bool HavePgBouncer() { return ::access(kPgBouncer, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<PgBouncerTestProcess>> PgBouncerTestProcess::Start(const PgTestServer& server,
                                                                                   const Options& options) {
  if (!HavePgBouncer()) {
    return absl::NotFoundError("no /usr/sbin/pgbouncer (run tools/setup.sh, which installs Debian's pgbouncer)");
  }
  std::unique_ptr<PgBouncerTestProcess> b(new PgBouncerTestProcess());
  b->dir_ = absl::StrCat(server.dir(), "/pgbouncer-", ::getpid(), "-", absl::ToUnixNanos(absl::Now()));
  if (::mkdir(b->dir_.c_str(), 0700) != 0) return absl::InternalError(absl::StrCat("mkdir ", b->dir_));
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  if (uid == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) return absl::NotFoundError("no `postgres` system user");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (::chown(b->dir_.c_str(), uid, gid) != 0) return absl::InternalError("chown failed");
  }
  TGS_ASSIGN_OR_RETURN(b->port_, FreeLoopbackPort());
  {
    std::ofstream users(b->dir_ + "/userlist.txt");
    users << "\"postgres\" \"\"\n";
  }
  const std::string ini = b->dir_ + "/pgbouncer.ini";
  {
    std::ofstream f(ini);
    f << "[databases]\n* = host=127.0.0.1 port=" << server.port() << "\n\n"
      << "[pgbouncer]\n"
      << "listen_addr = 127.0.0.1\nlisten_port = " << b->port_ << "\nunix_socket_dir =\n"
      << "auth_type = trust\nauth_file = " << b->dir_ << "/userlist.txt\n"
      << "pool_mode = transaction\n"
      << "default_pool_size = " << options.pool_size << "\nmax_client_conn = 1000\n"
      // What our clients send at startup besides the database and user.
      << "ignore_startup_parameters = extra_float_digits\n"
      // Takes the place of idle_in_transaction_session_timeout, which a
      // client cannot set for itself in this mode.
      << "idle_transaction_timeout = 30\n"
      << "logfile = " << b->dir_ << "/pgbouncer.log\n"
      << options.extra_conf << "\n";
    if (!f.good()) return absl::InternalError("cannot write pgbouncer.ini");
  }
  for (const std::string& f : {ini, b->dir_ + "/userlist.txt"}) {
    if (::chown(f.c_str(), uid, gid) != 0 && ::geteuid() == 0) return absl::InternalError("chown failed");
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    if (::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    // After the user switch, which clears it: killed with the test.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execl(kPgBouncer, "pgbouncer", "-q", ini.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  b->pid_ = pid;
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!Accepts(b->port_)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      b->pid_ = -1;
      return absl::InternalError(absl::StrCat("pgbouncer exited (status ", status, "): ", b->Log()));
    }
    if (absl::Now() > deadline) return absl::DeadlineExceededError(absl::StrCat("pgbouncer did not listen: ", b->Log()));
    absl::SleepFor(absl::Milliseconds(20));
  }
  return b;
}

PgBouncerTestProcess::~PgBouncerTestProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string PgBouncerTestProcess::Conninfo(absl::string_view dbname) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres dbname=", dbname, " sslmode=disable");
}

std::string PgBouncerTestProcess::Log() const { return ReadAll(dir_ + "/pgbouncer.log"); }

}  // namespace testing
}  // namespace tgsession
