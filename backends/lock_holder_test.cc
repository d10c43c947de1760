#include "backends/lock_holder.h"

#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace {

// A pid that certainly names no process: a child that has exited and been
// reaped.
pid_t DeadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(LockHolderTest, RecordRoundTrips) {
  const LockHolder me = LockHolder::Current();
  EXPECT_EQ(me.pid, getpid());
  EXPECT_GT(me.process_start, 0u) << "no /proc/self/stat?";
  const std::string line = EncodeLockHolder(me);
  EXPECT_TRUE(absl::StartsWith(line, "tgsession-lock v1 pid=")) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  std::optional<LockHolder> back = ParseLockHolder(line);
  ASSERT_TRUE(back.has_value()) << line;
  EXPECT_EQ(back->pid, me.pid);
  EXPECT_EQ(back->host, me.host);
  EXPECT_EQ(back->boot_id, me.boot_id);
  EXPECT_EQ(back->process_start, me.process_start);
  EXPECT_EQ(absl::ToUnixSeconds(back->since), absl::ToUnixSeconds(me.since));
}

TEST(LockHolderTest, HostNamesCannotBreakTheLine) {
  LockHolder h = LockHolder::Current();
  h.host = "evil\nhost name=x";
  const std::string line = EncodeLockHolder(h);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  std::optional<LockHolder> back = ParseLockHolder(line);
  ASSERT_TRUE(back.has_value()) << line;
  EXPECT_EQ(back->host, "evil?host?name?x");
}

TEST(LockHolderTest, ForeignOrDamagedRecordsAreNotRead) {
  const std::string good = EncodeLockHolder(LockHolder::Current());
  for (const std::string& bad :
       {std::string(), std::string("1234\n"), good.substr(0, good.size() - 1), good.substr(0, 25) + "\n",
        absl::StrCat("tgsession-lock v2", good.substr(17)), std::string("tgsession-lock v1 pid=0 host=a since=x\n"),
        absl::StrCat(good.substr(0, good.size() - 1), std::string(2000, 'x'), "\n")}) {
    EXPECT_FALSE(ParseLockHolder(bad).has_value()) << bad;
  }
}

TEST(LockHolderTest, LivenessOfTheRecordedProcess) {
  const LockHolder me = LockHolder::Current();
  EXPECT_EQ(CheckLockHolder(me), HolderState::kAlive);

  LockHolder dead = me;
  dead.pid = DeadPid();
  EXPECT_EQ(CheckLockHolder(dead), HolderState::kGone);

  // Our pid, but another process's start time: the pid was reused.
  LockHolder reused = me;
  reused.process_start = me.process_start + 12345;
  EXPECT_EQ(CheckLockHolder(reused), HolderState::kGone);

  LockHolder earlier_boot = me;
  if (!me.boot_id.empty()) {
    earlier_boot.boot_id = "00000000-0000-0000-0000-000000000000";
    EXPECT_EQ(CheckLockHolder(earlier_boot), HolderState::kGone);
  }

  LockHolder elsewhere = me;
  elsewhere.host = "some-other-host.example";
  EXPECT_EQ(CheckLockHolder(elsewhere), HolderState::kOtherHost);
}

TEST(LockHolderTest, DescriptionNamesOnlyALiveHolder) {
  const LockHolder me = LockHolder::Current();
  const std::string alive = DescribeLockHolder(me);
  EXPECT_TRUE(absl::StrContains(alive, absl::StrCat("in use by process ", me.pid, " on host ", me.host, " since ")))
      << alive;

  LockHolder dead = me;
  dead.pid = DeadPid();
  const std::string gone = DescribeLockHolder(dead);
  EXPECT_TRUE(absl::StartsWith(gone, "in use by another process")) << gone;
  EXPECT_TRUE(absl::StrContains(gone, "which is gone")) << gone;

  EXPECT_TRUE(absl::StartsWith(DescribeLockHolder(std::nullopt), "in use by another process")) << gone;
}

}  // namespace
}  // namespace tgsession
