#include "session/interop/files/session_files.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/binary_file_backend.h"
#include "backends/encryption.h"
#include "backends/file_system.h"
#include "session/interop/gramjs_store.h"
#include "session/interop/sqlite/image.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "session/secret.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

// A StoreSession folder holds a handful of small files.
constexpr size_t kMaxStoreFiles = 100000;
constexpr size_t kMaxStoreFileBytes = 64 << 10;

// Values read from a StoreSession folder (they include the key), wiped on
// destruction.
struct WipedItems {
  std::vector<StoreItem> items;
  ~WipedItems() {
    for (StoreItem& it : items) {
      if (!it.value.empty()) SecureZero(&it.value[0], it.value.size());
    }
  }
};

// Refuses a database whose last writes sit in a journal beside it.
absl::Status CheckNoPendingJournal(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  for (const char* suffix : {"-wal", "-journal"}) {
    const std::string side = absl::StrCat(path, suffix);
    absl::StatusOr<FileInfo> st = PosixFileSystem()->Stat(side);
    if (st.ok() && st->size > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          side, " exists: the session is open in a client, or its last write was interrupted; close the client "
                "(or open the file once with it) so SQLite folds the journal in, then retry"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<WipedItems> ReadStoreFolder(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoToStatus(errno, FsOp::kOpen, dir);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    names.push_back(name);
    if (names.size() > kMaxStoreFiles) {
      ::closedir(d);
      return absl::ResourceExhaustedError(absl::StrCat(dir, ": more than ", kMaxStoreFiles, " files"));
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  WipedItems out;
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(dir, "/", name);
    absl::StatusOr<FileInfo> st = PosixFileSystem()->Stat(path);
    if (!st.ok() || st->is_directory) continue;
    TGS_ASSIGN_OR_RETURN(std::string key, DecodeUriComponent(name));
    absl::StatusOr<std::string> value = ReadFileBounded(PosixFileSystem(), path, kMaxStoreFileBytes);
    if (!value.ok()) return value.status();
    out.items.push_back(StoreItem{std::move(key), *std::move(value)});
  }
  return out;
}

absl::StatusOr<ImportedSession> ImportStoreFolder(const std::string& dir) {
  TGS_ASSIGN_OR_RETURN(WipedItems items, ReadStoreFolder(dir));
  const std::vector<std::string> names = GramjsStoreSessionNames(items.items);
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, ": a folder, but no GramJS StoreSession in it (no "
                                                   "<name>%3AauthKey file)"));
  }
  if (names.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, ": holds several StoreSessions (", absl::StrJoin(names, ", "), "); copy one out"));
  }
  ImportedSession out;
  out.format = Format::kGramjsStore;
  TGS_ASSIGN_OR_RETURN(SessionWithExtras parts, DecodeGramjsStore(items.items, names[0], &out.info));
  out.session = std::move(parts.session);
  out.extras = std::move(parts.extras);
  return out;
}

// A BinaryFileBackend file that is encrypted, or has a journal of changes
// beside it, read the way the backend reads it; nullopt for other files.
absl::StatusOr<std::optional<ImportedSession>> ReadBackendFile(const std::string& path, const ReadOptions& options,
                                                               const PassphraseSource& passphrase) {
  const bool journal = PosixFileSystem()->Stat(path + ".journal").ok();
  bool encrypted = false;
  {
    TGS_ASSIGN_OR_RETURN(const int fd, PosixFileSystem()->Open(path, O_RDONLY, 0));
    ScopedFd guard(PosixFileSystem(), fd, path);
    char head[8] = {};
    TGS_ASSIGN_OR_RETURN(const size_t n, PosixFileSystem()->Read(fd, head, sizeof head, path));
    encrypted = IsEncryptedSession(absl::string_view(head, n));
  }
  if (!encrypted && !journal) return std::optional<ImportedSession>();
  SecretString pass;
  if (encrypted) {
    if (passphrase == nullptr) {
      return absl::FailedPreconditionError("the file is encrypted at rest: a passphrase is needed to read it");
    }
    TGS_ASSIGN_OR_RETURN(pass, passphrase());
  }
  DecodeOptions decode;
  decode.mode = options.mode;
  TGS_ASSIGN_OR_RETURN(std::optional<Session> s,
                       BinaryFileBackend::ReadSessionFiles(path, decode, nullptr, pass.view()));
  if (!s) return absl::NotFoundError("the file disappeared while reading it");
  ImportedSession out;
  out.format = Format::kFerogramBinary;
  out.session = *std::move(s);
  out.info.layout = absl::StrCat(encrypted ? "encrypted at rest" : "", encrypted && journal ? ", " : "",
                                 journal ? "+ journal" : "");
  return std::optional<ImportedSession>(std::move(out));
}

}  // namespace

absl::StatusOr<ImportedSession> ReadSessionFile(const std::string& path, std::optional<Format> format,
                                                const ReadOptions& options, const PassphraseSource& passphrase) {
  TGS_ASSIGN_OR_RETURN(FileInfo info, PosixFileSystem()->Stat(path));
  if (info.is_directory) {
    if (format && Spec(*format).detection != Detection::kFolder) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is a folder; ", FormatName(*format), " is a file"));
    }
    absl::StatusOr<ImportedSession> s = ImportStoreFolder(path);
    if (s.ok() && options.mode == DecodeMode::kStrict && s->info.anomaly_count > 0) {
      return absl::DataLossError(absl::StrCat(FormatName(s->format), ": ", s->info.warnings.front()));
    }
    return s;
  }
  if (!format || *format == Format::kFerogramBinary) {
    TGS_ASSIGN_OR_RETURN(std::optional<ImportedSession> backend_file, ReadBackendFile(path, options, passphrase));
    if (backend_file) return *std::move(backend_file);
  }
  TGS_ASSIGN_OR_RETURN(std::string data, ReadFileBounded(PosixFileSystem(), path, kMaxSessionFileBytes));
  SecretString bytes(std::move(data));
  const bool sqlite = format ? Spec(*format).detection == Detection::kSqlite : sqlite::LooksLikeSqlite(bytes.view());
  if (sqlite) TGS_RETURN_IF_ERROR(CheckNoPendingJournal(path));
  const Formats& formats = SqliteFormats();
  return format ? formats.Read(bytes.view(), *format, options) : formats.Detect(bytes.view(), options);
}

}  // namespace interop
}  // namespace tgsession
