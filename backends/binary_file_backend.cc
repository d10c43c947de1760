#include "backends/binary_file_backend.h"

#include <fcntl.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends/lock_holder.h"
#include "session/byte_io.h"
#include "session/secret.h"
#include "session/status_macros.h"

namespace tgsession {
namespace {

constexpr size_t kMaxJournalBytes = size_t{1} << 30;

absl::Status WithPath(const absl::Status& s, const std::string& path) {
  return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
}

// Seals journal records with the session key; the associated data is the
// journal's header (which names the snapshot) and the record's offset.
class JournalSealer : public journal::RecordCipher {
 public:
  JournalSealer(const SessionCipher* c, std::string header) : c_(c), header_(std::move(header)) {}
  std::string Seal(absl::string_view payload, uint64_t offset) const override {
    return c_->SealRecord(payload, Ad(offset));
  }
  absl::StatusOr<SecretString> Open(absl::string_view sealed, uint64_t offset) const override {
    return c_->OpenRecord(sealed, Ad(offset));
  }

 private:
  std::string Ad(uint64_t offset) const {
    std::string ad = header_;
    char b[8];
    byte_io::PutU64LE(reinterpret_cast<uint8_t*>(b), offset);
    ad.append(b, 8);
    return ad;
  }
  const SessionCipher* c_;
  std::string header_;
};

// Decrypts (when needed) and decodes a snapshot file's bytes. `cipher` is
// filled for an encrypted file; errors are kFailedPrecondition (encrypted,
// no passphrase), kPermissionDenied (wrong passphrase or modified), kDataLoss.
absl::StatusOr<Session> DecodeSnapshot(absl::string_view bytes, const DecodeOptions& decode,
                                       absl::string_view passphrase, bool have_passphrase,
                                       std::unique_ptr<SessionCipher>* cipher) {
  if (!IsEncryptedSession(bytes)) return DecodeBinary(bytes, decode);
  if (!have_passphrase) {
    return absl::FailedPreconditionError("the session file is encrypted: a passphrase is needed to open it");
  }
  TGS_ASSIGN_OR_RETURN(*cipher, SessionCipher::ForEnvelope(bytes, passphrase));
  TGS_ASSIGN_OR_RETURN(SecretString plain, (*cipher)->Open(bytes));
  return DecodeBinary(plain.view(), decode);
}

}  // namespace

absl::StatusOr<std::unique_ptr<BinaryFileBackend>> BinaryFileBackend::Open(const std::string& path,
                                                                          Options options) {
  FileSystem* fs = options.fs != nullptr ? options.fs : PosixFileSystem();
  const std::string lock_path = path + ".lock";
  TGS_ASSIGN_OR_RETURN(const int fd, fs->Open(lock_path, O_RDWR | O_CREAT, 0600));
  ScopedFd lock_fd(fs, fd, lock_path);
  TGS_RETURN_IF_ERROR(fs->Chmod(lock_fd.get(), 0600, lock_path));
  absl::Status locked = fs->LockExclusive(lock_fd.get(), lock_path);
  if (!locked.ok()) {
    if (locked.code() == absl::StatusCode::kFailedPrecondition) {
      absl::StatusOr<std::string> record = ReadFileBounded(fs, lock_path, 4096);
      return absl::FailedPreconditionError(
          absl::StrCat("session file ", path, " is ",
                       DescribeLockHolder(record.ok() ? ParseLockHolder(*record) : std::nullopt), " (", lock_path,
                       " is locked); close it there first"));
    }
    return locked;
  }
  // Ours now: say so in the file for whoever is refused next (lock_holder.h).
  // Only a description, so a failure to write it fails nothing.
  if (fs->Truncate(lock_fd.get(), 0, lock_path).ok()) {
    (void)fs->Write(lock_fd.get(), EncodeLockHolder(LockHolder::Current()), lock_path);
  }
  std::unique_ptr<BinaryFileBackend> b(new BinaryFileBackend(path, options, fs, lock_fd.Release()));
  {
    absl::MutexLock lock(&b->mu_);
    TGS_RETURN_IF_ERROR(b->LoadFromDiskLocked());
  }
  if (options.recover_corrupt_on_open) {
    bool corrupt;
    {
      absl::MutexLock lock(&b->mu_);
      corrupt = !b->corrupt_.ok();
    }
    if (corrupt) TGS_RETURN_IF_ERROR(b->RecoverCorrupt().status());
  }
  if (options.sync == Sync::kGroupCommit) b->flusher_ = std::thread([p = b.get()] { p->FlusherLoop(); });
  return b;
}

BinaryFileBackend::BinaryFileBackend(std::string path, Options options, FileSystem* fs, int lock_fd)
    : path_(std::move(path)),
      journal_path_(path_ + ".journal"),
      lock_path_(path_ + ".lock"),
      options_(options),
      fs_(fs),
      lock_fd_(lock_fd) {}

BinaryFileBackend::~BinaryFileBackend() {
  // Nothing acknowledged is lost by an error here: the journal still holds
  // every change.
  (void)Close();
}

absl::Status BinaryFileBackend::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    stopping_ = true;
  }
  if (flusher_.joinable()) flusher_.join();
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    if (options_.compact_on_close && loaded_ && corrupt_.ok() && locked_.ok() && session_ && journal_fd_ >= 0 &&
        journal_size_ > journal::kHeaderSize) {
      result = WriteSnapshotLocked(*session_);
    }
    // A sync that succeeds now covers whatever an earlier background sync
    // failed to make durable.
    absl::Status flushed = FlushLocked();
    if (result.ok()) result = flushed;
    CloseJournalLocked();
  }
  (void)fs_->Truncate(lock_fd_, 0, lock_path_);  // our record, while the lock is still ours
  absl::Status closed = fs_->Close(lock_fd_, lock_path_);  // releases the flock
  if (result.ok()) result = closed;
  return result;
}

void BinaryFileBackend::AwaitNoFlushLocked() {
  mu_.Await(absl::Condition(
      +[](bool* flushing) { return !*flushing; }, &flushing_));
}

void BinaryFileBackend::CloseJournalLocked() {
  AwaitNoFlushLocked();
  if (journal_fd_ >= 0) (void)fs_->Close(journal_fd_, journal_path_);
  journal_fd_ = -1;
  journal_size_ = 0;
  dirty_ = false;
}

absl::Status BinaryFileBackend::LoadFromDiskLocked() {
  CloseJournalLocked();
  session_.reset();
  corrupt_ = absl::OkStatus();
  locked_ = absl::OkStatus();
  snapshot_encrypted_ = false;
  journal_broken_ = false;
  snapshot_size_ = 0;
  snapshot_header_ = journal::Header();

  absl::StatusOr<std::string> snap = ReadFileBounded(fs_, path_, options_.decode.limits.max_input_bytes);
  if (!snap.ok() && snap.status().code() == absl::StatusCode::kNotFound) {
    // No session. A journal left by a crash during Delete() is stale.
    absl::Status u = fs_->Unlink(journal_path_);
    if (!u.ok() && u.code() != absl::StatusCode::kNotFound) return u;
    loaded_ = true;
    return absl::OkStatus();
  }
  if (!snap.ok()) {
    if (snap.status().code() == absl::StatusCode::kResourceExhausted) {
      corrupt_ = WithPath(absl::DataLossError(snap.status().message()), path_);
      loaded_ = true;
      return absl::OkStatus();
    }
    return snap.status();
  }
  SecretString snapshot(*std::move(snap));
  std::unique_ptr<SessionCipher> cipher;
  absl::StatusOr<Session> decoded =
      DecodeSnapshot(snapshot.view(), options_.decode, options_.passphrase ? options_.passphrase->view() : "",
                     options_.passphrase != nullptr, &cipher);
  if (!decoded.ok()) {
    const absl::StatusCode code = decoded.status().code();
    if (code == absl::StatusCode::kFailedPrecondition || code == absl::StatusCode::kPermissionDenied) {
      locked_ = WithPath(decoded.status(), path_);
    } else {
      corrupt_ = WithPath(decoded.status(), path_);
    }
    loaded_ = true;
    return absl::OkStatus();
  }
  snapshot_encrypted_ = cipher != nullptr;
  if (cipher != nullptr) cipher_ = std::move(cipher);
  session_ = *std::move(decoded);
  snapshot_size_ = snapshot.view().size();
  snapshot_header_ = journal::HeaderFor(snapshot.view());
  const journal::Header want = snapshot_header_;

  absl::StatusOr<std::string> jbytes = ReadFileBounded(fs_, journal_path_, kMaxJournalBytes);
  if (!jbytes.ok() && jbytes.status().code() == absl::StatusCode::kNotFound) {
    loaded_ = true;
    return absl::OkStatus();
  }
  if (!jbytes.ok()) return jbytes.status();
  SecretString jguard(*std::move(jbytes));
  absl::StatusOr<journal::Header> header = journal::DecodeHeader(jguard.view());
  if (!header.ok() || !(*header == want)) {
    // Torn header (crash while creating it) or a journal of an earlier
    // snapshot: its changes are already in this snapshot or were replaced
    // by a Save(). Remove it so it cannot confuse anyone later.
    absl::Status u = fs_->Unlink(journal_path_);
    if (!u.ok() && u.code() != absl::StatusCode::kNotFound) return u;
    loaded_ = true;
    return absl::OkStatus();
  }
  Session replayed = *session_;
  std::unique_ptr<JournalSealer> sealer;
  if (snapshot_encrypted_) {
    sealer = std::make_unique<JournalSealer>(cipher_.get(), std::string(jguard.view().substr(0, journal::kHeaderSize)));
  }
  absl::StatusOr<journal::ReplayResult> r = journal::Replay(jguard.view(), &replayed, sealer.get());
  if (!r.ok()) {
    corrupt_ = WithPath(r.status(), journal_path_);
    loaded_ = true;
    return absl::OkStatus();
  }
  session_ = std::move(replayed);
  TGS_ASSIGN_OR_RETURN(const int fd, fs_->Open(journal_path_, O_WRONLY | O_APPEND, 0600));
  journal_fd_ = fd;
  journal_size_ = r->valid_bytes;
  // Not known to be durable, name or bytes: the next Flush syncs both.
  ++folder_changes_;
  dirty_ = true;
  if (r->torn_bytes > 0) {
    // Cut the torn tail so later appends are not hidden behind it.
    absl::Status t = fs_->Truncate(journal_fd_, r->valid_bytes, journal_path_);
    if (t.ok()) t = fs_->Sync(journal_fd_, true, journal_path_);
    if (!t.ok()) journal_broken_ = true;
  }
  loaded_ = true;
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::CheckOpenLocked() const {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat(Name(), " is closed"));
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::CheckWritableLocked() {
  TGS_RETURN_IF_ERROR(CheckOpenLocked());
  if (!loaded_) TGS_RETURN_IF_ERROR(LoadFromDiskLocked());
  if (!locked_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("refusing to overwrite a session we cannot open (",
                                                      locked_.message(), ")"));
  }
  if (!corrupt_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("refusing to overwrite a session that cannot be decoded (",
                                                      corrupt_.message(),
                                                      "); call RecoverCorrupt() to move it aside first"));
  }
  if (!sync_error_.ok()) {
    absl::Status e = sync_error_;
    sync_error_ = absl::OkStatus();
    return absl::Status(e.code(), absl::StrCat("an earlier group-committed change may not be durable: ", e.message()));
  }
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::WriteSnapshotLocked(const Session& s) {
  TGS_ASSIGN_OR_RETURN(std::string encoded, EncodeBinary(s, options_.encode));
  SecretString bytes(std::move(encoded));
  if (options_.passphrase != nullptr) {
    if (cipher_ == nullptr) {
      TGS_ASSIGN_OR_RETURN(cipher_, SessionCipher::ForNewFile(options_.passphrase->view(), options_.kdf));
    }
    bytes = SecretString(cipher_->Seal(bytes.view()));
  }
  const journal::Header header = journal::HeaderFor(bytes.view());
  if (session_ && corrupt_.ok() && header == snapshot_header_) {
    // Byte-identical to the snapshot on disk (equal size, CRC-32C and
    // 64-bit hash): the current journal would still match it after a crash and
    // replay changes this save discards. Remove the journal (durably)
    // instead of rewriting identical bytes, so a session whose changes
    // changed nothing is again one plain file.
    CloseJournalLocked();
    absl::Status u = fs_->Unlink(journal_path_);
    if (!u.ok() && u.code() != absl::StatusCode::kNotFound) return u;
    if (u.ok()) TGS_RETURN_IF_ERROR(SyncFolderLocked());
    journal_broken_ = false;
    session_ = s;
    return absl::OkStatus();
  }
  bool replaced = false;
  absl::Status written = WriteFileAtomically(fs_, path_, bytes.view(), AtomicWriteOptions(), &replaced);
  if (!replaced) return written;
  if (written.ok()) {
    folder_synced_ = folder_changes_;  // its folder fsync covered every earlier change
  } else {
    ++folder_changes_;  // in place, but its folder fsync failed
  }
  // From here on the new snapshot is the visible one (even if the folder
  // fsync failed and `written` reports it), so our view follows it.
  ++snapshot_writes_;
  snapshot_size_ = bytes.view().size();
  snapshot_header_ = header;
  snapshot_encrypted_ = options_.passphrase != nullptr;
  // Wipe and free the encoding before copying the session, so a save's peak
  // memory is the larger of the two, not their sum.
  bytes = SecretString();
  session_ = s;
  // The old journal is now stale (its header no longer matches); remove it.
  // If that fails it is ignored at the next load anyway.
  CloseJournalLocked();
  absl::Status u = fs_->Unlink(journal_path_);
  if (u.ok()) (void)SyncFolderLocked();
  journal_broken_ = false;
  return written;
}

absl::Status BinaryFileBackend::AppendLocked(const journal::Op& op) {
  TGS_RETURN_IF_ERROR(CheckWritableLocked());
  if (!session_ || journal_broken_ || (options_.passphrase != nullptr && !snapshot_encrypted_) ||
      journal::PayloadSize(op) > journal::kMaxPayload) {
    // No session yet (start one), a journal we could not repair, a plain
    // file to be encrypted, or a batch too big for one record: write a full
    // snapshot including the change (as atomic as a record, and durable).
    Session s = session_ ? *session_ : Session();
    op.ApplyTo(s);
    return WriteSnapshotLocked(s);
  }
  // Synced before returning: every change in kEveryOperation, and auth keys
  // and the home DC in every mode (durable_key_writes).
  const bool sync_now =
      options_.sync == Sync::kEveryOperation || (options_.durable_key_writes && op.is_key_write());
  if (journal_fd_ < 0) {
    // First change since the snapshot: create the journal with its header.
    AtomicWriteOptions w;
    w.sync = sync_now || options_.sync != Sync::kNone;
    TGS_RETURN_IF_ERROR(WriteFileAtomically(fs_, journal_path_, journal::EncodeHeader(snapshot_header_), w));
    TGS_ASSIGN_OR_RETURN(const int fd, fs_->Open(journal_path_, O_WRONLY | O_APPEND, 0600));
    journal_fd_ = fd;
    journal_size_ = journal::kHeaderSize;
    if (w.sync) {
      folder_synced_ = folder_changes_;
    } else {
      ++folder_changes_;
    }
  }
  std::string record;
  if (snapshot_encrypted_) {
    const JournalSealer sealer(cipher_.get(), journal::EncodeHeader(snapshot_header_));
    TGS_RETURN_IF_ERROR(journal::AppendRecord(op, &record, &sealer, journal_size_));
  } else {
    TGS_RETURN_IF_ERROR(journal::AppendRecord(op, &record));
  }
  SecretString guard(std::move(record));
  absl::Status st = fs_->Write(journal_fd_, guard.view(), journal_path_);
  if (st.ok() && sync_now) {
    st = fs_->Sync(journal_fd_, true, journal_path_);
    if (st.ok()) dirty_ = false;
    if (st.ok() && folder_synced_ != folder_changes_) st = SyncFolderLocked();
  }
  if (!st.ok()) {
    // Remove whatever part of the record reached the file, so the journal
    // ends with the last acknowledged change; if even that fails, stop
    // appending to this journal.
    absl::Status t = fs_->Truncate(journal_fd_, journal_size_, journal_path_);
    if (!t.ok()) journal_broken_ = true;
    return st;
  }
  journal_size_ += guard.view().size();
  if (!sync_now) dirty_ = true;
  op.ApplyTo(*session_);
  const size_t threshold = std::max<size_t>(options_.compact_min_journal_bytes, snapshot_size_);
  if (journal_size_ > threshold) {
    // The change is already durable in the journal; a failed compaction only
    // leaves a longer journal.
    (void)WriteSnapshotLocked(*session_);
  }
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::FlushLocked() {
  // A background sync in flight covers only what was appended before it
  // began, and may fail: wait for it, then sync whatever is still dirty.
  AwaitNoFlushLocked();
  if (dirty_ && journal_fd_ >= 0) {
    TGS_RETURN_IF_ERROR(fs_->Sync(journal_fd_, true, journal_path_));
    dirty_ = false;
  }
  if (folder_synced_ != folder_changes_) TGS_RETURN_IF_ERROR(SyncFolderLocked());
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::SyncFolderLocked() {
  const uint64_t covered = folder_changes_;
  TGS_RETURN_IF_ERROR(fs_->SyncDir(DirName(path_)));
  folder_synced_ = std::max(folder_synced_, covered);
  return absl::OkStatus();
}

void BinaryFileBackend::FlusherLoop() {
  const auto window = absl::ToChronoMilliseconds(options_.group_commit_window);
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(window));
    if (stopping_) break;
    const bool sync_journal = dirty_ && journal_fd_ >= 0;
    const uint64_t folder_changes = folder_changes_;
    const bool sync_folder = folder_synced_ != folder_changes;
    if (!sync_journal && !sync_folder) continue;
    // fdatasync without the lock: appends meanwhile only reach the page
    // cache and need not wait for the disk. Everything appended so far is
    // covered; later appends set dirty_ again. The fd stays open meanwhile
    // (CloseJournalLocked waits for flushing_ to clear). The folder fsync
    // covers the entry changes counted before it began.
    const int fd = journal_fd_;
    if (sync_journal) dirty_ = false;
    flushing_ = true;
    mu_.Unlock();
    absl::Status s;
    if (sync_journal) s = fs_->Sync(fd, true, journal_path_);
    if (s.ok() && sync_folder) s = fs_->SyncDir(DirName(path_));
    mu_.Lock();
    flushing_ = false;
    if (s.ok() && sync_folder) folder_synced_ = std::max(folder_synced_, folder_changes);
    if (!s.ok()) {
      if (sync_journal) dirty_ = true;
      if (sync_error_.ok()) sync_error_ = s;
    }
  }
}

absl::Status BinaryFileBackend::Save(const Session& session) {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckWritableLocked());
  return WriteSnapshotLocked(session);
}

absl::StatusOr<std::optional<Session>> BinaryFileBackend::Load() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpenLocked());
  if (!loaded_) TGS_RETURN_IF_ERROR(LoadFromDiskLocked());
  if (!locked_.ok()) return locked_;
  if (!corrupt_.ok()) return corrupt_;
  return session_;
}

absl::Status BinaryFileBackend::Delete() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpenLocked());
  CloseJournalLocked();
  // Snapshot first: a crash in between leaves a stale journal, which is
  // ignored without a snapshot.
  absl::Status a = fs_->Unlink(path_);
  if (!a.ok() && a.code() != absl::StatusCode::kNotFound) return a;
  absl::Status b = fs_->Unlink(journal_path_);
  if (!b.ok() && b.code() != absl::StatusCode::kNotFound) return b;
  TGS_RETURN_IF_ERROR(SyncFolderLocked());
  session_.reset();
  corrupt_ = absl::OkStatus();
  journal_broken_ = false;
  snapshot_size_ = 0;
  snapshot_header_ = journal::Header();
  loaded_ = true;
  return absl::OkStatus();
}

absl::Status BinaryFileBackend::UpdateDc(const DcEntry& entry) {
  absl::MutexLock lock(&mu_);
  return AppendLocked(journal::Op::UpsertDc(entry));
}

absl::Status BinaryFileBackend::SetHomeDc(int32_t dc_id) {
  absl::MutexLock lock(&mu_);
  return AppendLocked(journal::Op::SetHomeDc(dc_id));
}

absl::Status BinaryFileBackend::ApplyUpdateState(const UpdateStateChange& change) {
  absl::MutexLock lock(&mu_);
  return AppendLocked(journal::Op::UpdateState(change));
}

absl::Status BinaryFileBackend::CachePeer(const CachedPeer& peer) {
  absl::MutexLock lock(&mu_);
  return AppendLocked(journal::Op::CachePeer(peer));
}

absl::Status BinaryFileBackend::ApplyChanges(const SessionChanges& changes) {
  if (changes.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  return AppendLocked(journal::Op::Batch(changes));
}

absl::Status BinaryFileBackend::Flush() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpenLocked());
  return FlushLocked();
}

absl::Status BinaryFileBackend::Compact() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckWritableLocked());
  // Nothing to fold: what a failed fold or a kNone journal left unsynced
  // must still be durable when this returns.
  if (!session_ || journal_fd_ < 0 || journal_size_ <= journal::kHeaderSize) return FlushLocked();
  return WriteSnapshotLocked(*session_);
}

absl::StatusOr<std::string> BinaryFileBackend::RecoverCorrupt() {
  absl::MutexLock lock(&mu_);
  TGS_RETURN_IF_ERROR(CheckOpenLocked());
  if (!loaded_) TGS_RETURN_IF_ERROR(LoadFromDiskLocked());
  if (!locked_.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, " is encrypted and not corrupt (", locked_.message(), "); nothing to recover"));
  }
  if (corrupt_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path_, " decodes; there is nothing to recover"));
  }
  // The journal alone is bad when the snapshot decoded (session_ is set):
  // keep the snapshot, move the journal aside.
  const bool journal_only = session_.has_value();
  const std::string victim = journal_only ? journal_path_ : path_;
  const std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone());
  std::string backup;
  for (int n = 0; n < 1000; ++n) {
    std::string candidate = absl::StrCat(victim, ".corrupt-", stamp, n == 0 ? "" : absl::StrCat("-", n));
    absl::Status l = fs_->Link(victim, candidate);
    if (l.ok()) {
      backup = std::move(candidate);
      break;
    }
    if (l.code() != absl::StatusCode::kAlreadyExists) return l;
  }
  if (backup.empty()) return absl::ResourceExhaustedError(absl::StrCat("too many backups of ", victim));
  CloseJournalLocked();
  TGS_RETURN_IF_ERROR(fs_->Unlink(victim));
  if (!journal_only) {
    // A journal of a snapshot we cannot read is useless on its own; keep it
    // next to the snapshot's backup for forensics.
    absl::Status l = fs_->Link(journal_path_, backup + ".journal");
    if (l.ok()) (void)fs_->Unlink(journal_path_);
  }
  TGS_RETURN_IF_ERROR(SyncFolderLocked());
  corrupt_ = absl::OkStatus();
  if (!journal_only) session_.reset();
  journal_broken_ = false;
  return backup;
}

size_t BinaryFileBackend::journal_bytes() const {
  absl::MutexLock lock(&mu_);
  return journal_size_;
}

size_t BinaryFileBackend::snapshot_writes() const {
  absl::MutexLock lock(&mu_);
  return snapshot_writes_;
}

absl::StatusOr<std::optional<Session>> BinaryFileBackend::ReadSessionFiles(const std::string& path,
                                                                          const DecodeOptions& decode,
                                                                          FileSystem* fs,
                                                                          absl::string_view passphrase) {
  if (fs == nullptr) fs = PosixFileSystem();
  absl::StatusOr<std::string> snap = ReadFileBounded(fs, path, decode.limits.max_input_bytes);
  if (!snap.ok() && snap.status().code() == absl::StatusCode::kNotFound) return std::optional<Session>();
  if (!snap.ok()) return snap.status();
  SecretString guard(*std::move(snap));
  std::unique_ptr<SessionCipher> cipher;
  absl::StatusOr<Session> s = DecodeSnapshot(guard.view(), decode, passphrase, !passphrase.empty(), &cipher);
  if (!s.ok()) return WithPath(s.status(), path);
  absl::StatusOr<std::string> j = ReadFileBounded(fs, path + ".journal", kMaxJournalBytes);
  if (j.ok()) {
    SecretString jguard(*std::move(j));
    absl::StatusOr<journal::Header> h = journal::DecodeHeader(jguard.view());
    if (h.ok() && *h == journal::HeaderFor(guard.view())) {
      std::unique_ptr<JournalSealer> sealer;
      if (cipher != nullptr) {
        sealer = std::make_unique<JournalSealer>(cipher.get(), std::string(jguard.view().substr(0, journal::kHeaderSize)));
      }
      absl::StatusOr<journal::ReplayResult> r = journal::Replay(jguard.view(), &*s, sealer.get());
      if (!r.ok()) return WithPath(r.status(), path + ".journal");
    }
  } else if (j.status().code() != absl::StatusCode::kNotFound) {
    return j.status();
  }
  return std::optional<Session>(*std::move(s));
}

}  // namespace tgsession
