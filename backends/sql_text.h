// SQL statement and server message text for error messages, shared by the
// SQLite and PostgreSQL layers. Statements hold placeholders, never values,
// so the text is safe to show; keys and tokens never reach it.
#ifndef TGSESSION_BACKENDS_SQL_TEXT_H_
#define TGSESSION_BACKENDS_SQL_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace tgsession {

// `text` on one line: each run of spaces, tabs and line breaks becomes one
// space, and none is left at either end (libpq's multi-line messages, SQL
// statements written over several lines).
inline std::string CollapseWhitespace(absl::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// The statement condensed to one short line: whitespace runs become one
// space, and text past ~72 characters is cut and marked with "...".
inline std::string ShortSql(absl::string_view sql) {
  constexpr size_t kMax = 72;
  std::string out = CollapseWhitespace(sql);
  if (out.size() >= kMax) {
    out.resize(kMax);
    out += "...";
  }
  return out;
}

}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_SQL_TEXT_H_
