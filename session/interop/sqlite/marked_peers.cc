#include "session/interop/sqlite/marked_peers.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "session/interop/extras.h"
#include "session/status_macros.h"

namespace tgsession {
namespace interop {
namespace sqlite_internal {

absl::Status ForEachMarkedPeer(const Session& session, std::vector<std::string>* dropped,
                               absl::FunctionRef<absl::Status(const CachedPeer& peer, int64_t marked_id)> write) {
  size_t unmarkable = 0;
  for (const CachedPeer& p : session.peers.items()) {
    absl::StatusOr<int64_t> marked = MarkPeerId(p.type, p.id);
    if (!marked.ok()) {
      if (++unmarkable <= 3 && dropped != nullptr) {
        dropped->push_back(absl::StrCat("peer ", p.id, " (", marked.status().message(), ")"));
      }
      continue;
    }
    TGS_RETURN_IF_ERROR(write(p, *marked));
  }
  if (unmarkable > 3 && dropped != nullptr) {
    dropped->push_back(absl::StrCat(unmarkable - 3, " more peers whose ids have no marked form"));
  }
  return absl::OkStatus();
}

}  // namespace sqlite_internal
}  // namespace interop
}  // namespace tgsession
