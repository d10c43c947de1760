// Fuzz target: every foreign format through detection and import — Telethon,
// Pyrogram, GramJS and mtcute strings, and SQLite session files (Telethon,
// Pyrogram, ferogram) read from untrusted bytes. Properties: an imported
// session exports to every writable string format it fits, and a string we
// write imports back to the same session; no crash, hang or runaway
// allocation on any input.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>

#include "session/interop/convert.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tgsession;
using namespace tgsession::interop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ImportedSession> s = SqliteFormats().Detect(in);
  if (!s.ok()) {
    FuzzCheck(!s.status().message().empty());
    return 0;
  }
  WriteOptions eo;
  eo.now_unix = 1700000000;
  for (Format f : {Format::kFerogramNative, Format::kTelethonString, Format::kGramjsString, Format::kMtcuteString}) {
    absl::StatusOr<ExportResult> out = SqliteFormats().Write(*s, f, eo);
    if (!out.ok()) continue;  // the session does not fit that format (no key, a hostname, ...)
    absl::StatusOr<ImportedSession> back = SqliteFormats().Read(out->data.view(), f);
    FuzzCheck(back.ok());
    // The home DC's key survives every string format that accepted it.
    const DcEntry* a = s->session.DcFor(s->session.home_dc_id, false);
    const DcEntry* b = back->session.DcFor(back->session.home_dc_id, false);
    if (a != nullptr && a->auth_key && f != Format::kFerogramNative) {
      FuzzCheck(b != nullptr && b->auth_key && *b->auth_key == *a->auth_key);
    }
    if (f == Format::kFerogramNative) FuzzCheck(back->session == s->session);
  }
  return 0;
}
