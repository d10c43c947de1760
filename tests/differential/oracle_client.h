// A long-lived ferogram-oracle process (../shared/tools/ferogram-oracle, the
// real ferogram-session 0.6.5 behind a command line; protocol in
// ../shared/tools/FEROGRAM-ORACLE.md) driven through a socket pair:
// `decode-*` takes frames (u32 little-endian length, then the bytes) and
// answers one JSON line per frame; `encode-binary` takes and answers lines.
// One process serves any number of batches, so a fuzzer pays its start-up
// once.
#ifndef TGSESSION_TESTS_DIFFERENTIAL_ORACLE_CLIENT_H_
#define TGSESSION_TESTS_DIFFERENTIAL_ORACLE_CLIENT_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace tgsession {
namespace differential {

// The environment variable tools/setup.sh sets (in .bazelrc.local) when
// ../shared/tools/ferogram-oracle exists.
inline constexpr char kOracleEnv[] = "TGS_FEROGRAM_ORACLE";
// What a test prints when it skips for want of the oracle.
inline constexpr char kOracleMissing[] = "skipped: ../shared/tools/ferogram-oracle not found";

// The oracle executable: $TGS_FEROGRAM_ORACLE, else ../shared/tools/
// ferogram-oracle from the working directory (scripts run from the
// checkout); nullopt when neither is an executable file.
std::optional<std::string> FindOracle();

class OracleProcess {
 public:
  // Starts `exe` with `args` (e.g. {"decode-binary", "--with-reencode"}).
  static absl::StatusOr<std::unique_ptr<OracleProcess>> Start(const std::string& exe, std::vector<std::string> args);
  ~OracleProcess();  // closes its input and reaps it
  OracleProcess(const OracleProcess&) = delete;
  OracleProcess& operator=(const OracleProcess&) = delete;

  // decode-*: sends one frame per input and returns the oracle's line for
  // each, in order.
  absl::StatusOr<std::vector<std::string>> Frames(absl::Span<const std::string> inputs);
  // encode-binary: sends one line per input (no newlines inside) and
  // returns one line each.
  absl::StatusOr<std::vector<std::string>> Lines(absl::Span<const std::string> lines);
  // Subcommands that read nothing (panic-selftest): the next `n` lines.
  absl::StatusOr<std::vector<std::string>> Read(size_t n) { return Exchange("", n); }

 private:
  OracleProcess(pid_t pid, int fd, std::string what) : pid_(pid), fd_(fd), what_(std::move(what)) {}
  // Writes `out` while reading until `lines` complete lines arrived.
  absl::StatusOr<std::vector<std::string>> Exchange(const std::string& out, size_t lines);
  std::string ExitDescription();

  pid_t pid_;
  int fd_;
  std::string what_;     // "ferogram-oracle decode-binary", for messages
  std::string pending_;  // bytes read past the last complete line
};

}  // namespace differential
}  // namespace tgsession

#endif  // TGSESSION_TESTS_DIFFERENTIAL_ORACLE_CLIENT_H_
