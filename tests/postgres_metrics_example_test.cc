// Runs backends/postgres_metrics_example against a real server and checks
// what it prints: the summary and the Prometheus exposition of what it did.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_server.h"

namespace tgsession {
namespace testing {
namespace {

using ::testing::HasSubstr;

TEST(PostgresMetricsExampleTest, PrintsWhatItDid) {
  const std::string exe = "backends/postgres_metrics_example";
  const std::string cmd = absl::StrCat(exe, " '", SharedPgServer().Conninfo("tgs"), "' 2>&1");
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_THAT(out, HasSubstr("ApplyChanges"));
  EXPECT_THAT(out, HasSubstr("errors FAILED_PRECONDITION: 1"));
  EXPECT_THAT(out, HasSubstr("tgsession_pg_operation_seconds_count{operation=\"ApplyChanges\"} 20"));
  EXPECT_THAT(out, HasSubstr("tgsession_pg_operation_errors_total{operation=\"OpenSession\",code=\"FAILED_PRECONDITION\"} 1"));
  EXPECT_THAT(out, HasSubstr("tgsession_pg_lease_renewal_rounds_total"));
  EXPECT_THAT(out, HasSubstr("tgsession_pg_connects_total"));
  std::printf("%s", out.c_str());
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
