// Crash-consistency harness for durable backends: a child process runs a
// deterministic sequence of saves and granular updates against a backend and
// reports each acknowledged operation through a pipe; the parent kills it
// with SIGKILL at a random moment, reopens the store and checks that it holds
// exactly the state after the last acknowledged operation, or after the one
// in flight. Never a torn mix (a batch is wholly there or wholly absent),
// never less than what was acknowledged. The
// next child continues from the state found, so stores are reopened after
// crashes again and again (torn journals, leftover temp files, stale locks).
#ifndef TGSESSION_TESTS_TESTING_CRASH_HARNESS_H_
#define TGSESSION_TESTS_TESTING_CRASH_HARNESS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "backends/backend.h"
#include "session/session.h"

namespace tgsession {
namespace testing {

struct CrashHarnessOptions {
  int kills = 300;
  // The child is killed after a random delay in [0, max_delay_us].
  int max_delay_us = 20000;
  uint32_t seed = 12345;
  // Every `save_every`-th operation is a full Save of a session with
  // `save_peers` peers (large enough that kills land inside snapshot writes).
  int save_every = 37;
  int save_peers = 3000;
  // Every sixth operation is an ApplyChanges batch (20 peers, 2 min peers,
  // pts and a channel's pts).
  bool batches = true;
};

struct CrashHarnessResult {
  int kills = 0;
  int verified = 0;
  int in_flight_applied = 0;   // the store held the op that was in flight
  int in_flight_batches = 0;   // kills whose op in flight was a batch
  int max_ops_in_one_run = 0;
  long long total_ops = 0;     // acknowledged operations over all children
  std::string failure;         // empty when every check passed
};

// `open` opens the backend on the store (called in children and in the
// parent, never concurrently).
CrashHarnessResult RunCrashHarness(const std::function<std::unique_ptr<SessionBackend>()>& open,
                                   const CrashHarnessOptions& options);

// The deterministic operation sequence (exposed for tests of the harness).
void ApplyCrashOp(long long k, const CrashHarnessOptions& o, std::optional<Session>* model);
absl::Status RunCrashOp(long long k, const CrashHarnessOptions& o, SessionBackend* backend);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_CRASH_HARNESS_H_
