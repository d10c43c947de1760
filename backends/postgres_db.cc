#include "backends/postgres_db.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "backends/sql_text.h"
#include "session/secret.h"

namespace tgsession {
namespace pg {

namespace {

// COPY data is sent in pieces of this size (libpq buffers each piece).
constexpr size_t kCopyChunkBytes = 1 << 20;

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(absl::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// Connection failures have no SQLSTATE in libpq's API, only a message, so
// the code comes from the message (libpq's English texts; a translated libpq
// falls back to kUnavailable).
absl::StatusCode CodeForConnectMessage(absl::string_view msg) {
  if (absl::StrContains(msg, "password authentication failed") || absl::StrContains(msg, "authentication failed") ||
      absl::StrContains(msg, "password is required") || absl::StrContains(msg, "no password supplied")) {
    return absl::StatusCode::kUnauthenticated;
  }
  if (absl::StrContains(msg, "no pg_hba.conf entry") || absl::StrContains(msg, "permission denied")) {
    return absl::StatusCode::kPermissionDenied;
  }
  if (absl::StrContains(msg, "certificate") || absl::StrContains(msg, "does not support SSL") ||
      absl::StrContains(msg, "SSL error") || absl::StrContains(msg, "does not match host name") ||
      absl::StrContains(msg, "sslmode value")) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (absl::StrContains(msg, "does not exist")) return absl::StatusCode::kNotFound;
  return absl::StatusCode::kUnavailable;
}

}  // namespace

std::string TypeName(Oid type) {
  switch (type) {
    case oid::kBool:
      return "boolean";
    case oid::kBytea:
      return "bytea";
    case oid::kInt8:
      return "bigint";
    case oid::kInt2:
      return "smallint";
    case oid::kInt4:
      return "integer";
    case oid::kText:
      return "text";
    case oid::kFloat8:
      return "double precision";
    case oid::kInt8Array:
      return "bigint[]";
    case oid::kInt4Array:
      return "integer[]";
    case oid::kInt2Array:
      return "smallint[]";
    case oid::kBoolArray:
      return "boolean[]";
    default:
      return absl::StrCat("type oid ", type);
  }
}

absl::StatusCode StatusCodeForSqlState(absl::string_view s) {
  if (s.size() != 5) return absl::StatusCode::kInternal;
  const absl::string_view cls = s.substr(0, 2);
  if (s == "23505" || s == "42P07" || s == "42710") return absl::StatusCode::kAlreadyExists;
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;
  if (s == "57014") return absl::StatusCode::kDeadlineExceeded;
  if (s == "57P01" || s == "57P02" || s == "57P03" || s == "55P03") return absl::StatusCode::kUnavailable;
  if (s == "XX001" || s == "XX002") return absl::StatusCode::kDataLoss;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "42P01" || s == "42703" || s == "3F000" || s == "25006") return absl::StatusCode::kFailedPrecondition;
  if (cls == "08" || cls == "58") return absl::StatusCode::kUnavailable;
  if (cls == "53" || cls == "54") return absl::StatusCode::kResourceExhausted;
  if (cls == "23") return absl::StatusCode::kFailedPrecondition;
  if (cls == "28") return absl::StatusCode::kUnauthenticated;
  if (cls == "22") return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;
}

// --- Params ------------------------------------------------------------------

Params::~Params() {
  for (std::string& v : values_) {
    if (!v.empty()) SecureZero(&v[0], v.size());
  }
}

Params& Params::Add(Oid type, std::string value, bool binary) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  formats_.push_back(binary ? 1 : 0);
  nulls_.push_back(false);
  return *this;
}

Params& Params::Int64(int64_t v) {
  std::string b;
  PutBigEndian(&b, static_cast<uint64_t>(v), 8);
  return Add(oid::kInt8, std::move(b), true);
}

Params& Params::Int32(int32_t v) {
  std::string b;
  PutBigEndian(&b, static_cast<uint32_t>(v), 4);
  return Add(oid::kInt4, std::move(b), true);
}

Params& Params::Int16(int16_t v) {
  std::string b;
  PutBigEndian(&b, static_cast<uint16_t>(v), 2);
  return Add(oid::kInt2, std::move(b), true);
}

Params& Params::Bool(bool v) { return Add(oid::kBool, std::string(1, v ? '\1' : '\0'), true); }

Params& Params::Bytea(absl::Span<const uint8_t> v) {
  return Add(oid::kBytea, std::string(reinterpret_cast<const char*>(v.data()), v.size()), true);
}

Params& Params::Bytea(absl::string_view v) { return Add(oid::kBytea, std::string(v), true); }

// text's binary form is its bytes; the server still checks the encoding.
Params& Params::Text(absl::string_view v) { return Add(oid::kText, std::string(v), true); }

Params& Params::Null(Oid type) {
  Add(type, std::string(), true);
  nulls_.back() = true;
  return *this;
}

Params& Params::Int64Array(absl::Span<const int64_t> v) {
  return Add(oid::kInt8Array, absl::StrCat("{", absl::StrJoin(v, ","), "}"), false);
}

Params& Params::Int32Array(absl::Span<const int32_t> v) {
  return Add(oid::kInt4Array, absl::StrCat("{", absl::StrJoin(v, ","), "}"), false);
}

Params& Params::Int16Array(absl::Span<const int16_t> v) {
  return Add(oid::kInt2Array, absl::StrCat("{", absl::StrJoin(v, ","), "}"), false);
}

Params& Params::BoolArray(absl::Span<const bool> v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) absl::StrAppend(&s, i == 0 ? "" : ",", v[i] ? "t" : "f");
  s += "}";
  return Add(oid::kBoolArray, std::move(s), false);
}

// --- Result --------------------------------------------------------------------

Result::Result(Result&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (res_ != nullptr) PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}

Result::~Result() {
  if (res_ != nullptr) PQclear(res_);
}

int Result::rows() const { return res_ != nullptr ? PQntuples(res_) : 0; }
int Result::columns() const { return res_ != nullptr ? PQnfields(res_) : 0; }
bool Result::IsNull(int row, int col) const { return PQgetisnull(res_, row, col) == 1; }
Oid Result::Type(int col) const { return PQftype(res_, col); }

absl::string_view Result::ColumnName(int col) const {
  const char* n = PQfname(res_, col);
  return n != nullptr ? absl::string_view(n) : absl::string_view();
}

absl::string_view Result::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  const char* p = PQgetvalue(res_, row, col);
  const int n = PQgetlength(res_, row, col);
  if (p == nullptr || n <= 0) return {};
  return absl::string_view(p, static_cast<size_t>(n));
}

int64_t Result::AffectedRows() const {
  if (res_ == nullptr) return 0;
  const char* t = PQcmdTuples(res_);
  int64_t n = 0;
  for (const char* c = t; c != nullptr && *c >= '0' && *c <= '9'; ++c) n = n * 10 + (*c - '0');
  return n;
}

void Result::WipeColumn(int col) {
  if (res_ == nullptr || col < 0 || col >= columns()) return;
  for (int r = 0; r < rows(); ++r) {
    // PQgetvalue points into the result's own storage, which libpq frees
    // without clearing.
    char* p = PQgetvalue(res_, r, col);
    const int n = PQgetlength(res_, r, col);
    if (p != nullptr && n > 0) SecureZero(p, static_cast<size_t>(n));
  }
}

absl::StatusOr<int64_t> GetInt(const Result& r, int row, int col, absl::FunctionRef<std::string()> what) {
  if (r.IsNull(row, col)) return absl::DataLossError(absl::StrCat(what(), ": NULL where a value is required"));
  const Oid t = r.Type(col);
  size_t want = 0;
  if (t == oid::kInt2) want = 2;
  if (t == oid::kInt4) want = 4;
  if (t == oid::kInt8) want = 8;
  if (want == 0) {
    return absl::DataLossError(absl::StrCat(what(), ": has type ", TypeName(t), ", expected an integer"));
  }
  const absl::string_view b = r.Bytes(row, col);
  if (b.size() != want) {
    return absl::DataLossError(absl::StrCat(what(), ": ", b.size(), " bytes for a ", TypeName(t)));
  }
  const uint64_t u = ReadBigEndian(b);
  if (want == 2) return static_cast<int64_t>(static_cast<int16_t>(u));
  if (want == 4) return static_cast<int64_t>(static_cast<int32_t>(u));
  return static_cast<int64_t>(u);
}

absl::StatusOr<bool> GetBool(const Result& r, int row, int col, absl::FunctionRef<std::string()> what) {
  if (r.IsNull(row, col)) return absl::DataLossError(absl::StrCat(what(), ": NULL where a value is required"));
  if (r.Type(col) != oid::kBool) {
    return absl::DataLossError(absl::StrCat(what(), ": has type ", TypeName(r.Type(col)), ", expected boolean"));
  }
  const absl::string_view b = r.Bytes(row, col);
  if (b.size() != 1) return absl::DataLossError(absl::StrCat(what(), ": ", b.size(), " bytes for a boolean"));
  return b[0] != 0;
}

absl::StatusOr<absl::string_view> GetBytes(const Result& r, int row, int col,
                                           absl::FunctionRef<std::string()> what) {
  if (r.IsNull(row, col)) return absl::DataLossError(absl::StrCat(what(), ": NULL where a value is required"));
  if (r.Type(col) != oid::kBytea && r.Type(col) != oid::kText) {
    return absl::DataLossError(absl::StrCat(what(), ": has type ", TypeName(r.Type(col)), ", expected bytea"));
  }
  return r.Bytes(row, col);
}

// --- Connection ------------------------------------------------------------------

// libpq's parse errors quote the part of the connection string they stumble
// on, which may be the password ('missing "=" after "hunter2"', or a whole
// URI with its user:password@). Everything from the first quoted text longer
// than one character to the last quote is replaced by "…" (a password may
// hold quotes itself); the one-character quotes before it ("=", "]") stay.
namespace {

std::string WithoutQuotedText(absl::string_view message) {
  const size_t last = message.rfind('"');
  size_t open = message.find('"');
  while (open != absl::string_view::npos && open < last) {
    const size_t close = message.find('"', open + 1);
    if (close - open - 1 > 1) {
      return absl::StrCat(message.substr(0, open), "\"…\"", message.substr(last + 1));
    }
    open = message.find('"', close + 1);
  }
  return std::string(message);
}

}  // namespace

absl::Status ValidateConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? WithoutQuotedText(CollapseWhitespace(err)) : "out of memory";
    if (err != nullptr) PQfreemem(err);
    return absl::InvalidArgumentError(absl::StrCat("bad PostgreSQL connection string: ", msg));
  }
  PQconninfoFree(opts);
  return absl::OkStatus();
}

Connection::Connection(PGconn* conn, ConnectOptions options) : conn_(conn), options_(std::move(options)) {
  const char* db = PQdb(conn_);
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  description_ = absl::StrCat(db != nullptr ? db : "", "@", host != nullptr ? host : "", ":", port != nullptr ? port : "");
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                             const ConnectOptions& options) {
  if (absl::Status s = ValidateConninfo(conninfo); !s.ok()) return s;
  // Our defaults first, the caller's string (expanded from "dbname") last,
  // so the string overrides any of them.
  const std::string connect_timeout = absl::StrCat(options.connect_timeout_s);
  const std::string idle = absl::StrCat(options.keepalives_idle_s);
  const std::string interval = absl::StrCat(options.keepalives_interval_s);
  const std::string count = absl::StrCat(options.keepalives_count);
  const std::string user_timeout = absl::StrCat(options.tcp_user_timeout_ms);
  const char* keywords[] = {"fallback_application_name",
                            "connect_timeout",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "dbname",
                            nullptr};
  const char* values[] = {options.application_name.c_str(),
                          connect_timeout.c_str(),
                          "1",
                          idle.c_str(),
                          interval.c_str(),
                          count.c_str(),
                          user_timeout.c_str(),
                          conninfo.c_str(),
                          nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return absl::ResourceExhaustedError("libpq could not allocate a connection");
  if (PQstatus(raw) != CONNECTION_OK) {
    const std::string msg = CollapseWhitespace(PQerrorMessage(raw));
    PQfinish(raw);
    return absl::Status(CodeForConnectMessage(msg), absl::StrCat("connecting to PostgreSQL: ", msg));
  }
  std::unique_ptr<Connection> conn(new Connection(raw, options));
  // libpq prints server notices to stderr by default; a library must not.
  // The receiver also notes a FATAL message that arrives while the
  // connection is idle (the server's goodbye before it closes the socket:
  // a terminated backend, a shutdown), which libpq reports as a notice.
  PQsetNoticeReceiver(
      raw,
      [](void* arg, const PGresult* res) {
        const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
        if (severity != nullptr && (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0)) {
          static_cast<Connection*>(arg)->fatal_seen_ = true;
        }
      },
      conn.get());
  std::vector<std::string> settings;
  if (options.idle_in_transaction_timeout > absl::ZeroDuration()) {
    settings.push_back(absl::StrCat("SET idle_in_transaction_session_timeout = ",
                                    absl::ToInt64Milliseconds(options.idle_in_transaction_timeout)));
  }
  if (options.lock_timeout > absl::ZeroDuration()) {
    settings.push_back(absl::StrCat("SET lock_timeout = ", absl::ToInt64Milliseconds(options.lock_timeout)));
  }
  if (options.async_commit) settings.push_back("SET synchronous_commit = off");
  if (!settings.empty()) {
    if (absl::Status s = conn->Exec(absl::StrJoin(settings, "; "), "applying session settings"); !s.ok()) return s;
  }
  return conn;
}

bool Connection::broken() const { return conn_ == nullptr || fatal_seen_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::in_transaction() const {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool Connection::transaction_failed() const {
  return conn_ != nullptr && PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

bool Connection::CheckAlive() {
  if (broken()) return false;
  const int fd = PQsocket(conn_);
  if (fd < 0) return false;
  // Something arrived on an idle connection: a notice, a parameter change,
  // or the server's goodbye (FATAL 57P01 ...) followed by end of file. Read
  // until nothing more is waiting, so an end of file behind a message is
  // seen too.
  for (int round = 0; round < 16 && !fatal_seen_; ++round) {
    pollfd p{};
    p.fd = fd;
    p.events = POLLIN;
    if (::poll(&p, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) return false;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  }
  return !fatal_seen_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

std::string Connection::TlsProtocol() const {
  if (conn_ == nullptr || PQsslInUse(conn_) == 0) return "";
  const char* p = PQsslAttribute(conn_, "protocol");
  return p != nullptr ? p : "TLS";
}

int Connection::server_version() const { return conn_ != nullptr ? PQserverVersion(conn_) : 0; }

absl::Status Connection::ConnectionError(absl::string_view context) {
  return absl::UnavailableError(absl::StrCat(context, context.empty() ? "" : ": ", "connection to ", description_,
                                             " lost: ", CollapseWhitespace(PQerrorMessage(conn_))));
}

absl::Status Connection::ResultStatus(PGresult* res, absl::string_view context, absl::string_view sql) {
  const std::string where =
      !context.empty() ? std::string(context) : absl::StrCat("executing `", ShortSql(sql), "`");
  if (res == nullptr) {
    if (broken()) return ConnectionError(where);
    return absl::ResourceExhaustedError(absl::StrCat(where, ": ", CollapseWhitespace(PQerrorMessage(conn_))));
  }
  const ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_COPY_IN) return absl::OkStatus();
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  // A lost connection is reported as such, whatever the last message was
  // (often the server's "terminating connection due to ..." with 57P01).
  if (broken()) {
    return absl::UnavailableError(
        absl::StrCat(where, ": connection to ", description_,
                     " lost: ", CollapseWhitespace(primary != nullptr ? primary : PQerrorMessage(conn_))));
  }
  const std::string sqlstate = state != nullptr ? state : "";
  absl::StatusCode code = StatusCodeForSqlState(sqlstate);
  if (st == PGRES_BAD_RESPONSE) code = absl::StatusCode::kInternal;
  return absl::Status(
      code, absl::StrCat(where, ": ", CollapseWhitespace(primary != nullptr ? primary : PQresultErrorMessage(res)),
                         sqlstate.empty() ? "" : absl::StrCat(" (SQLSTATE ", sqlstate, ")")));
}

absl::StatusOr<Result> Connection::Query(absl::string_view sql, const Params& params, absl::string_view context) {
  if (broken()) return ConnectionError(context.empty() ? absl::StrCat("executing `", ShortSql(sql), "`") : context);
  const int n = params.size();
  std::vector<const char*> values(static_cast<size_t>(n));
  std::vector<int> lengths(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(i);
    values[k] = params.nulls_[k] ? nullptr : params.values_[k].data();
    lengths[k] = static_cast<int>(params.values_[k].size());
  }
  const std::string text(sql);
  PGresult* res = nullptr;
  if (options_.prepare_statements) {
    auto it = prepared_.find(text);
    if (it == prepared_.end()) {
      std::string name = absl::StrCat("tgs_", prepared_.size() + 1);
      PGresult* prep = PQprepare(conn_, name.c_str(), text.c_str(), n, params.types_.data());
      Result guard(prep);
      if (absl::Status s = ResultStatus(prep, context, sql); !s.ok()) return s;
      it = prepared_.emplace(text, std::move(name)).first;
    }
    res = PQexecPrepared(conn_, it->second.c_str(), n, values.data(), lengths.data(), params.formats_.data(),
                         /*resultFormat=*/1);
  } else {
    res = PQexecParams(conn_, text.c_str(), n, params.types_.data(), values.data(), lengths.data(),
                       params.formats_.data(), /*resultFormat=*/1);
  }
  Result result(res);
  if (absl::Status s = ResultStatus(res, context, sql); !s.ok()) return s;
  return result;
}

absl::Status Connection::Exec(absl::string_view sql, absl::string_view context) {
  if (broken()) return ConnectionError(context.empty() ? absl::StrCat("executing `", ShortSql(sql), "`") : context);
  const std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  Result result(res);
  return ResultStatus(res, context, sql);
}

absl::Status Connection::CopyIn(absl::string_view copy_sql, absl::string_view data, absl::string_view context) {
  const std::string where =
      !context.empty() ? std::string(context) : absl::StrCat("executing `", ShortSql(copy_sql), "`");
  if (broken()) return ConnectionError(where);
  const std::string text(copy_sql);
  {
    PGresult* res = PQexec(conn_, text.c_str());
    Result start(res);
    if (absl::Status s = ResultStatus(res, where, copy_sql); !s.ok()) return s;
    if (PQresultStatus(res) != PGRES_COPY_IN) {
      return absl::InternalError(absl::StrCat(where, ": the server did not start COPY FROM STDIN"));
    }
  }
  absl::Status status = absl::OkStatus();
  for (size_t pos = 0; pos < data.size(); pos += kCopyChunkBytes) {
    const size_t n = std::min(kCopyChunkBytes, data.size() - pos);
    if (PQputCopyData(conn_, data.data() + pos, static_cast<int>(n)) != 1) {
      status = broken() ? ConnectionError(where)
                        : absl::UnavailableError(absl::StrCat(where, ": ", CollapseWhitespace(PQerrorMessage(conn_))));
      break;
    }
  }
  // End the COPY (or abort it after a send failure) and read every result;
  // the first failure is the one reported.
  if (PQputCopyEnd(conn_, status.ok() ? nullptr : "client failed to send the data") != 1 && status.ok()) {
    status = broken() ? ConnectionError(where)
                      : absl::UnavailableError(absl::StrCat(where, ": ", CollapseWhitespace(PQerrorMessage(conn_))));
  }
  while (PGresult* res = PQgetResult(conn_)) {
    Result r(res);
    absl::Status s = ResultStatus(res, where, copy_sql);
    if (status.ok() && !s.ok()) status = s;
    if (PQresultStatus(res) == PGRES_COPY_IN && broken()) break;  // never loop on a dead connection
  }
  if (status.ok() && broken()) status = ConnectionError(where);
  return status;
}

absl::StatusOr<Connection::PipelineOutcome> Connection::RunPipelined(absl::Span<const absl::string_view> begin,
                                                                     absl::Span<const PipelineStep> steps,
                                                                     absl::string_view context) {
  if (broken()) return ConnectionError(context);
  if (in_transaction()) return absl::FailedPreconditionError("a transaction is already open on this connection");
  if (PQenterPipelineMode(conn_) != 1) {
    return absl::InternalError(
        absl::StrCat(context, ": cannot enter pipeline mode: ", CollapseWhitespace(PQerrorMessage(conn_))));
  }
  const auto send = [&](absl::string_view sql, const Params* params) {
    const std::string text(sql);
    const int n = params != nullptr ? params->size() : 0;
    std::vector<const char*> values(static_cast<size_t>(n));
    std::vector<int> lengths(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      values[k] = params->nulls_[k] ? nullptr : params->values_[k].data();
      lengths[k] = static_cast<int>(params->values_[k].size());
    }
    return PQsendQueryParams(conn_, text.c_str(), n, n > 0 ? params->types_.data() : nullptr, values.data(),
                             lengths.data(), n > 0 ? params->formats_.data() : nullptr, /*resultFormat=*/1) == 1;
  };
  bool sent = true;
  for (absl::string_view b : begin) sent = sent && send(b, nullptr);
  for (const PipelineStep& s : steps) sent = sent && send(s.sql, s.params);
  sent = sent && send("COMMIT", nullptr) && PQpipelineSync(conn_) == 1;
  PipelineOutcome out;
  absl::Status failure;
  // Every command's results end with a null; the sync comes last. Read them
  // all whatever happened, or the connection is out of step.
  const size_t commands = begin.size() + steps.size() + 1;
  for (size_t c = 0; sent && c < commands; ++c) {
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      failure = ConnectionError(context);
      break;
    }
    Result owned(res);
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    const ExecStatusType st = PQresultStatus(res);
    absl::Status s = st == PGRES_PIPELINE_ABORTED
                         ? absl::AbortedError("not run: an earlier statement of the transaction failed")
                         : ResultStatus(res, context, "");
    if (broken()) {
      failure = ConnectionError(context);
      break;
    }
    const bool is_step = c >= begin.size() && c < begin.size() + steps.size();
    if (is_step) {
      const int step = static_cast<int>(c - begin.size());
      if (!s.ok() && st != PGRES_PIPELINE_ABORTED && out.failed_step < 0) out.failed_step = step;
      if (s.ok()) {
        out.results.emplace_back(std::move(owned));
      } else {
        out.results.emplace_back(s);
      }
    } else if (c == commands - 1) {
      out.commit = s;
    } else if (!s.ok() && failure.ok()) {
      out.commit = s;  // BEGIN or SET failed: nothing ran
    }
  }
  if (sent && failure.ok()) {
    PGresult* sync = PQgetResult(conn_);
    if (sync == nullptr || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) failure = ConnectionError(context);
    if (sync != nullptr) PQclear(sync);
  }
  if (!sent && failure.ok()) {
    failure = broken() ? ConnectionError(context)
                       : absl::UnavailableError(absl::StrCat(context, ": ", CollapseWhitespace(PQerrorMessage(conn_))));
  }
  if (!failure.ok()) {
    // The connection cannot be trusted any more: the pool drops it.
    fatal_seen_ = true;
    return absl::UnavailableError(
        absl::StrCat(failure.message(), " (while committing a pipelined transaction: it may or may not have been applied)"));
  }
  PQexitPipelineMode(conn_);
  // A failed explicit transaction stays open after the sync: roll it back.
  if (in_transaction()) (void)Exec("ROLLBACK", "rolling back");
  if (out.commit.ok() && out.failed_step >= 0) out.commit = absl::AbortedError("the transaction was rolled back");
  while (out.results.size() < steps.size()) {
    out.results.emplace_back(absl::AbortedError("not run: the transaction failed to begin"));
  }
  return out;
}

// --- Transaction -------------------------------------------------------------------

absl::StatusOr<Transaction> Transaction::Begin(Connection& conn, Kind kind, Sync sync) {
  if (conn.in_transaction()) return absl::FailedPreconditionError("a transaction is already open on this connection");
  std::string sql = kind == Kind::kSnapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN";
  if (sync == Sync::kDurable) sql += "; SET LOCAL synchronous_commit = on";
  if (sync == Sync::kAsync) sql += "; SET LOCAL synchronous_commit = off";
  if (absl::Status s = conn.Exec(sql, "beginning a transaction"); !s.ok()) return s;
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  if (conn_ != nullptr && !conn_->broken() && conn_->in_transaction()) {
    (void)conn_->Exec("ROLLBACK", "rolling back");
  }
}

absl::Status Transaction::Commit() {
  if (conn_ == nullptr) return absl::FailedPreconditionError("Commit() on a finished transaction");
  Connection& conn = *std::exchange(conn_, nullptr);
  absl::Status s = conn.Exec("COMMIT", "committing");
  if (!s.ok()) {
    if (conn.broken()) {
      return absl::UnavailableError(absl::StrCat(
          s.message(), " (the connection was lost while committing: the transaction may or may not have been applied)"));
    }
    if (conn.in_transaction()) (void)conn.Exec("ROLLBACK", "rolling back");
    return s;
  }
  return absl::OkStatus();
}

// --- Pool ------------------------------------------------------------------------------

// --- ConnectBackoff -------------------------------------------------------------

ConnectBackoff::ConnectBackoff(Options options, uint64_t seed) : options_(options), rng_(seed | 1) {}

absl::Status ConnectBackoff::MayAttempt(absl::Time now) const {
  if (failures_ == 0 || now >= next_) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("not reconnecting for another ",
                                             absl::ToInt64Milliseconds(next_ - now), " ms after ", failures_,
                                             " failed attempt", failures_ == 1 ? "" : "s", ": ",
                                             last_error_.message()));
}

void ConnectBackoff::Failed(absl::Time now, const absl::Status& error) {
  ++failures_;
  last_error_ = error;
  absl::Duration d = options_.initial;
  for (int i = 1; i < failures_ && d < options_.max; ++i) d *= 2;
  d = std::min(d, options_.max);
  // xorshift64: the jitter only has to differ between processes.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const double unit = static_cast<double>(rng_ >> 11) / static_cast<double>(uint64_t{1} << 53);
  next_ = now + d * (0.5 + 0.5 * unit);
}

void ConnectBackoff::Succeeded() {
  failures_ = 0;
  next_ = absl::InfinitePast();
  last_error_ = absl::OkStatus();
}

// --- Pool ------------------------------------------------------------------------------

Pool::Pool(std::string conninfo, ConnectOptions options, int max_size, ConnectBackoff::Options backoff,
           PoolHooks hooks)
    : conninfo_(std::move(conninfo)),
      options_(std::move(options)),
      max_size_(std::max(1, max_size)),
      hooks_(std::move(hooks)),
      backoff_(backoff, static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
                            reinterpret_cast<uintptr_t>(this)) {}

Pool::~Pool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

Pool::Handle::Handle(Handle&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}

Pool::Handle& Pool::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
    pool_ = std::exchange(other.pool_, nullptr);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Pool::Handle::~Handle() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

absl::StatusOr<Pool::Handle> Pool::Acquire() {
  std::unique_ptr<Connection> conn;
  {
    absl::MutexLock lock(&mu_);
    const auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < max_size_;
    };
    mu_.Await(absl::Condition(&available));
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // a slot for the connection we open below
    }
  }
  // An idle connection the server closed (restart, terminated backend) is
  // replaced here, so the caller gets a working connection.
  if (conn != nullptr && conn->CheckAlive()) return Handle(this, std::move(conn));
  if (conn != nullptr) {
    conn.reset();
    absl::MutexLock lock(&mu_);
    had_trouble_ = true;
  }
  absl::StatusOr<std::unique_ptr<Connection>> fresh = Connect();
  if (!fresh.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return fresh.status();
  }
  return Handle(this, std::move(*fresh));
}

absl::StatusOr<std::unique_ptr<Connection>> Pool::OpenDedicated() { return Connect(); }

absl::StatusOr<std::unique_ptr<Connection>> Pool::Connect() {
  bool reconnect;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (absl::Status wait = backoff_.MayAttempt(now); !wait.ok()) return wait;
    // Past a failure, one attempt at a time until one succeeds.
    if (backoff_.consecutive_failures() > 0) {
      if (probing_) {
        return absl::UnavailableError(
            absl::StrCat("another attempt to reconnect is in flight after ", backoff_.consecutive_failures(),
                         " failed attempts"));
      }
      probing_ = true;
    }
    reconnect = had_trouble_;
    ++attempts_;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<Connection>> fresh = Connection::Open(conninfo_, options_);
  const absl::Duration took = absl::Now() - start;
  {
    absl::MutexLock lock(&mu_);
    probing_ = false;
    if (fresh.ok()) {
      backoff_.Succeeded();
      had_trouble_ = false;
      ++connects_;
    } else if (fresh.status().code() == absl::StatusCode::kUnavailable) {
      // Only an unreachable or refusing server is waited for; a bad password
      // or certificate is reported at once, every time.
      backoff_.Failed(absl::Now(), fresh.status());
      had_trouble_ = true;
    }
  }
  if (hooks_.on_connect) hooks_.on_connect(fresh.status(), took, reconnect);
  return fresh;
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  // A connection that failed, or is still inside a transaction (a COMMIT or
  // ROLLBACK that could not run), is closed rather than reused.
  const bool broken = conn->broken();
  if (broken || conn->in_transaction()) conn.reset();
  absl::MutexLock lock(&mu_);
  if (broken) had_trouble_ = true;
  if (conn != nullptr) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
}

int64_t Pool::connects() const {
  absl::MutexLock lock(&mu_);
  return connects_;
}

int64_t Pool::connect_attempts() const {
  absl::MutexLock lock(&mu_);
  return attempts_;
}

}  // namespace pg
}  // namespace tgsession
