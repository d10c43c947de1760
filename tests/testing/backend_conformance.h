// A conformance suite every SessionBackend must pass. Each backend's test
// instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, BackendConformanceTest,
//       ::testing::Values(BackendFactory{"sqlite", [](const std::string& dir) {
//         return MakeSqliteBackendOrDie(dir + "/s.db"); }, /*persistent=*/true}),
//       BackendFactoryName);
//
// The factory gets a fresh empty directory per test and may be called again
// with the same directory to "reopen" (persistent backends must then see what
// was saved).
#ifndef TGSESSION_TESTS_TESTING_BACKEND_CONFORMANCE_H_
#define TGSESSION_TESTS_TESTING_BACKEND_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/changes.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace testing {

struct BackendFactory {
  std::string name;
  // Opens (or reopens) the backend whose storage lives in `dir`.
  std::function<std::unique_ptr<SessionBackend>(const std::string& dir)> open;
  // Whether a reopened backend sees earlier saves (false for in-memory).
  bool persistent = true;
  // Whether two backends open on the same storage at once are allowed (file
  // backends lock the file and refuse a second writer).
  bool allows_second_writer = true;
  // Whether writes after Close() fail with kFailedPrecondition (backends
  // holding a file, a database or a lease; the others accept them).
  bool refuses_calls_after_close = false;
};

std::string BackendFactoryName(const ::testing::TestParamInfo<BackendFactory>& info);

class BackendConformanceTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<SessionBackend> Open();
  std::string dir_;
};

// What `b` holds; fails the test (and returns an empty Session) if loading
// fails or nothing is stored.
Session LoadOrDie(SessionBackend& b);

// A session exercising every field (2 DCs with and without keys, counters,
// channel pts, all peer kinds, min peers, a token).
Session RichSession();

// The changes of a client's update: `peers` users and channels (some ids
// repeated within the batch, some already in RichSession), a few min-peer
// contexts, pts/date/seq, qts and channel pts, and (when `replace_all`) a
// whole update state in the middle. `seed` varies the values.
OwnedSessionChanges MakeTestBatch(int seed, int peers, bool replace_all = false);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_BACKEND_CONFORMANCE_H_
