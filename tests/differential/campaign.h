// The differential check in batches: inputs are queued per decoder, and a
// flush sends each queue to its long-lived oracle process, compares every
// answer (compare.h) and counts the outcomes. RunCampaign drives it with the
// seeds and generated inputs (generator.h); the libFuzzer target drives it
// with the fuzzer's inputs.
#ifndef TGSESSION_TESTS_DIFFERENTIAL_CAMPAIGN_H_
#define TGSESSION_TESTS_DIFFERENTIAL_CAMPAIGN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "session/session.h"
#include "tests/differential/differences.h"
#include "tests/differential/oracle_client.h"

namespace tgsession {
namespace differential {

enum Check { kBinary, kNative, kCompact, kEncode, kCheckCount };
const char* CheckName(int check);  // "binary", "native", "compact", "encode"

struct Tally {
  size_t inputs = 0;
  size_t ours_accepted = 0;
  size_t theirs_accepted = 0;
  size_t reencodes = 0;  // encodings compared byte for byte
  size_t by_difference[kDifferenceCount] = {};
};

// An input the harness could not explain (Difference::kUnlisted).
struct Finding {
  int check = kBinary;
  std::string input;  // bytes, text, or for kEncode the session's JSON
  std::string detail;
};

class DifferentialChecker {
 public:
  // Starts one oracle process per check.
  static absl::StatusOr<std::unique_ptr<DifferentialChecker>> Start(const std::string& oracle);

  void AddBinary(std::string input) { pending_[kBinary].push_back(std::move(input)); }
  void AddNative(std::string text) { pending_[kNative].push_back(std::move(text)); }
  void AddCompact(std::string text) { pending_[kCompact].push_back(std::move(text)); }
  void AddSession(Session session);
  size_t pending() const;

  // Sends every queue to its oracle and compares. Each flush runs the
  // string decoders on the next base64 kernel this CPU has (base64.h), so
  // the scalar reference and the vector kernels all meet the oracle.
  absl::Status Flush();

  const Tally& tally(int check) const { return tally_[check]; }
  const std::vector<Finding>& findings() const { return findings_; }
  size_t unlisted() const;

 private:
  DifferentialChecker() = default;

  std::unique_ptr<OracleProcess> oracle_[kCheckCount];
  std::vector<std::string> pending_[kCheckCount];
  std::vector<Session> sessions_;  // for kEncode, beside their JSON in pending_
  Tally tally_[kCheckCount];
  std::vector<Finding> findings_;  // the first kMaxFindings
  size_t flushes_ = 0;
  static constexpr size_t kMaxFindings = 50;
};

struct CampaignOptions {
  uint64_t seed = 1;
  size_t inputs_per_decoder = 20000;  // seeds included
  size_t encode_sessions = 2000;      // plus BoundarySessions()
  size_t batch = 1000;
  std::string vectors_dir;     // holding ferogram/
  std::string regression_dir;  // tests/vectors/differential
};

// Seeds first (each binary seed also cut at every length up to 300 bytes),
// then generated inputs up to the count.
absl::Status RunCampaign(const CampaignOptions& options, DifferentialChecker* checker);

// Writes each finding to `dir`/<check>/<fnv1a64 of the input, hex>: the
// layout of the regression inputs (tests/vectors/differential), which
// RunCampaign reads back. Returns the paths written.
absl::StatusOr<std::vector<std::string>> SaveFindings(const DifferentialChecker& checker, const std::string& dir);

// The counts as a table, one line per check, then one per difference seen,
// then the findings with their inputs in hex.
std::string Report(const DifferentialChecker& checker);

}  // namespace differential
}  // namespace tgsession

#endif  // TGSESSION_TESTS_DIFFERENTIAL_CAMPAIGN_H_
