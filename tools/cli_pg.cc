#include "tools/cli_pg.h"

#include <pwd.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "session/json_writer.h"

namespace tgsession {
namespace cli {
namespace {

constexpr absl::string_view kSeeHelp = " (tgsession help shows the usage)";

struct PgArgs {
  std::string command;
  bool json = false;
  bool yes = false;
  bool dry_run = false;
  bool verbose = false;
  std::optional<std::string> note;
  std::string location;
};

absl::Status ParsePgArgs(const std::vector<std::string>& args, PgArgs* a) {
  if (args.empty()) return absl::InvalidArgumentError("pg needs a command: list, stats, release, delete, migrate");
  a->command = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s == "--json") {
      a->json = true;
    } else if (s == "--yes") {
      a->yes = true;
    } else if (s == "--dry-run") {
      a->dry_run = true;
    } else if (s == "--verbose") {
      a->verbose = true;
    } else if (s == "--note") {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError("--note needs a value");
      a->note = args[++i];
    } else if (s.size() > 1 && s[0] == '-') {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", QuoteIfPlainWord(s), " for pg"));
    } else if (a->location.empty()) {
      a->location = s;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("a second location ", DescribeArgument(s), ": give one"));
    }
  }
  return absl::OkStatus();
}

std::string Utc(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

// "tgsession pg release by root@worker-7 at 2026-...Z": who forced it, for
// the fenced holder and for `pg list`.
std::string DefaultNote() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  const passwd* pw = ::getpwuid(::geteuid());
  return absl::StrCat("tgsession pg release by ", pw != nullptr ? pw->pw_name : "?", "@", host[0] ? host : "?",
                      " at ", Utc(absl::Now()));
}

absl::StatusOr<std::unique_ptr<PostgresStore>> OpenStore(const PostgresLocation& loc) {
  PostgresOptions o;
  o.pool_size = 1;
  o.auto_migrate = false;  // only `pg migrate` changes the schema
  o.renew_interval = absl::InfiniteDuration();
  return PostgresStore::Open(loc.conninfo, o);
}

int Stats(PostgresStore& store, bool json, std::ostream& out, MessageSink& err) {
  absl::StatusOr<PostgresStoreStats> s = store.Stats();
  if (!s.ok()) {
    err.Error("", s.status());
    return 1;
  }
  const std::pair<const char*, int64_t> counts[] = {
      {"sessions", s->sessions},         {"saved_sessions", s->saved_sessions}, {"dc_entries", s->dc_entries},
      {"peers", s->peers},               {"min_peers", s->min_peers},           {"channel_pts", s->channel_pts},
      {"leases_held", s->leases_held},   {"leases_expired", s->leases_expired}, {"database_bytes", s->database_bytes}};
  if (json) {
    JsonWriter w(/*pretty=*/true);
    w.StartObject();
    w.StringMember("store", absl::StrCat("postgres:", store.description()));
    w.Int64Member("schema_version", s->schema_version);
    for (const auto& [key, value] : counts) {
      w.Int64Member(key, value);
    }
    w.EndObject();
    out << w.str() << "\n";
    return 0;
  }
  out << "store:          postgres:" << OneLine(store.description()) << "\n"
      << "schema version: " << s->schema_version << "\n";
  for (const auto& [key, value] : counts) out << absl::StrFormat("%-15s %d\n", absl::StrCat(key, ":"), value);
  return 0;
}

int Release(PostgresStore& store, const PgArgs& a, const std::string& name, MessageSink& err) {
  const std::string note = a.note ? *a.note : DefaultNote();
  absl::StatusOr<ReleasedLease> r = store.ForceRelease(name, note);
  if (!r.ok()) {
    err.Error("", r.status());
    return 1;
  }
  const std::string where = absl::StrCat("postgres:", store.description(), "/", name);
  if (!r->was_held) {
    err.Say(absl::StrCat(where, ": nobody holds the lease; nothing to release"));
    return 0;
  }
  err.Say(absl::StrCat(where, ": lease released (it was held by ", r->old_owner.value_or("?"), ", epoch ",
                       r->old_epoch, " -> ", r->new_epoch, "); the old holder can no longer write"));
  return 0;
}

int Migrate(const PostgresLocation& loc, bool dry_run, std::ostream& out, MessageSink& err) {
  PostgresOptions o;
  absl::StatusOr<PostgresMigration> m =
      dry_run ? PostgresStore::PlanMigration(loc.conninfo, o) : PostgresStore::Migrate(loc.conninfo, o);
  if (!m.ok()) {
    err.Error("", m.status());
    return 1;
  }
  if (m->statements.empty() || m->from_version == m->to_version) {
    err.Say(absl::StrCat("the schema is current (version ", m->to_version, "); nothing to do"));
    return 0;
  }
  for (const std::string& s : m->statements) out << s << ";\n\n";
  err.Say(dry_run ? absl::StrCat("dry run: ", m->statements.size(), " statements would take the schema from version ",
                                 m->from_version, " to ", m->to_version, " in one transaction; nothing was changed")
                  : absl::StrCat("migrated the schema from version ", m->from_version, " to ", m->to_version, " (",
                                 m->statements.size(), " statements, one transaction)"));
  return 0;
}

}  // namespace

const char* PgUsage() {
  return R"(  tgsession pg list    [--json] postgres:CONNSTRING/
  tgsession pg stats   [--json] postgres:CONNSTRING/
  tgsession pg release --yes [--note TEXT] postgres:CONNSTRING/NAME
  tgsession pg delete  --yes postgres:CONNSTRING/NAME
  tgsession pg migrate [--dry-run] postgres:CONNSTRING/
)";
}

int PrintPgList(PostgresStore& store, bool json, std::ostream& out, MessageSink& err) {
  absl::StatusOr<std::vector<StoredSessionInfo>> list = store.List();
  if (!list.ok()) {
    err.Error("", list.status());
    return 1;
  }
  absl::StatusOr<std::string> tls_or = store.TlsProtocol();
  const std::string tls = tls_or.ok() ? *tls_or : "";
  if (json) {
    JsonWriter w(/*pretty=*/true);
    w.StartObject();
    w.StringMember("store", absl::StrCat("postgres:", store.description()));
    w.StringMember("tls", tls);
    w.Key("sessions");
    w.StartArray();
    for (const StoredSessionInfo& i : *list) {
      w.StartObject();
      w.StringMember("name", i.name);
      w.BoolMember("has_session", i.has_session);
      w.Int64Member("home_dc_id", i.home_dc_id);
      w.Int64Member("peers", i.peers);
      w.Key("lease");
      if (i.lease_owner) {
        w.StartObject();
        w.StringMember("owner", *i.lease_owner);
        w.Int64Member("epoch", i.lease_epoch);
        w.Key("expires_in_ms");
        if (i.lease_remaining) {
          w.Int64(absl::ToInt64Milliseconds(*i.lease_remaining));
        } else {
          w.Null();
        }
        w.Key("since");
        if (i.lease_since) {
          w.Utf8String(Utc(*i.lease_since));
        } else {
          w.Null();
        }
        w.EndObject();
      } else {
        w.Null();
      }
      if (i.lease_note) {
        w.StringMember("lease_note", *i.lease_note);
      } else {
        w.Key("lease_note");
        w.Null();
      }
      w.StringMember("updated_at", absl::FormatTime(absl::RFC3339_sec, i.updated_at, absl::UTCTimeZone()));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out << w.str() << "\n";
    return 0;
  }
  out << "store:    postgres:" << OneLine(store.description()) << (tls.empty() ? "" : absl::StrCat(" (", tls, ")"))
      << "\nsessions: " << list->size() << "\n";
  for (const StoredSessionInfo& i : *list) {
    std::string lease = "free";
    if (i.lease_owner) {
      const int64_t ms = i.lease_remaining ? absl::ToInt64Milliseconds(*i.lease_remaining) : 0;
      // Owners and notes are text other processes chose: one line of text.
      const std::string owner = OneLine(*i.lease_owner);
      const std::string since = i.lease_since ? absl::StrCat(" since ", Utc(*i.lease_since)) : "";
      lease = ms > 0 ? absl::StrFormat("held by %s%s (expires in %.1f s)", owner, since, ms / 1000.0)
                     : absl::StrCat("expired (last held by ", owner, since, ")");
    } else if (i.lease_note) {
      lease = absl::StrCat("free (released: ", OneLine(*i.lease_note), ")");
    }
    out << absl::StrFormat("  %-24s %-6s home DC %-3d %7d peers  %s, updated %s\n", OneLine(i.name),
                           i.has_session ? "saved" : "empty", i.home_dc_id, i.peers, lease,
                           absl::FormatTime(absl::RFC3339_sec, i.updated_at, absl::UTCTimeZone()));
  }
  return 0;
}

int RunPg(const std::vector<std::string>& args, std::ostream& out, std::ostream& err_stream) {
  PgArgs a;
  absl::Status parsed = ParsePgArgs(args, &a);
  MessageSink err(err_stream, a.verbose);
  if (!parsed.ok()) {
    err.Say(absl::StrCat(parsed.message(), kSeeHelp));
    return 2;
  }
  const bool names_a_session = a.command == "release" || a.command == "delete";
  if (a.command != "list" && a.command != "stats" && a.command != "migrate" && !names_a_session) {
    err.Say(absl::StrCat("unknown pg command ", QuoteIfPlainWord(a.command),
                         " (list, stats, release, delete, migrate)", kSeeHelp));
    return 2;
  }
  if (a.location.empty()) {
    err.Say(absl::StrCat("pg ", a.command, " needs ",
                         names_a_session ? "postgres:CONNSTRING/NAME" : "postgres:CONNSTRING/", kSeeHelp));
    return 2;
  }
  if (!IsPostgresLocation(a.location)) {
    err.Say(absl::StrCat("pg ", a.command, " takes a location that starts with postgres: (not ",
                         DescribeArgument(a.location), ")", kSeeHelp));
    return 2;
  }
  absl::StatusOr<PostgresLocation> loc = ParsePostgresLocation(a.location);
  if (!loc.ok()) {
    err.Error("", loc.status());
    return 2;
  }
  if (names_a_session && loc->name.empty()) {
    err.Say(absl::StrCat("pg ", a.command, " needs a session NAME: postgres:CONNSTRING/NAME", kSeeHelp));
    return 2;
  }
  if (!names_a_session && !loc->name.empty()) {
    err.Say(absl::StrCat("pg ", a.command, " works on the whole store: postgres:CONNSTRING/ without a NAME",
                         kSeeHelp));
    return 2;
  }
  if (names_a_session && !a.yes) {
    err.Say(a.command == "release"
                ? "pg release forces the lease free and fences its holder, which can no longer write: pass --yes"
                : "pg delete removes the session and everything stored under it: pass --yes");
    return 2;
  }
  if (a.command == "migrate") return Migrate(*loc, a.dry_run, out, err);
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = OpenStore(*loc);
  if (!store.ok()) {
    err.Error("", store.status());
    return 1;
  }
  if (a.command == "list") return PrintPgList(**store, a.json, out, err);
  if (a.command == "stats") return Stats(**store, a.json, out, err);
  if (a.command == "release") return Release(**store, a, loc->name, err);
  absl::Status deleted = (*store)->Delete(loc->name);
  if (!deleted.ok()) {
    err.Error("", deleted);
    return 1;
  }
  err.Say(absl::StrCat("postgres:", (*store)->description(), "/", loc->name, ": deleted"));
  return 0;
}

}  // namespace cli
}  // namespace tgsession
