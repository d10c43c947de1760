// An SQLite VFS whose files live in this process's memory, private to one
// MemoryVfs object. It lets SqliteBackend, which works on a named database
// in WAL mode as ferogram's schema asks, run on a session image without any
// file: the database, its journal and its WAL index are buffers here, so no
// session byte or key reaches the file system (and the pages SQLite writes
// are the ones it writes to a real file, byte for byte).
//
// Opening a name the VFS does not hold creates it (with SQLITE_OPEN_CREATE);
// nothing is ever looked up on disk. Contents are wiped when a file is
// deleted, shrinks or grows into a new buffer, and when the VFS is
// destroyed. Randomness, time and sleep come from the default VFS.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_MEMORY_VFS_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_MEMORY_VFS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/secret.h"

namespace tgsession {
namespace sqlite {

class MemoryVfs {
 public:
  // Registers a new VFS under a unique name (never the default VFS).
  // `max_file_bytes` bounds each file: a write past it fails with SQLITE_FULL.
  static absl::StatusOr<std::unique_ptr<MemoryVfs>> Create(size_t max_file_bytes = size_t{512} << 20);

  MemoryVfs(const MemoryVfs&) = delete;
  MemoryVfs& operator=(const MemoryVfs&) = delete;
  // Unregisters the VFS. Every connection opened through it must be closed.
  ~MemoryVfs();

  // The name to open databases with (sqlite::OpenOptions::vfs).
  const std::string& name() const;

  // Creates or replaces file `path` with `bytes`.
  absl::Status PutFile(const std::string& path, absl::string_view bytes);
  // The bytes of file `path`; kNotFound when there is none.
  absl::StatusOr<SecretString> FileContents(const std::string& path) const;
  // The files present, sorted.
  std::vector<std::string> FileNames() const;

  struct State;

 private:
  explicit MemoryVfs(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sqlite
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_MEMORY_VFS_H_
