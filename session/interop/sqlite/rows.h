// Internal helpers for reading other libraries' SQLite session files by
// column name, with typed accessors whose errors name table, row and column.
#ifndef TGSESSION_SESSION_INTEROP_SQLITE_ROWS_H_
#define TGSESSION_SESSION_INTEROP_SQLITE_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/sqlite_db.h"

namespace tgsession {
namespace sqlite {
namespace rows {

// SELECT of `wanted` columns of `table` in rowid order. Columns the table
// lacks are selected as NULL when optional, and are kDataLoss when in
// `required`. `what` names the file format in errors ("telethon-sqlite").
absl::StatusOr<Statement> SelectByName(Db& db, absl::string_view what, absl::string_view table,
                                       const std::vector<std::string>& wanted,
                                       const std::vector<std::string>& required);

// Typed access to the current row; errors are kDataLoss "<what>: table
// <table> row <n> column <name>: ...".
class Row {
 public:
  Row(const Statement& st, absl::string_view what, absl::string_view table, int64_t row)
      : st_(st), what_(what), table_(table), row_(row) {}

  absl::StatusOr<std::optional<int64_t>> OptInt(int col, absl::string_view name) const;
  absl::StatusOr<int64_t> Int(int col, absl::string_view name) const;
  // INTEGER, or REAL floored (Telethon stores fractional Unix times).
  absl::StatusOr<std::optional<int64_t>> OptIntOrReal(int col, absl::string_view name, bool* was_real) const;
  // TEXT (INTEGER is converted to decimal text when `allow_int`).
  absl::StatusOr<std::optional<std::string>> OptText(int col, absl::string_view name, bool allow_int = false) const;
  // BLOB; a NULL is nullopt (an empty blob is an empty string).
  absl::StatusOr<std::optional<std::string>> OptBlob(int col, absl::string_view name) const;
  // The same as a view into SQLite's buffer (valid until the next Step): for
  // secrets, which should not be copied into unwiped strings.
  absl::StatusOr<std::optional<absl::string_view>> OptBlobView(int col, absl::string_view name) const;

  absl::Status Error(absl::string_view name, absl::string_view problem) const;
  // The row's number, from 1.
  int64_t number() const { return row_; }

 private:
  const Statement& st_;
  absl::string_view what_;
  absl::string_view table_;
  int64_t row_;
};

// Steps `st` (a SELECT of `table`) over its rows, calling `fn` with each;
// returns the first error, or how many rows there were.
absl::StatusOr<int64_t> ForEachRow(Statement& st, absl::string_view what, absl::string_view table,
                                   absl::FunctionRef<absl::Status(const Row& row)> fn);

// The number in the one row of table "version", column `column` (the schema
// version the file says it has); kDataLoss when the table is empty.
absl::StatusOr<int64_t> SchemaVersion(Db& db, absl::string_view what, absl::string_view column);

// Rows in `table` (0 when it does not exist).
absl::StatusOr<int64_t> CountRows(Db& db, absl::string_view table);

}  // namespace rows
}  // namespace sqlite
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTEROP_SQLITE_ROWS_H_
