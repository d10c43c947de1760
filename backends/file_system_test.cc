// The errno mapping, and WriteFileAtomically's removal of stale temp files:
// only ours, only stale.
#include "backends/file_system.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace {

std::string NewDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/fs-XXXXXX");
  EXPECT_NE(::mkdtemp(&tmpl[0]), nullptr);
  return tmpl;
}

void WriteRaw(const std::string& path, const std::string& data, mode_t mode = 0600) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::fchmod(fd, mode), 0);
  ::close(fd);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> TempFilesIn(const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = PosixFileSystem()->ListDir(dir);
  EXPECT_TRUE(names.ok()) << names.status();
  std::vector<std::string> out;
  for (const std::string& n : *names) {
    if (IsAtomicWriteTempName(n)) out.push_back(n);
  }
  return out;
}

// A temp file as a writer killed mid-write leaves it.
const char kStale[] = ".session.bin.tmp-4242-7-9e3779b97f4a7c15";

TEST(ErrnoMappingTest, EachErrnoHasOneCode) {
  struct Case {
    int err;
    FsOp op;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {ENOENT, FsOp::kOpen, absl::StatusCode::kNotFound},
      {ENOTDIR, FsOp::kStat, absl::StatusCode::kNotFound},
      {EACCES, FsOp::kOpen, absl::StatusCode::kPermissionDenied},
      {EPERM, FsOp::kChmod, absl::StatusCode::kPermissionDenied},
      {EROFS, FsOp::kWrite, absl::StatusCode::kPermissionDenied},
      {ENOSPC, FsOp::kWrite, absl::StatusCode::kResourceExhausted},
      {EDQUOT, FsOp::kWrite, absl::StatusCode::kResourceExhausted},
      {EFBIG, FsOp::kWrite, absl::StatusCode::kResourceExhausted},
      {EMFILE, FsOp::kOpen, absl::StatusCode::kResourceExhausted},
      {ENFILE, FsOp::kOpen, absl::StatusCode::kResourceExhausted},
      {ENOMEM, FsOp::kRead, absl::StatusCode::kResourceExhausted},
      {EEXIST, FsOp::kLink, absl::StatusCode::kAlreadyExists},
      {EWOULDBLOCK, FsOp::kLock, absl::StatusCode::kFailedPrecondition},
      {EWOULDBLOCK, FsOp::kRead, absl::StatusCode::kUnavailable},
      {EINTR, FsOp::kClose, absl::StatusCode::kUnavailable},
      {EBUSY, FsOp::kRename, absl::StatusCode::kUnavailable},
      {ETXTBSY, FsOp::kOpen, absl::StatusCode::kUnavailable},
      {EIO, FsOp::kRead, absl::StatusCode::kDataLoss},
      {EIO, FsOp::kFsync, absl::StatusCode::kUnavailable},
      {EINVAL, FsOp::kTruncate, absl::StatusCode::kInvalidArgument},
      {ENAMETOOLONG, FsOp::kOpen, absl::StatusCode::kInvalidArgument},
      {EISDIR, FsOp::kRead, absl::StatusCode::kInvalidArgument},
      {ELOOP, FsOp::kOpen, absl::StatusCode::kFailedPrecondition},
      {EBADF, FsOp::kWrite, absl::StatusCode::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusCodeForErrno(c.err, c.op), c.code) << std::strerror(c.err) << " in " << FsOpName(c.op);
    const absl::Status s = ErrnoToStatus(c.err, c.op, "/x/y");
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), "/x/y")) << s;
  }
  EXPECT_EQ(ErrnoToStatus(EWOULDBLOCK, FsOp::kLock, "/x/y").message(),
            "session file lock /x/y is held by another process or backend instance");
  EXPECT_EQ(ErrnoToStatus(ENOENT, FsOp::kOpen, "/x/y").message(), "open /x/y: No such file or directory");
}

// The mapping is what real calls report: O_NOFOLLOW on a symlink, a folder
// read as a file, a missing folder.
TEST(ErrnoMappingTest, RealCalls) {
  const std::string dir = NewDir();
  ASSERT_EQ(::symlink("target", (dir + "/link").c_str()), 0);
  EXPECT_EQ(PosixFileSystem()->Open(dir + "/link", O_RDONLY | O_NOFOLLOW, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFileBounded(PosixFileSystem(), dir, 100).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PosixFileSystem()->Open(dir + "/no/such", O_RDONLY, 0).status().code(), absl::StatusCode::kNotFound);
}

// File sizes and offsets are 64 bits on every target. On a 32-bit one
// (armhf) without large-file support, off_t is 32 bits: ftruncate to 4 GiB +
// 5 made a 5-byte file, stat of a file past 2 GiB and readdir of a folder
// whose inode numbers do not fit 32 bits failed with EOVERFLOW. The file is
// sparse: no disk is used.
TEST(PosixFileSystemTest, SizesPast4GiBAreNotTruncated) {
  const std::string dir = NewDir();
  const std::string path = dir + "/big";
  FileSystem* fs = PosixFileSystem();
  const absl::StatusOr<int> fd = fs->Open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(fd.ok()) << fd.status();
  const uint64_t size = (uint64_t{1} << 32) + 5;
  ASSERT_TRUE(fs->Truncate(*fd, size, path).ok());
  const absl::StatusOr<FileInfo> by_fd = fs->FStat(*fd, path);
  ASSERT_TRUE(by_fd.ok()) << by_fd.status();
  EXPECT_EQ(by_fd->size, size);
  ASSERT_TRUE(fs->Close(*fd, path).ok());
  const absl::StatusOr<FileInfo> by_path = fs->Stat(path);
  ASSERT_TRUE(by_path.ok()) << by_path.status();
  EXPECT_EQ(by_path->size, size);
  const absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, std::vector<std::string>{"big"});
  // A bounded read refuses it by its real size, not a wrapped one.
  const absl::StatusOr<std::string> read = ReadFileBounded(fs, path, 1 << 20);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted) << read.status();
  ASSERT_TRUE(fs->Unlink(path).ok());
}

TEST(TempNameTest, OurNamesAndNoOthers) {
  for (const char* ours : {".s.tmp-1-0-0", ".session.bin.tmp-4242-7-9e3779b97f4a7c15", ".a.tmp-b.tmp-12-3-ff",
                           ".x.journal.tmp-99999-18446744073709551615-abcdef"}) {
    EXPECT_TRUE(IsAtomicWriteTempName(ours)) << ours;
  }
  for (const char* other : {"s.tmp-1-0-0", ".tmp-1-0-0", "..tmp-1-0-0", ".s.tmp-1-0-", ".s.tmp-1--0", ".s.tmp--0-0",
                            ".s.tmp-1-0-0-0", ".s.tmp-1-0-ABC", ".s.tmp-1-0-xyz", ".s.tmp-1-0-0123456789abcdef0",
                            ".s.tmp-12345678901-0-0", ".s.tmp", ".s.tmp-", ".s.swp", "s.session", ".s.tmp-1-0-0 "}) {
    EXPECT_FALSE(IsAtomicWriteTempName(other)) << other;
  }
  // The names WriteFileAtomically really uses.
  const std::string dir = NewDir();
  struct Recorder : FaultInjectingFileSystem {
    using FaultInjectingFileSystem::FaultInjectingFileSystem;
    absl::StatusOr<int> Open(const std::string& path, int flags, mode_t mode) override {
      if (flags & O_CREAT) created.push_back(path);
      return FaultInjectingFileSystem::Open(path, flags, mode);
    }
    std::vector<std::string> created;
  } fs(PosixFileSystem());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(WriteFileAtomically(&fs, dir + "/my.session", "x").ok());
  ASSERT_EQ(fs.created.size(), 3u);
  for (const std::string& p : fs.created) EXPECT_TRUE(IsAtomicWriteTempName(BaseName(p))) << p;
}

TEST(StaleTempTest, NextWriteToTheFolderRemovesThem) {
  const std::string dir = NewDir();
  WriteRaw(dir + "/" + kStale, std::string(4 << 20, 'k'));
  WriteRaw(dir + "/.other.session.tmp-1-2-3", "old writer", 0400);  // written before its fchmod
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), dir + "/another.session", "new").ok());
  EXPECT_FALSE(Exists(dir + "/" + kStale));
  EXPECT_FALSE(Exists(dir + "/.other.session.tmp-1-2-3"));
  EXPECT_EQ(Read(dir + "/another.session"), "new");
  EXPECT_TRUE(TempFilesIn(dir).empty());
}

TEST(StaleTempTest, FilesThatAreNotOursStay) {
  const std::string dir = NewDir();
  WriteRaw(dir + "/.notes.tmp", "editor");
  WriteRaw(dir + "/notes.tmp-1-2-3", "no leading dot");
  WriteRaw(dir + "/.shared.tmp-1-2-3", "group-readable: not created by us", 0640);
  ASSERT_EQ(::mkdir((dir + "/.folder.tmp-1-2-3").c_str(), 0700), 0);
  WriteRaw(dir + "/target", "the symlink's target");
  ASSERT_EQ(::symlink((dir + "/target").c_str(), (dir + "/.link.tmp-1-2-3").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir + "/.fifo.tmp-1-2-4").c_str(), 0600), 0);
  std::vector<std::string> kept = {".notes.tmp", "notes.tmp-1-2-3", ".shared.tmp-1-2-3", ".folder.tmp-1-2-3",
                                   ".link.tmp-1-2-3", ".fifo.tmp-1-2-4", "target"};
  // Another user's (only where chown works: as root outside a sandbox).
  WriteRaw(dir + "/.nobody.tmp-1-2-3", "another user's");
  if (::chown((dir + "/.nobody.tmp-1-2-3").c_str(), 65534, 65534) == 0) {
    kept.push_back(".nobody.tmp-1-2-3");
  } else {
    ::unlink((dir + "/.nobody.tmp-1-2-3").c_str());
  }
  EXPECT_EQ(RemoveStaleTempFiles(PosixFileSystem(), dir), 0);
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), dir + "/s", "new").ok());
  for (const std::string& k : kept) EXPECT_TRUE(Exists(dir + "/" + k)) << k;
  EXPECT_EQ(Read(dir + "/target"), "the symlink's target");
}

// A temp file another process is writing right now (it holds the lock)
// stays; once that process is gone, the next write removes it.
TEST(StaleTempTest, ATempFileOfALiveWriterStays) {
  const std::string dir = NewDir();
  const std::string live = dir + "/.bot.session.tmp-777-0-abc";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open(live.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0 || ::write(fd, "half", 4) != 4) ::_exit(1);
    if (::write(ready[1], "r", 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), dir + "/mine.session", "x").ok());
  EXPECT_EQ(RemoveStaleTempFiles(PosixFileSystem(), dir), 0);
  EXPECT_TRUE(Exists(live));
  EXPECT_EQ(Read(live), "half");
  ::kill(child, SIGKILL);
  int status;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(RemoveStaleTempFiles(PosixFileSystem(), dir), 1);
  EXPECT_FALSE(Exists(live));
  EXPECT_TRUE(TempFilesIn(dir).empty());
}

// A process that keeps writing to a folder scans it again (as often as the
// scans are cheap, and at least every 5 s however slow a scan was): a writer
// that dies beside it leaves nothing for long. The loop runs at least 10 s.
TEST(StaleTempTest, ARunningWriterRemovesThemLaterToo) {
  const std::string dir = NewDir();
  ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), dir + "/s.session", "1").ok());  // first scan
  WriteRaw(dir + "/" + kStale, "left by a writer that died");
  bool removed = false;
  for (int i = 0; i < 100 && !removed; ++i) {
    ::usleep(100 * 1000);
    ASSERT_TRUE(WriteFileAtomically(PosixFileSystem(), dir + "/s.session", "2").ok());
    removed = !Exists(dir + "/" + kStale);
  }
  EXPECT_TRUE(removed);
}

// A cleanup running between a writer's creation of its temp file and its
// lock takes the file; the writer notices and starts over.
class CleanupRacingFs : public FaultInjectingFileSystem {
 public:
  enum class Race { kUnlinkedBeforeLock, kLockedByCleanup };
  CleanupRacingFs(Race race, int times) : FaultInjectingFileSystem(PosixFileSystem()), race_(race), times_(times) {}
  absl::Status LockExclusive(int fd, const std::string& path) override {
    if (IsAtomicWriteTempName(BaseName(path)) && times_ > 0) {
      --times_;
      if (race_ == Race::kUnlinkedBeforeLock) {
        ::unlink(path.c_str());
      } else {
        // Held by a cleanup, which then unlinks it.
        taken_.push_back(path);
        return absl::FailedPreconditionError("held");
      }
    }
    return FaultInjectingFileSystem::LockExclusive(fd, path);
  }
  const std::vector<std::string>& taken() const { return taken_; }

 private:
  Race race_;
  int times_;
  std::vector<std::string> taken_;
};

TEST(StaleTempTest, AWriterWhoseTempFileWasTakenStartsOver) {
  for (CleanupRacingFs::Race race : {CleanupRacingFs::Race::kUnlinkedBeforeLock, CleanupRacingFs::Race::kLockedByCleanup}) {
    const std::string dir = NewDir();
    CleanupRacingFs fs(race, 2);
    ASSERT_TRUE(WriteFileAtomically(&fs, dir + "/s.session", "content").ok());
    EXPECT_EQ(Read(dir + "/s.session"), "content");
    for (const std::string& t : fs.taken()) ::unlink(t.c_str());  // what the cleanup would do
    EXPECT_TRUE(TempFilesIn(dir).empty());
    // Taken every time: the write fails, the target is untouched.
    CleanupRacingFs always(race, 100);
    const absl::Status st = WriteFileAtomically(&always, dir + "/s.session", "other");
    // The last attempt's own error: the temp file gone, or held.
    EXPECT_EQ(st.code(), race == CleanupRacingFs::Race::kUnlinkedBeforeLock ? absl::StatusCode::kNotFound
                                                                           : absl::StatusCode::kFailedPrecondition)
        << st;
    EXPECT_TRUE(absl::StrContains(st.message(), "failed 3 times")) << st;
    EXPECT_EQ(Read(dir + "/s.session"), "content");
  }
}

// Without flock (some network file systems), writers write unlocked and no
// cleanup removes anything.
TEST(StaleTempTest, WithoutFlockNothingIsRemoved) {
  const std::string dir = NewDir();
  WriteRaw(dir + "/" + kStale, "stale");
  FaultInjectingFileSystem fs(PosixFileSystem());
  fs.FailWhen([](FsOp op, const std::string&) { return op == FsOp::kLock; }, ENOLCK);
  ASSERT_TRUE(WriteFileAtomically(&fs, dir + "/s.session", "content").ok());
  EXPECT_EQ(Read(dir + "/s.session"), "content");
  EXPECT_TRUE(Exists(dir + "/" + kStale));
  // A file system that cannot list folders: the write goes on.
  fs.Reset();
  fs.FailWhen([](FsOp op, const std::string&) { return op == FsOp::kListDir; }, EIO);
  ASSERT_TRUE(WriteFileAtomically(&fs, dir + "/s.session", "again").ok());
  EXPECT_EQ(Read(dir + "/s.session"), "again");
  EXPECT_TRUE(Exists(dir + "/" + kStale));
}

}  // namespace
}  // namespace tgsession
