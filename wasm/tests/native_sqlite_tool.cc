// Native side of the SQLite module's byte-identity test
// (sqlite_module_test.mjs):
//   native_sqlite_tool IN NOW USER_ID OUTDIR
// reads IN (any SQLite session file) as the native build does and writes,
// for each SQLite format F, OUTDIR/F (the exported bytes, with NOW as the
// current time and, unless USER_ID is 0, USER_ID as the account's id) or
// OUTDIR/F.error (the status code's name), and OUTDIR/read.format (the
// format IN was read as).
// Exit status 0 when IN was read; errors go to stderr.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "session/interop/formats.h"
#include "session/interop/sqlite/sqlite_formats.h"

namespace tgsession {
namespace {

bool WriteFile(const std::string& path, absl::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

int Run(const char* in_path, const char* now, const char* user_id, const std::string& out) {
  std::ifstream f(in_path, std::ios::binary);
  const std::string in((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) {
    std::fprintf(stderr, "native_sqlite_tool: cannot read %s\n", in_path);
    return 1;
  }
  absl::StatusOr<interop::ImportedSession> s = interop::SqliteFormats().Detect(in);
  if (!s.ok()) {
    std::fprintf(stderr, "native_sqlite_tool: %s\n", s.status().ToString().c_str());
    return 1;
  }
  if (!WriteFile(out + "/read.format", interop::FormatName(s->format))) return 1;
  const int64_t uid = std::strtoll(user_id, nullptr, 10);
  if (uid != 0) s->extras.user_id = uid;
  interop::WriteOptions wo;
  wo.now_unix = std::strtoll(now, nullptr, 10);
  for (interop::Format to :
       {interop::Format::kTelethonSqlite, interop::Format::kPyrogramSqlite, interop::Format::kFerogramSqlite}) {
    const std::string name(interop::FormatName(to));
    absl::StatusOr<interop::ExportResult> r = interop::SqliteFormats().Write(*s, to, wo);
    const bool ok = r.ok() ? WriteFile(out + "/" + name, r->data.view())
                           : WriteFile(out + "/" + name + ".error", absl::StatusCodeToString(r.status().code()));
    if (!ok) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tgsession

int main(int argc, char** argv) {
  if (argc == 5) return tgsession::Run(argv[1], argv[2], argv[3], argv[4]);
  std::fprintf(stderr, "usage: native_sqlite_tool IN NOW USER_ID OUTDIR\n");
  return 2;
}
