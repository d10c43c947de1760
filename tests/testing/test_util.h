// Helpers shared by tgsession's tests: locating the golden vectors, reading
// files, hex, and JSON comparison.
#ifndef TGSESSION_TESTS_TESTING_TEST_UTIL_H_
#define TGSESSION_TESTS_TESTING_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace tgsession {
namespace testing {

// A file of this workspace as a test sees it: under
// $TEST_SRCDIR/$TEST_WORKSPACE in a Bazel test, else `rel` itself (relative
// to the current directory, the workspace's root when run by hand).
std::string RunfilePath(absl::string_view rel);

// Directory holding ferogram/ and interop/ vectors: $TGS_VECTORS_DIR when it
// is set and exists (tools/setup.sh points it at ../shared/vectors when that
// folder is present), else the copy committed under tests/vectors.
std::string VectorsDir();
// VectorsDir() + "/interop": the other clients' sessions and their expectations.
std::string InteropVectorsDir();

// Reads a whole file; fails the test (and returns "") if it cannot.
std::string ReadFileOrDie(const std::string& path);
// Writes (replaces) a whole file; fails the test if it cannot.
void WriteFileOrDie(const std::string& path, absl::string_view bytes);
bool FileExists(const std::string& path);
// Sorted names in `dir` ending with `suffix`.
std::vector<std::string> ListDir(const std::string& dir, absl::string_view suffix);
// Sorted names of the regular files in `dir` (no folders, links or "."),
// and a way to empty it of them.
std::vector<std::string> ListFiles(const std::string& dir);
void RemoveFiles(const std::string& dir);

std::string HexToBytes(absl::string_view hex);
std::string BytesToHex(absl::string_view bytes);

// Parses JSON with exact 64-bit integers; fails the test on a parse error.
rapidjson::Document ParseJsonOrDie(absl::string_view json);
// The string a JSON string value holds, NUL bytes included.
std::string JsonStr(const rapidjson::Value& v);

// Deep equality of two JSON values; on mismatch `*where` names the path.
bool JsonEqual(const rapidjson::Value& a, const rapidjson::Value& b, std::string* where,
               const std::string& path = "$");

// Removes the named members of every object in the tree (in place).
void StripFields(rapidjson::Value& v, const std::vector<std::string>& names);

// A directory under TEST_TMPDIR (or /tmp), created empty.
std::string MakeTempDir(absl::string_view name);

// A directory in memory (/dev/shm) when the machine has one, else
// MakeTempDir: for tests making thousands of renames and unlinks, each
// 0.3-0.4 ms on the test machine's disk. Bazel does not clean /dev/shm:
// remove it with RemoveRamTempDir.
std::string MakeRamTempDir(absl::string_view name);
void RemoveRamTempDir(const std::string& dir);

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_TEST_UTIL_H_
