#include "session/interop/sqlite/ferogram_sqlite.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/sqlite_backend.h"
#include "session/interop/sqlite/memory_vfs.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace {

// The database's name inside the VFS (SQLite adds "-wal" and "-journal").
constexpr char kDbName[] = "ferogram-sqlite";

SqliteOptions InVfs(const sqlite::MemoryVfs& vfs) {
  SqliteOptions o;
  o.vfs = vfs.name();
  return o;
}

}  // namespace

absl::StatusOr<ImportedSession> ImportFerogramSqlite(absl::string_view file_bytes) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::MemoryVfs> vfs, sqlite::MemoryVfs::Create());
  TGS_RETURN_IF_ERROR(vfs->PutFile(kDbName, file_bytes));
  std::optional<Session> s;
  {
    TGS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteBackend> backend, SqliteBackend::Open(kDbName, InVfs(*vfs)));
    TGS_ASSIGN_OR_RETURN(s, backend->Load());
  }
  if (!s) return absl::NotFoundError("ferogram-sqlite: the database holds no session");
  ImportedSession out;
  out.format = Format::kFerogramSqlite;
  out.session = *std::move(s);
  return out;
}

absl::StatusOr<SecretString> ExportFerogramSqlite(const Session& session) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::MemoryVfs> vfs, sqlite::MemoryVfs::Create());
  {
    TGS_ASSIGN_OR_RETURN(std::unique_ptr<SqliteBackend> backend, SqliteBackend::Open(kDbName, InVfs(*vfs)));
    TGS_RETURN_IF_ERROR(backend->Save(session));
    // Closing checkpoints the WAL into the database and removes it.
  }
  for (const std::string& name : vfs->FileNames()) {
    if (name != kDbName) {
      return absl::InternalError(absl::StrCat("ferogram-sqlite: ", name, " left after closing the database"));
    }
  }
  return vfs->FileContents(kDbName);
}

}  // namespace interop
}  // namespace tgsession
