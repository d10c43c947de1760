#include "session/interop/sqlite/image.h"

#include <sqlite3.h>

#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "session/status_details.h"

namespace tgsession {
namespace sqlite {
namespace {

// Runs PRAGMA quick_check: OK, or kDataLoss naming the first problem, with
// SQLite's whole report (up to 100 problems, one a line, under headings such
// as "*** in database main ***") as the status's details.
absl::Status QuickCheck(Db& db) {
  absl::StatusOr<Statement> st = db.Prepare("PRAGMA quick_check");
  if (!st.ok()) return absl::Status(st.status().code(), absl::StrCat("checking an SQLite file: ", st.status().message()));
  std::string report;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok() && report.empty()) {
      return absl::Status(row.status().code(), absl::StrCat("checking an SQLite file: ", row.status().message()));
    }
    // SQLite may give up on a badly damaged file after a few rows.
    if (!row.ok() || !*row) break;
    if (!report.empty()) report += "\n";
    absl::StrAppend(&report, st->ColumnText(0));
  }
  if (report == "ok") return absl::OkStatus();
  std::string first;
  size_t problems = 0;
  for (absl::string_view line : absl::StrSplit(report, '\n', absl::SkipWhitespace())) {
    if (absl::StartsWith(line, "*** ")) continue;
    if (problems++ == 0) first = std::string(line);
  }
  if (first.empty()) first = "no details";
  return WithDetails(absl::DataLossError(absl::StrCat("SQLite file is corrupted: ", first,
                                                      problems > 1 ? absl::StrCat(" (and ", problems - 1, " more problems)")
                                                                   : "")),
                     report);
}

}  // namespace

absl::StatusOr<Db> OpenImage(absl::string_view image, size_t max_bytes) {
  if (image.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("SQLite file of ", image.size(), " bytes is over the limit of ", max_bytes));
  }
  if (!LooksLikeSqlite(image) || image.size() < 100) {
    return absl::DataLossError("not an SQLite database (bad header)");
  }
  // The header's page size and page count must match the bytes: SQLite
  // itself zero-fills a short last page, so a truncated copy could read.
  const auto* h = reinterpret_cast<const unsigned char*>(image.data());
  const uint32_t raw_page = (static_cast<uint32_t>(h[16]) << 8) | h[17];
  const uint32_t page = raw_page == 1 ? 65536 : raw_page;
  if (page < 512 || page > 65536 || (page & (page - 1)) != 0) {
    return absl::DataLossError(absl::StrCat("not an SQLite database (page size ", raw_page, ")"));
  }
  if (image.size() % page != 0) {
    return absl::DataLossError(absl::StrCat("SQLite file truncated or padded: ", image.size(),
                                            " bytes is not a multiple of the page size ", page));
  }
  const auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(h[at]) << 24) | (static_cast<uint32_t>(h[at + 1]) << 16) |
           (static_cast<uint32_t>(h[at + 2]) << 8) | h[at + 3];
  };
  // The in-header page count is valid when the change counter (offset 24)
  // equals the version-valid-for number (offset 92).
  const uint32_t pages = be32(28);
  if (pages != 0 && be32(24) == be32(92) && static_cast<uint64_t>(pages) * page != image.size()) {
    return absl::DataLossError(absl::StrCat("SQLite file truncated: the header says ", pages, " pages of ", page,
                                            " bytes, the file has ", image.size(), " bytes"));
  }
  OpenOptions o;
  absl::StatusOr<Db> db = Db::OpenInMemory(o);
  if (!db.ok()) return db.status();
  // SQLite takes ownership of a sqlite3_malloc'd copy (FREEONCLOSE).
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (copy == nullptr) return absl::ResourceExhaustedError("out of memory copying an SQLite file");
  std::memcpy(copy, image.data(), image.size());
  // Bytes 18 and 19 are the write and read format versions: 2 means WAL,
  // which memdb cannot open. With no WAL file, 1 (rollback journal) reads
  // the same pages.
  if (copy[18] == 2) copy[18] = 1;
  if (copy[19] == 2) copy[19] = 1;
  const int rc = sqlite3_deserialize(db->handle(), "main", copy, static_cast<sqlite3_int64>(image.size()),
                                     static_cast<sqlite3_int64>(image.size()),
                                     SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) return db->Error(rc, "loading an SQLite file image");
  // The header is read lazily: check it now, so garbage fails here.
  absl::StatusOr<int64_t> n = db->QueryInt("SELECT count(*) FROM sqlite_master");
  if (!n.ok()) return absl::Status(n.status().code(), absl::StrCat("reading an SQLite file: ", n.status().message()));
  if (absl::Status check = QuickCheck(*db); !check.ok()) return check;
  return db;
}

absl::StatusOr<SecretString> SerializeImage(Db& db) {
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db.handle(), "main", &size, 0);
  if (bytes == nullptr) {
    return absl::ResourceExhaustedError("serializing an SQLite database failed (out of memory?)");
  }
  SecretString out(std::string(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size)));
  SecureZero(bytes, static_cast<size_t>(size));
  sqlite3_free(bytes);
  return out;
}

}  // namespace sqlite
}  // namespace tgsession
