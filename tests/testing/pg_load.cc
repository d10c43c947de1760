#include "tests/testing/pg_load.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/postgres_db.h"

namespace tgsession {
namespace testing {
namespace {

struct ChildReport {
  int64_t calls = 0;
  int64_t upserts = 0;
  int64_t elapsed_us = 0;
  double p50_us = 0, p99_us = 0;
  char error[256] = {};
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void WriteAll(int fd, const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::write(fd, c, n);
    if (w <= 0) return;
    c += w;
    n -= static_cast<size_t>(w);
  }
}

bool ReadAll(int fd, void* p, size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::read(fd, c, n);
    if (r <= 0) return false;
    c += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// One process of the fleet: opens its store and sessions, says ready,
// waits for "go", runs, reports.
ChildReport RunProcess(const PgLoadConfig& c, int process, int ready_fd, int go_fd) {
  ChildReport report;
  const auto fail = [&](const absl::Status& s) {
    std::snprintf(report.error, sizeof report.error, "%s", s.ToString().c_str());
    return report;
  };
  const PostgresOptions& o = c.options;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(c.conninfo, o);
  if (!store.ok()) return fail(store.status());
  std::vector<std::vector<std::unique_ptr<PostgresBackend>>> sessions(static_cast<size_t>(c.threads));
  for (int t = 0; t < c.threads; ++t) {
    for (int s = 0; s < c.sessions_per_thread; ++s) {
      absl::StatusOr<std::unique_ptr<PostgresBackend>> b =
          (*store)->OpenSession(absl::StrCat(c.prefix, "-", process, "-", t, "-", s));
      if (!b.ok()) return fail(b.status());
      sessions[static_cast<size_t>(t)].push_back(std::move(*b));
    }
  }
  const char ready = 1;
  WriteAll(ready_fd, &ready, 1);
  char go = 0;
  if (!ReadAll(go_fd, &go, 1)) return fail(absl::AbortedError("no go"));

  std::atomic<int64_t> calls{0}, upserts{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(c.threads));
  std::string first_error;
  absl::Mutex error_mu;
  const absl::Time start = absl::Now();
  const absl::Time end = start + c.duration;
  std::vector<std::thread> threads;
  for (int t = 0; t < c.threads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<CachedPeer> peers(static_cast<size_t>(c.batch));
      const int64_t base = (static_cast<int64_t>(process) * 64 + t) << 40;
      std::vector<double>& lat = latencies[static_cast<size_t>(t)];
      for (int64_t i = 0; absl::Now() < end && !failed.load(); ++i) {
        PostgresBackend& b = *sessions[static_cast<size_t>(t)][static_cast<size_t>(i % c.sessions_per_thread)];
        for (int k = 0; k < c.batch; ++k) {
          const int64_t id = base + i * c.batch + k;
          peers[static_cast<size_t>(k)] =
              k % 5 == 0 ? CachedPeer::Channel(id, id * 31, ChannelKind::kMegagroup) : CachedPeer::User(id, -id);
        }
        const absl::Time t0 = absl::Now();
        const absl::Status s = c.batch == 1 ? b.CachePeer(peers[0]) : b.CachePeers(peers);
        lat.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
        if (!s.ok()) {
          absl::MutexLock lock(&error_mu);
          if (first_error.empty()) first_error = s.ToString();
          failed.store(true);
          return;
        }
        calls.fetch_add(1);
        upserts.fetch_add(c.batch);
      }
    });
  }
  for (auto& th : threads) th.join();
  report.elapsed_us = absl::ToInt64Microseconds(absl::Now() - start);
  if (failed.load()) return fail(absl::InternalError(first_error));
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  report.calls = calls.load();
  report.upserts = upserts.load();
  report.p50_us = Percentile(all, 0.5);
  report.p99_us = Percentile(all, 0.99);
  return report;
}

}  // namespace

absl::StatusOr<PgLoadResult> RunPgLoad(const PgLoadConfig& c) {
  struct Child {
    pid_t pid;
    int ready, go, report;
  };
  std::vector<Child> children;
  for (int p = 0; p < c.processes; ++p) {
    int ready[2], go[2], report[2];
    if (::pipe(ready) != 0 || ::pipe(go) != 0 || ::pipe(report) != 0) return absl::InternalError("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      ::close(report[0]);
      const ChildReport r = RunProcess(c, p, ready[1], go[0]);
      WriteAll(report[1], &r, sizeof r);
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(go[0]);
    ::close(report[1]);
    children.push_back(Child{pid, ready[0], go[1], report[0]});
  }
  absl::Status status;
  for (const Child& ch : children) {
    char b;
    if (!ReadAll(ch.ready, &b, 1) && status.ok()) status = absl::InternalError("a load process failed to start");
  }
  for (const Child& ch : children) {
    const char go = 1;
    WriteAll(ch.go, &go, 1);
  }
  PgLoadResult result;
  for (const Child& ch : children) {
    ChildReport r;
    if (!ReadAll(ch.report, &r, sizeof r)) {
      if (status.ok()) status = absl::InternalError("a load process died");
    } else if (r.error[0] != '\0') {
      if (status.ok()) status = absl::InternalError(absl::StrCat("load process: ", r.error));
    } else {
      result.calls += r.calls;
      result.upserts += r.upserts;
      result.elapsed = std::max(result.elapsed, absl::Microseconds(r.elapsed_us));
      result.p50_us = std::max(result.p50_us, r.p50_us);
      result.p99_us = std::max(result.p99_us, r.p99_us);
    }
    ::close(ch.ready);
    ::close(ch.go);
    ::close(ch.report);
    ::waitpid(ch.pid, nullptr, 0);
  }
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<int64_t> CountLoadPeers(const std::string& conninfo, const std::string& prefix) {
  pg::ConnectOptions o;
  o.prepare_statements = false;
  absl::StatusOr<std::unique_ptr<pg::Connection>> c = pg::Connection::Open(conninfo, o);
  if (!c.ok()) return c.status();
  pg::Params p;
  p.Text(absl::StrCat(prefix, "-%"));
  absl::StatusOr<pg::Result> r = (*c)->Query(
      "SELECT count(*) FROM tgs_peers p JOIN tgs_sessions s ON s.id = p.session_id WHERE s.name LIKE $1", p);
  if (!r.ok()) return r.status();
  return pg::GetInt(*r, 0, 0, [] { return std::string("count"); });
}

}  // namespace testing
}  // namespace tgsession
