// ferogram-sqlite in memory: no file is touched (watched through SQLite's
// own VFS layer and through inotify on TMPDIR), the bytes written are the
// bytes SqliteBackend leaves in a real file, and ferogram's own databases
// read as SqliteBackend reads them from disk.
#include "session/interop/sqlite/ferogram_sqlite.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "backends/sqlite_backend.h"
#include "gtest/gtest.h"
#include "session/interop/sqlite/memory_vfs.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace interop {
namespace {

using ::tgsession::testing::FileExists;
using ::tgsession::testing::ListFiles;
using ::tgsession::testing::MakeTempDir;
using ::tgsession::testing::ReadFileOrDie;
using ::tgsession::testing::VectorsDir;

// The default VFS, wrapped: counts every call that names a file.
std::atomic<int> g_file_calls{0};
sqlite3_vfs* g_real = nullptr;

int CountingOpen(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
  ++g_file_calls;
  return g_real->xOpen(g_real, name, f, flags, out);
}
int CountingDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  ++g_file_calls;
  return g_real->xDelete(g_real, name, sync_dir);
}
int CountingAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  ++g_file_calls;
  return g_real->xAccess(g_real, name, flags, out);
}

// While alive, the counting VFS is SQLite's default: any database opened
// without naming a VFS (a file) goes through it.
class CountingDefaultVfs {
 public:
  CountingDefaultVfs() {
    g_real = sqlite3_vfs_find(nullptr);
    vfs_ = *g_real;
    vfs_.zName = "tgsession-counting";
    vfs_.pNext = nullptr;
    vfs_.xOpen = CountingOpen;
    vfs_.xDelete = CountingDelete;
    vfs_.xAccess = CountingAccess;
    g_file_calls = 0;
    EXPECT_EQ(sqlite3_vfs_register(&vfs_, /*makeDflt=*/1), SQLITE_OK);
  }
  ~CountingDefaultVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(g_real, /*makeDflt=*/1);
  }
  int calls() const { return g_file_calls; }

 private:
  sqlite3_vfs vfs_;
};

// Every file created, written or moved into `dir` from construction on.
class WatchFolder {
 public:
  explicit WatchFolder(const std::string& dir) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MODIFY | IN_MOVED_TO), 0);
  }
  ~WatchFolder() { close(fd_); }
  // The number of events so far.
  int Events() const {
    alignas(struct inotify_event) char buf[4096];
    int n = 0;
    while (true) {
      const ssize_t got = read(fd_, buf, sizeof buf);
      if (got <= 0) break;
      for (char* p = buf; p < buf + got; p += sizeof(struct inotify_event) + reinterpret_cast<inotify_event*>(p)->len) {
        ++n;
      }
    }
    return n;
  }

 private:
  int fd_;
};

// TMPDIR pointed at an empty folder for the scope of a test.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    const char* old = getenv("TMPDIR");
    if (old != nullptr) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      setenv("TMPDIR", old_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

Session Sample(int peers) {
  Session s;
  s.home_dc_id = 2;
  for (int dc = 1; dc <= 5; ++dc) {
    DcEntry e = DcEntry::FromParts(dc, absl::StrCat("149.154.167.", 40 + dc), 443, DcFlags());
    uint8_t key[AuthKey::kSize];
    for (size_t i = 0; i < AuthKey::kSize; ++i) key[i] = static_cast<uint8_t>(i * 7 + static_cast<size_t>(dc));
    e.auth_key = AuthKey(key);
    e.first_salt = dc * 1000003;
    s.dcs.push_back(std::move(e));
  }
  s.updates_state.pts = 100;
  s.updates_state.qts = 5;
  s.updates_state.date = 1700000000;
  s.updates_state.seq = 7;
  for (int i = 1; i <= peers; ++i) {
    s.peers.AppendRaw(i % 3 == 0 ? CachedPeer::Channel(i, i * 31, ChannelKind::kMegagroup) : CachedPeer::User(i, i * 17));
  }
  s.future_auth_token = SecretBytes(absl::string_view("token"));
  return s;
}

// What the old conversion did: SqliteBackend on a real file, Save, close.
std::string WrittenThroughAFile(const Session& s, const std::string& dir) {
  const std::string path = dir + "/through-a-file.db";
  {
    absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path);
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok()) return "";
    EXPECT_TRUE((*b)->Save(s).ok());
  }
  EXPECT_FALSE(FileExists(path + "-wal"));
  std::string bytes = ReadFileOrDie(path);
  unlink(path.c_str());
  return bytes;
}

std::optional<Session> ReadThroughAFile(const std::string& bytes, const std::string& dir) {
  const std::string path = dir + "/read-through-a-file.db";
  testing::WriteFileOrDie(path, bytes);
  std::optional<Session> out;
  {
    absl::StatusOr<std::unique_ptr<SqliteBackend>> b = SqliteBackend::Open(path);
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok()) return out;
    absl::StatusOr<std::optional<Session>> s = (*b)->Load();
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) out = *std::move(s);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
  return out;
}

TEST(FerogramSqliteTest, NoFileIsCreated) {
  const std::string tmp = MakeTempDir("ferogram_sqlite_tmpdir");
  ScopedTmpdir tmpdir(tmp);
  WatchFolder watch(tmp);
  CountingDefaultVfs counting;
  absl::StatusOr<SecretString> bytes = ExportFerogramSqlite(Sample(1000));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<ImportedSession> back = ImportFerogramSqlite(bytes->view());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->session, Sample(1000));
  // Detection and named reading through the registry, too.
  ASSERT_TRUE(SqliteFormats().Detect(bytes->view()).ok());
  ASSERT_TRUE(SqliteFormats().Write(*back, Format::kFerogramSqlite).ok());
  EXPECT_EQ(counting.calls(), 0) << "SQLite touched files through the default VFS";
  EXPECT_EQ(watch.Events(), 0) << "something was written under TMPDIR";
  EXPECT_TRUE(ListFiles(tmp).empty());
}

// The watchers see what they should: the old way (a database file under
// TMPDIR) trips both.
TEST(FerogramSqliteTest, TheWatchersSeeAFile) {
  const std::string tmp = MakeTempDir("ferogram_sqlite_watchers");
  WatchFolder watch(tmp);
  CountingDefaultVfs counting;
  EXPECT_FALSE(WrittenThroughAFile(Sample(3), tmp).empty());
  EXPECT_GT(counting.calls(), 0);
  EXPECT_GT(watch.Events(), 0);
}

TEST(FerogramSqliteTest, SameBytesAsARealFile) {
  const std::string dir = MakeTempDir("ferogram_sqlite_bytes");
  Session empty;
  for (const Session& s : {empty, Sample(0), Sample(3), Sample(20000)}) {
    absl::StatusOr<SecretString> ours = ExportFerogramSqlite(s);
    ASSERT_TRUE(ours.ok()) << ours.status();
    const std::string theirs = WrittenThroughAFile(s, dir);
    ASSERT_FALSE(theirs.empty());
    EXPECT_EQ(ours->view().size(), theirs.size());
    EXPECT_TRUE(ours->view() == theirs) << s.peers.size() << " peers: the bytes differ";
  }
}

// ferogram's own databases (written by the real crate; a legacy schema that
// SqliteBackend migrates on open) read as they read from a file.
TEST(FerogramSqliteTest, OracleDatabasesReadAsFromAFile) {
  const std::string dir = VectorsDir() + "/ferogram/sqlite";
  if (!FileExists(dir + "/session_v8.db")) GTEST_SKIP() << "no ferogram SQLite vectors in " << dir;
  const std::string tmp = MakeTempDir("ferogram_sqlite_oracle");
  for (const char* name : {"session_v8.db", "legacy_no_is_chat_before.db", "legacy_no_is_chat_after_open.db"}) {
    SCOPED_TRACE(name);
    const std::string bytes = ReadFileOrDie(absl::StrCat(dir, "/", name));
    absl::StatusOr<ImportedSession> ours = ImportFerogramSqlite(bytes);
    ASSERT_TRUE(ours.ok()) << ours.status();
    EXPECT_EQ(ours->format, Format::kFerogramSqlite);
    std::optional<Session> theirs = ReadThroughAFile(bytes, tmp);
    ASSERT_TRUE(theirs.has_value());
    EXPECT_EQ(ours->session, *theirs);
    EXPECT_GT(ours->session.dcs.size(), 0u);
    absl::StatusOr<ImportedSession> detected = SqliteFormats().Detect(bytes);
    ASSERT_TRUE(detected.ok()) << detected.status();
    EXPECT_EQ(detected->format, Format::kFerogramSqlite);
    EXPECT_EQ(detected->session, *theirs);
  }
}

TEST(FerogramSqliteTest, EmptyDatabaseHoldsNoSession) {
  absl::StatusOr<SecretString> bytes = ExportFerogramSqlite(Session());
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  // A saved empty session is a session (home DC 0); a database with the
  // schema and no rows is not.
  EXPECT_TRUE(ImportFerogramSqlite(bytes->view()).ok());
  std::unique_ptr<sqlite::MemoryVfs> vfs = *sqlite::MemoryVfs::Create();
  SqliteOptions o;
  o.vfs = vfs->name();
  { ASSERT_TRUE(SqliteBackend::Open("schema-only", o).ok()); }
  absl::StatusOr<SecretString> schema_only = vfs->FileContents("schema-only");
  ASSERT_TRUE(schema_only.ok());
  EXPECT_EQ(ImportFerogramSqlite(schema_only->view()).status().code(), absl::StatusCode::kNotFound);
}

TEST(MemoryVfsTest, FilesLiveInTheVfsOnly) {
  absl::StatusOr<std::unique_ptr<sqlite::MemoryVfs>> a = sqlite::MemoryVfs::Create();
  absl::StatusOr<std::unique_ptr<sqlite::MemoryVfs>> b = sqlite::MemoryVfs::Create();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->name(), (*b)->name());
  ASSERT_TRUE((*a)->PutFile("x", "hello").ok());
  EXPECT_EQ((*a)->FileContents("x")->view(), "hello");
  EXPECT_EQ((*b)->FileContents("x").status().code(), absl::StatusCode::kNotFound);
  // Opening a name the VFS does not hold, without creating it, fails: no
  // lookup on disk.
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2("/etc/hostname", &db, SQLITE_OPEN_READONLY, (*a)->name().c_str()), SQLITE_CANTOPEN);
  sqlite3_close_v2(db);
  // A file over the size bound is refused.
  absl::StatusOr<std::unique_ptr<sqlite::MemoryVfs>> small = sqlite::MemoryVfs::Create(4096);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->PutFile("big", std::string(8192, 'x')).code(), absl::StatusCode::kResourceExhausted);
  SqliteOptions o;
  o.vfs = (*small)->name();
  absl::StatusOr<std::unique_ptr<SqliteBackend>> backend = SqliteBackend::Open("grows", o);
  if (backend.ok()) {
    EXPECT_EQ((*backend)->Save(Sample(1000)).code(), absl::StatusCode::kResourceExhausted);
  } else {
    EXPECT_EQ(backend.status().code(), absl::StatusCode::kResourceExhausted) << backend.status();
  }
}

}  // namespace
}  // namespace interop
}  // namespace tgsession
