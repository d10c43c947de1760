// The tgsession binary killed while `convert` writes a large session: the
// target holds the old session or the new one, never a mix, and the temp
// file a killed writer leaves (the whole session, auth keys included) does
// not survive the next write to the folder. A writer that is alive keeps its
// temp file.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/session.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

// The binary under test, from the runfiles (the working directory of a test).
constexpr char kTgsession[] = "tools/tgsession";

// Names in `dir` that look like temp files of an atomic write
// (".<target>.tmp-..."), whatever their exact form.
std::vector<std::string> TempFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > 1 && name[0] == '.' && absl::StrContains(name, ".tmp-")) out.push_back(name);
  }
  ::closedir(d);
  return out;
}

// A session of `peers` peers, distinct per `seed`: about 18 bytes a peer,
// so 230,000 peers make a 4.1 MB file (v9).
std::string BigSession(int peers, int seed) {
  Session s = NewSessionWithDefaults();
  std::vector<CachedPeer> list;
  list.reserve(peers);
  for (int i = 0; i < peers; ++i) list.push_back(CachedPeer::User(1 + i, int64_t{seed} * 1000003 + i));
  s.peers.Assign(std::move(list));
  s.updates_state.pts = seed;
  absl::StatusOr<std::string> bin = EncodeBinary(s);
  EXPECT_TRUE(bin.ok()) << bin.status();
  return bin.ok() ? *bin : "";
}

pid_t StartConvert(const std::string& input, const std::string& output) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(kTgsession, kTgsession, "convert", "--to", "ferogram-binary", "--force", input.c_str(), "-o",
            output.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Whether child `pid` has not exited yet (it stays waitable).
bool Running(pid_t pid) {
  siginfo_t info = {};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
}

int RunConvert(const std::string& input, const std::string& output) {
  const int status = Wait(StartConvert(input, output));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class CliKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("cli_kill");
    out_dir_ = dir_ + "/out";
    ASSERT_EQ(::mkdir(out_dir_.c_str(), 0700), 0);
    target_ = out_dir_ + "/bot.session";
    for (int i = 0; i < 2; ++i) {
      inputs_[i] = absl::StrCat(dir_, "/in", i, ".session");
      WriteFileOrDie(inputs_[i], BigSession(230000, i + 1));
      // What convert writes for each input (a complete run).
      ASSERT_EQ(RunConvert(inputs_[i], target_), 0);
      outputs_[i] = ReadFileOrDie(target_);
      ASSERT_GT(outputs_[i].size(), 4000000u);
    }
    ASSERT_NE(outputs_[0], outputs_[1]);
  }

  std::string dir_, out_dir_, target_;
  std::string inputs_[2], outputs_[2];
};

TEST_F(CliKillTest, KilledConvertLeavesOldOrNewAndItsTempFileGoesAtTheNextWrite) {
  // How long a complete run takes, and how long its write lasts (from the
  // temp file's appearance to the exit), to aim the kills.
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t timed = StartConvert(inputs_[0], target_);
  while (TempFiles(out_dir_).empty() && Running(timed)) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(WIFEXITED(Wait(timed)));
  const auto us = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
  const int64_t run_us = us(std::chrono::steady_clock::now() - t0);
  const int64_t write_us = us(std::chrono::steady_clock::now() - t1);
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int64_t> any_moment(0, run_us * 6 / 5);
  std::uniform_int_distribution<int64_t> in_write(0, write_us * 3 / 5);
  int current = 0;  // which output the target holds
  int kills = 0, left_temp = 0, replaced = 0;
  constexpr int kIterations = 30;
  for (int i = 0; i < kIterations; ++i) {
    SCOPED_TRACE(absl::StrCat("iteration ", i));
    const int next = 1 - current;
    const pid_t pid = StartConvert(inputs_[next], target_);
    // Half the kills at any moment of the run, half inside the write.
    if (i % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(any_moment(rng)));
    } else {
      while (TempFiles(out_dir_).empty() && Running(pid)) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(in_write(rng)));
    }
    ::kill(pid, SIGKILL);
    const int status = Wait(pid);
    kills += WIFSIGNALED(status) ? 1 : 0;
    // Old or new, never a mix.
    const std::string now = ReadFileOrDie(target_);
    ASSERT_TRUE(now == outputs_[current] || now == outputs_[next]) << now.size() << " bytes, a mix";
    if (now == outputs_[next]) {
      ++replaced;
      current = next;
    }
    left_temp += TempFiles(out_dir_).empty() ? 0 : 1;
    // The next write to the folder: a complete run, to the same target.
    ASSERT_EQ(RunConvert(inputs_[1 - current], target_), 0);
    current = 1 - current;
    EXPECT_EQ(ReadFileOrDie(target_), outputs_[current]);
    const std::vector<std::string> left = TempFiles(out_dir_);
    EXPECT_TRUE(left.empty()) << left.size() << " temp files survived the next write, e.g. " << left[0];
  }
  std::printf("%d kills (a run takes %lld us, its write %lld us): %d left a temp file, %d had replaced the target\n",
              kills, static_cast<long long>(run_us), static_cast<long long>(write_us), left_temp, replaced);
  // The kills must land inside writes for this test to mean anything.
  EXPECT_GE(left_temp, 4);
}

// A writer that is alive keeps its temp file, even stopped in the middle of
// a write while another convert writes to the same folder; resumed, it
// finishes its own write.
TEST_F(CliKillTest, ATempFileOfALiveConvertStays) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const pid_t pid = StartConvert(inputs_[1], target_);
    // Stop it once it writes its temp file (bytes in it: past the creation
    // and the lock).
    std::vector<std::string> temp;
    const auto writing = [&] {
      temp = TempFiles(out_dir_);
      struct stat st;
      return !temp.empty() && ::stat((out_dir_ + "/" + temp[0]).c_str(), &st) == 0 && st.st_size > 0;
    };
    for (int spin = 0; spin < 200000 && !writing(); ++spin) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    ::kill(pid, SIGSTOP);
    temp = TempFiles(out_dir_);
    if (temp.empty()) {  // it finished between the look and the stop
      ::kill(pid, SIGCONT);
      ASSERT_TRUE(WIFEXITED(Wait(pid)));
      ASSERT_EQ(RunConvert(inputs_[0], target_), 0);
      continue;
    }
    ASSERT_EQ(RunConvert(inputs_[0], out_dir_ + "/other.session"), 0);
    EXPECT_EQ(TempFiles(out_dir_), temp) << "the live writer's temp file was removed";
    ::kill(pid, SIGCONT);
    const int status = Wait(pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(ReadFileOrDie(target_), outputs_[1]);
    EXPECT_TRUE(TempFiles(out_dir_).empty());
    std::printf("stopped a writer mid-write at attempt %d\n", attempt + 1);
    return;
  }
  FAIL() << "never caught a convert while its temp file existed";
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
