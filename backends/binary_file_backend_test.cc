// BinaryFileBackend: conformance, ferogram file compatibility, the journal,
// locking, corrupt-file recovery, file modes and injected I/O faults.
#include "backends/binary_file_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/file_system.h"
#include "backends/journal.h"
#include "backends/lock_holder.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "tests/testing/backend_conformance.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using Options = BinaryFileBackend::Options;

BackendFactory FileFactory(const std::string& name, Options o) {
  return BackendFactory{name,
                        [o](const std::string& dir) -> std::unique_ptr<SessionBackend> {
                          auto b = BinaryFileBackend::Open(dir + "/s.session", o);
                          EXPECT_TRUE(b.ok()) << b.status();
                          return b.ok() ? std::move(*b) : nullptr;
                        },
                        /*persistent=*/true, /*allows_second_writer=*/false, /*refuses_calls_after_close=*/true};
}

Options Durable() {
  Options o;
  o.sync = BinaryFileBackend::Sync::kEveryOperation;
  return o;
}
Options GroupCommit() {
  Options o;
  o.sync = BinaryFileBackend::Sync::kGroupCommit;
  o.group_commit_window = absl::Milliseconds(5);
  return o;
}
Options TinyJournal() {
  // Compacts every few records: exercises snapshot rewrites under load.
  Options o;
  o.compact_min_journal_bytes = 200;
  return o;
}
Options NoCompactOnClose() {
  // Each fault must hit the call that makes it: syncs happen in the call.
  Options o = Durable();
  o.compact_on_close = false;
  return o;
}

INSTANTIATE_TEST_SUITE_P(BinaryFile, BackendConformanceTest,
                         ::testing::Values(FileFactory("default", Options()), FileFactory("durable", Durable()),
                                           FileFactory("group_commit", GroupCommit()),
                                           FileFactory("tiny_journal", TinyJournal()),
                                           FileFactory("journal_kept_on_close", NoCompactOnClose())),
                         BackendFactoryName);

std::unique_ptr<BinaryFileBackend> OpenOrDie(const std::string& path, Options o = Options()) {
  auto b = BinaryFileBackend::Open(path, o);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

void WriteRaw(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

class BinaryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    path_ = dir_ + "/my.session";
  }
  std::string dir_, path_;
};

// The POSIX layer's write and read loops under a storm of signals: a pipe
// with a slow peer blocks every call, and SIGALRM every 200 us (installed
// without SA_RESTART) interrupts them, so write(2)/read(2) return EINTR or a
// short count again and again. Every byte must still arrive, in order.
std::atomic<int> g_alarms{0};
void CountAlarm(int) { g_alarms.fetch_add(1, std::memory_order_relaxed); }

class SignalStorm {
 public:
  SignalStorm() {
    struct sigaction sa = {};
    sa.sa_handler = CountAlarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocked calls fail with EINTR or return short
    sigaction(SIGALRM, &sa, &old_);
    struct itimerval t = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &t, nullptr);
  }
  ~SignalStorm() {
    struct itimerval off = {};
    setitimer(ITIMER_REAL, &off, nullptr);
    sigaction(SIGALRM, &old_, nullptr);
  }

 private:
  struct sigaction old_;
};

// Runs `peer` on a thread that never takes SIGALRM, so the signals land on
// this thread's read or write.
std::thread PeerWithoutAlarms(std::function<void()> peer) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  std::thread t(std::move(peer));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4093) & 0xff);
  return s;
}

TEST(PosixFileSystemTest, WriteLoopsOverShortWritesAndEintr) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string data = Pattern(8u << 20);
  std::string received;
  std::thread reader = PeerWithoutAlarms([&] {
    char buf[3001];  // small, odd reads with pauses keep the writer blocked
    for (;;) {
      const ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      received.append(buf, static_cast<size_t>(n));
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // >= 56 ms in all
    }
  });
  g_alarms = 0;
  absl::Status st;
  {
    SignalStorm storm;
    st = PosixFileSystem()->Write(fds[1], data, "pipe");
  }
  close(fds[1]);
  reader.join();
  close(fds[0]);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_GT(g_alarms.load(), 10) << "the writer was never interrupted: the test proves nothing";
  ASSERT_EQ(received.size(), data.size());
  EXPECT_TRUE(received == data);
}

TEST(PosixFileSystemTest, ReadLoopsOverShortReadsAndEintr) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string data = Pattern(2u << 20);
  std::thread writer = PeerWithoutAlarms([&] {
    // Dribbles the data so every read(2) returns short or blocks.
    for (size_t off = 0; off < data.size();) {
      const size_t n = std::min<size_t>(5003, data.size() - off);
      const ssize_t w = write(fds[1], data.data() + off, n);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
      std::this_thread::sleep_for(std::chrono::microseconds(50));  // >= 21 ms in all
    }
    close(fds[1]);
  });
  g_alarms = 0;
  std::string got(data.size() + 100, '\0');
  absl::StatusOr<size_t> n;
  {
    SignalStorm storm;
    n = PosixFileSystem()->Read(fds[0], &got[0], got.size(), "pipe");
  }
  writer.join();
  close(fds[0]);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GT(g_alarms.load(), 10) << "the reader was never interrupted: the test proves nothing";
  ASSERT_EQ(*n, data.size());  // a short count only at end of file
  got.resize(*n);
  EXPECT_TRUE(got == data);
}

// Holds the first fdatasync of `path` after Arm() until Release(), so a test
// can act while the group-commit flusher is inside it, and can make that one
// sync fail. Notes a Close() of the fd being synced.
class GatedSyncFileSystem : public FaultInjectingFileSystem {
 public:
  GatedSyncFileSystem() : FaultInjectingFileSystem(PosixFileSystem()) {}

  void Arm(const std::string& path, int fail_with = 0) {
    absl::MutexLock l(&gate_mu_);
    path_ = path;
    armed_ = true;
    entered_ = released_ = false;
    fail_with_ = fail_with;
  }
  bool WaitEntered() {
    absl::MutexLock l(&gate_mu_);
    return gate_mu_.AwaitWithTimeout(absl::Condition(&entered_), absl::Seconds(20));
  }
  void Release() {
    absl::MutexLock l(&gate_mu_);
    released_ = true;
  }
  int syncs() {
    absl::MutexLock l(&gate_mu_);
    return syncs_;
  }
  bool closed_in_flight() {
    absl::MutexLock l(&gate_mu_);
    return closed_in_flight_;
  }

  absl::Status Sync(int fd, bool data_only, const std::string& path) override {
    int fail = 0;
    bool gated = false;
    {
      absl::MutexLock l(&gate_mu_);
      if (path == path_) ++syncs_;
      if (armed_ && path == path_) {
        armed_ = false;
        gated = true;
        entered_ = true;
        in_flight_fd_ = fd;
        fail = fail_with_;
        gate_mu_.Await(absl::Condition(&released_));
      }
    }
    absl::Status st = fail != 0 ? ErrnoToStatus(fail, FsOp::kFsync, path)
                                : FaultInjectingFileSystem::Sync(fd, data_only, path);
    if (gated) {
      absl::MutexLock l(&gate_mu_);
      in_flight_fd_ = -1;
    }
    return st;
  }
  absl::Status Close(int fd, const std::string& path) override {
    {
      absl::MutexLock l(&gate_mu_);
      if (fd == in_flight_fd_) closed_in_flight_ = true;
    }
    return FaultInjectingFileSystem::Close(fd, path);
  }

 private:
  absl::Mutex gate_mu_;
  std::string path_;
  bool armed_ = false, entered_ = false, released_ = false, closed_in_flight_ = false;
  int fail_with_ = 0, syncs_ = 0, in_flight_fd_ = -1;
};

class GroupCommitFlusherTest : public BinaryFileTest {
 protected:
  void OpenGated() {
    Options o;
    o.fs = &fs_;
    o.sync = BinaryFileBackend::Sync::kGroupCommit;
    o.group_commit_window = absl::Milliseconds(1);
    auto b = BinaryFileBackend::Open(path_, o);
    ASSERT_TRUE(b.ok()) << b.status();
    b_ = std::move(*b);
    ASSERT_TRUE(b_->Save(RichSession()).ok());
    ASSERT_TRUE(b_->CachePeer(CachedPeer::User(1, 1)).ok());  // creates the journal
  }
  // Gates the flusher's next journal sync and appends a change for it to
  // sync (the one after opening may be synced already); returns once the
  // flusher is inside the gated sync.
  void ArmAndWaitForTheFlusher(int fail_with = 0) {
    fs_.Arm(path_ + ".journal", fail_with);
    ASSERT_TRUE(b_->CachePeer(CachedPeer::User(2, 2)).ok());
    ASSERT_TRUE(fs_.WaitEntered()) << "the flusher never synced the journal";
  }
  // Waits up to 20 s for `flag`; whether it was set.
  static bool Within20s(const std::atomic<bool>& flag) {
    for (int i = 0; i < 20000 && !flag; ++i) absl::SleepFor(absl::Milliseconds(1));
    return flag;
  }
  void TearDown() override {
    fs_.Release();
    b_.reset();  // before fs_
  }
  GatedSyncFileSystem fs_;
  std::unique_ptr<BinaryFileBackend> b_;
};

// The background fdatasync runs without the backend's lock: calls made while
// it is in flight return without waiting for the disk, and Flush() waits for
// it and then syncs what was appended meanwhile.
TEST_F(GroupCommitFlusherTest, CallsDoNotWaitForTheBackgroundSyncButFlushDoes) {
  OpenGated();
  ArmAndWaitForTheFlusher();
  std::atomic<bool> calls_done{false};
  std::thread calls([&] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(b_->CachePeer(CachedPeer::User(100 + i, i)).ok());
    calls_done = true;
  });
  const bool calls_finished = Within20s(calls_done);
  std::atomic<bool> flushed{false};
  absl::Status flush_status;
  std::thread flush([&] {
    flush_status = b_->Flush();
    flushed = true;
  });
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(flushed) << "Flush() returned while the background sync was still in flight";
  const int syncs_before = fs_.syncs();
  fs_.Release();
  calls.join();
  flush.join();
  EXPECT_TRUE(calls_finished) << "CachePeer waited for the background fdatasync";
  EXPECT_TRUE(flush_status.ok()) << flush_status;
  EXPECT_GT(fs_.syncs(), syncs_before) << "Flush() did not sync the appends made during the background sync";
  Session want = RichSession();
  want.CachePeer(CachedPeer::User(1, 1));
  want.CachePeer(CachedPeer::User(2, 2));
  for (int i = 0; i < 100; ++i) want.CachePeer(CachedPeer::User(100 + i, i));
  auto read = BinaryFileBackend::ReadSessionFiles(path_);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, want);
}

// A snapshot write closes the journal; it must wait for the sync in flight on
// that journal's fd (closing it could hand the number to another file).
TEST_F(GroupCommitFlusherTest, SaveDoesNotCloseTheJournalUnderTheBackgroundSync) {
  OpenGated();
  ArmAndWaitForTheFlusher();
  Session next = RichSession();
  next.home_dc_id = 4;
  std::atomic<bool> saved{false};
  absl::Status save_status;
  std::thread save([&] {
    save_status = b_->Save(next);
    saved = true;
  });
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(saved) << "Save() replaced the journal while its sync was in flight";
  fs_.Release();
  save.join();
  EXPECT_TRUE(save_status.ok()) << save_status;
  EXPECT_FALSE(fs_.closed_in_flight()) << "the journal fd was closed during its fdatasync";
  auto read = BinaryFileBackend::ReadSessionFiles(path_);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, next);
}

// A failed background sync is not forgotten: the changes stay dirty (Flush()
// syncs them again) and the next call reports that they may not be durable.
TEST_F(GroupCommitFlusherTest, AFailedBackgroundSyncIsRetriedAndReported) {
  OpenGated();
  ArmAndWaitForTheFlusher(EIO);
  const int syncs_before = fs_.syncs();
  fs_.Release();
  EXPECT_TRUE(b_->Flush().ok());
  EXPECT_GT(fs_.syncs(), syncs_before) << "the changes of the failed sync were not synced again";
  absl::Status next = b_->CachePeer(CachedPeer::User(3, 3));
  EXPECT_EQ(next.code(), absl::StatusCode::kUnavailable) << next;  // EIO from fdatasync
  EXPECT_TRUE(absl::StrContains(next.message(), "may not be durable")) << next;
  EXPECT_TRUE(b_->CachePeer(CachedPeer::User(3, 3)).ok()) << "the error is reported once";
}

TEST_F(BinaryFileTest, SavedFileIsAPlainFerogramFile) {
  const Session s = RichSession();
  {
    auto b = OpenOrDie(path_);
    ASSERT_TRUE(b->Save(s).ok());
  }
  EXPECT_EQ(ReadFileOrDie(path_), *EncodeBinary(s));
  EXPECT_FALSE(FileExists(path_ + ".journal"));
}

TEST_F(BinaryFileTest, LoadsFilesTheRealCrateWrote) {
  const std::string src = VectorsDir() + "/ferogram/binary/v8_token_present.bin";
  WriteRaw(path_, ReadFileOrDie(src));
  auto b = OpenOrDie(path_);
  EXPECT_EQ(LoadOrDie(*b), *DecodeBinary(ReadFileOrDie(src)));
}

TEST_F(BinaryFileTest, GranularOpsAppendAndCompactBackToFerogram) {
  Session want = RichSession();
  {
    auto b = OpenOrDie(path_);
    ASSERT_TRUE(b->Save(want).ok());
    const size_t writes = b->snapshot_writes();
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(b->CachePeer(CachedPeer::User(9000 + i, i)).ok());
      want.CachePeer(CachedPeer::User(9000 + i, i));
    }
    ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::Channel(55, 5)).ok());
    want.updates_state.SetChannelPts(55, 5);
    EXPECT_EQ(b->snapshot_writes(), writes) << "granular ops must not rewrite the snapshot";
    EXPECT_GT(b->journal_bytes(), 100u * 20);
    EXPECT_TRUE(FileExists(path_ + ".journal"));
    // The snapshot on disk is still the old one; the journal has the rest.
    EXPECT_EQ(ReadFileOrDie(path_), *EncodeBinary(RichSession()));
    auto read = BinaryFileBackend::ReadSessionFiles(path_);
    ASSERT_TRUE(read.ok() && read->has_value());
    EXPECT_EQ(**read, want);
  }
  // Closing compacts: a plain ferogram file again, no journal.
  EXPECT_EQ(ReadFileOrDie(path_), *EncodeBinary(want));
  EXPECT_FALSE(FileExists(path_ + ".journal"));
}

TEST_F(BinaryFileTest, CloseReportsAFailedFoldAndKeepsTheJournal) {
  FaultInjectingFileSystem fs(PosixFileSystem());
  Options o;
  o.fs = &fs;
  Session want = RichSession();
  auto b = OpenOrDie(path_, o);
  ASSERT_TRUE(b->Save(want).ok());
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(4242, 7)).ok());
  want.CachePeer(CachedPeer::User(4242, 7));
  fs.FailNth(FsOp::kRename, 1, EIO);  // the fold's rename over the snapshot
  absl::Status closed = b->Close();
  EXPECT_EQ(closed.code(), absl::StatusCode::kUnavailable) << closed;
  EXPECT_EQ(fs.InjectedFailures(), 1);
  EXPECT_TRUE(b->Close().ok()) << "a second Close reports nothing new";
  EXPECT_EQ(b->Load().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(b->Flush().code(), absl::StatusCode::kFailedPrecondition);
  b.reset();
  // Nothing acknowledged was lost: the journal still holds the peer, and the
  // lock was released (a new backend opens the path).
  EXPECT_TRUE(FileExists(path_ + ".journal"));
  auto reopened = OpenOrDie(path_);
  EXPECT_EQ(LoadOrDie(*reopened), want);
}

TEST_F(BinaryFileTest, JournalSurvivesWithoutCompaction) {
  Session want = RichSession();
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(want).ok());
    ASSERT_TRUE(b->SetHomeDc(4).ok());
    DcEntry e = DcEntry::FromParts(4, "149.154.167.91", 443, DcFlags());
    ASSERT_TRUE(b->UpdateDc(e).ok());
    want.home_dc_id = 4;
    want.UpsertDc(e);
  }
  EXPECT_TRUE(FileExists(path_ + ".journal"));
  auto b = OpenOrDie(path_);
  EXPECT_EQ(LoadOrDie(*b), want);
}

TEST_F(BinaryFileTest, TornJournalTailIsIgnoredAndCut) {
  Session want = RichSession();
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(want).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
    want.CachePeer(CachedPeer::User(1, 1));
  }
  // A crash in the middle of an append leaves half a record.
  const std::string journal = ReadFileOrDie(path_ + ".journal");
  {
    std::ofstream f(path_ + ".journal", std::ios::binary | std::ios::app);
    f << std::string("\x13\x00\x00\x00\xaa\xbb", 6);
  }
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    EXPECT_EQ(LoadOrDie(*b), want);
    EXPECT_EQ(ReadFileOrDie(path_ + ".journal"), journal) << "torn tail must be cut at open";
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(2, 2)).ok());
    want.CachePeer(CachedPeer::User(2, 2));
  }
  auto b = OpenOrDie(path_);
  EXPECT_EQ(LoadOrDie(*b), want);
}

// A power loss can write a journal's new size without all of its data: the
// appends stop short inside a record and zeros follow to the end of the file,
// over any later records.
TEST_F(BinaryFileTest, ZerosFromInsideARecordToTheEndAreATornTail) {
  Session want = RichSession();
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(want).ok());
    for (int i = 0; i < 3; ++i) {
      CachedPeer p = CachedPeer::User(i + 1, i + 1);
      p.is_community = true;  // the record's last byte is not zero
      ASSERT_TRUE(b->CachePeer(p).ok());
      if (i == 0) want.CachePeer(p);
    }
  }
  const std::string journal = ReadFileOrDie(path_ + ".journal");
  const size_t record = (journal.size() - journal::kHeaderSize) / 3;
  const size_t second = journal::kHeaderSize + record;
  for (size_t reached = 0; reached < record; ++reached) {
    SCOPED_TRACE(::testing::Message() << reached << " bytes of the second record reached the disk");
    std::string j = journal.substr(0, second + reached);
    j.resize(journal.size(), '\0');
    WriteRaw(path_ + ".journal", j);
    auto b = OpenOrDie(path_, NoCompactOnClose());
    EXPECT_EQ(LoadOrDie(*b), want);
    EXPECT_EQ(ReadFileOrDie(path_ + ".journal"), journal.substr(0, second)) << "the torn tail is cut at open";
  }
}

// Zeros excuse only the record they start in: a damaged record that ends
// before them is corruption.
TEST_F(BinaryFileTest, ABadRecordBeforeTrailingZerosIsDataLoss) {
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(RichSession()).ok());
    for (int i = 0; i < 3; ++i) {
      CachedPeer p = CachedPeer::User(i + 1, i + 1);
      p.is_community = true;  // the record's last byte is not zero
      ASSERT_TRUE(b->CachePeer(p).ok());
    }
  }
  std::string j = ReadFileOrDie(path_ + ".journal");
  const size_t record = (j.size() - journal::kHeaderSize) / 3;
  j[journal::kHeaderSize + record + 12] ^= 0x40;  // inside the second record's payload
  std::fill(j.end() - record, j.end(), '\0');      // the third never reached the disk
  WriteRaw(path_ + ".journal", j);
  auto b = OpenOrDie(path_);
  auto s = b->Load();
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
}

TEST_F(BinaryFileTest, CorruptJournalMiddleIsDataLossNotSilence) {
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(RichSession()).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->CachePeer(CachedPeer::User(i, i)).ok());
  }
  std::string j = ReadFileOrDie(path_ + ".journal");
  j[journal::kHeaderSize + 12] ^= 0x40;  // inside the first record's payload
  WriteRaw(path_ + ".journal", j);
  auto b = OpenOrDie(path_);
  auto s = b->Load();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(s.status().message(), "journal")) << s.status();
  // Recovery keeps the good snapshot and moves only the journal aside.
  auto backup = b->RecoverCorrupt();
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_TRUE(absl::StrContains(*backup, ".journal.corrupt-"));
  EXPECT_EQ(LoadOrDie(*b), RichSession());
}

TEST_F(BinaryFileTest, StaleJournalOfAnotherSnapshotIsIgnored) {
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(123, 1)).ok());
  }
  const std::string stale_journal = ReadFileOrDie(path_ + ".journal");
  Session other;
  other.home_dc_id = 3;
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(other).ok());
  }
  // As if the process crashed after the snapshot rename, before removing the
  // journal.
  WriteRaw(path_ + ".journal", stale_journal);
  auto b = OpenOrDie(path_);
  EXPECT_EQ(LoadOrDie(*b), other);
  EXPECT_FALSE(FileExists(path_ + ".journal"));
}

TEST_F(BinaryFileTest, SavingTheSameBytesAgainDiscardsTheJournal) {
  auto b = OpenOrDie(path_, NoCompactOnClose());
  ASSERT_TRUE(b->Save(RichSession()).ok());
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(123, 1)).ok());
  ASSERT_TRUE(b->Save(RichSession()).ok());
  EXPECT_EQ(LoadOrDie(*b), RichSession());
  EXPECT_FALSE(FileExists(path_ + ".journal"));
  // The next change starts a new journal.
  ASSERT_TRUE(b->CachePeer(CachedPeer::User(124, 1)).ok());
  EXPECT_TRUE(FileExists(path_ + ".journal"));
  b.reset();
  auto again = OpenOrDie(path_);
  Session expected = RichSession();
  expected.CachePeer(CachedPeer::User(124, 1));
  EXPECT_EQ(LoadOrDie(*again), expected);
}

TEST_F(BinaryFileTest, ClosingAfterChangesThatChangedNothingLeavesOnePlainFile) {
  ASSERT_TRUE(OpenOrDie(path_)->Save(RichSession()).ok());
  auto b = OpenOrDie(path_);
  ASSERT_EQ(LoadOrDie(*b), RichSession());
  for (const CachedPeer& p : RichSession().peers) ASSERT_TRUE(b->CachePeer(p).ok());
  EXPECT_TRUE(FileExists(path_ + ".journal"));
  ASSERT_TRUE(b->Close().ok());
  EXPECT_FALSE(FileExists(path_ + ".journal"));
  EXPECT_EQ(LoadOrDie(*OpenOrDie(path_)), RichSession());
}

TEST_F(BinaryFileTest, FilesAre0600WhateverTheUmask) {
  const mode_t old = ::umask(0);
  {
    auto b = OpenOrDie(path_, NoCompactOnClose());
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
    EXPECT_EQ(ModeOf(path_), 0600u);
    EXPECT_EQ(ModeOf(path_ + ".journal"), 0600u);
    EXPECT_EQ(ModeOf(path_ + ".lock"), 0600u);
  }
  ::umask(0277);
  {
    auto b = OpenOrDie(dir_ + "/other.session");
    ASSERT_TRUE(b->Save(RichSession()).ok());
    EXPECT_EQ(ModeOf(dir_ + "/other.session"), 0600u);
  }
  ::umask(old);
}

// Records the mode passed to every open(2) that may create a file, and every
// link(2): what the final mode of a file cannot show, since a file created
// 0644 and fchmod'ed to 0600 was world-readable in between.
class CreationRecorder : public FaultInjectingFileSystem {
 public:
  struct Created {
    std::string name;
    mode_t mode;
    int flags;
  };
  CreationRecorder() : FaultInjectingFileSystem(PosixFileSystem()) {}
  absl::StatusOr<int> Open(const std::string& path, int flags, mode_t mode) override {
    if ((flags & O_CREAT) != 0) {
      absl::MutexLock lock(&mu_);
      created_.push_back(Created{BaseName(path), mode, flags});
    }
    return FaultInjectingFileSystem::Open(path, flags, mode);
  }
  absl::Status Link(const std::string& from, const std::string& to) override {
    {
      absl::MutexLock lock(&mu_);
      linked_.push_back(BaseName(to));
    }
    return FaultInjectingFileSystem::Link(from, to);
  }
  std::vector<Created> created() const {
    absl::MutexLock lock(&mu_);
    return created_;
  }
  std::vector<std::string> linked() const {
    absl::MutexLock lock(&mu_);
    return linked_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Created> created_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> linked_ ABSL_GUARDED_BY(mu_);
};

TEST_F(BinaryFileTest, EveryFileIsCreated0600NotChmodedThereLater) {
  CreationRecorder fs;
  Options o = TinyJournal();
  o.fs = &fs;
  {
    // Lock file, snapshot temp files (save, fold, compaction, close), the
    // journal's temp file.
    auto b = OpenOrDie(path_, o);
    ASSERT_TRUE(b->Save(RichSession()).ok());
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(b->CachePeer(CachedPeer::User(i, i)).ok());
    ASSERT_TRUE(b->Compact().ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(99, 99)).ok());
  }
  if (EncryptionAvailable()) {
    // Encrypted snapshot and journal.
    Options e = o;
    e.passphrase = std::make_shared<const SecretString>(std::string("pass"));
    e.kdf = KdfParams::Minimum();
    auto b = OpenOrDie(dir_ + "/enc.session", e);
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
  }
  {
    // Backups of a corrupt snapshot and of a corrupt journal.
    WriteRaw(dir_ + "/bad.session", "not a session");
    WriteRaw(dir_ + "/bad.session.journal", "nor a journal");
    ::chmod((dir_ + "/bad.session").c_str(), 0600);
    ::chmod((dir_ + "/bad.session.journal").c_str(), 0600);
    auto b = OpenOrDie(dir_ + "/bad.session", o);
    ASSERT_TRUE(b->RecoverCorrupt().ok());
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
    ASSERT_TRUE(b->Delete().ok());
  }
  // WriteFileAtomically as the CLI and the SQLite image writer call it.
  ASSERT_TRUE(WriteFileAtomically(&fs, dir_ + "/out.session", "x").ok());
  ASSERT_TRUE(WriteFileAtomically(&fs, dir_ + "/out.db", "x", AtomicWriteOptions{0600, false}).ok());

  std::set<std::string> kinds;
  for (const CreationRecorder::Created& c : fs.created()) {
    EXPECT_EQ(c.mode & 07777, 0600u) << c.name << " was created with mode " << std::oct << c.mode;
    EXPECT_EQ(c.name.find(".corrupt-"), std::string::npos) << c.name << ": backups are links, not copies";
    if (absl::StrContains(c.name, ".tmp-")) {
      EXPECT_NE(c.flags & O_EXCL, 0) << c.name << ": temp files are created exclusively";
      kinds.insert(c.name.substr(0, c.name.find(".tmp-")));
    } else {
      kinds.insert(c.name);
    }
  }
  std::set<std::string> expected = {".bad.session", ".bad.session.journal", ".my.session", ".my.session.journal",
                                    ".out.db",      ".out.session",         "bad.session.lock", "my.session.lock"};
  if (EncryptionAvailable()) expected.insert({".enc.session", ".enc.session.journal", "enc.session.lock"});
  EXPECT_EQ(kinds, expected);
  const std::vector<std::string> links = fs.linked();
  ASSERT_EQ(links.size(), 2u);
  for (const std::string& name : links) {
    EXPECT_TRUE(absl::StrContains(name, ".corrupt-")) << name;
    EXPECT_EQ(ModeOf(dir_ + "/" + name), 0600u) << name;
  }
}

// A build without libsodium (TGS_NO_SODIUM: the cross configurations,
// TGS_WITH_SODIUM=OFF in CMake) refuses a passphrase with kUnimplemented
// when it would encrypt, and still recognises an encrypted file instead of
// calling it corrupt; with libsodium both work.
TEST_F(BinaryFileTest, PassphraseWorksOrIsRefusedAsUnimplemented) {
  Options e;
  e.passphrase = std::make_shared<const SecretString>(std::string("pass"));
  e.kdf = KdfParams::Minimum();
  auto b = OpenOrDie(path_, e);
  const absl::Status saved = b->Save(RichSession());
  if (EncryptionAvailable()) {
    EXPECT_TRUE(saved.ok()) << saved;
  } else {
    EXPECT_EQ(saved.code(), absl::StatusCode::kUnimplemented) << saved;
    EXPECT_TRUE(absl::StrContains(saved.message(), "libsodium")) << saved;
  }
  b.reset();

  // An envelope (magic, XChaCha20-Poly1305, Argon2id, opslimit 1, 8 KiB,
  // zero salt, nonce and ciphertext) is an encrypted file, not a corrupt one.
  std::string envelope("TGSENC\x01\x00\x01\x01\x00\x00\x01\x00\x00\x00\x08\x00\x00\x00", 20);
  envelope.append(16 + 24 + 16 + 8, '\0');
  WriteRaw(dir_ + "/enc.session", envelope);
  const auto without = BinaryFileBackend::ReadSessionFiles(dir_ + "/enc.session");
  EXPECT_EQ(without.status().code(), absl::StatusCode::kFailedPrecondition) << without.status();
  const auto with = BinaryFileBackend::ReadSessionFiles(dir_ + "/enc.session", {}, nullptr, "pass");
  EXPECT_EQ(with.status().code(),
            EncryptionAvailable() ? absl::StatusCode::kPermissionDenied : absl::StatusCode::kUnimplemented)
      << with.status();
}

TEST_F(BinaryFileTest, SecondWriterIsRefusedWithThePath) {
  auto first = OpenOrDie(path_);
  auto second = BinaryFileBackend::Open(path_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(second.status().message(), path_)) << second.status();
  // Another process too.
  const pid_t pid = fork();
  if (pid == 0) {
    auto b = BinaryFileBackend::Open(path_);
    _exit(!b.ok() && b.status().code() == absl::StatusCode::kFailedPrecondition ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  first.reset();
  EXPECT_TRUE(BinaryFileBackend::Open(path_).ok());
}

std::string HostName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

// A child process that runs `hold` (which takes the lock), says so through a
// pipe and waits to be killed. Returns its pid once it holds the lock.
pid_t StartHolder(const std::function<bool()>& hold) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (!hold()) _exit(1);
    const char ready = 1;
    if (write(fds[1], &ready, 1) != 1) _exit(2);
    for (;;) pause();
  }
  close(fds[1]);
  char ready = 0;
  const bool ok = read(fds[0], &ready, 1) == 1;
  close(fds[0]);
  if (!ok) {
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST_F(BinaryFileTest, TheRefusalNamesTheHolderProcess) {
  // Under qemu-user a process's reads of its own /proc/PID/stat are answered
  // by qemu, and a forked child reports its parent's start time, so the
  // holder's record never matches the kernel's and it reads as gone. The
  // logic is portable; this case runs on the native targets only.
  if (std::getenv("TGS_UNDER_QEMU") != nullptr) GTEST_SKIP() << "qemu-user fakes /proc/self/stat";
  const pid_t real = StartHolder([&] {
    auto b = BinaryFileBackend::Open(path_);
    if (!b.ok()) return false;
    (void)b->release();  // held until the child is killed
    return true;
  });
  ASSERT_GT(real, 0);
  const absl::Time asked = absl::Now();
  auto refused = BinaryFileBackend::Open(path_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string msg(refused.status().message());
  EXPECT_TRUE(absl::StrContains(msg, absl::StrCat("in use by process ", real, " on host ", HostName(), " since ")))
      << msg;
  EXPECT_TRUE(absl::StrContains(msg, path_)) << msg;
  // "since" is when the child took the lock: this minute, in UTC.
  EXPECT_TRUE(absl::StrContains(msg, absl::FormatTime("%Y-%m-%dT%H:", asked, absl::UTCTimeZone())) ||
              absl::StrContains(msg, absl::FormatTime("%Y-%m-%dT%H:", asked - absl::Minutes(1), absl::UTCTimeZone())))
      << msg;

  // The holder crashes: its record stays in the lock file, but the kernel
  // released its lock, so the record neither blocks nor misleads anyone.
  KillAndReap(real);
  EXPECT_TRUE(absl::StrContains(ReadFileOrDie(path_ + ".lock"), absl::StrCat("pid=", real, " "))) << "no record left";
  auto after = BinaryFileBackend::Open(path_);
  ASSERT_TRUE(after.ok()) << after.status();
  std::optional<LockHolder> now = ParseLockHolder(ReadFileOrDie(path_ + ".lock"));
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->pid, getpid());
  // A clean close leaves no record behind.
  after->reset();
  EXPECT_EQ(ReadFileOrDie(path_ + ".lock"), "");
}

TEST_F(BinaryFileTest, ARecordOfAProcessThatIsGoneIsNeverNamedAsTheHolder) {
  // The lock file names a process that has exited, while another process
  // (here: a plain flock, as a forked child of a dead holder or another
  // program would hold it) holds the lock.
  LockHolder dead = LockHolder::Current();
  const pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  dead.pid = gone;
  WriteRaw(path_ + ".lock", EncodeLockHolder(dead));
  const pid_t holder = StartHolder([&] {
    const int fd = open((path_ + ".lock").c_str(), O_RDWR);
    return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
  });
  ASSERT_GT(holder, 0);
  auto refused = BinaryFileBackend::Open(path_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string msg(refused.status().message());
  EXPECT_FALSE(absl::StrContains(msg, absl::StrCat("in use by process ", gone))) << msg;
  EXPECT_TRUE(absl::StrContains(msg, "in use by another process")) << msg;
  EXPECT_TRUE(absl::StrContains(msg, absl::StrCat("process ", gone, " on host"))) << msg;
  EXPECT_TRUE(absl::StrContains(msg, "which is gone")) << msg;
  KillAndReap(holder);
  EXPECT_TRUE(BinaryFileBackend::Open(path_).ok());
}

TEST_F(BinaryFileTest, ABatchIsOneRecordAndAtMostOneSync) {
  for (const auto mode : {BinaryFileBackend::Sync::kEveryOperation, BinaryFileBackend::Sync::kGroupCommit,
                          BinaryFileBackend::Sync::kNone}) {
    SCOPED_TRACE(static_cast<int>(mode));
    ::unlink(path_.c_str());
    ::unlink((path_ + ".journal").c_str());
    FaultInjectingFileSystem fs(PosixFileSystem());  // counts calls; fails none
    Options o;
    o.fs = &fs;
    o.sync = mode;
    o.group_commit_window = absl::Hours(1);  // no background sync during the test
    auto b = OpenOrDie(path_, o);
    ASSERT_TRUE(b->Save(RichSession()).ok());
    ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());  // the journal exists now
    Session want = RichSession();
    want.CachePeer(CachedPeer::User(1, 1));
    const size_t bytes = b->journal_bytes();
    const int writes = fs.Calls(FsOp::kWrite), syncs = fs.Calls(FsOp::kFsync);
    const int dir_syncs = fs.Calls(FsOp::kDirFsync);
    const OwnedSessionChanges batch = MakeTestBatch(4, 50, /*replace_all=*/true);
    ASSERT_TRUE(b->ApplyChanges(batch.view()).ok());
    batch.view().ApplyTo(want);
    const SessionChanges view = batch.view();
    EXPECT_EQ(b->journal_bytes() - bytes, journal::kRecordOverhead + journal::PayloadSize(journal::Op::Batch(view)));
    EXPECT_EQ(fs.Calls(FsOp::kWrite) - writes, 1);
    EXPECT_EQ(fs.Calls(FsOp::kFsync) - syncs, mode == BinaryFileBackend::Sync::kEveryOperation ? 1 : 0);
    EXPECT_EQ(fs.Calls(FsOp::kDirFsync), dir_syncs);
    EXPECT_EQ(LoadOrDie(*b), want);
    b.reset();
    auto reopened = OpenOrDie(path_);
    EXPECT_EQ(LoadOrDie(*reopened), want);
  }
}

TEST_F(BinaryFileTest, KeyWritesAreSyncedInEveryMode) {
  for (const bool durable_key_writes : {true, false}) {
    for (const auto mode : {BinaryFileBackend::Sync::kGroupCommit, BinaryFileBackend::Sync::kNone}) {
      SCOPED_TRACE(absl::StrCat(static_cast<int>(mode), durable_key_writes ? " durable keys" : ""));
      ::unlink(path_.c_str());
      ::unlink((path_ + ".journal").c_str());
      FaultInjectingFileSystem fs(PosixFileSystem());
      Options o;
      o.fs = &fs;
      o.sync = mode;
      o.durable_key_writes = durable_key_writes;
      o.group_commit_window = absl::Hours(1);
      auto b = OpenOrDie(path_, o);
      ASSERT_TRUE(b->Save(RichSession()).ok());
      ASSERT_TRUE(b->CachePeer(CachedPeer::User(1, 1)).ok());
      int syncs = fs.Calls(FsOp::kFsync);
      ASSERT_TRUE(b->CachePeer(CachedPeer::User(2, 2)).ok());
      ASSERT_TRUE(b->ApplyUpdateState(UpdateStateChange::Primary(5, 6, 7)).ok());
      EXPECT_EQ(fs.Calls(FsOp::kFsync), syncs) << "a peer or pts was synced at once";
      DcEntry dc = DcEntry::FromParts(5, "91.108.56.100", 443, DcFlags());
      uint8_t raw[AuthKey::kSize] = {7};
      dc.auth_key = AuthKey(raw);
      ASSERT_TRUE(b->UpdateDc(dc).ok());
      EXPECT_EQ(fs.Calls(FsOp::kFsync) - syncs, durable_key_writes ? 1 : 0) << "UpdateDc";
      syncs = fs.Calls(FsOp::kFsync);
      ASSERT_TRUE(b->SetHomeDc(5).ok());
      EXPECT_EQ(fs.Calls(FsOp::kFsync) - syncs, durable_key_writes ? 1 : 0) << "SetHomeDc";
    }
  }
}

TEST_F(BinaryFileTest, CorruptFileIsNotReplacedUntilRecovered) {
  WriteRaw(path_, std::string("\x08\x02", 2));
  auto b = OpenOrDie(path_);
  auto s = b->Load();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(s.status().message(), path_));
  absl::Status save = b->Save(RichSession());
  EXPECT_EQ(save.code(), absl::StatusCode::kFailedPrecondition) << save;
  EXPECT_EQ(b->CachePeer(CachedPeer::User(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFileOrDie(path_), std::string("\x08\x02", 2));

  auto backup = b->RecoverCorrupt();
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_TRUE(absl::StartsWith(*backup, path_ + ".corrupt-")) << *backup;
  EXPECT_EQ(ReadFileOrDie(*backup), std::string("\x08\x02", 2));
  auto none = b->Load();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(b->Save(RichSession()).ok());
  EXPECT_EQ(b->RecoverCorrupt().status().code(), absl::StatusCode::kFailedPrecondition);

  // A second corruption in the same second never overwrites the first backup.
  b.reset();
  WriteRaw(path_, "garbage!");
  Options o;
  o.recover_corrupt_on_open = true;
  auto c = OpenOrDie(path_, o);
  auto fresh = c->Load();
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->has_value());
  EXPECT_EQ(ReadFileOrDie(*backup), std::string("\x08\x02", 2));
  int backups = 0;
  for (const std::string& name : ListDir(dir_, "")) backups += absl::StrContains(name, ".corrupt-") ? 1 : 0;
  EXPECT_EQ(backups, 2);
}

TEST_F(BinaryFileTest, TempFilesDoNotLinger) {
  auto b = OpenOrDie(path_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->Save(RichSession()).ok());
  for (const std::string& name : ListDir(dir_, "")) EXPECT_FALSE(absl::StrContains(name, ".tmp-")) << name;
}

// --- fault injection -------------------------------------------------------

struct FaultCase {
  FsOp op;
  int err;
  // Whether a fault of `op` alone must make some operation fail. Failing to
  // unlink a stale journal is harmless by design (it is ignored at the next
  // open), so the state must simply stay right.
  bool must_fail = true;
  // ftruncate runs only to repair a failed append: fail a write alongside.
  bool with_write_fault = false;
};

class FaultTest : public BinaryFileTest, public ::testing::WithParamInterface<FaultCase> {};

// Every failing call in a Save, a granular op, or a compaction returns an
// error, and what was stored before stays loadable with the real file
// system, with no temporary file left behind.
TEST_P(FaultTest, EveryFailureKeepsThePreviousSession) {
  const FaultCase fc = GetParam();
  Session base = RichSession();
  Session next = RichSession();
  next.home_dc_id = 5;
  next.CachePeer(CachedPeer::User(42, 42));
  int tried = 0, failed_ops = 0;
  for (int nth = 1; nth <= 12; ++nth) {
    SCOPED_TRACE(absl::StrCat(FsOpName(fc.op), " #", nth));
    ::unlink(path_.c_str());
    ::unlink((path_ + ".journal").c_str());
    {
      auto b = OpenOrDie(path_, NoCompactOnClose());
      ASSERT_TRUE(b->Save(base).ok());
    }
    FaultInjectingFileSystem fs(PosixFileSystem());
    Options o = NoCompactOnClose();
    o.fs = &fs;
    fs.FailNth(fc.op, nth, fc.err, /*sticky=*/false);
    if (fc.with_write_fault) fs.FailNth(FsOp::kWrite, 1 + nth % 3, ENOSPC, /*sticky=*/false);
    Session acknowledged = base;
    {
      auto opened = BinaryFileBackend::Open(path_, o);
      if (!opened.ok()) {
        ++tried;
        ++failed_ops;
        continue;
      }
      auto& b = *opened;
      // A granular op, a full save, then more granular ops. After each one
      // the backend's view must be the state before or after it (never a
      // mix), and exactly the state after it when it succeeded.
      const auto step = [&](absl::Status st, const Session& after) {
        auto view = b->Load();
        if (st.ok()) {
          acknowledged = after;
        } else {
          ++failed_ops;
        }
        if (!view.ok()) {
          ADD_FAILURE() << "Load after a failed op: " << view.status();
          return;
        }
        ASSERT_TRUE(view->has_value());
        if (!st.ok() && **view == after) acknowledged = after;  // applied, durability unknown
        EXPECT_EQ(**view, acknowledged) << st;
      };
      Session after = acknowledged;
      after.CachePeer(CachedPeer::User(7, 7));
      step(b->CachePeer(CachedPeer::User(7, 7)), after);
      step(b->Save(next), next);
      after = acknowledged;
      after.updates_state.SetChannelPts(8, 8);
      step(b->ApplyUpdateState(UpdateStateChange::Channel(8, 8)), after);
      step(b->Compact(), acknowledged);
    }
    ++tried;
    // Whatever failed, the store holds the last acknowledged state (a failed
    // operation may not be half-applied).
    auto check = OpenOrDie(path_);
    ASSERT_NE(check, nullptr);
    auto loaded = check->Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ(**loaded, acknowledged);
    for (const std::string& name : ListDir(dir_, "")) EXPECT_FALSE(absl::StrContains(name, ".tmp-")) << name;
  }
  EXPECT_EQ(tried, 12);
  if (fc.must_fail) {
    EXPECT_GT(failed_ops, 0) << "no operation hit the injected " << FsOpName(fc.op) << " fault";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FaultTest,
    ::testing::Values(FaultCase{FsOp::kOpen, EACCES}, FaultCase{FsOp::kWrite, ENOSPC}, FaultCase{FsOp::kWrite, EIO},
                      FaultCase{FsOp::kFsync, EIO}, FaultCase{FsOp::kDirFsync, EIO}, FaultCase{FsOp::kRename, EIO},
                      FaultCase{FsOp::kChmod, EPERM}, FaultCase{FsOp::kClose, EIO}, FaultCase{FsOp::kLock, ENOLCK},
                      FaultCase{FsOp::kTruncate, EIO, true, true}, FaultCase{FsOp::kUnlink, EIO, false}, FaultCase{FsOp::kRead, EIO}),
    [](const ::testing::TestParamInfo<FaultCase>& i) {
      std::string n = absl::StrCat(FsOpName(i.param.op), "_", i.param.err);
      for (char& c : n) {
        if (c == ' ') c = '_';
      }
      return n;
    });

}  // namespace
}  // namespace testing
}  // namespace tgsession
