// Fuzz target: the differential check against the real ferogram-session
// (tests/differential), driven by the fuzzer's inputs. Each input goes to
// the binary decoder as bytes, and to the native and compact string
// decoders both as text and as the base64url of its bytes (so they see
// real sessions, not only bad base64). Inputs are queued and checked in
// batches against one long-lived oracle process per decoder, every
// kBatchInputs inputs and at exit.
//
// An input the harness cannot explain (a difference not in
// docs/ferogram-differences.md) is printed as hex, saved under
// $TGS_DIFFERENTIAL_FINDINGS (default tests/vectors/differential, the
// campaign's regression inputs: tools/fuzz.sh runs from the checkout) and
// the process aborts. The crash file libFuzzer writes then is the input
// that happened to complete the batch; the saved one is the culprit.
//
// Without the oracle (../shared/tools/ferogram-oracle, or
// $TGS_FEROGRAM_ORACLE) it says so once and checks nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "session/base64.h"
#include "tests/differential/campaign.h"
#include "tests/differential/oracle_client.h"

using namespace tgsession;
using namespace tgsession::differential;

namespace {

constexpr size_t kBatchInputs = 256;

DifferentialChecker* g_checker = nullptr;
size_t g_queued = 0;

void FlushOrDie() {
  if (g_checker == nullptr || g_checker->pending() == 0) return;
  const absl::Status s = g_checker->Flush();
  if (!s.ok()) {
    std::fprintf(stderr, "ferogram_differential: %s\n", s.ToString().c_str());
    std::abort();
  }
  if (g_checker->findings().empty()) return;
  std::fprintf(stderr, "%s", Report(*g_checker).c_str());
  const char* env = std::getenv("TGS_DIFFERENTIAL_FINDINGS");
  const absl::StatusOr<std::vector<std::string>> saved =
      SaveFindings(*g_checker, env != nullptr && *env != '\0' ? env : "tests/vectors/differential");
  if (saved.ok()) {
    for (const std::string& p : *saved) std::fprintf(stderr, "saved %s\n", p.c_str());
  } else {
    std::fprintf(stderr, "ferogram_differential: %s\n", saved.status().ToString().c_str());
  }
  std::abort();
}

void AtExit() {
  FlushOrDie();
  if (g_checker != nullptr) std::fprintf(stderr, "%s", Report(*g_checker).c_str());
}

bool Ready() {
  static const bool ready = [] {
    const std::optional<std::string> oracle = FindOracle();
    if (!oracle) {
      std::fprintf(stderr, "%s\n", kOracleMissing);
      return false;
    }
    absl::StatusOr<std::unique_ptr<DifferentialChecker>> c = DifferentialChecker::Start(*oracle);
    if (!c.ok()) {
      std::fprintf(stderr, "ferogram_differential: %s\n", c.status().ToString().c_str());
      std::abort();
    }
    g_checker = c->release();  // lives until exit, for the last flush
    std::atexit(AtExit);
    return true;
  }();
  return ready;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!Ready()) return 0;
  const std::string in(reinterpret_cast<const char*>(data), size);
  const std::string b64 = Base64Encode(in, kBase64UrlNoPad);
  g_checker->AddBinary(in);
  g_checker->AddNative(in);
  g_checker->AddNative(b64);
  g_checker->AddCompact(in);
  g_checker->AddCompact(b64);
  if (++g_queued % kBatchInputs == 0) FlushOrDie();
  return 0;
}
