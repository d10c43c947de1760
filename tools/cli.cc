#include "tools/cli.h"

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "backends/encryption.h"
#include "backends/file_system.h"
#include "backends/postgres_backend.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/interop/convert.h"
#include "session/interop/files/session_files.h"
#include "session/interop/formats.h"
#include "session/interop/sqlite/sqlite_formats.h"
#include "session/json.h"
#include "session/json_writer.h"
#include "session/secret.h"
#include "session/status_macros.h"
#include "session/string_codec.h"
#include "tools/cli_messages.h"
#include "tools/cli_pg.h"

namespace tgsession {
namespace {

// "1 chat", "2 chats".
std::string Count(uint64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

using interop::ExportResult;
using interop::Format;
using interop::ImportedSession;

// Largest input file or stdin we read (far above any real session).
constexpr size_t kMaxInputBytes = interop::kMaxSessionFileBytes;

std::string FormatList() {
  std::vector<absl::string_view> names;
  for (const interop::FormatSpec& f : interop::AllFormats()) names.push_back(f.name);
  return absl::StrJoin(names, ", ");
}

// The FORMAT section of the usage, from the registry.
std::string FormatUsage() {
  std::string out;
  for (const interop::FormatSpec& f : interop::AllFormats()) {
    absl::StrAppend(&out, absl::StrFormat("  %-17s %s\n", f.name, f.description));
  }
  return out;
}

// Ends a usage error: the usage text is many lines; the error is one.
constexpr absl::string_view kSeeHelp = " (tgsession help shows the usage)";

std::string Usage() {
  return std::string(R"(usage:
  tgsession inspect [--json] [--show-secrets] [--strict] [--verbose] [--from FORMAT]
                    [PASSPHRASE] INPUT
  tgsession convert --to FORMAT [--from FORMAT] [--user-id ID] [--api-id ID]
                    [--bot | --no-bot] [--test-mode | --no-test-mode] [--force]
                    [--encrypt] [--verbose] [PASSPHRASE] INPUT (-o OUT | --stdout)
  tgsession convert --to postgres:CONNSTRING/NAME [--force] [options] INPUT
)" + std::string(cli::PgUsage()) + R"(  tgsession help

INPUT is a file, a folder (a GramJS StoreSession), a session string, or - for
standard input. The format is detected unless --from names it; when a text is
valid in two formats (Telethon and GramJS strings both start with '1'), both
readings are shown and --from decides.

FORMAT:
)" + FormatUsage() + R"(
PostgreSQL (PostgresBackend): INPUT, and the FORMAT of --to, may be
postgres:CONNSTRING/NAME, a session NAME in a database. The last '/'
separates NAME; CONNSTRING is a libpq connection string, key=value or URI
(postgres:host=db dbname=tgs sslmode=require/bot-17,
postgres:postgresql://tgs@db/tgs?sslmode=verify-full/bot-17; empty for the
PG* environment variables). Keep passwords in PGPASSWORD or ~/.pgpass, not
on the command line. convert --to postgres:... needs no -o; it takes the
session's lease (refused while another process runs the session) and
replaces a stored session only with --force. inspect postgres:CONNSTRING/
(no NAME) lists the sessions and who holds them.

pg administers such a store: list (sessions, peers, who holds each lease,
since when), stats (counts, leases held and expired, schema version), release
(forces a lease free, e.g. after its holder crashed: the holder is fenced and
can no longer write; --note says who and why), delete (a session and
everything under it, refused while its lease is held), migrate (prints the
statements that take the schema to this version and runs them in one
transaction; --dry-run only prints them). release and delete need --yes.

convert prints what the target lacked ("missing"), what it could not keep
("dropped") and what was deduced ("warning") on standard error. Values the
source lacks come from --user-id, --api-id, --bot/--no-bot and
--test-mode/--no-test-mode; nothing else is invented.

Messages on standard error take one line each; --verbose adds the details
some errors have (e.g. every problem SQLite's integrity check found). A
session string that cannot be read is never repeated in a message.

Auth keys and tokens are printed as <redacted> unless --show-secrets is given.
Sessions are secrets: convert writes them to a file (mode 0600, atomically)
and to standard output only with --stdout. The temp file a killed convert
leaves is removed by the next write to its folder.

PASSPHRASE, for binary files encrypted at rest (BinaryFileBackend with a
passphrase): --passphrase-file FILE (first line) or --passphrase-env VARIABLE.
convert --to ferogram-binary --encrypt writes such a file. A binary file's
journal (FILE.journal) is applied when present.
)");
}

struct Options {
  std::string command;
  bool json = false;
  bool show_secrets = false;
  bool strict = false;
  bool verbose = false;
  bool force = false;
  bool to_stdout = false;
  std::optional<Format> from;
  std::optional<Format> to;
  std::string to_name;
  std::optional<PostgresLocation> to_postgres;
  std::string output;
  std::optional<int64_t> user_id;
  std::optional<int32_t> api_id;
  std::optional<bool> is_bot;
  std::optional<bool> test_mode;
  std::string input;
  bool encrypt = false;
  std::string passphrase_file;
  std::string passphrase_env;
};

// Relative paths are relative to where the user ran the command, also under
// `bazel run` (which changes the working directory).
std::string ResolvePath(const std::string& path) {
  if (path.empty() || path[0] == '/' || path == "-") return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd != nullptr && *wd != '\0') return absl::StrCat(wd, "/", path);
  return path;
}

// Text that could be a session string given on the command line: base64 of
// either alphabet, with or without padding.
bool LooksLikeSessionText(absl::string_view t) {
  if (t.size() < 8) return false;
  for (char c : t) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '+' || c == '/' || c == '=')) return false;
  }
  return true;
}

absl::Status ParseArgs(const std::vector<std::string>& args, Options* o) {
  if (args.empty()) return absl::InvalidArgumentError("missing command");
  o->command = args[0];
  std::string from;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) -> absl::Status {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(a, " needs a value"));
      *dst = args[++i];
      return absl::OkStatus();
    };
    if (a == "--json") {
      o->json = true;
    } else if (a == "--show-secrets") {
      o->show_secrets = true;
    } else if (a == "--strict") {
      o->strict = true;
    } else if (a == "--verbose") {
      o->verbose = true;
    } else if (a == "--force") {
      o->force = true;
    } else if (a == "--stdout") {
      o->to_stdout = true;
    } else if (a == "--encrypt") {
      o->encrypt = true;
    } else if (a == "--passphrase-file") {
      TGS_RETURN_IF_ERROR(value(&o->passphrase_file));
    } else if (a == "--passphrase-env") {
      TGS_RETURN_IF_ERROR(value(&o->passphrase_env));
    } else if (a == "--bot" || a == "--no-bot") {
      o->is_bot = a == "--bot";
    } else if (a == "--test-mode" || a == "--no-test-mode") {
      o->test_mode = a == "--test-mode";
    } else if (a == "--from") {
      TGS_RETURN_IF_ERROR(value(&from));
      o->from = interop::FormatFromName(from);
      if (!o->from) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown format ", cli::QuoteIfPlainWord(from), " (", FormatList(), ")"));
      }
    } else if (a == "--to") {
      TGS_RETURN_IF_ERROR(value(&o->to_name));
      if (IsPostgresLocation(o->to_name)) {
        TGS_ASSIGN_OR_RETURN(PostgresLocation loc, ParsePostgresLocation(o->to_name));
        if (loc.name.empty()) return absl::InvalidArgumentError("--to postgres:CONNSTRING/NAME needs a session NAME");
        o->to_postgres = std::move(loc);
        o->to_name = "postgres";
      } else {
        o->to = interop::FormatFromName(o->to_name);
      }
    } else if (a == "-o" || a == "--output") {
      TGS_RETURN_IF_ERROR(value(&o->output));
    } else if (a == "--user-id") {
      std::string v;
      TGS_RETURN_IF_ERROR(value(&v));
      int64_t id;
      if (!absl::SimpleAtoi(v, &id)) {
        return absl::InvalidArgumentError(absl::StrCat("--user-id: not an integer: ", cli::QuoteIfPlainWord(v)));
      }
      o->user_id = id;
    } else if (a == "--api-id") {
      std::string v;
      TGS_RETURN_IF_ERROR(value(&v));
      int32_t id;
      if (!absl::SimpleAtoi(v, &id) || id <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--api-id: not a positive 32-bit integer: ", cli::QuoteIfPlainWord(v)));
      }
      o->api_id = id;
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      // Base64url session strings may start with '-': never echo one.
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option ", cli::QuoteIfPlainWord(a),
          LooksLikeSessionText(a) ? " (a session string that starts with '-'? give it on standard input: -)" : ""));
    } else if (o->input.empty()) {
      o->input = a;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("a second INPUT ", cli::DescribeArgument(a), ": give one"));
    }
  }
  return absl::OkStatus();
}

// What went wrong reading a file, without its name.
std::string StatusInWords(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return "no such file";
    case absl::StatusCode::kPermissionDenied:
      return "permission denied";
    case absl::StatusCode::kResourceExhausted:
      return "too large for a passphrase file";
    case absl::StatusCode::kInvalidArgument:
      return "a folder, or not a file";
    default:
      return std::string(absl::StatusCodeToString(s.code()));
  }
}

// Why `t` (not LooksLikeSessionText) cannot be a session string, naming at
// most one character of it.
std::string WhyNotSessionText(absl::string_view t) {
  if (t.size() < 8) return absl::StrCat(t.size(), t.size() == 1 ? " character" : " characters", ": too short");
  for (size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '+' || c == '/' || c == '=') continue;
    std::string what;
    if (c == '\n' || c == '\r') {
      what = "a line break";
    } else if (c == ' ' || c == '\t') {
      what = "a space";
    } else if (c > 0x20 && c < 0x7f) {
      what = absl::StrCat("'", std::string(1, static_cast<char>(c)), "'");
    } else {
      what = absl::StrFormat("the byte 0x%02x", c);
    }
    return absl::StrCat(what, " at offset ", i, ", which no session string holds");
  }
  return "no session text";
}

// The passphrase named by --passphrase-file / --passphrase-env, if any.
absl::StatusOr<std::optional<SecretString>> ReadPassphrase(const Options& o) {
  // The file name and the variable name are never echoed: a careless user
  // may have given the passphrase itself.
  if (!o.passphrase_file.empty()) {
    absl::StatusOr<std::string> text = ReadFileBounded(PosixFileSystem(), ResolvePath(o.passphrase_file), 4096);
    if (!text.ok()) {
      return absl::Status(text.status().code(),
                          absl::StrCat("cannot read the --passphrase-file (", StatusInWords(text.status()), ")"));
    }
    SecretString guard(*std::move(text));
    absl::string_view line = guard.view().substr(0, guard.view().find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return absl::InvalidArgumentError("the passphrase file is empty");
    return std::optional<SecretString>(SecretString(std::string(line)));
  }
  if (!o.passphrase_env.empty()) {
    const char* v = std::getenv(o.passphrase_env.c_str());
    if (v == nullptr || *v == '\0') {
      return absl::InvalidArgumentError(
          "the environment variable named by --passphrase-env is not set or empty (give its NAME, not the passphrase)");
    }
    return std::optional<SecretString>(SecretString(std::string(v)));
  }
  return std::optional<SecretString>();
}

// A session stored in PostgreSQL, read through a read-only view (no lease:
// inspecting a session a bot is running is allowed).
absl::StatusOr<ImportedSession> LoadPostgres(const std::string& spec, const Options& o, std::string* label) {
  TGS_ASSIGN_OR_RETURN(PostgresLocation loc, ParsePostgresLocation(spec));
  if (loc.name.empty()) return absl::InvalidArgumentError("postgres:CONNSTRING/NAME needs a session NAME");
  PostgresOptions po;
  po.pool_size = 1;
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(loc.conninfo, po));
  OpenSessionOptions so;
  so.read_only = true;
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresBackend> b, store->OpenSession(loc.name, so));
  *label = b->Name();
  TGS_ASSIGN_OR_RETURN(std::optional<Session> s, b->Load());
  if (!s) return absl::NotFoundError("nothing is stored under this name yet");
  ImportedSession l;
  l.format = Format::kFerogramBinary;  // the same model, field for field
  l.session = *std::move(s);
  l.info.layout = "(PostgreSQL)";
  return l;
}

// Reads session bytes (standard input, or a string given as INPUT) as
// --from names them, or detects their format.
absl::StatusOr<ImportedSession> ReadBytes(absl::string_view bytes, const Options& o,
                                          const interop::ReadOptions& opts) {
  const interop::Formats& formats = interop::SqliteFormats();
  return o.from ? formats.Read(bytes, *o.from, opts) : formats.Detect(bytes, opts);
}

absl::StatusOr<ImportedSession> Load(const std::string& arg, const Options& o, std::istream& in,
                                     std::string* label) {
  if (IsPostgresLocation(arg)) return LoadPostgres(arg, o, label);
  interop::ReadOptions opts;
  if (o.strict) opts.mode = DecodeMode::kStrict;
  if (arg == "-") {
    SecretString bytes;
    char buf[65536];
    const auto wipe_buf = absl::MakeCleanup([&buf] { SecureZero(buf, sizeof buf); });
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      bytes.Append(absl::string_view(buf, static_cast<size_t>(in.gcount())));
      if (bytes.view().size() > kMaxInputBytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("standard input is over the limit of ", kMaxInputBytes, " bytes: no session is that large"));
      }
    }
    *label = "stdin";
    return ReadBytes(bytes.view(), o, opts);
  }
  const std::string path = ResolvePath(arg);
  const absl::StatusOr<FileInfo> info = PosixFileSystem()->Stat(path);
  if (info.ok()) {
    *label = path;
    return interop::ReadSessionFile(path, o.from, opts, [&o]() -> absl::StatusOr<SecretString> {
      TGS_ASSIGN_OR_RETURN(std::optional<SecretString> pass, ReadPassphrase(o));
      if (!pass) {
        return absl::FailedPreconditionError(
            "the file is encrypted: give the passphrase with --passphrase-file or --passphrase-env");
      }
      return *std::move(pass);
    });
  }
  // Not a file: a session string given on the command line, perhaps damaged.
  // A secret either way: described, never echoed.
  *label = "";
  const std::string input = absl::StrCat("INPUT ", cli::DescribeArgument(arg));
  if (info.status().code() == absl::StatusCode::kPermissionDenied) {
    return absl::PermissionDeniedError(absl::StrCat(input, ": no permission to look for a file of that name"));
  }
  const absl::string_view t = TrimUnicodeWhitespace(arg);
  if (!LooksLikeSessionText(t)) {
    return absl::NotFoundError(absl::StrCat(input, " is not an existing file, and not a session string in any known "
                                                   "format (",
                                            WhyNotSessionText(t), ")"));
  }
  absl::StatusOr<ImportedSession> s = ReadBytes(t, o, opts);
  if (s.ok()) return s;
  absl::string_view why = s.status().message();
  if (absl::ConsumePrefix(&why, "not a session string in any known format")) {
    return absl::Status(s.status().code(),
                        absl::StrCat(input, " is not an existing file, and not a session string in any known format",
                                     why));
  }
  return absl::Status(s.status().code(), absl::StrCat(input, " is not an existing file; as a session string: ", why));
}

// The session named by INPUT, or nullopt after reporting why it could not be
// read (labelled with where it came from).
std::optional<ImportedSession> LoadOrReport(const Options& o, std::istream& in, cli::MessageSink& err) {
  std::string label;
  absl::StatusOr<ImportedSession> l = Load(o.input, o, in, &label);
  if (!l.ok()) {
    err.Error(label, l.status());
    return std::nullopt;
  }
  return *std::move(l);
}

std::string FormatLabel(const ImportedSession& l) {
  if (l.info.layout == "(PostgreSQL)") return "postgres";
  std::string s(interop::FormatName(l.format));
  if (!l.info.layout.empty()) absl::StrAppend(&s, " ", l.info.layout);
  return s;
}

// What the read noticed, a line each: the binary decoder lists its first
// anomalies and counts the rest.
std::vector<std::string> ReadWarnings(const DecodeInfo& info) {
  std::vector<std::string> out = info.warnings;
  if (info.anomaly_count > info.warnings.size()) {
    out.push_back(absl::StrCat(info.anomaly_count - info.warnings.size(), " more anomalies"));
  }
  return out;
}

std::string OptionalText(const std::optional<bool>& b) { return b ? (*b ? "yes" : "no") : "unknown"; }

void PrintHuman(const ImportedSession& l, bool show_secrets, std::ostream& out) {
  const Session& s = l.session;
  const interop::SessionExtras& x = l.extras;
  const SessionStats st = s.Stats();
  // Text read from the input (layouts, warnings, names of what is not
  // carried) is printed through cli::OneLine, like every message: a hostile
  // file must not drive the terminal or forge lines.
  out << "format:        " << cli::OneLine(FormatLabel(l)) << "\n";
  out << "home DC:       " << s.home_dc_id << "\n";
  out << "DCs:           " << st.dcs_total << " entries, " << st.dcs_with_auth_key << " with an auth key\n";
  for (const DcEntry& e : s.dcs) {
    std::string key = e.auth_key ? (show_secrets ? e.auth_key->RevealHex(kRevealSecrets) : "<redacted>") : "none";
    out << absl::StrFormat("  DC %-4d %-30s key %s  salt %d  time_offset %d  flags %s\n", e.dc_id,
                           absl::CHexEscape(e.addr), key, e.first_salt, e.time_offset, e.flags.ToString());
  }
  const UpdatesState& u = s.updates_state;
  out << "update state:  pts " << u.pts << ", qts " << u.qts << ", date " << u.date << ", seq " << u.seq
      << (u.is_initialised() ? "" : " (not initialised)") << "\n";
  out << "channel pts:   " << Count(st.channel_pts_entries, "channel") << "\n";
  out << "peers:         " << st.peers_total << " (" << Count(st.peers_users, "user") << ", "
      << Count(st.peers_channels, "channel") << ", " << Count(st.peers_chats, "chat") << ")\n";
  out << "min peers:     " << st.min_peers << "\n";
  out << "future token:  "
      << (s.future_auth_token
              ? (show_secrets ? s.future_auth_token->RevealHex(kRevealSecrets)
                              : absl::StrCat("<redacted> (", s.future_auth_token->size(), " bytes)"))
              : "none")
      << "\n";
  if (x.user_id) out << "user id:       " << *x.user_id << "\n";
  if (x.is_bot) out << "bot:           " << OptionalText(x.is_bot) << "\n";
  if (x.test_mode) out << "test mode:     " << OptionalText(x.test_mode) << "\n";
  if (x.api_id) out << "api_id:        " << *x.api_id << "\n";
  if (x.takeout_id) out << "takeout id:    " << *x.takeout_id << "\n";
  if (!x.peers.empty()) {
    size_t usernames = 0, phones = 0, names = 0;
    for (const auto& kv : x.peers) {
      usernames += kv.second.username ? 1 : 0;
      phones += kv.second.phone ? 1 : 0;
      names += kv.second.name ? 1 : 0;
    }
    out << "peer details:  " << usernames << " usernames, " << phones << " phone numbers, " << names << " names\n";
  }
  out << "binary size:   " << st.approx_bytes << " bytes (v" << ChooseBinaryVersion(s) << ")\n";
  for (const std::string& n : l.not_carried) out << "not carried:   " << cli::OneLine(n) << "\n";
  for (const std::string& w : ReadWarnings(l.info)) out << "warning:       " << cli::OneLine(w) << "\n";
}

bool HasExtras(const interop::SessionExtras& x) {
  return x.user_id || x.is_bot || x.test_mode || x.api_id || x.takeout_id || !x.peers.empty();
}

// The "extras" member: what other libraries' formats hold beyond the session.
void WriteExtras(JsonWriter& w, const interop::SessionExtras& x) {
  w.Key("extras");
  w.StartObject();
  if (x.user_id) w.Int64Member("user_id", *x.user_id);
  if (x.is_bot) w.BoolMember("is_bot", *x.is_bot);
  if (x.test_mode) w.BoolMember("test_mode", *x.test_mode);
  if (x.api_id) w.Int64Member("api_id", *x.api_id);
  if (x.takeout_id) w.Int64Member("takeout_id", *x.takeout_id);
  if (!x.peers.empty()) {
    w.Key("peers");
    w.StartArray();
    for (const auto& [marked, p] : x.peers) {
      w.StartObject();
      w.Int64Member("marked_id", marked);
      if (p.username) w.StringMember("username", *p.username);
      if (p.phone) w.StringMember("phone", *p.phone);
      if (p.name) w.StringMember("name", *p.name);
      if (p.is_bot) w.BoolMember("is_bot", *p.is_bot);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// inspect postgres:CONNSTRING/ : one line per session name (as pg list).
int ListPostgres(const PostgresLocation& loc, const Options& o, std::ostream& out, cli::MessageSink& err) {
  PostgresOptions po;
  po.pool_size = 1;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(loc.conninfo, po);
  if (!store.ok()) {
    err.Error("", store.status());
    return 1;
  }
  return cli::PrintPgList(**store, o.json, out, err);
}

int Inspect(const Options& o, std::istream& in, std::ostream& out, cli::MessageSink& err) {
  if (IsPostgresLocation(o.input)) {
    absl::StatusOr<PostgresLocation> loc = ParsePostgresLocation(o.input);
    if (!loc.ok()) {
      err.Error("", loc.status());
      return 2;
    }
    if (loc->name.empty()) return ListPostgres(*loc, o, out, err);
  }
  std::optional<ImportedSession> l = LoadOrReport(o, in, err);
  if (!l) return 1;
  if (o.json) {
    JsonWriteOptions jo;
    jo.reveal_secrets = o.show_secrets;
    jo.format = FormatLabel(*l) == "postgres" ? "postgres" : std::string(interop::FormatName(l->format));
    JsonWriter w(/*pretty=*/true);
    w.StartObject();
    WriteSessionMembers(w, l->session, jo);
    // Only when there are any, so ferogram sessions print as SessionToJson.
    if (HasExtras(l->extras)) WriteExtras(w, l->extras);
    w.EndObject();
    SecretString json(w.str());
    out << json.view() << "\n";
  } else {
    PrintHuman(*l, o.show_secrets, out);
  }
  return 0;
}

// Applies the values the user gave on the command line; returns notes on
// what they replaced.
std::vector<std::string> ApplyOverrides(const Options& o, interop::SessionExtras* x) {
  std::vector<std::string> notes;
  const auto apply = [&](const char* flag, auto& dst, const auto& v) {
    if (!v) return;
    if (dst && *dst != *v) notes.push_back(absl::StrCat(flag, " replaces the value read from the source"));
    dst = v;
  };
  apply("--user-id", x->user_id, o.user_id);
  apply("--api-id", x->api_id, o.api_id);
  apply("--bot/--no-bot", x->is_bot, o.is_bot);
  apply("--test-mode/--no-test-mode", x->test_mode, o.test_mode);
  return notes;
}

// What a conversion lacked, dropped, replaced and noticed: a line each.
void PrintSummary(const ImportedSession& l, const interop::ConversionSummary& sum,
                  const std::vector<std::string>& override_notes, cli::MessageSink& err) {
  for (const std::string& m : sum.missing) err.Say(m);
  for (const std::string& d : sum.dropped) err.Say(absl::StrCat("dropped: ", d));
  for (const std::string& n : override_notes) err.Say(absl::StrCat("note: ", n));
  for (const std::string& w : ReadWarnings(l.info)) err.Say(absl::StrCat("warning: ", w));
  for (const std::string& w : sum.warnings) err.Say(absl::StrCat("warning: ", w));
}

// convert --to postgres:CONNSTRING/NAME: saves the session under NAME,
// holding its lease for the duration.
int ConvertToPostgres(const Options& o, std::istream& in, cli::MessageSink& err) {
  if (o.encrypt) {
    err.Say("--encrypt applies to --to ferogram-binary only (PostgreSQL stores keys as the server protects them)");
    return 2;
  }
  if (!o.output.empty() || o.to_stdout) {
    err.Say("--to postgres:... writes to the database; -o and --stdout do not apply");
    return 2;
  }
  std::optional<ImportedSession> l = LoadOrReport(o, in, err);
  if (!l) return 1;
  const std::vector<std::string> override_notes = ApplyOverrides(o, &l->extras);
  const interop::ExportPlan plan = interop::PlanExport(*l, Format::kFerogramBinary);
  PostgresOptions po;
  po.pool_size = 1;
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(o.to_postgres->conninfo, po);
  if (!store.ok()) {
    err.Error("", store.status());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<PostgresBackend>> b = (*store)->OpenSession(o.to_postgres->name);
  if (!b.ok()) {
    err.Error("", b.status());
    return 1;
  }
  absl::StatusOr<std::optional<Session>> existing = (*b)->Load();
  if (!existing.ok()) {
    err.Error("", existing.status());
    return 1;
  }
  if (existing->has_value() && !o.force) {
    err.Say(absl::StrCat((*b)->Name(), " already holds a session; pass --force to replace it"));
    return 1;
  }
  if (absl::Status st = (*b)->Save(l->session); !st.ok()) {
    err.Error("", st);
    return 1;
  }
  if (absl::Status st = (*b)->Close(); !st.ok()) {
    err.Say(absl::StrCat("warning: ", st.message(), " (the lease will expire on its own)"));
  }
  err.Say(absl::StrCat(FormatLabel(*l), " -> ", (*b)->Name(), ": saved (", l->session.peers.size(), " peers, ",
                       l->session.dcs.size(), " DC entries)"));
  const interop::ConversionSummary& sum = plan.summary;
  PrintSummary(*l, sum, override_notes, err);
  return 0;
}

int Convert(const Options& o, std::istream& in, std::ostream& out, cli::MessageSink& err) {
  if (o.to_postgres) return ConvertToPostgres(o, in, err);
  if (o.to_name.empty()) {
    err.Say("convert needs --to FORMAT");
    return 2;
  }
  if (!o.to) {
    err.Say(absl::StrCat("unknown format ", cli::QuoteIfPlainWord(o.to_name), " (", FormatList(), ")"));
    return 2;
  }
  if (!interop::Spec(*o.to).writable) {
    err.Say(absl::StrCat(o.to_name, " is read only"));
    return 2;
  }
  if (o.output.empty() && !o.to_stdout) {
    err.Say("convert needs -o OUT (or --stdout: the output is a secret)");
    return 2;
  }
  std::optional<ImportedSession> l = LoadOrReport(o, in, err);
  if (!l) return 1;
  const std::vector<std::string> override_notes = ApplyOverrides(o, &l->extras);
  interop::WriteOptions eo;
  eo.now_unix = static_cast<int64_t>(std::time(nullptr));
  if (o.encrypt && *o.to != Format::kFerogramBinary) {
    err.Say("--encrypt applies to --to ferogram-binary only");
    return 2;
  }
  absl::StatusOr<ExportResult> encoded = interop::SqliteFormats().Write(*l, *o.to, eo);
  if (!encoded.ok()) {
    err.Error(absl::StrCat("cannot write ", o.to_name), encoded.status());
    return 1;
  }
  if (o.encrypt) {
    absl::StatusOr<std::optional<SecretString>> pass = ReadPassphrase(o);
    if (!pass.ok() || !pass->has_value()) {
      err.Say(absl::StrCat("--encrypt needs --passphrase-file or --passphrase-env",
                           pass.ok() ? "" : absl::StrCat(": ", pass.status().message())));
      return 2;
    }
    absl::StatusOr<std::unique_ptr<SessionCipher>> cipher = SessionCipher::ForNewFile((**pass).view(), KdfParams());
    if (!cipher.ok()) {
      err.Error("", cipher.status());
      return 1;
    }
    encoded->data = SecretString((*cipher)->Seal(encoded->data.view()));
    encoded->summary.warnings.push_back(
        "encrypted at rest (Argon2id + XChaCha20-Poly1305): ferogram cannot read this file");
  }
  const bool text = interop::Spec(*o.to).detection == interop::Detection::kText;
  if (!o.output.empty()) {
    const std::string path = ResolvePath(o.output);
    if (!o.force && PosixFileSystem()->Stat(path).ok()) {
      err.Say(absl::StrCat(path, " exists; pass --force to replace it"));
      return 1;
    }
    std::string data = encoded->data.str();
    if (text) data += "\n";
    SecretString data_guard(std::move(data));
    absl::Status st = WriteFileAtomically(PosixFileSystem(), path, data_guard.view());
    if (!st.ok()) {
      err.Error("", st);
      return 1;
    }
  }
  if (o.to_stdout) {
    out << encoded->data.str();
    if (text) out << "\n";
  }
  err.Say(absl::StrCat(FormatLabel(*l), " -> ", o.to_name,
                       o.output.empty() ? "" : absl::StrCat(": wrote ", ResolvePath(o.output), " (mode 0600)")));
  const interop::ConversionSummary& sum = encoded->summary;
  PrintSummary(*l, sum, override_notes, err);
  return 0;
}

}  // namespace

std::string TgsessionUsage() { return Usage(); }

int RunTgsession(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err_stream) {
  if (!args.empty() && args[0] == "pg") return cli::RunPg({args.begin() + 1, args.end()}, out, err_stream);
  Options o;
  absl::Status st = ParseArgs(args, &o);
  cli::MessageSink err(err_stream, o.verbose);
  if (!st.ok()) {
    err.Say(absl::StrCat(st.message(), kSeeHelp));
    return 2;
  }
  if (o.command == "help" || o.command == "--help" || o.command == "-h") {
    out << Usage();
    return 0;
  }
  if (o.command != "inspect" && o.command != "convert") {
    err.Say(absl::StrCat("unknown command ", cli::QuoteIfPlainWord(o.command), kSeeHelp));
    return 2;
  }
  if (o.input.empty()) {
    err.Say(absl::StrCat("missing INPUT", kSeeHelp));
    return 2;
  }
  return o.command == "inspect" ? Inspect(o, in, out, err) : Convert(o, in, out, err);
}

}  // namespace tgsession
