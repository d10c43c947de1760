#include "session/interop/extras.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace tgsession {
namespace interop {

absl::StatusOr<int64_t> MarkPeerId(PeerType type, int64_t bare_id) {
  if (bare_id <= 0) {
    return absl::OutOfRangeError(absl::StrCat(PeerTypeName(type), " id ", bare_id, " is not positive"));
  }
  switch (type) {
    case PeerType::kUser:
      return bare_id;
    case PeerType::kChat:
      if (bare_id >= kMarkedChannelOffset) {
        return absl::OutOfRangeError(
            absl::StrCat("chat id ", bare_id, " is 10^12 or more: its marked id would read back as a channel"));
      }
      return -bare_id;
    case PeerType::kChannel:
      // -10^12 - id >= INT64_MIN  <=>  id <= INT64_MAX + 1 - 10^12.
      if (bare_id > std::numeric_limits<int64_t>::max() - kMarkedChannelOffset + 1) {
        return absl::OutOfRangeError(absl::StrCat("channel id ", bare_id, " is too large for a marked id"));
      }
      return -kMarkedChannelOffset - bare_id;
  }
  return absl::OutOfRangeError(absl::StrCat("unknown peer type ", static_cast<int>(type)));
}

absl::StatusOr<BarePeerId> UnmarkPeerId(int64_t marked_id) {
  if (marked_id > 0) return BarePeerId{PeerType::kUser, marked_id};
  if (marked_id == 0 || marked_id == -kMarkedChannelOffset) {
    return absl::InvalidArgumentError(absl::StrCat("marked peer id ", marked_id, " names no peer"));
  }
  if (marked_id > -kMarkedChannelOffset) return BarePeerId{PeerType::kChat, -marked_id};
  // marked_id < -10^12, so -(marked_id + 10^12) is positive and cannot overflow.
  return BarePeerId{PeerType::kChannel, -(marked_id + kMarkedChannelOffset)};
}

const PeerExtras* SessionExtras::FindPeer(const CachedPeer& peer) const {
  absl::StatusOr<int64_t> marked = MarkPeerId(peer.type, peer.id);
  if (!marked.ok()) return nullptr;
  auto it = peers.find(*marked);
  return it == peers.end() ? nullptr : &it->second;
}

}  // namespace interop
}  // namespace tgsession
