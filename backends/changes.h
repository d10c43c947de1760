// SessionChanges: several granular changes to a session, stored as one unit.
//
// A client does not see one peer at a time: an update, a dialog page or a
// search result brings tens to hundreds of users and chats, and the update
// state advances with it. SessionBackend::ApplyChanges stores all of that in
// one call, one journal record, one transaction: after it returns OK all of
// it is stored; after an error, or a crash at any moment, either all of it or
// none (see backend.h).
//
// The changes are views of the caller's values (nothing is copied to build a
// batch) and apply in a fixed order: peers, then min-peer contexts, then the
// update-state changes, each list in its order. Peers, min peers and update
// state are independent parts of a session, so only the order within a list
// matters (a later entry for the same id wins; a new id takes its place at
// its first occurrence, as Session::CachePeer does).
#ifndef TGSESSION_BACKENDS_CHANGES_H_
#define TGSESSION_BACKENDS_CHANGES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "session/session.h"

namespace tgsession {

struct SessionChanges {
  absl::Span<const CachedPeer> peers;
  absl::Span<const CachedMinPeer> min_peers;
  // pts/date/seq, qts, a channel's pts, or the whole state (kAll).
  absl::Span<const UpdateStateChange> updates;

  bool empty() const { return peers.empty() && min_peers.empty() && updates.empty(); }
  size_t size() const { return peers.size() + min_peers.size() + updates.size(); }
  // Applies every change to `s` in the order above, exactly as the Session
  // methods do.
  void ApplyTo(Session& s) const;
};

// A batch that owns its changes, for a caller that builds one before
// applying it (a decoded or generated batch): view() is the SessionChanges
// of its three lists, valid while the batch lives and is not modified.
struct OwnedSessionChanges {
  std::vector<CachedPeer> peers;
  std::vector<CachedMinPeer> min_peers;
  std::vector<UpdateStateChange> updates;

  SessionChanges view() const { return SessionChanges{peers, min_peers, updates}; }
};

// The net effect of a list of update-state changes, for stores that write
// columns instead of replaying changes (the SQL backends): applying
// `replace_channels` (when set: the channel list of the last kAll change
// replaces every stored one), then upserting `channels`, then setting the
// counters that are set, leaves the same state as applying the changes in
// order.
struct NetUpdateState {
  struct Primary {
    int32_t pts = 0;
    int32_t date = 0;
    int32_t seq = 0;
  };
  std::optional<Primary> primary;
  std::optional<int32_t> qts;
  const UpdatesState* replace_channels = nullptr;  // points into the changes
  // Channel pts set after the last kAll: one entry per channel id, in the
  // order of first occurrence, with the last value.
  std::vector<ChannelPts> channels;

  static NetUpdateState Of(absl::Span<const UpdateStateChange> changes);
};

// `items` with one entry per key: in the order of each key's first
// occurrence, holding its last value. What upserting them one by one leaves
// in an IndexedList, as one list a multi-row upsert can take (PostgreSQL
// refuses to update a row twice in one INSERT ... ON CONFLICT).
std::vector<CachedPeer> LastPerKey(absl::Span<const CachedPeer> items);
std::vector<CachedMinPeer> LastPerKey(absl::Span<const CachedMinPeer> items);

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_CHANGES_H_
