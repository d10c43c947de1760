// JSON form of a session (the counterpart of ferogram's `serde` feature), for
// custom backends that store documents and for `tgsession inspect --json`.
//
// Shape (field names and conventions of ferogram's decoded sessions):
//   {
//     "format": "ferogram-binary",          (optional, ignored when reading)
//     "home_dc_id": 2,
//     "dcs": [{"dc_id": 2, "addr": "149.154.167.51:443", ("addr_hex": "..." only when addr is not UTF-8)
//              "auth_key_hex": "0001..ff" | "<redacted>" | null,
//              "first_salt": -1, "time_offset": 0, "flags": 1}],
//     "updates_state": {"pts": 1, "qts": 0, "date": 0, "seq": 0,
//                       "channels": [{"channel_id": 1001, "pts": 10}]},
//     "peers": [{"id": 1, "access_hash": 2, "is_channel": false, "is_chat": false,
//                "channel_kind": "Broadcast" | "Megagroup" | "Gigagroup" | null,
//                "is_community": false}],
//     "min_peers": [{"user_id": 1, "peer_id": 2, "msg_id": 3}],
//     "future_auth_token_hex": "..." | "<redacted>" | null
//   }
// 64-bit integers are written as exact JSON integers (not strings): readers
// must not round them through doubles (RapidJSON, Python, serde do not).
//
// Writing redacts keys and the token unless the caller asks to reveal them;
// every buffer RapidJSON uses is wiped before it is freed.
// Reading is strict and bounded: unknown fields, wrong types, inexact or
// out-of-range numbers, hex of the wrong length and "<redacted>" values are
// kInvalidArgument naming the JSON path (e.g. "dcs[3].auth_key_hex").
// Addresses that are not valid UTF-8 (JSON cannot carry them) are written
// with U+FFFD replacements, as ferogram's serde output has them, plus
// "addr_hex" with the exact bytes (json_writer.h); reading takes addr_hex
// when present, so every session round-trips via JSON.
#ifndef TGSESSION_SESSION_JSON_H_
#define TGSESSION_SESSION_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/binary_codec.h"
#include "session/json_writer.h"
#include "session/session.h"

namespace tgsession {

struct JsonWriteOptions {
  bool reveal_secrets = false;  // write keys and token as hex
  bool pretty = true;
  // When not empty, written first as "format".
  std::string format;
};

std::string SessionToJson(const Session& session, const JsonWriteOptions& options = {});

// The members of SessionToJson's object, without its braces: for a caller
// that adds members of its own (tgsession inspect adds "extras").
void WriteSessionMembers(JsonWriter& w, const Session& session, const JsonWriteOptions& options = {});

struct JsonReadOptions {
  // Largest document accepted (checked before parsing, which needs about
  // twice the document's size). A JSON session is ~5x its binary size, so
  // 64 MiB holds about 400,000 peers; raise it for bigger sessions.
  size_t max_bytes = 64u << 20;
  // Counts are bounded like the binary decoder's.
  DecodeLimits limits;
};

absl::StatusOr<Session> SessionFromJson(absl::string_view json, const JsonReadOptions& options = {});

}  // namespace tgsession

#endif  // TGSESSION_SESSION_JSON_H_
