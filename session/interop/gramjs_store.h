// GramJS's StoreSession (npm `telegram`, sessions/StoreSession.ts): a session
// kept in localStorage (browsers) or in node-localstorage files (Node), one
// key per value, each holding store2's JSON:
//
//   "<name>:authKey"        {"type":"Buffer","data":[0,1,...]}  256 numbers
//   "<name>:dcId"           2
//   "<name>:port"           443
//   "<name>:serverAddress"  "149.154.167.51"
//   "<name>:<marked id>"    ["<id>","<access hash>",username|null,
//                            phone|null,name|null,"<ms timestamp>"]
//
// Read only: GramJS users export a StringSession from it. node-localstorage
// names each file after encodeURIComponent(key) ("my_store%3AauthKey");
// DecodeUriComponent undoes that. ReadSessionFile (session/interop/files)
// reads the folder; this part works on key/value pairs.
#ifndef TGSESSION_SESSION_INTEROP_GRAMJS_STORE_H_
#define TGSESSION_SESSION_INTEROP_GRAMJS_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "session/interop/extras.h"
#include "session/interop/read_options.h"

namespace tgsession {
namespace interop {

struct StoreItem {
  std::string key;
  std::string value;  // JSON text; wiped by the caller's SecretString owners
};

// Decodes %XX escapes (and nothing else); kInvalidArgument for a bad escape.
absl::StatusOr<std::string> DecodeUriComponent(absl::string_view s);

// The StoreSession names present (keys ending in ":authKey"), sorted.
std::vector<std::string> GramjsStoreSessionNames(const std::vector<StoreItem>& items);

// Reads the session `name` (the part before ':'). kInvalidArgument for
// malformed values, kNotFound when the session has no authKey or no DC.
// Keys of other sessions are ignored; unknown keys of this one are warnings.
absl::StatusOr<SessionWithExtras> DecodeGramjsStore(const std::vector<StoreItem>& items, absl::string_view name,
                                                    DecodeInfo* info = nullptr);

}  // namespace interop
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_GRAMJS_STORE_H_
