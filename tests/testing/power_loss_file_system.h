// PowerLossFileSystem: a FileSystem for tests that simulates losing power, in
// the manner of LevelDB's fault-injection environment
// (db/fault_injection_test.cc). Every call goes to a real FileSystem on one
// folder; beside it, the layer remembers what the disk was told to keep:
//   - per file (inode): its bytes as of its last fsync or fdatasync, and its
//     mode as of its last fsync (fdatasync does not write back a chmod) or
//     its creation. A file never synced has no durable bytes.
//   - for the folder: its entries (name -> inode) as of its last SyncDir, and
//     an ordered log of the creates, renames, links and unlinks since then.
//     A renamed file keeps only its own durable bytes.
//
// CutAfter(n) picks the moment of the cut: the n-th state-changing call from
// then on (open with O_CREAT or O_TRUNC, write, fsync/fdatasync, folder fsync,
// rename, link, unlink, ftruncate, fchmod) completes, and every later call
// fails with EIO without touching the disk, as on a machine that has lost
// power (close still releases the descriptor and its flock, so the code
// under test can be destroyed). PowerCut() then rewrites the folder to what
// survives under a loss model, and the layer starts over from that state.
//
// Only what POSIX promises is assumed durable; the models choose among the
// outcomes real file systems produce for everything else:
//   kDropUnsynced   nothing unsynced survives (LevelDB's model).
//   kMetadataFirst  every unsynced entry change survives, no unsynced bytes:
//                   a rename can reach the disk before the renamed file's
//                   data (ext4's zero-length files after rename).
//   kDataFirst      every written byte survives, no unsynced entry change.
//   kRandom         a random prefix of the entry log (journaling file systems
//                   commit metadata in order) and, per file, one of: durable
//                   bytes only; every byte; a random prefix of the bytes
//                   appended since the last sync; that prefix followed by
//                   zeros up to the current size (the size reached the disk,
//                   the data blocks did not: ext4 data=writeback, XFS).
//                   A file truncated or overwritten since its last sync
//                   keeps instead its durable bytes, all of its bytes, or
//                   its new bytes laid over the durable ones at the old
//                   size (the writes reached the disk, the truncate not).
//
// Every path must be a direct child of the folder; anything else fails the
// call and is reported by PowerCut(). Thread-safe (calls are serialized).
#ifndef TGSESSION_TESTS_TESTING_POWER_LOSS_FILE_SYSTEM_H_
#define TGSESSION_TESTS_TESTING_POWER_LOSS_FILE_SYSTEM_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "backends/file_system.h"

namespace tgsession {
namespace testing {

enum class PowerLoss { kDropUnsynced, kMetadataFirst, kDataFirst, kRandom };
const char* PowerLossName(PowerLoss m);

class PowerLossFileSystem : public FileSystem {
 public:
  // The regular files already in `dir` are taken as durable.
  PowerLossFileSystem(FileSystem* base, std::string dir);

  // Cuts the power after `n` more state-changing calls (0: now). Without a
  // call to CutAfter the power stays on until PowerCut().
  void CutAfter(int64_t n);
  // True once a call has failed because of the cut.
  bool dead() const;
  // While frozen, every call fails with EIO (close still releases the
  // descriptor) and nothing is lost: a process killed with SIGKILL, whose
  // remaining calls never happen, on a machine that keeps running.
  void Freeze(bool frozen);
  // State-changing calls made so far (also the sequence number of the last).
  int64_t calls() const;

  // One state-changing call that reached the disk. `inode` identifies the
  // file written or synced (0 for folder operations).
  struct Event {
    int64_t seq;
    FsOp op;
    std::string name;
    int inode;
  };
  std::vector<Event> events() const;

  // What a power loss now would leave under `model` (`seed` drives
  // kRandom), without touching anything. Fails if a descriptor is still open
  // (destroy the code under test first), if the folder on disk differs from
  // what the calls made of it (something bypassed this layer), or after a
  // call outside the folder.
  struct Image {
    struct File {
      std::vector<std::string> names;  // hard links share one file
      std::string bytes;
      uint32_t mode = 0;
    };
    std::vector<File> files;
    std::string description;  // what was kept, for failure messages
  };
  absl::StatusOr<Image> Survivors(PowerLoss model, uint32_t seed = 0) const;
  // Rewrites the folder to `image` (whatever it holds now) and carries on
  // from that state, durable, with the power on. No descriptor may be open.
  absl::Status Restore(const Image& image);
  // Survivors() then Restore(): the power cut itself.
  absl::Status PowerCut(PowerLoss model, uint32_t seed = 0, std::string* survivors = nullptr);

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

 private:
  struct Inode {
    std::string data;     // as the running system sees it
    std::string durable;  // as of the last fsync/fdatasync
    uint32_t mode = 0;
    uint32_t durable_mode = 0;
  };
  struct OpenFile {
    int inode;
    bool append;
    uint64_t pos = 0;
  };
  struct EntryChange {
    enum Kind { kCreate, kRename, kLink, kUnlink } kind;
    std::string from, to;  // kCreate: to; kUnlink: from
    int inode;             // kCreate
  };

  // Counts a state-changing call; false (and dead_) when the power is off.
  bool PowerOnForChange() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool PowerOn() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The entry name of `path` in the folder, or "" (and an error noted).
  std::string NameOf(const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Note(FsOp op, const std::string& name, int inode) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Adopt() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckDiskMatches() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FileSystem* const base_;
  const std::string dir_;
  mutable absl::Mutex mu_;
  std::map<int, Inode> inodes_ ABSL_GUARDED_BY(mu_);
  int next_inode_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, int> entries_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> durable_entries_ ABSL_GUARDED_BY(mu_);
  std::vector<EntryChange> log_ ABSL_GUARDED_BY(mu_);
  std::map<int, OpenFile> fds_ ABSL_GUARDED_BY(mu_);
  int64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t cut_at_ ABSL_GUARDED_BY(mu_) = -1;  // -1: no cut planned
  bool dead_ ABSL_GUARDED_BY(mu_) = false;
  bool frozen_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Event> events_ ABSL_GUARDED_BY(mu_);
  absl::Status misuse_ ABSL_GUARDED_BY(mu_);
};

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_POWER_LOSS_FILE_SYSTEM_H_
