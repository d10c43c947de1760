// Proves the wasm toolchain end to end: Abseil (Status/StatusOr, Swiss tables,
// string formatting) and GoogleTest built with emcc and run by node, and the
// same file built natively. Exception-free like the rest of tgsession.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace tgsession {
namespace {

absl::StatusOr<int> ParseDcId(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("empty dc id");
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat("bad dc id: ", text));
    }
    value = value * 10 + (c - '0');
    if (value > 1000) return absl::OutOfRangeError("dc id too large");
  }
  return value;
}

TEST(ToolchainSmokeTest, StatusOrCarriesValuesAndErrors) {
  absl::StatusOr<int> ok = ParseDcId("4");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, 4);

  absl::StatusOr<int> bad = ParseDcId("4x");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad dc id: 4x");

  EXPECT_EQ(ParseDcId("99999").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDcId("").status().ToString(),
            "INVALID_ARGUMENT: empty dc id");
}

TEST(ToolchainSmokeTest, FlatHashMapGrowsAndFinds) {
  absl::flat_hash_map<std::string, int64_t> auth_keys;
  for (int i = 0; i < 1000; ++i) {
    auth_keys[absl::StrCat("dc", i)] = int64_t{i} << 33;
  }
  ASSERT_EQ(auth_keys.size(), 1000u);
  auto it = auth_keys.find("dc777");
  ASSERT_NE(it, auth_keys.end());
  EXPECT_EQ(it->second, int64_t{777} << 33);
  EXPECT_EQ(auth_keys.erase("dc0"), 1u);
  EXPECT_FALSE(auth_keys.contains("dc0"));
}

TEST(ToolchainSmokeTest, StrCatFormatsNumbers) {
  EXPECT_EQ(absl::StrCat("dc", 2, ":", 443, " ", 1.5, " ", uint64_t{1} << 63),
            "dc2:443 1.5 9223372036854775808");
}

// Pointers and size_t are 32-bit on wasm32, 64-bit on x86_64; int64_t must
// still be 64-bit (auth key ids, message ids, ...).
TEST(ToolchainSmokeTest, ReportsTargetDataModel) {
#if defined(__EMSCRIPTEN__)
  EXPECT_EQ(sizeof(void*), 4u);
#endif
  EXPECT_EQ(sizeof(int64_t), 8u);
}

// Bazel's test environment reaches the program: under node this relies on the
// toolchain's --pre-js that copies process.env into emscripten's environment.
TEST(ToolchainSmokeTest, SeesBazelTestEnvironment) {
  const char* tmpdir = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmpdir, nullptr);
  EXPECT_FALSE(std::string(tmpdir).empty());
}

}  // namespace
}  // namespace tgsession
