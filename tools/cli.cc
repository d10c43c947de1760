#include "tools/cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "backends/binary_file_backend.h"
#include "backends/encryption.h"
#include "backends/file_system.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/json.h"
#include "session/secret.h"
#include "session/status_macros.h"
#include "session/string_codec.h"

namespace tgsession {
namespace {

// Largest input file or stdin we read (far above any real session).
constexpr size_t kMaxInputBytes = 512u << 20;

std::string Usage() {
  return R"(usage:
  tgsession inspect [--json] [--show-secrets] [--strict] [--from FORMAT] [PASSPHRASE] INPUT
  tgsession convert --to FORMAT [--from FORMAT] [--user-id ID] [--force] [--encrypt] [PASSPHRASE]
                    INPUT (-o OUT | --stdout)
  tgsession help

INPUT is a file, a session string, or - for standard input. The format is
detected unless --from names it.

FORMAT: ferogram-binary (v8 when the session fits, else tgsession's v9),
        ferogram-native (base64url of the binary), ferogram-compact (V2)

PASSPHRASE, for files encrypted at rest (BinaryFileBackend with a passphrase):
  --passphrase-file FILE (first line) or --passphrase-env VARIABLE.
  convert --to ferogram-binary --encrypt writes an encrypted file.
A binary file's journal (FILE.journal) is applied when present.

Auth keys and tokens are printed as <redacted> unless --show-secrets is given.
Session strings are secrets: convert writes them to a file (mode 0600) and to
standard output only with --stdout.
)";
}

struct Options {
  std::string command;
  bool json = false;
  bool show_secrets = false;
  bool strict = false;
  bool force = false;
  bool to_stdout = false;
  std::string from;
  std::string to;
  std::string output;
  std::optional<int64_t> user_id;
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

bool IsKnownFormat(absl::string_view f) {
  return f == "ferogram-binary" || f == "ferogram-native" || f == "ferogram-compact";
}

absl::Status ParseArgs(const std::vector<std::string>& args, Options* o) {
  if (args.empty()) return absl::InvalidArgumentError("missing command");
  o->command = args[0];
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
    } else if (a == "--from") {
      TGS_RETURN_IF_ERROR(value(&o->from));
    } else if (a == "--to") {
      TGS_RETURN_IF_ERROR(value(&o->to));
    } else if (a == "-o" || a == "--output") {
      TGS_RETURN_IF_ERROR(value(&o->output));
    } else if (a == "--user-id") {
      std::string v;
      TGS_RETURN_IF_ERROR(value(&v));
      int64_t id;
      if (!absl::SimpleAtoi(v, &id)) return absl::InvalidArgumentError(absl::StrCat("--user-id: not an integer: ", v));
      o->user_id = id;
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", a));
    } else if (o->input.empty()) {
      o->input = a;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument ", a));
    }
  }
  if (!o->from.empty() && !IsKnownFormat(o->from)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown format ", o->from));
  }
  return absl::OkStatus();
}

struct Input {
  SecretString bytes;
  bool from_file = false;
  std::string label;  // path or "argument"/"stdin"
};

absl::StatusOr<Input> ReadInput(const std::string& arg, std::istream& in) {
  Input out;
  if (arg == "-") {
    std::string data;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      data.append(buf, static_cast<size_t>(in.gcount()));
      if (data.size() > kMaxInputBytes) {
        SecureZero(&data[0], data.size());
        return absl::ResourceExhaustedError(absl::StrCat("standard input is over ", kMaxInputBytes, " bytes"));
      }
    }
    out.bytes = SecretString(std::move(data));
    out.label = "stdin";
    return out;
  }
  const std::string path = ResolvePath(arg);
  absl::StatusOr<FileInfo> info = PosixFileSystem()->Stat(path);
  if (info.ok()) {
    TGS_ASSIGN_OR_RETURN(std::string data, ReadFileBounded(PosixFileSystem(), path, kMaxInputBytes));
    out.bytes = SecretString(std::move(data));
    out.from_file = true;
    out.label = path;
    return out;
  }
  // Not a file: a session string given on the command line?
  const absl::string_view t = TrimUnicodeWhitespace(arg);
  if (!t.empty() && IsBase64Text(t, Base64Alphabet::kUrlSafe, false) && t.size() >= 8) {
    out.bytes = SecretString(std::string(arg));
    out.label = "argument";
    return out;
  }
  return absl::NotFoundError(absl::StrCat("no such file: ", arg));
}

struct Loaded {
  SessionFormat format = SessionFormat::kFerogramBinary;
  Session session;
  DecodeInfo info;
  std::optional<CompactSession> compact;
  bool encrypted = false;
  bool journal_applied = false;
};

// The passphrase named by --passphrase-file / --passphrase-env, if any.
absl::StatusOr<std::optional<SecretString>> ReadPassphrase(const Options& o) {
  if (!o.passphrase_file.empty()) {
    TGS_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(PosixFileSystem(), ResolvePath(o.passphrase_file), 4096));
    SecretString guard(std::move(text));
    absl::string_view line = guard.view().substr(0, guard.view().find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return absl::InvalidArgumentError("the passphrase file is empty");
    return std::optional<SecretString>(SecretString(std::string(line)));
  }
  if (!o.passphrase_env.empty()) {
    const char* v = std::getenv(o.passphrase_env.c_str());
    if (v == nullptr || *v == '\0') {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", o.passphrase_env, " is not set"));
    }
    return std::optional<SecretString>(SecretString(std::string(v)));
  }
  return std::optional<SecretString>();
}

absl::StatusOr<Loaded> Decode(const Input& input, const Options& o) {
  StringDecodeOptions opts;
  opts.limits.max_chars = kMaxInputBytes;
  if (o.strict) opts.binary.mode = DecodeMode::kStrict;
  Loaded l;
  // A session file of BinaryFileBackend: encrypted, or with a journal of
  // changes beside it. Read it the way the backend does.
  if (input.from_file && (o.from.empty() || o.from == "ferogram-binary")) {
    const bool encrypted = IsEncryptedSession(input.bytes.view());
    const bool journal = PosixFileSystem()->Stat(input.label + ".journal").ok();
    if (encrypted || journal) {
      TGS_ASSIGN_OR_RETURN(std::optional<SecretString> pass, ReadPassphrase(o));
      if (encrypted && !pass) {
        return absl::FailedPreconditionError(
            "the file is encrypted: give the passphrase with --passphrase-file or --passphrase-env");
      }
      TGS_ASSIGN_OR_RETURN(std::optional<Session> s,
                           BinaryFileBackend::ReadSessionFiles(input.label, opts.binary, nullptr,
                                                               pass ? pass->view() : absl::string_view()));
      if (!s) return absl::NotFoundError("the file disappeared while reading it");
      l.format = SessionFormat::kFerogramBinary;
      l.session = *std::move(s);
      l.encrypted = encrypted;
      l.journal_applied = journal;
      return l;
    }
  }
  if (o.from.empty()) {
    TGS_ASSIGN_OR_RETURN(DecodedSession d, DecodeAnySession(input.bytes.view(), opts));
    l.format = d.format;
    l.session = std::move(d.session);
    l.info = std::move(d.info);
    l.compact = std::move(d.compact);
    return l;
  }
  if (o.from == "ferogram-binary") {
    l.format = SessionFormat::kFerogramBinary;
    TGS_ASSIGN_OR_RETURN(l.session, DecodeBinary(input.bytes.view(), opts.binary, &l.info));
  } else if (o.from == "ferogram-native") {
    l.format = SessionFormat::kFerogramNative;
    TGS_ASSIGN_OR_RETURN(l.session, DecodeNativeString(input.bytes.view(), opts, &l.info));
  } else {
    l.format = SessionFormat::kFerogramCompact;
    TGS_ASSIGN_OR_RETURN(CompactSession c, DecodeCompactString(input.bytes.view(), opts, &l.info));
    l.session = CompactToSession(c);
    l.compact = std::move(c);
  }
  return l;
}

std::string FormatLabel(const Loaded& l) {
  std::string s(SessionFormatName(l.format));
  if (l.info.version > 0) {
    absl::StrAppend(&s, l.format == SessionFormat::kFerogramCompact ? " V" : " v", l.info.version);
  }
  if (l.info.read_as_v1_fallback) absl::StrAppend(&s, " (v1 file whose first byte looks like a version)");
  if (l.encrypted) absl::StrAppend(&s, " (encrypted at rest)");
  if (l.journal_applied) absl::StrAppend(&s, " (+ journal)");
  return s;
}

void PrintHuman(const Loaded& l, bool show_secrets, std::ostream& out) {
  const Session& s = l.session;
  const SessionStats st = s.Stats();
  out << "format:        " << FormatLabel(l) << "\n";
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
  out << "channel pts:   " << st.channel_pts_entries << " channels\n";
  out << "peers:         " << st.peers_total << " (" << st.peers_users << " users, " << st.peers_channels
      << " channels, " << st.peers_chats << " chats)\n";
  out << "min peers:     " << st.min_peers << "\n";
  out << "future token:  "
      << (s.future_auth_token
              ? (show_secrets ? s.future_auth_token->RevealHex(kRevealSecrets)
                              : absl::StrCat("<redacted> (", s.future_auth_token->size(), " bytes)"))
              : "none")
      << "\n";
  if (l.compact) {
    out << "user id:       " << l.compact->user_id << " (compact string)\n";
    if (l.compact->version == 1) {
      out << "layer:         " << l.compact->layer << ", seq_no " << l.compact->seq_no << "\n";
    }
  }
  out << "binary size:   " << st.approx_bytes << " bytes (v" << ChooseBinaryVersion(s) << ")\n";
  for (const std::string& w : l.info.warnings) out << "warning:       " << w << "\n";
  if (l.info.anomaly_count > l.info.warnings.size()) {
    out << "warning:       " << (l.info.anomaly_count - l.info.warnings.size()) << " more anomalies\n";
  }
}

int Inspect(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Input> input = ReadInput(o.input, in);
  if (!input.ok()) {
    err << "tgsession: " << input.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<Loaded> l = Decode(*input, o);
  if (!l.ok()) {
    err << "tgsession: " << input->label << ": " << l.status().message() << "\n";
    return 1;
  }
  if (o.json) {
    JsonWriteOptions jo;
    jo.reveal_secrets = o.show_secrets;
    jo.format = std::string(SessionFormatName(l->format));
    SecretString json(SessionToJson(l->session, jo));
    out << json.str() << "\n";
  } else {
    PrintHuman(*l, o.show_secrets, out);
  }
  return 0;
}

int Convert(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.to.empty()) {
    err << "tgsession: convert needs --to FORMAT\n";
    return 2;
  }
  if (!IsKnownFormat(o.to)) {
    err << "tgsession: unknown format " << o.to << "\n";
    return 2;
  }
  if (o.output.empty() && !o.to_stdout) {
    err << "tgsession: convert needs -o OUT (or --stdout: the output is a secret)\n";
    return 2;
  }
  absl::StatusOr<Input> input = ReadInput(o.input, in);
  if (!input.ok()) {
    err << "tgsession: " << input.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<Loaded> l = Decode(*input, o);
  if (!l.ok()) {
    err << "tgsession: " << input->label << ": " << l.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> notes;
  absl::StatusOr<std::string> encoded;
  bool text = true;
  if (o.encrypt && o.to != "ferogram-binary") {
    err << "tgsession: --encrypt applies to --to ferogram-binary only\n";
    return 2;
  }
  if (o.to == "ferogram-binary") {
    text = false;
    encoded = EncodeBinary(l->session);
    if (encoded.ok() && (*encoded)[0] == kExtendedBinaryVersion) {
      notes.push_back("written as tgsession binary v9: the session does not fit ferogram's v8 counts");
    }
    if (encoded.ok() && o.encrypt) {
      SecretString plain(*std::move(encoded));
      absl::StatusOr<std::optional<SecretString>> pass = ReadPassphrase(o);
      if (!pass.ok() || !pass->has_value()) {
        err << "tgsession: --encrypt needs --passphrase-file or --passphrase-env"
            << (pass.ok() ? "" : absl::StrCat(": ", pass.status().message())) << "\n";
        return 2;
      }
      absl::StatusOr<std::unique_ptr<SessionCipher>> cipher = SessionCipher::ForNewFile((**pass).view(), KdfParams());
      if (!cipher.ok()) {
        encoded = cipher.status();
      } else {
        encoded = (*cipher)->Seal(plain.view());
        notes.push_back("encrypted at rest (Argon2id + XChaCha20-Poly1305): ferogram cannot read this file");
      }
    }
  } else if (o.to == "ferogram-native") {
    encoded = EncodeNativeString(l->session);
  } else {
    int64_t user_id = 0;
    if (o.user_id) {
      user_id = *o.user_id;
    } else if (l->compact) {
      user_id = l->compact->user_id;
    } else {
      notes.push_back("user_id: missing in the source, written as 0 (pass --user-id)");
    }
    absl::StatusOr<CompactSession> c = SessionToCompact(l->session, user_id);
    if (!c.ok()) {
      encoded = c.status();
    } else {
      encoded = EncodeCompactString(*c);
      const SessionStats st = l->session.Stats();
      if (st.dcs_total > 1) notes.push_back(absl::StrCat("dropped: ", st.dcs_total - 1, " DC entries besides the home DC"));
      if (st.peers_total + st.min_peers + st.channel_pts_entries > 0 || l->session.updates_state.pts != 0) {
        notes.push_back("dropped: update state and peer cache (the compact format holds one DC)");
      }
      if (l->session.future_auth_token) notes.push_back("dropped: future auth token");
    }
  }
  if (!encoded.ok()) {
    err << "tgsession: cannot write " << o.to << ": " << encoded.status().message() << "\n";
    return 1;
  }
  SecretString result(*std::move(encoded));
  if (o.to_stdout) {
    out << result.str();
    if (text) out << "\n";
  }
  if (!o.output.empty()) {
    const std::string path = ResolvePath(o.output);
    if (!o.force && PosixFileSystem()->Stat(path).ok()) {
      err << "tgsession: " << path << " exists; pass --force to replace it\n";
      return 1;
    }
    std::string data = result.str();
    if (text) data += "\n";
    SecretString data_guard(std::move(data));
    absl::Status st = WriteFileAtomically(PosixFileSystem(), path, data_guard.view());
    if (!st.ok()) {
      err << "tgsession: " << st.message() << "\n";
      return 1;
    }
  }
  err << "tgsession: " << FormatLabel(*l) << " -> " << o.to
      << (o.output.empty() ? "" : absl::StrCat(": wrote ", ResolvePath(o.output), " (mode 0600)")) << "\n";
  for (const std::string& n : notes) err << "tgsession: " << n << "\n";
  for (const std::string& w : l->info.warnings) err << "tgsession: warning: " << w << "\n";
  return 0;
}

}  // namespace

std::string TgsessionUsage() { return Usage(); }

int RunTgsession(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Options o;
  absl::Status st = ParseArgs(args, &o);
  if (!st.ok()) {
    err << "tgsession: " << st.message() << "\n" << Usage();
    return 2;
  }
  if (o.command == "help" || o.command == "--help" || o.command == "-h") {
    out << Usage();
    return 0;
  }
  if (o.command != "inspect" && o.command != "convert") {
    err << "tgsession: unknown command " << o.command << "\n" << Usage();
    return 2;
  }
  if (o.input.empty()) {
    err << "tgsession: missing INPUT\n" << Usage();
    return 2;
  }
  return o.command == "inspect" ? Inspect(o, in, out, err) : Convert(o, in, out, err);
}

}  // namespace tgsession
