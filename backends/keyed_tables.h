// Whether a session fits a store that keeps it in keyed tables (SQLite,
// PostgreSQL): one row per channel id, peer id and min-peer user id, sizes
// within the store's limits, and, where the store's schema says so, DC
// entries unique by (dc_id, flags) and peer enums within their columns'
// ranges. A session that passes is stored without losing or merging a row;
// one that does not is refused before anything is written, with the field
// and index named.
#ifndef TGSESSION_BACKENDS_KEYED_TABLES_H_
#define TGSESSION_BACKENDS_KEYED_TABLES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "session/binary_codec.h"
#include "session/session.h"

namespace tgsession {

struct KeyedSchema {
  // How messages name the schema: "the SQLite schema".
  absl::string_view name;
  // One DC row per (dc_id, flags): a repeated pair is refused.
  bool dcs_keyed_by_id_and_flags = false;
  // Peer type and channel kind columns accept only the known values.
  bool peer_enums_checked = false;
};

// kOutOfRange for a table or value past `limits`, kInvalidArgument for a
// repeated key or (with peer_enums_checked) an unknown peer type or kind.
absl::Status CheckKeyedSession(const Session& s, const DecodeLimits& limits, const KeyedSchema& schema);

// The channel pts part of CheckKeyedSession alone, for a change that
// replaces a stored update state's channel list.
absl::Status CheckKeyedChannels(const UpdatesState& u, const DecodeLimits& limits, const KeyedSchema& schema);

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_KEYED_TABLES_H_
