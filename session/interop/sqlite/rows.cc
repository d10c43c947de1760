#include "session/interop/sqlite/rows.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "session/status_macros.h"

namespace tgsession {
namespace sqlite {
namespace rows {
namespace {

// Identifiers here come from our own code (column and table names), never
// from the file, but quote them anyway.
std::string Quoted(absl::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::StatusOr<Statement> SelectByName(Db& db, absl::string_view what, absl::string_view table,
                                       const std::vector<std::string>& wanted,
                                       const std::vector<std::string>& required) {
  absl::StatusOr<std::vector<std::string>> cols = db.TableColumns(table);
  if (!cols.ok()) return cols.status();
  std::vector<std::string> select;
  for (const std::string& w : wanted) {
    if (std::find(cols->begin(), cols->end(), w) != cols->end()) {
      select.push_back(Quoted(w));
    } else if (std::find(required.begin(), required.end(), w) != required.end()) {
      return absl::DataLossError(absl::StrCat(what, ": table ", table, " has no column ", w, " (columns: ",
                                              absl::StrJoin(*cols, ", "), ")"));
    } else {
      select.push_back("NULL");
    }
  }
  return db.Prepare(absl::StrCat("SELECT ", absl::StrJoin(select, ", "), " FROM ", Quoted(table), " ORDER BY rowid"));
}

absl::Status Row::Error(absl::string_view name, absl::string_view problem) const {
  return absl::DataLossError(absl::StrCat(what_, ": table ", table_, " row ", row_, " column ", name, ": ", problem));
}

absl::StatusOr<std::optional<int64_t>> Row::OptInt(int col, absl::string_view name) const {
  const ValueType t = st_.ColumnType(col);
  if (t == ValueType::kNull) return std::optional<int64_t>();
  if (t != ValueType::kInteger) return Error(name, absl::StrCat(ValueTypeName(t), " where an integer belongs"));
  return std::optional<int64_t>(st_.ColumnInt(col));
}

absl::StatusOr<int64_t> Row::Int(int col, absl::string_view name) const {
  absl::StatusOr<std::optional<int64_t>> v = OptInt(col, name);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Error(name, "NULL where an integer belongs");
  return **v;
}

absl::StatusOr<std::optional<int64_t>> Row::OptIntOrReal(int col, absl::string_view name, bool* was_real) const {
  *was_real = false;
  if (st_.ColumnType(col) == ValueType::kFloat) {
    const double d = st_.ColumnDouble(col);
    // Within int64 and finite; callers check their own ranges.
    if (!std::isfinite(d) || d < -9.2e18 || d > 9.2e18) return Error(name, "a real number out of range");
    *was_real = true;
    return std::optional<int64_t>(static_cast<int64_t>(std::floor(d)));
  }
  return OptInt(col, name);
}

absl::StatusOr<std::optional<std::string>> Row::OptText(int col, absl::string_view name, bool allow_int) const {
  const ValueType t = st_.ColumnType(col);
  if (t == ValueType::kNull) return std::optional<std::string>();
  if (t == ValueType::kInteger && allow_int) return std::optional<std::string>(absl::StrCat(st_.ColumnInt(col)));
  if (t != ValueType::kText) return Error(name, absl::StrCat(ValueTypeName(t), " where text belongs"));
  return std::optional<std::string>(std::string(st_.ColumnText(col)));
}

absl::StatusOr<std::optional<std::string>> Row::OptBlob(int col, absl::string_view name) const {
  const ValueType t = st_.ColumnType(col);
  if (t == ValueType::kNull) return std::optional<std::string>();
  if (t != ValueType::kBlob) return Error(name, absl::StrCat(ValueTypeName(t), " where a blob belongs"));
  return std::optional<std::string>(std::string(st_.ColumnBlob(col)));
}

absl::StatusOr<std::optional<absl::string_view>> Row::OptBlobView(int col, absl::string_view name) const {
  const ValueType t = st_.ColumnType(col);
  if (t == ValueType::kNull) return std::optional<absl::string_view>();
  if (t != ValueType::kBlob) return Error(name, absl::StrCat(ValueTypeName(t), " where a blob belongs"));
  return std::optional<absl::string_view>(st_.ColumnBlob(col));
}

absl::StatusOr<int64_t> ForEachRow(Statement& st, absl::string_view what, absl::string_view table,
                                   absl::FunctionRef<absl::Status(const Row& row)> fn) {
  int64_t n = 0;
  while (true) {
    TGS_ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) return n;
    ++n;
    TGS_RETURN_IF_ERROR(fn(Row(st, what, table, n)));
  }
}

absl::StatusOr<int64_t> SchemaVersion(Db& db, absl::string_view what, absl::string_view column) {
  TGS_ASSIGN_OR_RETURN(Statement st, SelectByName(db, what, "version", {std::string(column)}, {std::string(column)}));
  TGS_ASSIGN_OR_RETURN(bool has_row, st.Step());
  if (!has_row) return absl::DataLossError(absl::StrCat(what, ": the version table is empty"));
  return Row(st, what, "version", 1).Int(0, column);
}

absl::StatusOr<int64_t> CountRows(Db& db, absl::string_view table) {
  absl::StatusOr<bool> has = db.HasTable(table);
  if (!has.ok()) return has.status();
  if (!*has) return 0;
  return db.QueryInt(absl::StrCat("SELECT count(*) FROM ", Quoted(table)));
}

}  // namespace rows
}  // namespace sqlite
}  // namespace tgsession
