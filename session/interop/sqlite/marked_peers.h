// The cached peers of a session under their marked ids (extras.h), for the
// writers of files that key peers by marked id (telethon_sqlite.h,
// pyrogram_sqlite.h).
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_MARKED_PEERS_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_MARKED_PEERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "session/session.h"

namespace tgsession {
namespace interop {
namespace sqlite_internal {

// Calls `write(peer, marked_id)` for each cached peer in order and returns
// the first error it returns. ferogram accepts any i64 id, and marked ids
// cannot express some: such a peer is skipped and, when `dropped` is not
// null, reported there (the first three by id and reason, the rest as one
// count).
absl::Status ForEachMarkedPeer(const Session& session, std::vector<std::string>* dropped,
                               absl::FunctionRef<absl::Status(const CachedPeer& peer, int64_t marked_id)> write);

}  // namespace sqlite_internal
}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_MARKED_PEERS_H_
