// The portable formats (formats.h) plus the SQLite session files:
// telethon-sqlite, pyrogram-sqlite and ferogram-sqlite, read from and
// written to bytes in memory. Detection tells them apart by their tables.
//
// Reading never touches the user's file: callers read its bytes (a file
// with a pending -wal or -journal beside it is refused by ReadSessionFile,
// session/interop/files).
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_SQLITE_FORMATS_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_SQLITE_FORMATS_H_

#include "session/interop/formats.h"

namespace tgsession {
namespace interop {

const Formats& SqliteFormats();
// The three SQLite formats alone, for WebAssembly's optional SQLite module
// (the core module has the others).
const Formats& SqliteFileFormats();

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_SQLITE_FORMATS_H_
