// Differential test against the real ferogram-session 0.6.5
// (../shared/tools/ferogram-oracle, found through $TGS_FEROGRAM_ORACLE,
// which tools/setup.sh sets when the file exists): a bounded campaign over
// all three decoders and both encoders, and one test per deliberate
// difference (docs/ferogram-differences.md) that pins our behaviour always
// and ferogram's whenever the oracle is there.
//
// The campaign's size: $TGS_DIFFERENTIAL_INPUTS inputs per decoder (default
// 20,000), seed $TGS_DIFFERENTIAL_SEED (default 1). tools/differential.sh
// runs longer ones.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/differential/campaign.h"
#include "tests/differential/compare.h"
#include "tests/differential/oracle_client.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace differential {
namespace {

std::string RegressionDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr) return "tests/vectors/differential";
  return absl::StrCat(srcdir, "/", ws != nullptr ? ws : "tgsession", "/tests/vectors/differential");
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(FerogramDifferentialTest, Campaign) {
  const std::optional<std::string> oracle = FindOracle();
  if (!oracle) GTEST_SKIP() << kOracleMissing;
  absl::StatusOr<std::unique_ptr<DifferentialChecker>> checker = DifferentialChecker::Start(*oracle);
  ASSERT_TRUE(checker.ok()) << checker.status();
  CampaignOptions o;
  o.seed = EnvNumber("TGS_DIFFERENTIAL_SEED", 1);
  o.inputs_per_decoder = EnvNumber("TGS_DIFFERENTIAL_INPUTS", 20000);
  o.vectors_dir = testing::VectorsDir();
  o.regression_dir = RegressionDir();
  const absl::Status run = RunCampaign(o, checker->get());
  // Printed for tools/test_all.sh, which shows this test's output in CI.
  std::cout << "campaign seed " << o.seed << "\n" << Report(**checker) << std::flush;
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ((*checker)->unlisted(), 0u) << "differences not listed in docs/ferogram-differences.md (above)";
  for (int check : {kBinary, kNative, kCompact}) {
    EXPECT_GE((*checker)->tally(check).inputs, o.inputs_per_decoder) << CheckName(check);
  }
}

}  // namespace
}  // namespace differential
}  // namespace tgsession
