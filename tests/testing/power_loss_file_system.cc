#include "tests/testing/power_loss_file_system.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "session/status_macros.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

absl::Status PowerIsOff(FsOp op, const std::string& path) { return ErrnoToStatus(EIO, op, path); }

}  // namespace

const char* PowerLossName(PowerLoss m) {
  switch (m) {
    case PowerLoss::kDropUnsynced:
      return "drop-unsynced";
    case PowerLoss::kMetadataFirst:
      return "metadata-first";
    case PowerLoss::kDataFirst:
      return "data-first";
    case PowerLoss::kRandom:
      return "random";
  }
  return "?";
}

PowerLossFileSystem::PowerLossFileSystem(FileSystem* base, std::string dir) : base_(base), dir_(std::move(dir)) {
  absl::MutexLock lock(&mu_);
  Adopt();
}

void PowerLossFileSystem::Adopt() {
  inodes_.clear();
  entries_.clear();
  log_.clear();
  for (const std::string& name : ListFiles(dir_)) {
    const std::string path = dir_ + "/" + name;
    absl::StatusOr<std::string> bytes = ReadFileBounded(base_, path, size_t{1} << 30);
    absl::StatusOr<FileInfo> info = base_->Stat(path);
    if (!bytes.ok() || !info.ok()) {
      misuse_ = absl::InternalError(absl::StrCat("cannot read ", path));
      continue;
    }
    const int id = next_inode_++;
    Inode& n = inodes_[id];
    n.data = n.durable = *std::move(bytes);
    n.mode = n.durable_mode = info->mode;
    entries_[name] = id;
  }
  durable_entries_ = entries_;
  calls_ = 0;
  cut_at_ = -1;
  dead_ = false;
  frozen_ = false;
  events_.clear();
}

void PowerLossFileSystem::CutAfter(int64_t n) {
  absl::MutexLock lock(&mu_);
  cut_at_ = calls_ + n;
}

bool PowerLossFileSystem::dead() const {
  absl::MutexLock lock(&mu_);
  return dead_;
}

int64_t PowerLossFileSystem::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<PowerLossFileSystem::Event> PowerLossFileSystem::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

void PowerLossFileSystem::Freeze(bool frozen) {
  absl::MutexLock lock(&mu_);
  frozen_ = frozen;
}

bool PowerLossFileSystem::PowerOn() {
  if (frozen_) return false;
  if (!dead_ && cut_at_ >= 0 && calls_ >= cut_at_) dead_ = true;
  return !dead_;
}

bool PowerLossFileSystem::PowerOnForChange() {
  if (!PowerOn()) return false;
  ++calls_;
  return true;
}

std::string PowerLossFileSystem::NameOf(const std::string& path) {
  if (path.size() > dir_.size() + 1 && path.compare(0, dir_.size(), dir_) == 0 && path[dir_.size()] == '/' &&
      path.find('/', dir_.size() + 1) == std::string::npos) {
    return path.substr(dir_.size() + 1);
  }
  if (misuse_.ok()) misuse_ = absl::InternalError(absl::StrCat(path, " is not a file directly in ", dir_));
  return "";
}

void PowerLossFileSystem::Note(FsOp op, const std::string& name, int inode) {
  events_.push_back(Event{calls_, op, name, inode});
}

absl::StatusOr<int> PowerLossFileSystem::Open(const std::string& path, int flags, mode_t mode) {
  absl::MutexLock lock(&mu_);
  const std::string name = NameOf(path);
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("outside the simulated folder: ", path));
  const bool creates = (flags & O_CREAT) != 0 && entries_.count(name) == 0;
  const bool changes = creates || (flags & O_TRUNC) != 0;
  if (!(changes ? PowerOnForChange() : PowerOn())) return PowerIsOff(FsOp::kOpen, path);
  absl::StatusOr<int> fd = base_->Open(path, flags, mode);
  if (!fd.ok()) return fd;
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    if (!creates && misuse_.ok()) {
      misuse_ = absl::InternalError(absl::StrCat(path, " exists but was never created here"));
    }
    const int id = next_inode_++;
    Inode& n = inodes_[id];
    absl::StatusOr<FileInfo> info = base_->FStat(*fd, path);
    // The mode the file really got at creation (open's mode minus the umask)
    // is what a power loss keeps until an fsync writes back a later chmod.
    n.mode = n.durable_mode = info.ok() ? info->mode : 0;
    it = entries_.emplace(name, id).first;
    log_.push_back(EntryChange{EntryChange::kCreate, "", name, id});
  }
  if ((flags & O_TRUNC) != 0) inodes_[it->second].data.clear();
  fds_[*fd] = OpenFile{it->second, (flags & O_APPEND) != 0};
  if (changes) Note(FsOp::kOpen, name, it->second);
  return fd;
}

absl::Status PowerLossFileSystem::Write(int fd, absl::string_view data, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kWrite, path);
  auto f = fds_.find(fd);
  if (f == fds_.end()) return ErrnoToStatus(EBADF, FsOp::kWrite, path);
  absl::Status st = base_->Write(fd, data, path);
  if (!st.ok()) {
    // How much of it reached the file is unknown: the model cannot follow.
    if (misuse_.ok()) misuse_ = absl::InternalError(absl::StrCat("real write failed: ", st.message()));
    return st;
  }
  std::string& bytes = inodes_[f->second.inode].data;
  if (f->second.append) f->second.pos = bytes.size();
  if (bytes.size() < f->second.pos + data.size()) bytes.resize(f->second.pos + data.size(), '\0');
  bytes.replace(f->second.pos, data.size(), data.data(), data.size());
  f->second.pos += data.size();
  Note(FsOp::kWrite, path.substr(path.rfind('/') + 1), f->second.inode);
  return absl::OkStatus();
}

absl::StatusOr<size_t> PowerLossFileSystem::Read(int fd, char* buf, size_t n, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOn()) return PowerIsOff(FsOp::kRead, path);
  absl::StatusOr<size_t> got = base_->Read(fd, buf, n, path);
  auto f = fds_.find(fd);
  if (got.ok() && f != fds_.end()) f->second.pos += *got;
  return got;
}

absl::Status PowerLossFileSystem::Sync(int fd, bool data_only, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kFsync, path);
  auto f = fds_.find(fd);
  if (f == fds_.end()) return ErrnoToStatus(EBADF, FsOp::kFsync, path);
  // The real fsync is skipped: the real disk keeps its power, and what a
  // loss would keep is decided here.
  Inode& n = inodes_[f->second.inode];
  n.durable = n.data;
  if (!data_only) n.durable_mode = n.mode;
  Note(FsOp::kFsync, path.substr(path.rfind('/') + 1), f->second.inode);
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::SyncDir(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  if (dir != dir_) {
    if (misuse_.ok()) misuse_ = absl::InternalError(absl::StrCat("fsync of folder ", dir, ", not ", dir_));
    return absl::InvalidArgumentError(absl::StrCat("outside the simulated folder: ", dir));
  }
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kDirFsync, dir);
  durable_entries_ = entries_;
  log_.clear();
  Note(FsOp::kDirFsync, "", 0);
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::Close(int fd, const std::string& path) {
  absl::MutexLock lock(&mu_);
  fds_.erase(fd);
  // Closing releases the descriptor (and its flock) even with the power off,
  // so the code under test can be torn down; it reports the failure.
  absl::Status st = base_->Close(fd, path);
  if (!PowerOn()) return PowerIsOff(FsOp::kClose, path);
  return st;
}

absl::Status PowerLossFileSystem::Rename(const std::string& from, const std::string& to) {
  absl::MutexLock lock(&mu_);
  const std::string a = NameOf(from), b = NameOf(to);
  if (a.empty() || b.empty()) return absl::InvalidArgumentError("rename outside the simulated folder");
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kRename, to);
  TGS_RETURN_IF_ERROR(base_->Rename(from, to));
  auto it = entries_.find(a);
  if (it == entries_.end()) {
    if (misuse_.ok()) misuse_ = absl::InternalError(absl::StrCat(from, " renamed but never created here"));
    return absl::OkStatus();
  }
  if (a != b) {
    const int id = it->second;
    entries_.erase(it);
    entries_[b] = id;
    log_.push_back(EntryChange{EntryChange::kRename, a, b, id});
    Note(FsOp::kRename, b, id);
  }
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::Link(const std::string& from, const std::string& to) {
  absl::MutexLock lock(&mu_);
  const std::string a = NameOf(from), b = NameOf(to);
  if (a.empty() || b.empty()) return absl::InvalidArgumentError("link outside the simulated folder");
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kLink, to);
  TGS_RETURN_IF_ERROR(base_->Link(from, to));
  auto it = entries_.find(a);
  if (it == entries_.end()) {
    if (misuse_.ok()) misuse_ = absl::InternalError(absl::StrCat(from, " linked but never created here"));
    return absl::OkStatus();
  }
  entries_[b] = it->second;
  log_.push_back(EntryChange{EntryChange::kLink, a, b, it->second});
  Note(FsOp::kLink, b, it->second);
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::Unlink(const std::string& path) {
  absl::MutexLock lock(&mu_);
  const std::string name = NameOf(path);
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("outside the simulated folder: ", path));
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kUnlink, path);
  TGS_RETURN_IF_ERROR(base_->Unlink(path));
  entries_.erase(name);
  log_.push_back(EntryChange{EntryChange::kUnlink, name, "", 0});
  Note(FsOp::kUnlink, name, 0);
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::LockExclusive(int fd, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOn()) return PowerIsOff(FsOp::kLock, path);
  return base_->LockExclusive(fd, path);
}

absl::Status PowerLossFileSystem::Truncate(int fd, uint64_t size, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kTruncate, path);
  auto f = fds_.find(fd);
  if (f == fds_.end()) return ErrnoToStatus(EBADF, FsOp::kTruncate, path);
  TGS_RETURN_IF_ERROR(base_->Truncate(fd, size, path));
  inodes_[f->second.inode].data.resize(static_cast<size_t>(size), '\0');
  Note(FsOp::kTruncate, path.substr(path.rfind('/') + 1), f->second.inode);
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::Chmod(int fd, mode_t mode, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOnForChange()) return PowerIsOff(FsOp::kChmod, path);
  auto f = fds_.find(fd);
  if (f == fds_.end()) return ErrnoToStatus(EBADF, FsOp::kChmod, path);
  TGS_RETURN_IF_ERROR(base_->Chmod(fd, mode, path));
  inodes_[f->second.inode].mode = mode & 07777;
  Note(FsOp::kChmod, path.substr(path.rfind('/') + 1), f->second.inode);
  return absl::OkStatus();
}

absl::StatusOr<FileInfo> PowerLossFileSystem::Stat(const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (NameOf(path).empty()) return absl::InvalidArgumentError(absl::StrCat("outside the simulated folder: ", path));
  if (!PowerOn()) return PowerIsOff(FsOp::kStat, path);
  return base_->Stat(path);
}

absl::StatusOr<FileInfo> PowerLossFileSystem::FStat(int fd, const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!PowerOn()) return PowerIsOff(FsOp::kStat, path);
  return base_->FStat(fd, path);
}

absl::Status PowerLossFileSystem::CheckDiskMatches() const {
  std::set<std::string> on_disk;
  for (const std::string& name : ListFiles(dir_)) {
    on_disk.insert(name);
    auto it = entries_.find(name);
    if (it == entries_.end()) return absl::InternalError(absl::StrCat(name, " is on disk but was never created here"));
    absl::StatusOr<std::string> bytes = ReadFileBounded(base_, dir_ + "/" + name, size_t{1} << 30);
    if (!bytes.ok()) return bytes.status();
    const std::string& model = inodes_.at(it->second).data;
    if (*bytes != model) {
      return absl::InternalError(absl::StrCat(name, " on disk (", bytes->size(), " bytes) differs from the ",
                                              model.size(), " bytes written through this layer"));
    }
  }
  for (const auto& e : entries_) {
    if (on_disk.count(e.first) == 0) return absl::InternalError(absl::StrCat(e.first, " was removed behind our back"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PowerLossFileSystem::Image> PowerLossFileSystem::Survivors(PowerLoss model, uint32_t seed) const {
  absl::MutexLock lock(&mu_);
  if (!misuse_.ok()) return misuse_;
  if (!fds_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(fds_.size(), " descriptors are still open: destroy what uses them before the power cut"));
  }
  TGS_RETURN_IF_ERROR(CheckDiskMatches());
  std::mt19937 rng(seed);
  const auto below = [&rng](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % (n + 1)); };

  // Entries: the durable ones plus the changes the model keeps, in order.
  std::map<std::string, int> kept = durable_entries_;
  size_t changes = 0;
  if (model == PowerLoss::kMetadataFirst) changes = log_.size();
  if (model == PowerLoss::kRandom) changes = below(log_.size());
  for (size_t i = 0; i < changes; ++i) {
    const EntryChange& c = log_[i];
    switch (c.kind) {
      case EntryChange::kCreate:
        kept[c.to] = c.inode;
        break;
      case EntryChange::kRename:
      case EntryChange::kLink:
        if (kept.count(c.from) != 0) {
          kept[c.to] = kept[c.from];
          if (c.kind == EntryChange::kRename) kept.erase(c.from);
        }
        break;
      case EntryChange::kUnlink:
        kept.erase(c.from);
        break;
    }
  }

  // Bytes: per surviving file, as the model says.
  Image image;
  image.description = absl::StrCat(PowerLossName(model), ", seed ", seed, ", ", changes, " of ", log_.size(),
                                   " unsynced entry changes kept:");
  std::map<int, size_t> file_of;  // inode -> index in image.files
  for (const auto& e : kept) {
    auto known = file_of.find(e.second);
    if (known != file_of.end()) {
      image.files[known->second].names.push_back(e.first);
      continue;
    }
    const Inode& n = inodes_.at(e.second);
    const bool appended = n.data.size() >= n.durable.size() && n.data.compare(0, n.durable.size(), n.durable) == 0;
    const size_t extra = appended ? n.data.size() - n.durable.size() : 0;
    std::string b = n.durable;
    const char* how = "durable bytes";
    int choice = 0;
    if (model == PowerLoss::kDataFirst) choice = 1;
    if (model == PowerLoss::kRandom) choice = static_cast<int>(rng() % 4);
    if (choice == 1) {
      b = n.data;
      how = "every byte";
    } else if (choice >= 2 && appended) {
      b.append(n.data, n.durable.size(), below(extra));
      how = "durable bytes and part of the appended ones";
      if (choice == 3) {
        b.resize(n.data.size(), '\0');
        how = "durable bytes, part of the appended ones, then zeros";
      }
    } else if (choice >= 2) {
      // Truncated or overwritten since its sync: the new bytes reached the
      // disk but not the new size.
      b = n.data;
      if (n.durable.size() > b.size()) b.append(n.durable, b.size(), std::string::npos);
      how = "the written bytes over the durable ones, at the old size";
    }
    absl::StrAppend(&image.description, " ", e.first, " (", how, ": ", b.size(), " of ", n.data.size(), ", ",
                    n.durable.size(), " synced)");
    file_of[e.second] = image.files.size();
    image.files.push_back(Image::File{{e.first}, std::move(b), n.durable_mode});
  }
  return image;
}

absl::Status PowerLossFileSystem::Restore(const Image& image) {
  absl::MutexLock lock(&mu_);
  if (!fds_.empty()) return absl::FailedPreconditionError("descriptors are still open");
  for (const std::string& name : ListFiles(dir_)) TGS_RETURN_IF_ERROR(base_->Unlink(dir_ + "/" + name));
  for (const Image::File& f : image.files) {
    const std::string path = dir_ + "/" + f.names[0];
    TGS_ASSIGN_OR_RETURN(const int fd, base_->Open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
    ScopedFd closer(base_, fd, path);
    TGS_RETURN_IF_ERROR(base_->Chmod(fd, f.mode, path));
    TGS_RETURN_IF_ERROR(base_->Write(fd, f.bytes, path));
    TGS_RETURN_IF_ERROR(closer.Close());
    for (size_t i = 1; i < f.names.size(); ++i) TGS_RETURN_IF_ERROR(base_->Link(path, dir_ + "/" + f.names[i]));
  }
  Adopt();
  return absl::OkStatus();
}

absl::Status PowerLossFileSystem::PowerCut(PowerLoss model, uint32_t seed, std::string* survivors) {
  TGS_ASSIGN_OR_RETURN(Image image, Survivors(model, seed));
  if (survivors != nullptr) *survivors = image.description;
  return Restore(image);
}

}  // namespace testing
}  // namespace tgsession
