#include "backends/changes.h"

#include "absl/container/flat_hash_map.h"

namespace tgsession {

void SessionChanges::ApplyTo(Session& s) const {
  for (const CachedPeer& p : peers) s.CachePeer(p);
  for (const CachedMinPeer& m : min_peers) s.CacheMinPeer(m);
  for (const UpdateStateChange& c : updates) s.ApplyUpdateState(c);
}

NetUpdateState NetUpdateState::Of(absl::Span<const UpdateStateChange> changes) {
  NetUpdateState net;
  absl::flat_hash_map<int64_t, size_t> position;  // channel id -> index in net.channels
  for (const UpdateStateChange& c : changes) {
    switch (c.kind) {
      case UpdateStateChange::Kind::kAll:
        net.primary = Primary{c.all.pts, c.all.date, c.all.seq};
        net.qts = c.all.qts;
        net.replace_channels = &c.all;
        net.channels.clear();
        position.clear();
        break;
      case UpdateStateChange::Kind::kPrimary:
        net.primary = Primary{c.pts, c.date, c.seq};
        break;
      case UpdateStateChange::Kind::kSecondary:
        net.qts = c.qts;
        break;
      case UpdateStateChange::Kind::kChannel: {
        auto [it, inserted] = position.try_emplace(c.channel_id, net.channels.size());
        if (inserted) {
          net.channels.push_back(ChannelPts{c.channel_id, c.pts});
        } else {
          net.channels[it->second].pts = c.pts;
        }
        break;
      }
    }
  }
  return net;
}

namespace {

template <typename T, typename KeyFn>
std::vector<T> LastPerKeyImpl(absl::Span<const T> items, KeyFn key) {
  std::vector<T> out;
  out.reserve(items.size());
  absl::flat_hash_map<int64_t, size_t> position;
  position.reserve(items.size());
  for (const T& item : items) {
    auto [it, inserted] = position.try_emplace(key(item), out.size());
    if (inserted) {
      out.push_back(item);
    } else {
      out[it->second] = item;
    }
  }
  return out;
}

}  // namespace

std::vector<CachedPeer> LastPerKey(absl::Span<const CachedPeer> items) {
  return LastPerKeyImpl(items, CachedPeerKey());
}

std::vector<CachedMinPeer> LastPerKey(absl::Span<const CachedMinPeer> items) {
  return LastPerKeyImpl(items, CachedMinPeerKey());
}

}  // namespace tgsession
