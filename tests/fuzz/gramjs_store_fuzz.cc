// Fuzz target: GramJS StoreSession contents (localStorage keys and values, or
// node-localstorage file names and contents). The input is a list of
// NUL-separated key, value, key, value...; keys are URI-decoded as file names
// are. Every session name found is read. Properties: a session read has its
// home DC with the auth key, and exports to a GramJS string that imports back
// with that key; no crash, deep recursion or runaway allocation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "session/interop/formats.h"
#include "session/interop/gramjs_store.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;
using namespace tgsession::interop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> parts = absl::StrSplit(in, '\0');
  std::vector<StoreItem> items;
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    absl::StatusOr<std::string> key = DecodeUriComponent(parts[i]);
    if (!key.ok()) continue;
    items.push_back(StoreItem{*std::move(key), std::string(parts[i + 1])});
  }
  for (const std::string& name : GramjsStoreSessionNames(items)) {
    absl::StatusOr<SessionWithExtras> s = DecodeGramjsStore(items, name);
    if (!s.ok()) {
      FuzzCheck(!s.status().message().empty());
      continue;
    }
    const DcEntry* home = s->session.DcFor(s->session.home_dc_id, false);
    FuzzCheck(home != nullptr && home->auth_key.has_value());
    const AuthKey key = *home->auth_key;
    ImportedSession imported;
    imported.format = Format::kGramjsString;
    imported.session = std::move(s->session);
    imported.extras = std::move(s->extras);
    WriteOptions eo;
    eo.now_unix = 1700000000;
    absl::StatusOr<ExportResult> out = PortableFormats().Write(imported, Format::kGramjsString, eo);
    if (!out.ok()) continue;  // e.g. a host name GramJS strings cannot hold
    absl::StatusOr<ImportedSession> back = PortableFormats().Read(out->data.view(), Format::kGramjsString);
    FuzzCheck(back.ok());
    const DcEntry* b = back->session.DcFor(back->session.home_dc_id, false);
    FuzzCheck(b != nullptr && b->auth_key && *b->auth_key == key);
  }
  return 0;
}
