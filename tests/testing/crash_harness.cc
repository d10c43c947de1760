#include "tests/testing/crash_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/changes.h"

namespace tgsession {
namespace testing {
namespace {

Session BigSession(long long k, const CrashHarnessOptions& o) {
  Session s;
  s.home_dc_id = static_cast<int32_t>(1 + k % 5);
  for (int dc = 1; dc <= 5; ++dc) {
    DcEntry e = DcEntry::FromParts(dc, absl::StrCat("149.154.", dc, ".", k % 250), 443, DcFlags());
    if (dc == s.home_dc_id) {
      uint8_t raw[AuthKey::kSize];
      for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(k + i);
      e.auth_key = AuthKey(raw);
    }
    s.dcs.push_back(e);
  }
  s.updates_state.pts = static_cast<int32_t>(k);
  std::vector<CachedPeer> peers;
  peers.reserve(o.save_peers);
  for (int i = 0; i < o.save_peers; ++i) peers.push_back(CachedPeer::User(1000000 + i, k * 31 + i));
  s.peers.Assign(std::move(peers));
  return s;
}

// Every sixth operation is a batch: an update's 20 peers (some new, some
// known), two min-peer contexts, pts and a channel's pts. Killed in flight it
// must be all there or all absent.
OwnedSessionChanges CrashBatch(long long k) {
  OwnedSessionChanges b;
  for (int i = 0; i < 20; ++i) b.peers.push_back(CachedPeer::User(3000000 + (k * 20 + i) % 900, k + i));
  b.min_peers.push_back({4000000 + k % 50, -k, static_cast<int32_t>(k)});
  b.min_peers.push_back({4000100 + k % 50, k, 1});
  b.updates.push_back(UpdateStateChange::Primary(static_cast<int32_t>(k), 1700000000, static_cast<int32_t>(k % 100)));
  b.updates.push_back(UpdateStateChange::Channel(k % 11, static_cast<int32_t>(k)));
  return b;
}

bool IsBatch(long long k, const CrashHarnessOptions& o) { return o.batches && k % 6 == 5; }

}  // namespace

void ApplyCrashOp(long long k, const CrashHarnessOptions& o, std::optional<Session>* model) {
  if (k % o.save_every == 0) {
    *model = BigSession(k, o);
    return;
  }
  if (!model->has_value()) model->emplace();
  Session& s = **model;
  if (IsBatch(k, o)) {
    CrashBatch(k).view().ApplyTo(s);
    return;
  }
  switch (k % 4) {
    case 0:
      s.CachePeer(CachedPeer::Channel(k % 700, k, ChannelKind::kMegagroup));
      break;
    case 1:
      s.ApplyUpdateState(UpdateStateChange::Channel(k % 9, static_cast<int32_t>(k)));
      break;
    case 2:
      s.CachePeer(CachedPeer::User(2000000 + k % 300, -k));
      break;
    default:
      if (k % 3 == 0) {
        s.home_dc_id = static_cast<int32_t>(k % 5 + 1);
      } else {
        s.UpsertDc(DcEntry::FromParts(static_cast<int32_t>(k % 5 + 1), absl::StrCat("10.0.0.", k % 200), 443,
                                      DcFlags()));
      }
  }
}

absl::Status RunCrashOp(long long k, const CrashHarnessOptions& o, SessionBackend* b) {
  if (k % o.save_every == 0) return b->Save(BigSession(k, o));
  if (IsBatch(k, o)) {
    const OwnedSessionChanges batch = CrashBatch(k);
    return b->ApplyChanges(batch.view());
  }
  switch (k % 4) {
    case 0:
      return b->CachePeer(CachedPeer::Channel(k % 700, k, ChannelKind::kMegagroup));
    case 1:
      return b->ApplyUpdateState(UpdateStateChange::Channel(k % 9, static_cast<int32_t>(k)));
    case 2:
      return b->CachePeer(CachedPeer::User(2000000 + k % 300, -k));
    default:
      if (k % 3 == 0) return b->SetHomeDc(static_cast<int32_t>(k % 5 + 1));
      return b->UpdateDc(
          DcEntry::FromParts(static_cast<int32_t>(k % 5 + 1), absl::StrCat("10.0.0.", k % 200), 443, DcFlags()));
  }
}

CrashHarnessResult RunCrashHarness(const std::function<std::unique_ptr<SessionBackend>()>& open,
                                   const CrashHarnessOptions& o) {
  CrashHarnessResult res;
  std::mt19937 rng(o.seed);
  // The model of the store: state after operation `done - 1` (nullopt: none).
  long long done = 0;
  std::optional<Session> model;
  for (int round = 0; round < o.kills; ++round) {
    int fds[2];
    if (pipe(fds) != 0) {
      res.failure = "pipe failed";
      return res;
    }
    const long long start = done;
    const pid_t pid = fork();
    if (pid < 0) {
      res.failure = "fork failed";
      return res;
    }
    if (pid == 0) {
      close(fds[0]);
      std::unique_ptr<SessionBackend> b = open();
      if (b == nullptr) _exit(3);
      // "Ready": the parent starts its random countdown only now, so kills
      // land among the operations, not in process start-up (which can take
      // longer than the whole window on a loaded machine or under ASan).
      const int64_t ready = -1;
      if (write(fds[1], &ready, sizeof ready) != sizeof ready) _exit(5);
      for (long long k = start;; ++k) {
        if (!RunCrashOp(k, o, b.get()).ok()) _exit(4);
        const int64_t ack = k;
        if (write(fds[1], &ack, sizeof ack) != sizeof ack) _exit(5);
      }
    }
    close(fds[1]);
    int64_t first = 0;
    struct pollfd pfd = {fds[0], POLLIN, 0};
    if (poll(&pfd, 1, 60000) != 1 || read(fds[0], &first, sizeof first) != sizeof first || first != -1) {
      ::kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(fds[0]);
      res.failure = "the child did not open the store within 60 s";
      return res;
    }
    usleep(std::uniform_int_distribution<int>(0, o.max_delay_us)(rng));
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ++res.kills;
    if (WIFEXITED(status)) {
      res.failure = absl::StrCat("child exited with ", WEXITSTATUS(status), " before the kill (an operation failed)");
      close(fds[0]);
      return res;
    }
    long long last = start - 1;
    int64_t ack;
    int ops = 0;
    while (read(fds[0], &ack, sizeof ack) == sizeof ack) {
      if (ack != last + 1) {
        res.failure = absl::StrCat("acknowledgements out of order: ", ack, " after ", last);
        close(fds[0]);
        return res;
      }
      last = ack;
      ++ops;
    }
    close(fds[0]);
    res.total_ops += ops;
    res.max_ops_in_one_run = std::max(res.max_ops_in_one_run, ops);
    // Advance the model to the last acknowledged operation.
    for (long long k = done; k <= last; ++k) ApplyCrashOp(k, o, &model);
    done = last + 1;
    std::optional<Session> in_flight = model;
    ApplyCrashOp(done, o, &in_flight);
    if (IsBatch(done, o)) ++res.in_flight_batches;

    std::unique_ptr<SessionBackend> b = open();
    if (b == nullptr) {
      res.failure = absl::StrCat("kill ", round, ": cannot reopen the store");
      return res;
    }
    absl::StatusOr<std::optional<Session>> loaded = b->Load();
    if (!loaded.ok()) {
      res.failure = absl::StrCat("kill ", round, ": load failed after the crash: ", loaded.status().ToString());
      return res;
    }
    if (*loaded == model) {
      ++res.verified;
    } else if (*loaded == in_flight) {
      ++res.verified;
      ++res.in_flight_applied;
      model = in_flight;
      ++done;
    } else {
      res.failure = absl::StrCat("kill ", round, " after op ", last,
                                 ": the store holds neither the acknowledged state nor the in-flight one (",
                                 loaded->has_value() ? (*loaded)->DebugString() : "no session", ")");
      return res;
    }
  }
  return res;
}

}  // namespace testing
}  // namespace tgsession
