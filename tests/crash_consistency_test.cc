// SIGKILL at random points while a child process saves, applies granular
// changes and batches in a loop: after each kill the store must load to the
// last acknowledged state or the in-flight one (a batch wholly or not at
// all). See tests/testing/crash_harness.h.
#include <algorithm>
#include <iostream>

#include "backends/binary_file_backend.h"
#include "backends/sqlite_backend.h"
#include "gtest/gtest.h"
#include "tests/testing/crash_harness.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

// Sanitizers slow every child by 5-20x: give them longer before the kill (and
// fewer kills, so the run stays short), or most would die before working.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSlowBuild = true;
#else
constexpr bool kSlowBuild = false;
#endif
#else
constexpr bool kSlowBuild = false;
#endif

CrashHarnessOptions Tuned(CrashHarnessOptions ho) {
  if (kSlowBuild) {
    ho.kills = std::max(40, ho.kills / 5);
    ho.max_delay_us *= 15;
  }
  return ho;
}

void RunFileVariant(const std::string& name, BinaryFileBackend::Options o, int kills) {
  const std::string dir = MakeTempDir(name);
  const std::string path = dir + "/crash.session";
  CrashHarnessOptions ho;
  ho.kills = kills;
  ho.seed = static_cast<uint32_t>(std::hash<std::string>()(name));
  ho = Tuned(ho);
  kills = ho.kills;
  CrashHarnessResult r = RunCrashHarness(
      [&]() -> std::unique_ptr<SessionBackend> {
        auto b = BinaryFileBackend::Open(path, o);
        if (!b.ok()) return nullptr;
        return std::move(*b);
      },
      ho);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.kills, kills);
  EXPECT_EQ(r.verified, kills);
  // Kills land before, inside and between operations; make sure a fair
  // share of children got real work done before dying.
  EXPECT_GT(r.total_ops + r.in_flight_applied, kills / 3) << "children were killed before doing any work";
  std::cout << "[crash] binary-file/" << name << ": " << r.kills << " kills, " << r.verified
            << " verified, 0 torn or lost, in-flight op found applied " << r.in_flight_applied
            << " times, " << r.in_flight_batches << " kills with a batch in flight, " << r.total_ops
            << " acknowledged ops (max " << r.max_ops_in_one_run << " per child)\n";
}

TEST(CrashConsistency, BinaryFileEveryOperation) {
  BinaryFileBackend::Options o;
  o.sync = BinaryFileBackend::Sync::kEveryOperation;
  RunFileVariant("every_operation", o, 300);
}

TEST(CrashConsistency, BinaryFileGroupCommitTheDefault) {
  // Killing the process (not the machine) loses nothing in group-commit mode
  // either: every acknowledged change, batches included, was written before
  // returning.
  BinaryFileBackend::Options o;
  ASSERT_EQ(o.sync, BinaryFileBackend::Sync::kGroupCommit);
  RunFileVariant("group_commit", o, 300);
}

TEST(CrashConsistency, BinaryFileFrequentCompaction) {
  BinaryFileBackend::Options o;
  o.compact_min_journal_bytes = 300;  // compactions all the time
  o.compact_on_close = false;         // parent reopens leave journals behind
  RunFileVariant("compacting", o, 300);
}

TEST(CrashConsistency, Sqlite) {
  // WAL with synchronous=NORMAL (ferogram's setting): killing the process
  // loses no committed transaction.
  const std::string dir = MakeTempDir("sqlite");
  CrashHarnessOptions ho;
  ho.kills = 200;
  ho.save_peers = 2000;
  ho = Tuned(ho);
  CrashHarnessResult r = RunCrashHarness(
      [&]() -> std::unique_ptr<SessionBackend> {
        auto b = SqliteBackend::Open(dir + "/crash.db");
        if (!b.ok()) return nullptr;
        return std::move(*b);
      },
      ho);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.verified, ho.kills);
  EXPECT_GT(r.total_ops + r.in_flight_applied, ho.kills / 3) << "children were killed before doing any work";
  std::cout << "[crash] sqlite: " << r.kills << " kills, " << r.verified << " verified, 0 torn or lost, in-flight op "
            << "found applied " << r.in_flight_applied << " times, " << r.total_ops << " acknowledged ops\n";
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
