// Oversized and adversarial inputs are refused quickly and with bounded
// memory: 100 MB strings, counts of 2^31, deep JSON nesting. The allocation
// tracker below (this binary replaces operator new/delete) measures the peak
// bytes live during each call; a second check runs the same inputs in a child
// process under a hard address-space limit (skipped under sanitizers, which
// reserve huge address ranges).
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "session/binary_codec.h"
#include "session/interop/formats.h"
#include "session/json.h"
#include "session/string_codec.h"

namespace {
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  const int64_t live = g_live.fetch_add(static_cast<int64_t>(malloc_usable_size(p))) +
                       static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
  if (p != nullptr) g_live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)));
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace tgsession {
namespace {

struct Cost {
  double ms;
  int64_t peak_extra_bytes;  // beyond what was live before the call
};

Cost Measure(const std::function<void()>& f) {
  const int64_t before = g_live.load();
  g_peak = before;
  const auto t0 = std::chrono::steady_clock::now();
  f();
  const auto t1 = std::chrono::steady_clock::now();
  return Cost{std::chrono::duration<double, std::milli>(t1 - t0).count(), g_peak.load() - before};
}

constexpr int64_t kMiB = 1 << 20;

std::string V9WithCount(int which, uint32_t count) {
  // A v9 header and zeros, with one count field set; CRC fixed up so the
  // parser gets past the checksum and meets the count.
  std::string b = {9, 't', 'g', 's', 2, 0, 0, 0};
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>(v >> (8 * i)));
  };
  put32(which == 0 ? count : 0);  // dc count
  b.append(16, '\0');             // counters
  put32(which == 1 ? count : 0);  // channels
  put32(which == 2 ? count : 0);  // peers
  put32(which == 3 ? count : 0);  // min peers
  b.push_back(0);                 // no token
  b.append(64, '\0');             // a little body for the counts to point into
  put32(Crc32c(b));
  return b;
}

TEST(HostileInput, HundredMegabyteStringsAreRefusedAtOnce) {
  const std::string big(100 * kMiB, 'A');
  for (int which = 0; which < 3; ++which) {
    bool ok = true;
    Cost c = Measure([&] {
      if (which == 0) ok = DecodeNativeString(big).ok();
      if (which == 1) ok = DecodeCompactString(big).ok();
      if (which == 2) ok = interop::PortableFormats().Detect(big).ok();
    });
    EXPECT_FALSE(ok);
    EXPECT_LT(c.ms, 500) << which;
    EXPECT_LT(c.peak_extra_bytes, 1 * kMiB) << which;
  }
  // Raising the limit decodes it, in bounded memory (one buffer of 3/4 the
  // text), and still refuses it: 75 MB of zero bytes is not a session.
  StringDecodeOptions o;
  o.limits.max_chars = 200 * kMiB;
  o.binary.limits.max_input_bytes = 200 * kMiB;
  bool ok = true;
  Cost c = Measure([&] { ok = DecodeNativeString(big, o).ok(); });
  EXPECT_FALSE(ok);
  EXPECT_LT(c.peak_extra_bytes, 80 * kMiB);
}

TEST(HostileInput, HugeBinaryAndJsonAreRefused) {
  std::string big(100 * kMiB, '\x07');
  bool ok = true;
  Cost c = Measure([&] { ok = DecodeBinary(big).ok(); });
  EXPECT_FALSE(ok);
  EXPECT_LT(c.peak_extra_bytes, 1 * kMiB);
  std::string json(100 * kMiB, '[');
  c = Measure([&] { ok = SessionFromJson(json).ok(); });
  EXPECT_FALSE(ok);
  EXPECT_LT(c.ms, 500);
  EXPECT_LT(c.peak_extra_bytes, 1 * kMiB);
  // Deep nesting under a raised size limit: refused by the nesting check
  // before any parsing.
  JsonReadOptions jo;
  jo.max_bytes = 200 * kMiB;
  c = Measure([&] { ok = SessionFromJson(json, jo).ok(); });
  EXPECT_FALSE(ok);
  EXPECT_LT(c.peak_extra_bytes, 1 * kMiB);
}

// Numbers RapidJSON converts to double before our integer checks. Its exact
// conversion (kParseFullPrecisionFlag, no longer used: session/wiping_json.h)
// reached clz(0) for all-zero digits with a large exponent and overflowed an
// int for a tiny fraction with many digits (fuzz findings, UB under UBSan).
// They are refused as non-integers naming the field; exponents past 308 and
// leading zeros are refused by the parser with the byte offset.
TEST(HostileInput, JsonNumbersWithZeroDigitsAndHugeExponents) {
  auto with_pts = [](absl::string_view number) {
    return absl::StrCat(R"({"format":"ferogram-binary","home_dc_id":2,"dcs":[],)",
                        R"("updates_state":{"pts":)", number, R"(,"qts":0,"date":0,"seq":0,"channels":[]},)",
                        R"("peers":[],"min_peers":[],"future_auth_token_hex":null})");
  };
  ASSERT_TRUE(SessionFromJson(with_pts("0")).ok());
  const std::string tiny_fraction = absl::StrCat("0.", std::string(337, '0'), "5000000000000005080508");
  for (const std::string& number :
       {std::string("0e151"), std::string("0e200"), std::string("-0e308"), std::string("0.000e300"),
        std::string("0.0e-400"), std::string("-1e-400"), std::string("0.0000000000e99"), tiny_fraction}) {
    SCOPED_TRACE(number.substr(0, 20));
    absl::StatusOr<Session> s = SessionFromJson(with_pts(number));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("updates_state: \"pts\" must be an integer"), absl::string_view::npos)
        << s.status();
  }
  for (const char* number : {"0e309", "0.000e5000", "1e400", "00e151"}) {
    SCOPED_TRACE(number);
    absl::StatusOr<Session> s = SessionFromJson(with_pts(number));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("parse error at offset 7"), absl::string_view::npos) << s.status();
  }
}

TEST(HostileInput, CountsOfTwoToTheThirtyFirstAllocateNothing) {
  for (int which = 0; which < 4; ++which) {
    for (uint32_t count : {uint32_t{1} << 31, uint32_t{0xFFFFFFFF}, uint32_t{1} << 20}) {
      SCOPED_TRACE(absl::StrCat(which, "/", count));
      const std::string b = V9WithCount(which, count);
      absl::Status st;
      Cost c = Measure([&] { st = DecodeBinary(b).status(); });
      EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
      EXPECT_LT(c.peak_extra_bytes, 64 * 1024) << st;
      // Even with every limit lifted, counts are checked against the bytes
      // left before anything is reserved.
      DecodeOptions open;
      open.limits.max_dcs = open.limits.max_channels = open.limits.max_peers = open.limits.max_min_peers =
          0xFFFFFFFF;
      c = Measure([&] { st = DecodeBinary(b, open).status(); });
      EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
      EXPECT_LT(c.peak_extra_bytes, 64 * 1024) << st;
    }
  }
  // The largest v8 counts on a tiny file.
  std::string v8 = {8, 2, 0, 0, 0, 0};
  v8.append(16, '\0');
  v8 += std::string("\xff\xff", 2);
  v8.append(30, '\x01');
  absl::Status st;
  Cost c = Measure([&] { st = DecodeBinary(v8).status(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_LT(c.peak_extra_bytes, 64 * 1024);
}

TEST(HostileInput, UnderAHardMemoryLimit) {
#ifdef __EMSCRIPTEN__
  GTEST_SKIP() << "needs fork() and RLIMIT_AS; WebAssembly memory is bounded by the module instead";
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
  GTEST_SKIP() << "sanitizers reserve address space beyond any useful RLIMIT_AS";
#endif
#endif
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // 256 MiB of address space: the 100 MB inputs below take 200 MB of it.
    struct rlimit lim = {256u * kMiB + 64u * kMiB, 256u * kMiB + 64u * kMiB};
    if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(10);
    std::string big(100 * kMiB, 'A');
    if (DecodeNativeString(big).ok() || interop::PortableFormats().Detect(big).ok()) _exit(1);
    std::memset(&big[0], '[', big.size());
    if (SessionFromJson(big).ok()) _exit(2);
    std::memset(&big[0], '\x07', big.size());
    if (DecodeBinary(big).ok()) _exit(3);
    for (int which = 0; which < 4; ++which) {
      if (DecodeBinary(V9WithCount(which, uint32_t{1} << 31)).ok()) _exit(4);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died (out of memory?) with signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace tgsession
