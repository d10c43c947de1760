#include "session/interop/sqlite/memory_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <new>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace tgsession {
namespace sqlite {
namespace {

// One file: its bytes (wiped whenever a buffer is given up) and, for a
// database in WAL mode, the shared-memory regions of its WAL index.
class FileData {
 public:
  FileData() = default;
  FileData(const FileData&) = delete;
  FileData& operator=(const FileData&) = delete;
  ~FileData() { Wipe(); }

  size_t size() const { return size_; }
  const char* data() const { return buf_.get(); }

  // Grows (zero-filled) or shrinks to `n` bytes; false when out of memory.
  bool Resize(size_t n) {
    if (n > cap_) {
      const size_t cap = std::max(n, cap_ < (size_t{1} << 30) ? cap_ * 2 : cap_ + (size_t{1} << 30));
      std::unique_ptr<char[]> bigger(new (std::nothrow) char[cap]);
      if (bigger == nullptr) return false;
      if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
      Wipe();
      buf_ = std::move(bigger);
      cap_ = cap;
    }
    if (n > size_) {
      std::memset(buf_.get() + size_, 0, n - size_);
    } else if (n < size_) {
      SecureZero(buf_.get() + n, size_ - n);
    }
    size_ = n;
    return true;
  }
  char* mutable_data() { return buf_.get(); }

  std::vector<std::unique_ptr<char[]>> shm;

 private:
  void Wipe() {
    if (buf_ != nullptr) SecureZero(buf_.get(), cap_);
  }
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace

struct MemoryVfs::State {
  sqlite3_vfs vfs{};
  sqlite3_vfs* base = nullptr;  // the default VFS: randomness, time, sleep
  std::string name;
  size_t max_file_bytes = 0;
  mutable absl::Mutex mu;
  std::map<std::string, std::shared_ptr<FileData>> files ABSL_GUARDED_BY(mu);
  uint64_t next_temp ABSL_GUARDED_BY(mu) = 0;
};

namespace {

using State = MemoryVfs::State;

State* StateOf(sqlite3_vfs* vfs) { return static_cast<State*>(vfs->pAppData); }

// What SQLite allocates for an open file (szOsFile): the base struct first.
struct OpenFile {
  sqlite3_file base;
  State* state;
  std::shared_ptr<FileData> data;
  std::string name;
  bool delete_on_close;
};

OpenFile* Open(sqlite3_file* f) { return reinterpret_cast<OpenFile*>(f); }

int Close(sqlite3_file* f) {
  OpenFile* file = Open(f);
  if (file->delete_on_close) {
    absl::MutexLock lock(&file->state->mu);
    file->state->files.erase(file->name);
  }
  file->~OpenFile();
  return SQLITE_OK;
}

int Read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  const FileData& d = *file->data;
  const size_t off = static_cast<size_t>(offset);
  const size_t want = static_cast<size_t>(amount);
  const size_t have = off < d.size() ? std::min(want, d.size() - off) : 0;
  if (have > 0) std::memcpy(buf, d.data() + off, have);
  if (have < want) {
    // SQLite requires the rest zero-filled on a short read.
    std::memset(static_cast<char*>(buf) + have, 0, want - have);
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int Write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  FileData& d = *file->data;
  const size_t off = static_cast<size_t>(offset);
  const size_t n = static_cast<size_t>(amount);
  if (offset < 0 || off > file->state->max_file_bytes || n > file->state->max_file_bytes - off) return SQLITE_FULL;
  if (off + n > d.size() && !d.Resize(off + n)) return SQLITE_IOERR_NOMEM;
  std::memcpy(d.mutable_data() + off, buf, n);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  if (size < 0) return SQLITE_IOERR_TRUNCATE;
  FileData& d = *file->data;
  if (static_cast<size_t>(size) < d.size()) d.Resize(static_cast<size_t>(size));
  return SQLITE_OK;
}

int Sync(sqlite3_file*, int) { return SQLITE_OK; }

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  *size = static_cast<sqlite3_int64>(file->data->size());
  return SQLITE_OK;
}

// One process, and each database is used by one connection: no locks.
int Lock(sqlite3_file*, int) { return SQLITE_OK; }
int Unlock(sqlite3_file*, int) { return SQLITE_OK; }
int CheckReservedLock(sqlite3_file*, int* held) {
  *held = 0;
  return SQLITE_OK;
}
int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
// What the unix VFS reports for a file on a local disk.
int SectorSize(sqlite3_file*) { return 4096; }
int DeviceCharacteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

int ShmMap(sqlite3_file* f, int region, int region_size, int extend, void volatile** out) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  std::vector<std::unique_ptr<char[]>>& shm = file->data->shm;
  *out = nullptr;
  const size_t index = static_cast<size_t>(region);
  while (shm.size() <= index) {
    if (!extend) return SQLITE_OK;
    std::unique_ptr<char[]> r(new (std::nothrow) char[static_cast<size_t>(region_size)]());
    if (r == nullptr) return SQLITE_IOERR_NOMEM;
    shm.push_back(std::move(r));
  }
  *out = shm[index].get();
  return SQLITE_OK;
}
int ShmLock(sqlite3_file*, int, int, int) { return SQLITE_OK; }
void ShmBarrier(sqlite3_file*) { std::atomic_thread_fence(std::memory_order_seq_cst); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  OpenFile* file = Open(f);
  absl::MutexLock lock(&file->state->mu);
  if (delete_flag) file->data->shm.clear();
  return SQLITE_OK;
}

constexpr sqlite3_io_methods kIoMethods = {
    2,  // iVersion: shared memory (WAL), no memory mapping
    Close,     Read,       Write,      Truncate,    Sync,  FileSize,          Lock, Unlock, CheckReservedLock,
    FileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap,
    nullptr,  // xFetch
    nullptr,  // xUnfetch
};

int VfsOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  State* state = StateOf(vfs);
  f->pMethods = nullptr;
  std::shared_ptr<FileData> data;
  std::string key;
  {
    absl::MutexLock lock(&state->mu);
    key = name != nullptr ? std::string(name) : absl::StrCat("temp-", state->next_temp++);
    auto it = state->files.find(key);
    if (it == state->files.end()) {
      if ((flags & SQLITE_OPEN_CREATE) == 0) return SQLITE_CANTOPEN;
      it = state->files.emplace(key, std::make_shared<FileData>()).first;
    }
    data = it->second;
  }
  new (f) OpenFile{{&kIoMethods}, state, std::move(data), std::move(key), (flags & SQLITE_OPEN_DELETEONCLOSE) != 0};
  if (out_flags != nullptr) *out_flags = flags;
  return SQLITE_OK;
}

int VfsDelete(sqlite3_vfs* vfs, const char* name, int) {
  State* state = StateOf(vfs);
  absl::MutexLock lock(&state->mu);
  return state->files.erase(name) > 0 ? SQLITE_OK : SQLITE_IOERR_DELETE_NOENT;
}

int VfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* result) {
  State* state = StateOf(vfs);
  absl::MutexLock lock(&state->mu);
  auto it = state->files.find(name);
  // As the unix VFS: "exists" means a non-empty file.
  *result = it != state->files.end() && (flags != SQLITE_ACCESS_EXISTS || it->second->size() > 0);
  return SQLITE_OK;
}

int VfsFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  sqlite3_snprintf(size, out, "%s", name);
  return SQLITE_OK;
}

int VfsRandomness(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* base = StateOf(vfs)->base;
  return base->xRandomness(base, n, out);
}
int VfsSleep(sqlite3_vfs* vfs, int us) {
  sqlite3_vfs* base = StateOf(vfs)->base;
  return base->xSleep(base, us);
}
int VfsCurrentTime(sqlite3_vfs* vfs, double* now) {
  sqlite3_vfs* base = StateOf(vfs)->base;
  return base->xCurrentTime(base, now);
}
int VfsGetLastError(sqlite3_vfs*, int, char*) { return 0; }
int VfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* now) {
  sqlite3_vfs* base = StateOf(vfs)->base;
  if (base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr) return base->xCurrentTimeInt64(base, now);
  double days = 0;
  const int rc = base->xCurrentTime(base, &days);
  *now = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

std::atomic<uint64_t> g_next_vfs{0};

}  // namespace

absl::StatusOr<std::unique_ptr<MemoryVfs>> MemoryVfs::Create(size_t max_file_bytes) {
  if (sqlite3_initialize() != SQLITE_OK) return absl::InternalError("SQLite failed to initialize");
  auto state = std::make_unique<State>();
  state->base = sqlite3_vfs_find(nullptr);
  if (state->base == nullptr) return absl::InternalError("SQLite has no default VFS");
  state->name = absl::StrCat("tgsession-memory-", g_next_vfs.fetch_add(1));
  state->max_file_bytes = max_file_bytes;
  sqlite3_vfs& v = state->vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(OpenFile));
  v.mxPathname = 512;
  v.zName = state->name.c_str();
  v.pAppData = state.get();
  v.xOpen = VfsOpen;
  v.xDelete = VfsDelete;
  v.xAccess = VfsAccess;
  v.xFullPathname = VfsFullPathname;
  v.xRandomness = VfsRandomness;
  v.xSleep = VfsSleep;
  v.xCurrentTime = VfsCurrentTime;
  v.xGetLastError = VfsGetLastError;
  v.xCurrentTimeInt64 = VfsCurrentTimeInt64;
  const int rc = sqlite3_vfs_register(&v, /*makeDflt=*/0);
  if (rc != SQLITE_OK) return absl::InternalError(absl::StrCat("registering an SQLite VFS: ", sqlite3_errstr(rc)));
  return std::unique_ptr<MemoryVfs>(new MemoryVfs(std::move(state)));
}

MemoryVfs::MemoryVfs(std::unique_ptr<State> state) : state_(std::move(state)) {}

MemoryVfs::~MemoryVfs() { sqlite3_vfs_unregister(&state_->vfs); }

const std::string& MemoryVfs::name() const { return state_->name; }

absl::Status MemoryVfs::PutFile(const std::string& path, absl::string_view bytes) {
  if (bytes.size() > state_->max_file_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a database of ", bytes.size(), " bytes is over the limit of ", state_->max_file_bytes));
  }
  auto data = std::make_shared<FileData>();
  if (!data->Resize(bytes.size())) return absl::ResourceExhaustedError("out of memory copying a database");
  if (!bytes.empty()) std::memcpy(data->mutable_data(), bytes.data(), bytes.size());
  absl::MutexLock lock(&state_->mu);
  state_->files[path] = std::move(data);
  return absl::OkStatus();
}

absl::StatusOr<SecretString> MemoryVfs::FileContents(const std::string& path) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->files.find(path);
  if (it == state_->files.end()) return absl::NotFoundError(absl::StrCat("no file ", path, " in ", state_->name));
  return SecretString(std::string(it->second->data(), it->second->size()));
}

std::vector<std::string> MemoryVfs::FileNames() const {
  absl::MutexLock lock(&state_->mu);
  std::vector<std::string> names;
  for (const auto& kv : state_->files) names.push_back(kv.first);
  return names;
}

}  // namespace sqlite
}  // namespace tgsession
