// The power-loss simulator's own semantics: what survives a cut, call by
// call, under each loss model. The durability tests are only as good as this.
#include "tests/testing/power_loss_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

class PowerLossTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }

  std::string P(const std::string& name) const { return dir_ + "/" + name; }

  // Creates `name` through `fs` holding `data`, optionally synced.
  void Create(FileSystem& fs, const std::string& name, const std::string& data, bool sync) {
    absl::StatusOr<int> fd = fs.Open(P(name), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_TRUE(fd.ok()) << fd.status();
    ASSERT_TRUE(fs.Write(*fd, data, P(name)).ok());
    if (sync) {
      ASSERT_TRUE(fs.Sync(*fd, false, P(name)).ok());
    }
    ASSERT_TRUE(fs.Close(*fd, P(name)).ok());
  }

  // A durable file made before the simulation starts.
  void Existing(const std::string& name, const std::string& data) { Create(*PosixFileSystem(), name, data, false); }

  // "name=bytes" for every file, sorted.
  std::set<std::string> Files() {
    std::set<std::string> out;
    for (const std::string& n : ListFiles(dir_)) out.insert(n + "=" + ReadFileOrDie(P(n)));
    return out;
  }

  void Cut(PowerLossFileSystem& fs, PowerLoss m, uint32_t seed = 0) {
    std::string what;
    absl::Status st = fs.PowerCut(m, seed, &what);
    ASSERT_TRUE(st.ok()) << st;
  }

  std::string dir_;
};

TEST_F(PowerLossTest, ACreatedFileNeedsTheFolderSynced) {
  for (PowerLoss m : {PowerLoss::kDropUnsynced, PowerLoss::kDataFirst, PowerLoss::kMetadataFirst}) {
    SCOPED_TRACE(PowerLossName(m));
    RemoveFiles(dir_);
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    Create(fs, "a", "synced bytes", /*sync=*/true);
    Cut(fs, m);
    if (m == PowerLoss::kMetadataFirst) {
      EXPECT_EQ(Files(), (std::set<std::string>{"a=synced bytes"}));
    } else {
      EXPECT_EQ(Files(), std::set<std::string>{});
    }
  }
}

TEST_F(PowerLossTest, AFolderSyncKeepsTheNameNotTheUnsyncedBytes) {
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  Create(fs, "a", "never synced", /*sync=*/false);
  ASSERT_TRUE(fs.SyncDir(dir_).ok());
  Cut(fs, PowerLoss::kDropUnsynced);
  EXPECT_EQ(Files(), (std::set<std::string>{"a="}));
}

TEST_F(PowerLossTest, ARenameNeedsTheFolderSyncedAndTheFileItsOwnSync) {
  struct Case {
    bool sync_file, sync_dir;
    PowerLoss model;
    std::set<std::string> want;
  };
  const Case cases[] = {
      {true, true, PowerLoss::kDropUnsynced, {"a=new"}},
      {true, false, PowerLoss::kDropUnsynced, {"a=old"}},
      {true, false, PowerLoss::kMetadataFirst, {"a=new"}},
      {false, true, PowerLoss::kDropUnsynced, {"a="}},  // the renamed file had no durable bytes
      {false, false, PowerLoss::kMetadataFirst, {"a="}},
      {false, false, PowerLoss::kDataFirst, {"a=old"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.sync_file << c.sync_dir << PowerLossName(c.model));
    RemoveFiles(dir_);
    Existing("a", "old");
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    Create(fs, "tmp", "new", c.sync_file);
    ASSERT_TRUE(fs.Rename(P("tmp"), P("a")).ok());
    if (c.sync_dir) {
      ASSERT_TRUE(fs.SyncDir(dir_).ok());
    }
    Cut(fs, c.model);
    EXPECT_EQ(Files(), c.want);
  }
}

TEST_F(PowerLossTest, UnlinkAndLinkNeedTheFolderSynced) {
  Existing("a", "x");
  Existing("b", "y");
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  ASSERT_TRUE(fs.Unlink(P("a")).ok());
  ASSERT_TRUE(fs.Link(P("b"), P("c")).ok());
  Cut(fs, PowerLoss::kDropUnsynced);
  EXPECT_EQ(Files(), (std::set<std::string>{"a=x", "b=y"}));

  PowerLossFileSystem again(PosixFileSystem(), dir_);
  ASSERT_TRUE(again.Unlink(P("a")).ok());
  ASSERT_TRUE(again.Link(P("b"), P("c")).ok());
  ASSERT_TRUE(again.SyncDir(dir_).ok());
  Cut(again, PowerLoss::kDropUnsynced);
  EXPECT_EQ(Files(), (std::set<std::string>{"b=y", "c=y"}));
  struct stat b, c;
  ASSERT_EQ(::stat(P("b").c_str(), &b), 0);
  ASSERT_EQ(::stat(P("c").c_str(), &c), 0);
  EXPECT_EQ(b.st_ino, c.st_ino) << "a hard link survives as a hard link";
}

TEST_F(PowerLossTest, FdatasyncKeepsTheBytesButNotAChmod) {
  for (bool data_only : {true, false}) {
    RemoveFiles(dir_);
    const mode_t old_umask = ::umask(0);
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    absl::StatusOr<int> fd = fs.Open(P("a"), O_WRONLY | O_CREAT | O_EXCL, 0644);
    ::umask(old_umask);
    ASSERT_TRUE(fd.ok());
    ASSERT_TRUE(fs.Chmod(*fd, 0600, P("a")).ok());
    ASSERT_TRUE(fs.Write(*fd, "k", P("a")).ok());
    ASSERT_TRUE(fs.Sync(*fd, data_only, P("a")).ok());
    ASSERT_TRUE(fs.Close(*fd, P("a")).ok());
    ASSERT_TRUE(fs.SyncDir(dir_).ok());
    Cut(fs, PowerLoss::kDropUnsynced);
    EXPECT_EQ(Files(), (std::set<std::string>{"a=k"}));
    struct stat st;
    ASSERT_EQ(::stat(P("a").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, data_only ? 0644u : 0600u) << "data_only=" << data_only;
  }
}

TEST_F(PowerLossTest, AnUnsyncedTruncateIsKeptLostOrLostUnderLaterWrites) {
  // A truncate then an append is not an append to the synced bytes: the
  // random model keeps all of it, none, or the writes without the truncate.
  std::set<std::string> seen;
  for (uint32_t seed = 0; seed < 40; ++seed) {
    RemoveFiles(dir_);
    Existing("a", "0123456789");
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    absl::StatusOr<int> fd = fs.Open(P("a"), O_WRONLY | O_APPEND, 0);
    ASSERT_TRUE(fd.ok());
    ASSERT_TRUE(fs.Truncate(*fd, 4, P("a")).ok());
    ASSERT_TRUE(fs.Write(*fd, "xy", P("a")).ok());
    ASSERT_TRUE(fs.Close(*fd, P("a")).ok());
    ASSERT_EQ(ReadFileOrDie(P("a")), "0123xy");
    Cut(fs, PowerLoss::kRandom, seed);
    seen.insert(ReadFileOrDie(P("a")));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0123456789", "0123xy", "0123xy6789"}));
}

TEST_F(PowerLossTest, RandomKeepsAPrefixOfTheAppendedBytesSometimesZeroed) {
  std::set<std::string> seen;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    RemoveFiles(dir_);
    Existing("j", "abc");
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    absl::StatusOr<int> fd = fs.Open(P("j"), O_WRONLY | O_APPEND, 0);
    ASSERT_TRUE(fd.ok());
    ASSERT_TRUE(fs.Write(*fd, "de", P("j")).ok());
    ASSERT_TRUE(fs.Write(*fd, "fgh", P("j")).ok());
    ASSERT_TRUE(fs.Close(*fd, P("j")).ok());
    Cut(fs, PowerLoss::kRandom, seed);
    const std::string got = ReadFileOrDie(P("j"));
    seen.insert(got);
    const std::string full = "abcdefgh";
    const size_t nonzero = got.find('\0') == std::string::npos ? got.size() : got.find('\0');
    EXPECT_EQ(got.substr(0, nonzero), full.substr(0, nonzero)) << got;
    EXPECT_GE(nonzero, 3u) << "synced bytes are never lost";
    EXPECT_TRUE(nonzero == got.size() || got.size() == full.size()) << "zeros only run to the written size";
  }
  // Every prefix, and some zero-padded ones, turn up.
  for (size_t n = 3; n <= 8; ++n) EXPECT_EQ(seen.count(std::string("abcdefgh", n)), 1u) << n;
  EXPECT_TRUE(seen.count(std::string("abcd\0\0\0\0", 8)) + seen.count(std::string("abcde\0\0\0", 8)) > 0);
}

TEST_F(PowerLossTest, TheCutFailsEveryLaterCallButClosesDescriptors) {
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  absl::StatusOr<int> fd = fs.Open(P("a"), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(fd.ok());
  fs.CutAfter(2);
  EXPECT_TRUE(fs.Write(*fd, "1", P("a")).ok());
  EXPECT_FALSE(fs.dead());
  EXPECT_TRUE(fs.Write(*fd, "2", P("a")).ok());
  EXPECT_FALSE(fs.dead()) << "the second call completed; nothing has failed yet";
  absl::Status third = fs.Write(*fd, "3", P("a"));
  EXPECT_EQ(third.code(), absl::StatusCode::kUnavailable) << third;
  EXPECT_TRUE(fs.dead());
  EXPECT_EQ(fs.Stat(P("a")).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fs.Close(*fd, P("a")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(::fcntl(*fd, F_GETFD), -1) << "the descriptor is released even with the power off";
  EXPECT_EQ(ReadFileOrDie(P("a")), "12");
  Cut(fs, PowerLoss::kDataFirst);
  EXPECT_EQ(Files(), std::set<std::string>{}) << "the create was never made durable";
}

TEST_F(PowerLossTest, AFrozenProcessLosesNothingItWrote) {
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  absl::StatusOr<int> fd = fs.Open(P("a"), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(fs.Write(*fd, "kept", P("a")).ok());
  fs.Freeze(true);
  EXPECT_EQ(fs.Write(*fd, "never", P("a")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fs.Close(*fd, P("a")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(::fcntl(*fd, F_GETFD), -1);
  fs.Freeze(false);
  EXPECT_FALSE(fs.dead());
  EXPECT_EQ(fs.calls(), 2) << "frozen calls are not counted";
  EXPECT_EQ(ReadFileOrDie(P("a")), "kept");
  Cut(fs, PowerLoss::kDataFirst);
  EXPECT_EQ(Files(), std::set<std::string>{});
}

TEST_F(PowerLossTest, RefusesToCutWithOpenDescriptorsOrAfterChangesBehindItsBack) {
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  absl::StatusOr<int> fd = fs.Open(P("a"), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(fs.PowerCut(PowerLoss::kDropUnsynced).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(fs.Close(*fd, P("a")).ok());
  Existing("sneaky", "x");
  EXPECT_EQ(fs.PowerCut(PowerLoss::kDropUnsynced).code(), absl::StatusCode::kInternal);

  PowerLossFileSystem outside(PosixFileSystem(), dir_);
  EXPECT_FALSE(outside.Open("/tmp/elsewhere", O_RDONLY, 0).ok());
  EXPECT_EQ(outside.PowerCut(PowerLoss::kDropUnsynced).code(), absl::StatusCode::kInternal);
}

TEST_F(PowerLossTest, EventsNumberTheStateChangingCalls) {
  PowerLossFileSystem fs(PosixFileSystem(), dir_);
  Create(fs, "a", "x", /*sync=*/true);  // open(create), write, fsync
  ASSERT_TRUE(fs.SyncDir(dir_).ok());
  ASSERT_TRUE(fs.Stat(P("a")).ok());  // not a change
  EXPECT_EQ(fs.calls(), 4);
  const std::vector<PowerLossFileSystem::Event> ev = fs.events();
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].op, FsOp::kOpen);
  EXPECT_EQ(ev[1].op, FsOp::kWrite);
  EXPECT_EQ(ev[2].op, FsOp::kFsync);
  EXPECT_EQ(ev[2].inode, ev[1].inode);
  EXPECT_EQ(ev[3].op, FsOp::kDirFsync);
  EXPECT_EQ(ev[3].seq, 4);
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
