#include "backends/lock_holder.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace tgsession {
namespace {

constexpr absl::string_view kMagic = "tgsession-lock v1";
// A record is one short line; anything longer is not ours.
constexpr size_t kMaxRecordBytes = 1024;

std::string ReadSmallFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string out(kMaxRecordBytes, '\0');
  f.read(&out[0], static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(f.gcount()));
  return out;
}

// Host names cannot hold spaces or controls; a strange one must still not
// break the record's line.
std::string Sanitize(absl::string_view v) {
  std::string out;
  for (char c : v.substr(0, 255)) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u <= 0x20 || u >= 0x7f || c == '=' ? '?' : c);
  }
  return out.empty() ? "?" : out;
}

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "unknown-host";
  return Sanitize(host);
}

std::string BootId() {
  return std::string(absl::StripAsciiWhitespace(ReadSmallFile("/proc/sys/kernel/random/boot_id")));
}

// Field 22 of /proc/PID/stat (clock ticks after boot), or 0. The command
// name (field 2) may hold spaces and parentheses: fields are counted from
// the last ')'.
uint64_t ProcessStart(int64_t pid) {
  const std::string stat = ReadSmallFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
  uint64_t start = 0;
  // fields[0] is field 3 (state), so field 22 is fields[19].
  if (fields.size() > 19 && absl::SimpleAtoi(fields[19], &start)) return start;
  return 0;
}

}  // namespace

LockHolder LockHolder::Current() {
  LockHolder h;
  h.pid = ::getpid();
  h.host = HostName();
  h.since = absl::Now();
  h.boot_id = Sanitize(BootId());
  if (h.boot_id == "?") h.boot_id.clear();
  h.process_start = ProcessStart(h.pid);
  return h;
}

std::string EncodeLockHolder(const LockHolder& h) {
  return absl::StrCat(kMagic, " pid=", h.pid, " host=", Sanitize(h.host), " since=",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", h.since, absl::UTCTimeZone()),
                      " boot=", h.boot_id.empty() ? "-" : Sanitize(h.boot_id), " start=", h.process_start, "\n");
}

std::optional<LockHolder> ParseLockHolder(absl::string_view text) {
  if (text.size() > kMaxRecordBytes || !absl::ConsumePrefix(&text, kMagic)) return std::nullopt;
  if (!absl::ConsumeSuffix(&text, "\n")) return std::nullopt;
  LockHolder h;
  bool have_pid = false, have_host = false, have_since = false;
  for (absl::string_view field : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    const size_t eq = field.find('=');
    if (eq == absl::string_view::npos) return std::nullopt;
    const absl::string_view key = field.substr(0, eq);
    const absl::string_view value = field.substr(eq + 1);
    if (key == "pid") {
      have_pid = absl::SimpleAtoi(value, &h.pid) && h.pid > 0;
    } else if (key == "host") {
      h.host = std::string(value);
      have_host = !value.empty();
    } else if (key == "since") {
      std::string err;
      have_since = absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", value, absl::UTCTimeZone(), &h.since, &err);
    } else if (key == "boot") {
      h.boot_id = value == "-" ? "" : std::string(value);
    } else if (key == "start") {
      if (!absl::SimpleAtoi(value, &h.process_start)) return std::nullopt;
    }
  }
  if (!have_pid || !have_host || !have_since) return std::nullopt;
  return h;
}

HolderState CheckLockHolder(const LockHolder& h) {
  if (h.host != HostName()) return HolderState::kOtherHost;
  const std::string boot = BootId();
  if (!h.boot_id.empty() && !boot.empty() && h.boot_id != boot) return HolderState::kGone;
  if (h.pid <= 0 || h.pid > INT32_MAX) return HolderState::kGone;
  if (::kill(static_cast<pid_t>(h.pid), 0) != 0 && errno == ESRCH) return HolderState::kGone;
  if (h.process_start != 0) {
    const uint64_t now = ProcessStart(h.pid);
    // A readable start time that differs: the pid was reused.
    if (now != 0 && now != h.process_start) return HolderState::kGone;
  }
  return HolderState::kAlive;
}

std::string DescribeLockHolder(const std::optional<LockHolder>& h) {
  if (!h) return "in use by another process or backend (it left no record of itself)";
  const std::string who = absl::StrCat("process ", h->pid, " on host ", h->host, " since ",
                                       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", h->since, absl::UTCTimeZone()));
  switch (CheckLockHolder(*h)) {
    case HolderState::kAlive:
      return absl::StrCat("in use by ", who);
    case HolderState::kOtherHost:
      return absl::StrCat("in use by ", who, " (another host: not checked from here)");
    case HolderState::kGone:
      break;
  }
  return absl::StrCat("in use by another process: the lock is held, but its record names ", who,
                      ", which is gone (the lock may be held by a process it forked, or by a program that is not "
                      "tgsession)");
}

}  // namespace tgsession
