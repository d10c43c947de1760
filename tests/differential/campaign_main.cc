// One differential campaign of any size, outside the test runner's time
// limit (tools/differential.sh runs it for hours):
//
//   campaign --seed=S --inputs=N [--sessions=M] [--oracle=PATH]
//            [--vectors=DIR] [--regression=DIR] [--findings=DIR]
//
// Prints the counts (campaign.h Report). Every unexplained input is also
// written under --findings (default: the regression inputs,
// tests/vectors/differential) as <check>/<fnv1a64 of the input>, so that
// it fails //tests:ferogram_differential_test until it is fixed or listed.
// Exit status 1 when there was one.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "tests/differential/campaign.h"
#include "tests/differential/oracle_client.h"

int main(int argc, char** argv) {
  using namespace tgsession::differential;
  CampaignOptions o;
  o.vectors_dir = "tests/vectors";
  o.regression_dir = "tests/vectors/differential";
  std::string oracle, findings_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&](const char* flag) { return a.substr(std::string(flag).size()); };
    if (absl::StartsWith(a, "--seed=")) {
      o.seed = std::strtoull(value("--seed=").c_str(), nullptr, 10);
    } else if (absl::StartsWith(a, "--inputs=")) {
      o.inputs_per_decoder = std::strtoull(value("--inputs=").c_str(), nullptr, 10);
    } else if (absl::StartsWith(a, "--sessions=")) {
      o.encode_sessions = std::strtoull(value("--sessions=").c_str(), nullptr, 10);
    } else if (absl::StartsWith(a, "--oracle=")) {
      oracle = value("--oracle=");
    } else if (absl::StartsWith(a, "--vectors=")) {
      o.vectors_dir = value("--vectors=");
    } else if (absl::StartsWith(a, "--regression=")) {
      o.regression_dir = value("--regression=");
    } else if (absl::StartsWith(a, "--findings=")) {
      findings_dir = value("--findings=");
    } else {
      std::fprintf(stderr, "campaign: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (findings_dir.empty()) findings_dir = o.regression_dir;
  if (oracle.empty()) {
    const std::optional<std::string> found = FindOracle();
    if (!found) {
      std::printf("%s\n", kOracleMissing);
      return 0;
    }
    oracle = *found;
  }
  absl::StatusOr<std::unique_ptr<DifferentialChecker>> checker = DifferentialChecker::Start(oracle);
  if (!checker.ok()) {
    std::fprintf(stderr, "campaign: %s\n", checker.status().ToString().c_str());
    return 2;
  }
  const absl::Status run = RunCampaign(o, checker->get());
  std::printf("campaign seed %llu\n%s", static_cast<unsigned long long>(o.seed), Report(**checker).c_str());
  if (!run.ok()) {
    std::fprintf(stderr, "campaign: %s\n", run.ToString().c_str());
    return 2;
  }
  if ((*checker)->findings().empty()) return 0;
  absl::StatusOr<std::vector<std::string>> saved = SaveFindings(**checker, findings_dir);
  if (!saved.ok()) {
    std::fprintf(stderr, "campaign: %s\n", saved.status().ToString().c_str());
    return 2;
  }
  for (const std::string& p : *saved) std::printf("saved %s\n", p.c_str());
  return 1;
}
