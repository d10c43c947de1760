// Run with TGS_FORCE_PORTABLE=1 (the BUILD target sets it): no kernel may be
// active, whatever the machine has.
#include "gtest/gtest.h"
#include "session/internal/cpu_features.h"

namespace tgsession {
namespace internal {
namespace {

TEST(PortableForcedTest, NoKernelIsActive) {
  ASSERT_TRUE(PortableForcedByEnvironment()) << "this test must run with TGS_FORCE_PORTABLE=1";
  EXPECT_FALSE(ActiveCpuFeatures().any());
  EXPECT_EQ(ActiveCpuFeatures(), CpuFeatures());
  // A test's override and its reset do not turn the switch off.
  SetCpuFeaturesForTesting(DetectedCpuFeatures());
  ResetCpuFeaturesForTesting();
  EXPECT_FALSE(ActiveCpuFeatures().any());
}

}  // namespace
}  // namespace internal
}  // namespace tgsession
