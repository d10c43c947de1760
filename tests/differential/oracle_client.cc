#include "tests/differential/oracle_client.h"

#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace tgsession {
namespace differential {

std::optional<std::string> FindOracle() {
  const char* env = std::getenv(kOracleEnv);
  for (const char* candidate : {env, "../shared/tools/ferogram-oracle"}) {
    if (candidate != nullptr && *candidate != '\0' && ::access(candidate, X_OK) == 0) return std::string(candidate);
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<OracleProcess>> OracleProcess::Start(const std::string& exe,
                                                                    std::vector<std::string> args) {
  // A socket pair rather than two pipes: one descriptor to poll, and
  // send(MSG_NOSIGNAL) reports a dead oracle as EPIPE instead of a SIGPIPE
  // that would kill the test.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 0);  // dup2 clears close-on-exec
  posix_spawn_file_actions_adddup2(&actions, sv[1], 1);
  std::vector<std::string> argv_storage;
  argv_storage.push_back(exe);
  for (std::string& a : args) argv_storage.push_back(std::move(a));
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", exe, ": ", std::strerror(rc)));
  }
  argv_storage[0] = "ferogram-oracle";
  return std::unique_ptr<OracleProcess>(new OracleProcess(pid, sv[0], absl::StrJoin(argv_storage, " ")));
}

OracleProcess::~OracleProcess() {
  ::close(fd_);  // the oracle reads EOF and exits
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string OracleProcess::ExitDescription() {
  int status = 0;
  pid_t r;
  // The oracle closed its end; give it a moment to exit before asking why.
  for (int i = 0; i < 100; ++i) {
    r = ::waitpid(pid_, &status, WNOHANG);
    if (r != 0) break;
    ::usleep(10000);
  }
  if (r != pid_) return "closed its output";
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("was killed by signal ", WTERMSIG(status));
  return "stopped";
}

absl::StatusOr<std::vector<std::string>> OracleProcess::Exchange(const std::string& out, size_t lines) {
  std::vector<std::string> result;
  result.reserve(lines);
  const auto take_lines = [&] {
    size_t start = 0;
    for (size_t nl; result.size() < lines && (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      result.emplace_back(pending_, start, nl - start);
    }
    pending_.erase(0, start);
  };
  size_t sent = 0;
  char buf[1 << 16];
  while (result.size() < lines) {
    pollfd p{fd_, static_cast<short>(POLLIN | (sent < out.size() ? POLLOUT : 0)), 0};
    // The oracle answers a frame in microseconds to milliseconds; a minute
    // without progress means it hangs.
    const int n = ::poll(&p, 1, 60000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::DeadlineExceededError(absl::StrCat(what_, ": no answer for 60 s"));
    if ((p.revents & POLLOUT) != 0) {
      const ssize_t w = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        sent += static_cast<size_t>(w);
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        return absl::UnavailableError(absl::StrCat(what_, " ", ExitDescription(), " (", std::strerror(errno), ")"));
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t r = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (r > 0) {
        pending_.append(buf, static_cast<size_t>(r));
        take_lines();
      } else if (r == 0 || errno == ECONNRESET) {  // reset: it exited with our input unread
        return absl::UnavailableError(
            absl::StrCat(what_, " ", ExitDescription(), " after ", result.size(), " of ", lines, " answers"));
      } else if (errno != EAGAIN && errno != EINTR) {
        return absl::UnavailableError(absl::StrCat(what_, ": ", std::strerror(errno)));
      }
    }
  }
  if (sent != out.size()) return absl::InternalError(absl::StrCat(what_, " answered before reading its input"));
  return result;
}

absl::StatusOr<std::vector<std::string>> OracleProcess::Frames(absl::Span<const std::string> inputs) {
  std::string out;
  size_t total = 0;
  for (const std::string& in : inputs) total += 4 + in.size();
  out.reserve(total);
  for (const std::string& in : inputs) {
    if (in.size() > 0xFFFFFFFFu) return absl::InvalidArgumentError("a frame holds at most 4 GiB");
    const uint32_t n = static_cast<uint32_t>(in.size());
    const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                         static_cast<char>(n >> 24)};
    out.append(len, 4);
    out.append(in);
  }
  return Exchange(out, inputs.size());
}

absl::StatusOr<std::vector<std::string>> OracleProcess::Lines(absl::Span<const std::string> lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (l.find('\n') != std::string::npos || l.find_first_not_of(" \t\r") == std::string::npos) {
      // A blank line gets no answer and a newline splits a line in two:
      // either would shift every later answer.
      return absl::InvalidArgumentError("encode-binary lines must be non-blank and hold no newline");
    }
    out.append(l);
    out.push_back('\n');
  }
  return Exchange(out, lines.size());
}

}  // namespace differential
}  // namespace tgsession
