// FileSystem: the POSIX calls our file backends make, behind an interface so
// tests can make any single call fail (FaultInjectingFileSystem) and prove
// that no failure loses a session. Each method is one system call (plus
// EINTR/short-write loops), named after it.
//
// On top of it, the durable-write recipe every session file uses:
//   WriteFileAtomically: unique temp file in the target's folder, created
//   O_EXCL|O_CLOEXEC with its final mode (0600 by default: never wider, not
//   even until the chmod) and fchmod'ed to it whatever the umask, flock'ed,
//   full write, fsync (not fdatasync: it also keeps the chmod), rename over
//   the target, close, fsync of the folder; on any failure before the rename
//   the temp file is removed and the target is untouched.
//
// Temp files of writers that died (SIGKILL, power loss) hold a whole session,
// auth keys included, and nobody else would remove them. So writes remove the
// stale temp files of this recipe in their folder: a process's first write to
// a folder does, and later ones as often as the folder is cheap to scan (every
// write in a folder of a few files; in one of 10,000, every ~17 s). A temp
// file is ours by its name (".<target>.tmp-<pid>-<n>-<hex>"), and only a
// regular file owned by this user with no group or other permissions is
// considered; it is stale when nobody holds the flock its writer takes on it
// from creation to rename (a live writer keeps it, a dead one's lock died
// with it). The remover takes that lock itself, checks the name still names
// the file it locked, and unlinks it; a writer whose new temp file was taken
// this way (between its creation and its lock) notices and starts over.
// Where flock is unsupported, writers write unlocked and nothing is removed.
#ifndef TGSESSION_BACKENDS_FILE_SYSTEM_H_
#define TGSESSION_BACKENDS_FILE_SYSTEM_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace tgsession {

// The calls that can be made to fail.
enum class FsOp {
  kOpen,
  kWrite,
  kRead,
  kFsync,     // fsync/fdatasync of a file
  kDirFsync,  // fsync of a folder
  kRename,
  kUnlink,
  kLock,
  kTruncate,
  kClose,
  kChmod,
  kStat,
  kLink,
  kListDir,
};
absl::string_view FsOpName(FsOp op);

struct FileInfo {
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits
  bool is_directory = false;
  bool is_regular = false;
  uint32_t uid = 0;  // owner
  // Identity: two paths or fds name the same file when both are equal.
  uint64_t device = 0;
  uint64_t inode = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // open(2). Returns the fd. Errors name `path`.
  virtual absl::StatusOr<int> Open(const std::string& path, int flags, mode_t mode) = 0;
  // Writes all of `data` (loops over short writes and EINTR).
  virtual absl::Status Write(int fd, absl::string_view data, const std::string& path_for_errors) = 0;
  // Reads up to `n` bytes (loops over EINTR; a short read means EOF).
  virtual absl::StatusOr<size_t> Read(int fd, char* buf, size_t n, const std::string& path_for_errors) = 0;
  // fdatasync(2) when `data_only`, fsync(2) otherwise.
  virtual absl::Status Sync(int fd, bool data_only, const std::string& path_for_errors) = 0;
  // Opens the folder and fsyncs it, so a rename or create in it is durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  virtual absl::Status Close(int fd, const std::string& path_for_errors) = 0;
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // link(2): creates `to` only if it does not exist (used to move a file
  // aside without ever overwriting an earlier backup).
  virtual absl::Status Link(const std::string& from, const std::string& to) = 0;
  // unlink(2). A missing file is kNotFound.
  virtual absl::Status Unlink(const std::string& path) = 0;
  // flock(LOCK_EX|LOCK_NB). kFailedPrecondition if another holder has it.
  virtual absl::Status LockExclusive(int fd, const std::string& path_for_errors) = 0;
  virtual absl::Status Truncate(int fd, uint64_t size, const std::string& path_for_errors) = 0;
  virtual absl::Status Chmod(int fd, mode_t mode, const std::string& path_for_errors) = 0;
  // stat(2). A missing file is kNotFound.
  virtual absl::StatusOr<FileInfo> Stat(const std::string& path) = 0;
  virtual absl::StatusOr<FileInfo> FStat(int fd, const std::string& path_for_errors) = 0;
  // The names in folder `dir` ("." and ".." excluded), in no order. The
  // default, for file systems without listing, is kUnimplemented (the
  // cleanup of stale temp files is then skipped).
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir);
};

// The real thing.
FileSystem* PosixFileSystem();

// Wraps another FileSystem and fails chosen calls: "fail the 3rd write",
// "fail every fsync", with a chosen errno. Thread-safe.
class FaultInjectingFileSystem : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem* base) : base_(base) {}

  // Fails the `nth` (1-based, counted from now) call of `op` with `err`; with
  // `sticky`, every later call of `op` fails too.
  void FailNth(FsOp op, int nth, int err, bool sticky = false);
  // Fails every call for which `pred` returns true (op, path).
  void FailWhen(std::function<bool(FsOp, const std::string&)> pred, int err);
  void Reset();
  // How many calls of `op` were made (successful or not).
  int Calls(FsOp op) const;
  int InjectedFailures() const;

  absl::StatusOr<int> Open(const std::string& path, int flags, mode_t mode) override;
  absl::Status Write(int fd, absl::string_view data, const std::string& path) override;
  absl::StatusOr<size_t> Read(int fd, char* buf, size_t n, const std::string& path) override;
  absl::Status Sync(int fd, bool data_only, const std::string& path) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status Close(int fd, const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Link(const std::string& from, const std::string& to) override;
  absl::Status Unlink(const std::string& path) override;
  absl::Status LockExclusive(int fd, const std::string& path) override;
  absl::Status Truncate(int fd, uint64_t size, const std::string& path) override;
  absl::Status Chmod(int fd, mode_t mode, const std::string& path) override;
  absl::StatusOr<FileInfo> Stat(const std::string& path) override;
  absl::StatusOr<FileInfo> FStat(int fd, const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;

 private:
  // Returns the errno to fail with, or 0.
  int Check(FsOp op, const std::string& path);

  FileSystem* base_;
  mutable absl::Mutex mu_;
  int calls_[16] ABSL_GUARDED_BY(mu_) = {};
  struct Rule {
    FsOp op;
    int remaining;  // calls until it fires
    int err;
    bool sticky;
    bool fired = false;
  };
  std::vector<Rule> rules_ ABSL_GUARDED_BY(mu_);
  std::function<bool(FsOp, const std::string&)> pred_ ABSL_GUARDED_BY(mu_);
  int pred_err_ ABSL_GUARDED_BY(mu_) = 0;
  int injected_ ABSL_GUARDED_BY(mu_) = 0;
};

// The library's one mapping from an errno (of `op`) to a status code, used
// by every layer that makes system calls (this one, SQLite's file opening):
//   ENOENT, ENOTDIR                                  kNotFound
//   EACCES, EPERM, EROFS                             kPermissionDenied
//   ENOSPC, EDQUOT, EFBIG, EMFILE, ENFILE, ENOMEM    kResourceExhausted
//   EEXIST                                           kAlreadyExists
//   EWOULDBLOCK       kFailedPrecondition for kLock (held by another), else kUnavailable
//   EINTR, EBUSY, ETXTBSY                            kUnavailable
//   EIO               kDataLoss for kRead, else kUnavailable
//   EINVAL, ENAMETOOLONG, EISDIR                     kInvalidArgument
//   ELOOP (a symlink where O_NOFOLLOW refuses one)   kFailedPrecondition
//   anything else                                    kUnknown
absl::StatusCode StatusCodeForErrno(int err, FsOp op);

// That code, with the message "<op> <path>: <strerror>" (a lock held
// elsewhere says so in words).
absl::Status ErrnoToStatus(int err, FsOp op, absl::string_view path);

// The folder part of `path` ("." when there is none).
std::string DirName(const std::string& path);
std::string BaseName(const std::string& path);

struct AtomicWriteOptions {
  mode_t mode = 0600;
  bool sync = true;  // fsync file and folder (off only for benchmarks)
};

// See the file comment (which also explains the removal of stale temp files
// in the folder). When the close after the rename or the final fsync of the
// folder fails, the new file is already in place (but may not survive a
// power loss): the error is returned and `*replaced` (if given) is set to
// true, so callers know the visible file is the new one.
absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path, absl::string_view data,
                                 const AtomicWriteOptions& options = {}, bool* replaced = nullptr);

// Whether `name` (a file name, not a path) has the form of the temp files
// WriteFileAtomically creates.
bool IsAtomicWriteTempName(absl::string_view name);

// Removes the temp files of dead WriteFileAtomically writers from folder
// `dir` (see the file comment); returns how many. Errors are ignored: the
// cleanup never makes a write fail.
int RemoveStaleTempFiles(FileSystem* fs, const std::string& dir);

// Reads a whole file, refusing files larger than `max_bytes`
// (kResourceExhausted) before reading them. kNotFound if it does not exist.
absl::StatusOr<std::string> ReadFileBounded(FileSystem* fs, const std::string& path, size_t max_bytes);

// Closes an fd on scope exit (errors ignored: used on failure paths only).
class ScopedFd {
 public:
  ScopedFd(FileSystem* fs, int fd, std::string path) : fs_(fs), fd_(fd), path_(std::move(path)) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd();
  int get() const { return fd_; }
  // Closes now and reports the result (close can report a deferred write
  // error, so successful paths call this).
  absl::Status Close();
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  FileSystem* fs_;
  int fd_;
  std::string path_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_FILE_SYSTEM_H_
