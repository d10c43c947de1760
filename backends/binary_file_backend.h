// BinaryFileBackend: the default store, one session in one file in ferogram's
// binary format, so files move between tgsession and ferogram both ways.
//
// Files, for a session at PATH:
//   PATH          a plain ferogram v8 file (v9 only when the session does not
//                 fit v8), replaced atomically and durably (WriteFileAtomically):
//                 a failed save leaves the previous file.
//   PATH.journal  granular changes since the snapshot (journal.h): one small
//                 append a call, folded into a new snapshot past a size
//                 threshold and on close, so a closed session is a plain file.
//   PATH.lock     an exclusive flock while the backend is open: a second
//                 holder gets kFailedPrecondition naming the path and the
//                 holder (lock_holder.h). Never deleted.
//
// Promises:
//   - Killing the process loses nothing acknowledged, in every sync mode.
//   - Save(), Flush(), Compact(), a clean close and (unless
//     Options::durable_key_writes is off) UpdateDc/SetHomeDc are durable when
//     they return. Other granular calls are synced as Options::sync says
//     (kGroupCommit, the default: within group_commit_window); README,
//     "Durability", has the table and tests/power_loss_test.cc pins it.
//   - After a power loss the files load as they were after some returned call
//     or the one in flight, never a mix; a batch (ApplyChanges) is one record.
//   - A snapshot that cannot be decoded is never replaced: Load() returns its
//     error and writes fail with kFailedPrecondition until RecoverCorrupt()
//     moves the files to PATH.corrupt-<UTC time>[-N], never overwriting one.
//   - With Options::passphrase, snapshots and journal records are encrypted
//     (encryption.h; not readable by ferogram). Without the passphrase, or
//     with a wrong one, Load() fails (kFailedPrecondition / kPermissionDenied)
//     and writes refuse, leaving the file untouched.
//
// Thread-safe: one mutex serializes operations.
#ifndef TGSESSION_BACKENDS_BINARY_FILE_BACKEND_H_
#define TGSESSION_BACKENDS_BINARY_FILE_BACKEND_H_

#include <condition_variable>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backends/backend.h"
#include "backends/encryption.h"
#include "backends/file_system.h"
#include "backends/journal.h"
#include "session/binary_codec.h"

namespace tgsession {

class BinaryFileBackend : public SessionBackend {
 public:
  enum class Sync { kEveryOperation, kGroupCommit, kNone };

  struct Options {
    FileSystem* fs = nullptr;  // nullptr: the real POSIX file system
    Sync sync = Sync::kGroupCommit;
    absl::Duration group_commit_window = absl::Milliseconds(50);
    // UpdateDc and SetHomeDc are synced before returning whatever `sync` says.
    bool durable_key_writes = true;
    // Journal size at which it is folded into a new snapshot (at least the
    // snapshot's own size, so compaction work stays proportional).
    size_t compact_min_journal_bytes = 1u << 20;
    bool compact_on_close = true;
    // Move an undecodable snapshot aside at Open instead of reporting it.
    bool recover_corrupt_on_open = false;
    EncodeOptions encode;
    DecodeOptions decode;
    // When set, the files are encrypted with a key derived from it.
    std::shared_ptr<const SecretString> passphrase;
    KdfParams kdf;
  };

  // Opens (creating nothing but the lock file) the session at `path` and
  // takes the lock. Errors: kFailedPrecondition if another holder has the
  // lock (the message names it); file system errors as mapped by
  // ErrnoToStatus. An undecodable
  // snapshot does not fail Open (see the file comment).
  static absl::StatusOr<std::unique_ptr<BinaryFileBackend>> Open(const std::string& path, Options options);
  static absl::StatusOr<std::unique_ptr<BinaryFileBackend>> Open(const std::string& path) {
    return Open(path, Options());
  }

  // Reads the session at `path` (snapshot plus journal) without locking or
  // changing anything: for inspection tools. std::nullopt if there is none.
  static absl::StatusOr<std::optional<Session>> ReadSessionFiles(const std::string& path,
                                                                 const DecodeOptions& decode = {},
                                                                 FileSystem* fs = nullptr,
                                                                 absl::string_view passphrase = {});

  // Closes (see Close), ignoring errors.
  ~BinaryFileBackend() override;

  absl::Status Save(const Session& session) override;
  absl::StatusOr<std::optional<Session>> Load() override;
  absl::Status Delete() override;
  std::string Name() const override { return "binary-file:" + path_; }

  absl::Status UpdateDc(const DcEntry& entry) override;
  absl::Status SetHomeDc(int32_t dc_id) override;
  absl::Status ApplyUpdateState(const UpdateStateChange& change) override;
  absl::Status CachePeer(const CachedPeer& peer) override;
  // One journal record (and at most one fdatasync) for the whole batch.
  absl::Status ApplyChanges(const SessionChanges& changes) override;

  // Makes every granular change so far durable (kGroupCommit and kNone).
  absl::Status Flush();
  // Folds the journal into a new snapshot now.
  absl::Status Compact();
  // Moves an undecodable snapshot (and its journal) aside and starts with no
  // session. Returns the backup path of the snapshot ("" if there was
  // nothing to move). Refuses (kFailedPrecondition) when the files decode.
  absl::StatusOr<std::string> RecoverCorrupt();
  // Stops the group-commit thread, folds the journal into the snapshot
  // (Options::compact_on_close), syncs what is left and releases the lock.
  // Returns the first failure; the files then still hold every change that
  // was acknowledged (the journal is kept when the fold fails). Later calls
  // fail with kFailedPrecondition.
  absl::Status Close() override;

  const std::string& path() const { return path_; }
  size_t journal_bytes() const;
  // Snapshot writes so far (saves and compactions), for tests and benchmarks.
  size_t snapshot_writes() const;

 private:
  BinaryFileBackend(std::string path, Options options, FileSystem* fs, int lock_fd);

  absl::Status LoadFromDiskLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckOpenLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckWritableLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteSnapshotLocked(const Session& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendLocked(const journal::Op& op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // fsyncs the folder, making every earlier change to its entries durable.
  absl::Status SyncFolderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CloseJournalLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits until the flusher's fdatasync, which runs without mu_, is over.
  void AwaitNoFlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlusherLoop();

  const std::string path_;
  const std::string journal_path_;
  const std::string lock_path_;
  const Options options_;
  FileSystem* const fs_;
  const int lock_fd_;

  mutable absl::Mutex mu_;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  // The session as on disk (snapshot + journal); nullopt = no session.
  std::optional<Session> session_ ABSL_GUARDED_BY(mu_);
  // Set when the snapshot or journal cannot be decoded.
  absl::Status corrupt_ ABSL_GUARDED_BY(mu_);
  // Set when the files are encrypted and cannot be opened with what we have
  // (no or a wrong passphrase): not corrupt, but not ours to touch.
  absl::Status locked_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<SessionCipher> cipher_ ABSL_GUARDED_BY(mu_);
  bool snapshot_encrypted_ ABSL_GUARDED_BY(mu_) = false;
  int journal_fd_ ABSL_GUARDED_BY(mu_) = -1;
  uint64_t journal_size_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t snapshot_size_ ABSL_GUARDED_BY(mu_) = 0;
  // Identifies the snapshot on disk; a journal is valid only with this header.
  journal::Header snapshot_header_ ABSL_GUARDED_BY(mu_);
  // The journal's tail could not be restored after a failed append: the next
  // change rewrites the snapshot instead of appending.
  bool journal_broken_ ABSL_GUARDED_BY(mu_) = false;
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;  // appended but not yet fsynced
  // Changes to the folder's entries that may not be durable yet: a journal
  // created in kNone mode, one found at load (another process may have left
  // it unsynced), a snapshot whose folder fsync failed. folder_changes_
  // counts them; folder_synced_ is the count the last completed folder
  // fsync covered. While they differ, a power loss could take the file with
  // every change in it, so Flush, the kEveryOperation append and the
  // group-commit thread fsync the folder before calling anything durable.
  uint64_t folder_changes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t folder_synced_ ABSL_GUARDED_BY(mu_) = 0;
  // The flusher is syncing journal_fd_ without holding mu_: the fd must not
  // be closed (its number could be reused) and Flush() must not report a
  // sync it has not seen finish.
  bool flushing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status sync_error_ ABSL_GUARDED_BY(mu_);
  size_t snapshot_writes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_BINARY_FILE_BACKEND_H_
