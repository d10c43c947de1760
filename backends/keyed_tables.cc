#include "backends/keyed_tables.h"

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "session/status_macros.h"

namespace tgsession {

absl::Status CheckKeyedSession(const Session& s, const DecodeLimits& limits, const KeyedSchema& schema) {
  if (s.dcs.size() > limits.max_dcs) {
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.dcs.size(), " DC entries; the limit is ", limits.max_dcs));
  }
  absl::flat_hash_map<uint64_t, size_t> dc_keys;
  for (size_t i = 0; i < s.dcs.size(); ++i) {
    const DcEntry& dc = s.dcs[i];
    if (dc.addr.size() > limits.max_addr_bytes) {
      return absl::OutOfRangeError(
          absl::StrCat("dcs[", i, "] address is ", dc.addr.size(), " bytes; the limit is ", limits.max_addr_bytes));
    }
    if (!schema.dcs_keyed_by_id_and_flags) continue;
    // (dc_id, flags) packed losslessly; shifting the unsigned form avoids
    // the undefined left shift of a negative dc_id.
    const uint64_t key = (uint64_t{static_cast<uint32_t>(dc.dc_id)} << 8) | dc.flags.bits;
    auto [it, inserted] = dc_keys.try_emplace(key, i);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("dcs[", i, "] (dc_id ", dc.dc_id, ", flags ",
                                                     static_cast<int>(dc.flags.bits), ") duplicates dcs[", it->second,
                                                     "]: ", schema.name, " keys DC entries by (dc_id, flags)"));
    }
  }
  TGS_RETURN_IF_ERROR(CheckKeyedChannels(s.updates_state, limits, schema));
  if (s.peers.size() > limits.max_peers) {
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.peers.size(), " peers; the limit is ", limits.max_peers));
  }
  for (size_t i = 0; i < s.peers.size(); ++i) {
    const CachedPeer& p = s.peers[i];
    if (s.peers.Find(p.id) != &p) {
      return absl::InvalidArgumentError(
          absl::StrCat("peers[", i, "] repeats id ", p.id, ": ", schema.name, " keys peers by id"));
    }
    if (schema.peer_enums_checked &&
        (static_cast<int>(p.type) > 2 || (p.channel_kind && static_cast<int>(*p.channel_kind) > 2))) {
      return absl::InvalidArgumentError(absl::StrCat("peers[", i, "] has an unknown type or channel kind"));
    }
  }
  if (s.min_peers.size() > limits.max_min_peers) {
    return absl::OutOfRangeError(
        absl::StrCat("session has ", s.min_peers.size(), " min peers; the limit is ", limits.max_min_peers));
  }
  for (size_t i = 0; i < s.min_peers.size(); ++i) {
    if (s.min_peers.Find(s.min_peers[i].user_id) != &s.min_peers[i]) {
      return absl::InvalidArgumentError(absl::StrCat("min_peers[", i, "] repeats user_id ", s.min_peers[i].user_id,
                                                     ": ", schema.name, " keys min peers by user_id"));
    }
  }
  if (s.future_auth_token.has_value() && s.future_auth_token->size() > limits.max_token_bytes) {
    return absl::OutOfRangeError(absl::StrCat("future_auth_token is ", s.future_auth_token->size(),
                                              " bytes; the limit is ", limits.max_token_bytes));
  }
  return absl::OkStatus();
}

absl::Status CheckKeyedChannels(const UpdatesState& u, const DecodeLimits& limits, const KeyedSchema& schema) {
  const auto& channels = u.channel_list();
  if (channels.size() > limits.max_channels) {
    return absl::OutOfRangeError(absl::StrCat("updates_state has ", channels.size(),
                                              " channel pts entries; the limit is ", limits.max_channels));
  }
  for (size_t i = 0; i < channels.size(); ++i) {
    if (channels.Find(channels[i].channel_id) != &channels[i]) {
      return absl::InvalidArgumentError(absl::StrCat("updates_state.channels[", i, "] repeats channel_id ",
                                                     channels[i].channel_id, ": ", schema.name,
                                                     " keys channel pts by channel_id"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tgsession
