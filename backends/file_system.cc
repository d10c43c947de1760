// 64-bit off_t, ino_t and file sizes on 32-bit targets too (armhf): without
// it ftruncate takes a 32-bit length, and stat and readdir fail with
// EOVERFLOW on files past 2 GiB or inode numbers past 32 bits. Before any
// include; file_system.h passes sizes as uint64_t, so no ABI depends on it.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "backends/file_system.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <unordered_map>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "session/secret.h"
#include "session/status_macros.h"

namespace tgsession {

absl::string_view FsOpName(FsOp op) {
  switch (op) {
    case FsOp::kOpen:
      return "open";
    case FsOp::kWrite:
      return "write";
    case FsOp::kRead:
      return "read";
    case FsOp::kFsync:
      return "fsync";
    case FsOp::kDirFsync:
      return "fsync of folder";
    case FsOp::kRename:
      return "rename";
    case FsOp::kUnlink:
      return "unlink";
    case FsOp::kLock:
      return "flock";
    case FsOp::kTruncate:
      return "ftruncate";
    case FsOp::kClose:
      return "close";
    case FsOp::kChmod:
      return "fchmod";
    case FsOp::kStat:
      return "stat";
    case FsOp::kLink:
      return "link";
    case FsOp::kListDir:
      return "listing of folder";
  }
  return "?";
}

absl::StatusCode StatusCodeForErrno(int err, FsOp op) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::StatusCode::kNotFound;
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return absl::StatusCode::kResourceExhausted;
    case EEXIST:
      return absl::StatusCode::kAlreadyExists;
    case EWOULDBLOCK:
      return op == FsOp::kLock ? absl::StatusCode::kFailedPrecondition : absl::StatusCode::kUnavailable;
    case EINTR:
    case EBUSY:
    case ETXTBSY:
      return absl::StatusCode::kUnavailable;
    case EIO:
      return op == FsOp::kRead ? absl::StatusCode::kDataLoss : absl::StatusCode::kUnavailable;
    case EINVAL:
    case ENAMETOOLONG:
    case EISDIR:
      return absl::StatusCode::kInvalidArgument;
    case ELOOP:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kUnknown;
  }
}

absl::Status ErrnoToStatus(int err, FsOp op, absl::string_view path) {
  if (err == EWOULDBLOCK && op == FsOp::kLock) {
    return absl::FailedPreconditionError(
        absl::StrCat("session file lock ", path, " is held by another process or backend instance"));
  }
  return absl::Status(StatusCodeForErrno(err, op), absl::StrCat(FsOpName(op), " ", path, ": ", std::strerror(err)));
}

absl::StatusOr<std::vector<std::string>> FileSystem::ListDir(const std::string& dir) {
  return absl::UnimplementedError(absl::StrCat("listing ", dir, ": not supported by this file system"));
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

namespace {

class PosixFs : public FileSystem {
 public:
  absl::StatusOr<int> Open(const std::string& path, int flags, mode_t mode) override {
    int fd;
    do {
      fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoToStatus(errno, FsOp::kOpen, path);
    return fd;
  }

  absl::Status Write(int fd, absl::string_view data, const std::string& path) override {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, FsOp::kWrite, path);
      }
      if (n == 0) return absl::UnavailableError(absl::StrCat("write ", path, ": wrote nothing"));
      p += n;
      left -= static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> Read(int fd, char* buf, size_t n, const std::string& path) override {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd, buf + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, FsOp::kRead, path);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return got;
  }

  absl::Status Sync(int fd, bool data_only, const std::string& path) override {
    const int r = data_only ? ::fdatasync(fd) : ::fsync(fd);
    if (r != 0) return ErrnoToStatus(errno, FsOp::kFsync, path);
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, FsOp::kDirFsync, dir);
    const int r = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (r != 0) return ErrnoToStatus(saved, FsOp::kDirFsync, dir);
    return absl::OkStatus();
  }

  absl::Status Close(int fd, const std::string& path) override {
    // Linux closes the fd even when close() fails; never retry.
    if (::close(fd) != 0 && errno != EINTR) return ErrnoToStatus(errno, FsOp::kClose, path);
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoToStatus(errno, FsOp::kRename, to);
    return absl::OkStatus();
  }

  absl::Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return ErrnoToStatus(errno, FsOp::kLink, to);
    return absl::OkStatus();
  }

  absl::Status Unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoToStatus(errno, FsOp::kUnlink, path);
    return absl::OkStatus();
  }

  absl::Status LockExclusive(int fd, const std::string& path) override {
    int r;
    do {
      r = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (r != 0 && errno == EINTR);
    if (r != 0) return ErrnoToStatus(errno, FsOp::kLock, path);
    return absl::OkStatus();
  }

  absl::Status Truncate(int fd, uint64_t size, const std::string& path) override {
    int r;
    do {
      r = ::ftruncate(fd, static_cast<off_t>(size));
    } while (r != 0 && errno == EINTR);
    if (r != 0) return ErrnoToStatus(errno, FsOp::kTruncate, path);
    return absl::OkStatus();
  }

  absl::Status Chmod(int fd, mode_t mode, const std::string& path) override {
    if (::fchmod(fd, mode) != 0) return ErrnoToStatus(errno, FsOp::kChmod, path);
    return absl::OkStatus();
  }

  absl::StatusOr<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoToStatus(errno, FsOp::kStat, path);
    return Info(st);
  }

  absl::StatusOr<FileInfo> FStat(int fd, const std::string& path) override {
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoToStatus(errno, FsOp::kStat, path);
    return Info(st);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoToStatus(errno, FsOp::kListDir, dir);
    std::vector<std::string> names;
    errno = 0;
    while (const struct dirent* e = ::readdir(d)) {
      const absl::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoToStatus(err, FsOp::kListDir, dir);
    return names;
  }

 private:
  static FileInfo Info(const struct stat& st) {
    FileInfo i;
    i.size = static_cast<uint64_t>(st.st_size);
    i.mode = st.st_mode & 07777;
    i.is_directory = S_ISDIR(st.st_mode);
    i.is_regular = S_ISREG(st.st_mode);
    i.uid = st.st_uid;
    i.device = static_cast<uint64_t>(st.st_dev);
    i.inode = static_cast<uint64_t>(st.st_ino);
    return i;
  }
};

}  // namespace

FileSystem* PosixFileSystem() {
  static PosixFs* fs = new PosixFs();
  return fs;
}

// --- fault injection ------------------------------------------------------------

void FaultInjectingFileSystem::FailNth(FsOp op, int nth, int err, bool sticky) {
  absl::MutexLock lock(&mu_);
  rules_.push_back(Rule{op, nth, err, sticky});
}

void FaultInjectingFileSystem::FailWhen(std::function<bool(FsOp, const std::string&)> pred, int err) {
  absl::MutexLock lock(&mu_);
  pred_ = std::move(pred);
  pred_err_ = err;
}

void FaultInjectingFileSystem::Reset() {
  absl::MutexLock lock(&mu_);
  rules_.clear();
  pred_ = nullptr;
}

int FaultInjectingFileSystem::Calls(FsOp op) const {
  absl::MutexLock lock(&mu_);
  return calls_[static_cast<int>(op)];
}

int FaultInjectingFileSystem::InjectedFailures() const {
  absl::MutexLock lock(&mu_);
  return injected_;
}

int FaultInjectingFileSystem::Check(FsOp op, const std::string& path) {
  absl::MutexLock lock(&mu_);
  ++calls_[static_cast<int>(op)];
  int err = 0;
  for (Rule& r : rules_) {
    if (r.op != op) continue;
    if (r.fired && r.sticky) {
      err = r.err;
      continue;
    }
    if (r.fired) continue;
    if (--r.remaining == 0) {
      r.fired = true;
      err = r.err;
    }
  }
  if (err == 0 && pred_ && pred_(op, path)) err = pred_err_;
  if (err != 0) ++injected_;
  return err;
}

#define TGS_INJECT(op, path)                            \
  do {                                                  \
    if (int e = Check(op, path)) return ErrnoToStatus(e, op, path); \
  } while (false)

absl::StatusOr<int> FaultInjectingFileSystem::Open(const std::string& path, int flags, mode_t mode) {
  TGS_INJECT(FsOp::kOpen, path);
  return base_->Open(path, flags, mode);
}

absl::Status FaultInjectingFileSystem::Write(int fd, absl::string_view data, const std::string& path) {
  if (int e = Check(FsOp::kWrite, path)) {
    // A failing write may still have written part of the data, as a real
    // disk-full write does: leave half of it behind.
    (void)base_->Write(fd, data.substr(0, data.size() / 2), path);
    return ErrnoToStatus(e, FsOp::kWrite, path);
  }
  return base_->Write(fd, data, path);
}

absl::StatusOr<size_t> FaultInjectingFileSystem::Read(int fd, char* buf, size_t n, const std::string& path) {
  TGS_INJECT(FsOp::kRead, path);
  return base_->Read(fd, buf, n, path);
}

absl::Status FaultInjectingFileSystem::Sync(int fd, bool data_only, const std::string& path) {
  TGS_INJECT(FsOp::kFsync, path);
  return base_->Sync(fd, data_only, path);
}

absl::Status FaultInjectingFileSystem::SyncDir(const std::string& dir) {
  TGS_INJECT(FsOp::kDirFsync, dir);
  return base_->SyncDir(dir);
}

absl::Status FaultInjectingFileSystem::Close(int fd, const std::string& path) {
  if (int e = Check(FsOp::kClose, path)) {
    (void)base_->Close(fd, path);  // the fd is gone either way, as on Linux
    return ErrnoToStatus(e, FsOp::kClose, path);
  }
  return base_->Close(fd, path);
}

absl::Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  TGS_INJECT(FsOp::kRename, to);
  return base_->Rename(from, to);
}

absl::Status FaultInjectingFileSystem::Link(const std::string& from, const std::string& to) {
  TGS_INJECT(FsOp::kLink, to);
  return base_->Link(from, to);
}

absl::Status FaultInjectingFileSystem::Unlink(const std::string& path) {
  TGS_INJECT(FsOp::kUnlink, path);
  return base_->Unlink(path);
}

absl::Status FaultInjectingFileSystem::LockExclusive(int fd, const std::string& path) {
  TGS_INJECT(FsOp::kLock, path);
  return base_->LockExclusive(fd, path);
}

absl::Status FaultInjectingFileSystem::Truncate(int fd, uint64_t size, const std::string& path) {
  TGS_INJECT(FsOp::kTruncate, path);
  return base_->Truncate(fd, size, path);
}

absl::Status FaultInjectingFileSystem::Chmod(int fd, mode_t mode, const std::string& path) {
  TGS_INJECT(FsOp::kChmod, path);
  return base_->Chmod(fd, mode, path);
}

absl::StatusOr<FileInfo> FaultInjectingFileSystem::Stat(const std::string& path) {
  TGS_INJECT(FsOp::kStat, path);
  return base_->Stat(path);
}

absl::StatusOr<FileInfo> FaultInjectingFileSystem::FStat(int fd, const std::string& path) {
  TGS_INJECT(FsOp::kStat, path);
  return base_->FStat(fd, path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectingFileSystem::ListDir(const std::string& dir) {
  TGS_INJECT(FsOp::kListDir, dir);
  return base_->ListDir(dir);
}

#undef TGS_INJECT

// --- helpers ----------------------------------------------------------------------

ScopedFd::~ScopedFd() {
  if (fd_ >= 0) (void)fs_->Close(fd_, path_);
}

absl::Status ScopedFd::Close() {
  if (fd_ < 0) return absl::OkStatus();
  const int fd = fd_;
  fd_ = -1;
  return fs_->Close(fd, path_);
}

namespace {

constexpr absl::string_view kTempInfix = ".tmp-";

// ".<target>.tmp-<pid>-<n>-<hex>": see IsAtomicWriteTempName.
std::string TempNameFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  const uint64_t n = counter.fetch_add(1);
  return absl::StrCat(DirName(path), "/.", BaseName(path), kTempInfix, ::getpid(), "-", n, "-",
                      absl::Hex(salt ^ (n * 0x9E3779B97F4A7C15ull)));
}

bool AllDigits(absl::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Whether the file `fd` names is a temp file of this recipe that nobody is
// writing: then it stays locked by us until `fd` is closed.
bool LockIfStale(FileSystem* fs, int fd, const std::string& path) {
  absl::StatusOr<FileInfo> info = fs->FStat(fd, path);
  // Ours are regular files of this user, created 0600 (never group or other
  // access, even before the fchmod: 0600 minus the umask).
  if (!info.ok() || !info->is_regular || info->uid != static_cast<uint32_t>(::geteuid()) ||
      (info->mode & 077) != 0) {
    return false;
  }
  if (!fs->LockExclusive(fd, path).ok()) return false;  // its writer is alive (or no flock here)
  // The name must still name the file we locked (a writer renames its temp
  // file over its target while holding the lock; once it let go, the name is
  // gone or, never in practice, another file's).
  absl::StatusOr<FileInfo> now = fs->Stat(path);
  return now.ok() && now->device == info->device && now->inode == info->inode;
}

}  // namespace

bool IsAtomicWriteTempName(absl::string_view name) {
  const size_t infix = name.rfind(kTempInfix);
  // "." + a non-empty target name + ".tmp-" + pid "-" counter "-" hex.
  if (name.size() < 2 || name[0] != '.' || infix == absl::string_view::npos || infix < 2) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(name.substr(infix + kTempInfix.size()), '-');
  if (parts.size() != 3 || !AllDigits(parts[0], 10) || !AllDigits(parts[1], 20)) return false;
  if (parts[2].empty() || parts[2].size() > 16) return false;
  for (char c : parts[2]) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

int RemoveStaleTempFiles(FileSystem* fs, const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  int removed = 0;
  for (const std::string& name : *names) {
    if (!IsAtomicWriteTempName(name)) continue;
    const std::string path = absl::StrCat(dir, "/", name);
    // O_NOFOLLOW: a symlink is nobody's temp file; O_NONBLOCK: nor is a FIFO.
    absl::StatusOr<int> fd = fs->Open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (!fd.ok()) continue;
    ScopedFd guard(fs, *fd, path);
    if (LockIfStale(fs, *fd, path) && fs->Unlink(path).ok()) ++removed;
  }
  return removed;
}

namespace {

// Creates a new temp file for `path`, locked (flock) for as long as the
// returned fd is open so no cleanup removes it. Returns the fd; `*tmp` names
// the file.
absl::StatusOr<int> CreateLockedTemp(FileSystem* fs, const std::string& path, mode_t mode, std::string* tmp) {
  // A cleanup can take a new file only between its creation and its lock;
  // doing that three times in a row to one writer takes a hostile process.
  constexpr int kAttempts = 3;
  absl::Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    *tmp = TempNameFor(path);
    TGS_ASSIGN_OR_RETURN(const int raw_fd, fs->Open(*tmp, O_WRONLY | O_CREAT | O_EXCL, mode));
    ScopedFd fd(fs, raw_fd, *tmp);
    absl::Status locked = fs->LockExclusive(fd.get(), *tmp);
    if (locked.code() == absl::StatusCode::kFailedPrecondition) {
      // A cleanup holds it and will unlink it.
      last = locked;
      continue;
    }
    // Any other lock error: no flock here, so no cleanup can lock it either.
    absl::StatusOr<FileInfo> mine = fs->FStat(fd.get(), *tmp);
    absl::StatusOr<FileInfo> named = fs->Stat(*tmp);
    if (!mine.ok()) {
      (void)fs->Unlink(*tmp);
      return mine.status();
    }
    if (named.ok() && named->device == mine->device && named->inode == mine->inode) return fd.Release();
    // Removed by a cleanup between open and lock.
    last = named.ok() ? absl::AbortedError(absl::StrCat(*tmp, " was replaced while being created")) : named.status();
  }
  return absl::Status(last.code(), absl::StrCat("creating a temp file for ", path, " failed ", kAttempts,
                                                " times: ", last.message()));
}

}  // namespace

// Stale temp files appear only when a writer dies, so a folder need not be
// scanned on every write: a process scans it on its first write there, and
// again once 1000 times the last scan's duration has passed, and at most
// kMaxScanInterval later. Scanning then takes about 0.1% of the time (every
// write in a folder of a few files, every few seconds in one of 10,000), and
// a running writer removes a dead writer's files within seconds however
// slow a scan was (a loaded machine, a sanitizer).
constexpr std::chrono::seconds kMaxScanInterval(5);

class StaleTempScans {
 public:
  static StaleTempScans& Get() {
    static StaleTempScans* s = new StaleTempScans();
    return *s;
  }

  void MaybeScan(FileSystem* fs, const std::string& dir) {
    const auto now = std::chrono::steady_clock::now();
    {
      absl::MutexLock lock(&mu_);
      auto it = next_.find(dir);
      if (it != next_.end() && now < it->second) return;
    }
    (void)RemoveStaleTempFiles(fs, dir);
    const auto done = std::chrono::steady_clock::now();
    absl::MutexLock lock(&mu_);
    next_[dir] = done + std::min<std::chrono::steady_clock::duration>((done - now) * 1000, kMaxScanInterval);
  }

 private:
  absl::Mutex mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> next_ ABSL_GUARDED_BY(mu_);
};

absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path, absl::string_view data,
                                 const AtomicWriteOptions& options, bool* replaced) {
  if (replaced != nullptr) *replaced = false;
  StaleTempScans::Get().MaybeScan(fs, DirName(path));
  std::string tmp;
  TGS_ASSIGN_OR_RETURN(const int raw_fd, CreateLockedTemp(fs, path, options.mode, &tmp));
  ScopedFd fd(fs, raw_fd, tmp);
  const auto fail = [&](absl::Status s) {
    (void)fs->Unlink(tmp);
    (void)fd.Close();
    return s;
  };
  // open()'s mode is filtered by the umask; set it explicitly.
  absl::Status st = fs->Chmod(fd.get(), options.mode, tmp);
  if (!st.ok()) return fail(st);
  st = fs->Write(fd.get(), data, tmp);
  if (!st.ok()) return fail(st);
  if (options.sync) {
    st = fs->Sync(fd.get(), /*data_only=*/false, tmp);
    if (!st.ok()) return fail(st);
  }
  // The fd (and with it the lock) stays open until the temp file's name is
  // gone: renamed over the target, or unlinked on failure.
  st = fs->Rename(tmp, path);
  if (!st.ok()) return fail(st);
  if (replaced != nullptr) *replaced = true;
  // close() can report a deferred write error; the data was fsync'ed (with
  // options.sync) and the new file is in place, so it is reported like a
  // failed folder sync.
  st = fd.Close();
  if (!st.ok()) {
    return absl::Status(st.code(), absl::StrCat("new ", path, " is in place but closing it failed: ", st.message()));
  }
  if (options.sync) {
    // The new file is in place; if the folder sync fails the rename may not
    // survive a power loss, so report it (a crash leaves the previous file
    // or the new one: never a mix).
    st = fs->SyncDir(DirName(path));
    if (!st.ok()) {
      return absl::Status(st.code(), absl::StrCat("new ", path, " is in place but may not be durable: ", st.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFileBounded(FileSystem* fs, const std::string& path, size_t max_bytes) {
  TGS_ASSIGN_OR_RETURN(const int raw_fd, fs->Open(path, O_RDONLY, 0));
  ScopedFd fd(fs, raw_fd, path);
  TGS_ASSIGN_OR_RETURN(const FileInfo info, fs->FStat(fd.get(), path));
  if (info.is_directory) return absl::InvalidArgumentError(absl::StrCat(path, " is a folder, not a file"));
  if (info.size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, " is ", info.size, " bytes, over the limit of ", max_bytes));
  }
  // The contents may be a session: every buffer that held them is wiped
  // before it is freed (SecretString), the result is the caller's to wipe.
  SecretString out;
  out.mutable_str()->resize(static_cast<size_t>(info.size));
  std::string& bytes = *out.mutable_str();
  TGS_ASSIGN_OR_RETURN(const size_t got, fs->Read(fd.get(), bytes.empty() ? nullptr : &bytes[0], bytes.size(), path));
  if (got != bytes.size()) {
    // The file shrank while we read it; read what is there.
    bytes.resize(got);
  } else {
    // It may also have grown (a pipe or /proc file reports size 0): read on,
    // still within the bound.
    char buf[4096];
    const auto wipe_buf = absl::MakeCleanup([&buf] { SecureZero(buf, sizeof buf); });
    while (out.view().size() <= max_bytes) {
      TGS_ASSIGN_OR_RETURN(const size_t n, fs->Read(fd.get(), buf, sizeof buf, path));
      if (n == 0) break;
      out.Append(absl::string_view(buf, n));
    }
    if (out.view().size() > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(path, " is over the limit of ", max_bytes, " bytes"));
    }
  }
  return out.Release();
}

}  // namespace tgsession
