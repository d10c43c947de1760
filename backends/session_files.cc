#include "backends/session_files.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/file_system.h"
#include "backends/pyrogram_sqlite.h"
#include "backends/sqlite_backend.h"
#include "backends/sqlite_image.h"
#include "backends/sqlite_rows.h"
#include "backends/telethon_sqlite.h"
#include "session/interop/gramjs_store.h"
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

// A private folder for SqliteBackend, which works on paths; removed with
// its files on destruction.
class TempDir {
 public:
  static absl::StatusOr<std::unique_ptr<TempDir>> Create() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/tgsession-XXXXXX");
    if (::mkdtemp(&tmpl[0]) == nullptr) {
      return ErrnoToStatus(errno, FsOp::kOpen, tmpl);
    }
    return std::unique_ptr<TempDir>(new TempDir(tmpl));
  }
  ~TempDir() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      ::unlink(absl::StrCat(db_path(), suffix).c_str());
    }
    ::rmdir(dir_.c_str());
  }
  std::string db_path() const { return dir_ + "/session.db"; }

 private:
  explicit TempDir(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
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

absl::StatusOr<ImportedSession> ImportFerogramSqlite(absl::string_view bytes) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<TempDir> tmp, TempDir::Create());
  TGS_RETURN_IF_ERROR(WriteFileAtomically(PosixFileSystem(), tmp->db_path(), bytes, AtomicWriteOptions{0600, false}));
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteBackend> backend, SqliteBackend::Open(tmp->db_path()));
  TGS_ASSIGN_OR_RETURN(std::optional<Session> s, backend->Load());
  if (!s) return absl::NotFoundError("ferogram-sqlite: the database holds no session");
  ImportedSession out;
  out.format = Format::kFerogramSqlite;
  out.session = *std::move(s);
  return out;
}

absl::StatusOr<SecretString> ExportFerogramSqlite(const Session& s) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<TempDir> tmp, TempDir::Create());
  {
    TGS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteBackend> backend, SqliteBackend::Open(tmp->db_path()));
    TGS_RETURN_IF_ERROR(backend->Save(s));
    // Closing checkpoints the WAL into the main file and removes it.
  }
  TGS_ASSIGN_OR_RETURN(std::string bytes, ReadFileBounded(PosixFileSystem(), tmp->db_path(), kMaxSessionFileBytes));
  return SecretString(std::move(bytes));
}

// Which SQLite session format a database is, by its tables.
absl::StatusOr<Format> ClassifySqlite(sqlite::Db& db) {
  TGS_ASSIGN_OR_RETURN(std::vector<std::string> tables, sqlite::rows::TableNames(db));
  const auto has = [&](absl::string_view t) { return std::find(tables.begin(), tables.end(), t) != tables.end(); };
  if (has("meta") && has("dcs")) return Format::kFerogramSqlite;
  if (has("sessions") && has("version")) {
    TGS_ASSIGN_OR_RETURN(std::vector<std::string> cols, db.TableColumns("version"));
    if (cols.size() == 1 && cols[0] == "version") return Format::kTelethonSqlite;
    if (cols.size() == 1 && cols[0] == "number") return Format::kPyrogramSqlite;
  }
  return absl::InvalidArgumentError(absl::StrCat("an SQLite file, but not a session file tgsession knows (tables: ",
                                                 tables.empty() ? "none" : absl::StrJoin(tables, ", "), ")"));
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

}  // namespace

// kStrict for files: the SQLite readers record anomalies (extra session
// rows, duplicate bare ids, bool columns of 2) as warnings; strict mode
// turns the first into an error.
absl::StatusOr<ImportedSession> StrictCheck(absl::StatusOr<ImportedSession> s, const InteropDecodeOptions& options) {
  if (s.ok() && options.mode == DecodeMode::kStrict && s->info.anomaly_count > 0) {
    return absl::DataLossError(absl::StrCat(FormatName(s->format), ": ", s->info.warnings.empty()
                                                                             ? std::string("anomalies")
                                                                             : s->info.warnings.front()));
  }
  return s;
}

absl::StatusOr<ImportedSession> ImportSessionBytesImpl(absl::string_view bytes, std::optional<Format> format,
                                                       const InteropDecodeOptions& options,
                                                       const std::string& path) {
  const bool sqlite_file = sqlite::LooksLikeSqlite(bytes);
  if (format == Format::kGramjsStore) {
    return absl::InvalidArgumentError("gramjs-store is a folder (GramJS StoreSession files), not a single input");
  }
  const bool sqlite_format =
      format == Format::kTelethonSqlite || format == Format::kPyrogramSqlite || format == Format::kFerogramSqlite;
  if (sqlite_format || (!format && sqlite_file)) TGS_RETURN_IF_ERROR(CheckNoPendingJournal(path));
  if (format == Format::kTelethonSqlite) return ImportTelethonSqlite(bytes);
  if (format == Format::kPyrogramSqlite) return ImportPyrogramSqlite(bytes);
  if (format == Format::kFerogramSqlite) return ImportFerogramSqlite(bytes);
  if (format) return Import(bytes, *format, options);
  if (!sqlite_file) return DetectAndImport(bytes, options);
  TGS_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::OpenImage(bytes));
  TGS_ASSIGN_OR_RETURN(Format f, ClassifySqlite(db));
  switch (f) {
    case Format::kTelethonSqlite:
      return sqlite_internal::ImportTelethonSqliteDb(db);
    case Format::kPyrogramSqlite:
      return sqlite_internal::ImportPyrogramSqliteDb(db);
    default:
      return ImportFerogramSqlite(bytes);
  }
}

absl::StatusOr<ImportedSession> ImportSessionBytes(absl::string_view bytes, std::optional<Format> format,
                                                   const InteropDecodeOptions& options, const std::string& path) {
  return StrictCheck(ImportSessionBytesImpl(bytes, format, options, path), options);
}

absl::StatusOr<ImportedSession> ImportSessionPath(const std::string& path, std::optional<Format> format,
                                                  const InteropDecodeOptions& options) {
  TGS_ASSIGN_OR_RETURN(FileInfo info, PosixFileSystem()->Stat(path));
  if (info.is_directory) {
    if (format && *format != Format::kGramjsStore) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is a folder; ", FormatName(*format), " is a file"));
    }
    return StrictCheck(ImportStoreFolder(path), options);
  }
  TGS_ASSIGN_OR_RETURN(std::string data, ReadFileBounded(PosixFileSystem(), path, kMaxSessionFileBytes));
  SecretString bytes(std::move(data));
  return ImportSessionBytes(bytes.view(), format, options, path);
}

absl::StatusOr<ExportResult> ExportSession(const ImportedSession& in, Format to, const ExportOptions& options) {
  if (!NeedsNativeBackend(to)) return Export(in, to, options);
  if (!IsWritable(to)) return absl::InvalidArgumentError(absl::StrCat(FormatName(to), " is read-only"));
  ExportPlan plan = PlanExport(in, to);
  ExportResult out;
  out.summary = std::move(plan.summary);
  const int64_t now = options.now_unix != 0 ? options.now_unix : static_cast<int64_t>(std::time(nullptr));
  switch (to) {
    case Format::kTelethonSqlite: {
      TGS_ASSIGN_OR_RETURN(out.data, ExportTelethonSqlite(in.session, plan.extras, now, &out.summary.dropped));
      return out;
    }
    case Format::kPyrogramSqlite: {
      TGS_ASSIGN_OR_RETURN(out.data, ExportPyrogramSqlite(in.session, plan.extras, now, &out.summary.dropped));
      return out;
    }
    case Format::kFerogramSqlite: {
      TGS_ASSIGN_OR_RETURN(out.data, ExportFerogramSqlite(in.session));
      return out;
    }
    default:
      break;
  }
  return absl::UnimplementedError(absl::StrCat("cannot write ", FormatName(to)));
}

}  // namespace interop
}  // namespace tgsession
