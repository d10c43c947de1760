// Codec speed without Google Benchmark, so the very same program runs
// natively, in node and in Chromium (wasm/measure/codec_speed.mjs builds it
// both ways and prints the WebAssembly figures relative to native).
//
// For each session size it times memcpy of the encoded bytes, binary encode
// (new string and into a reused buffer), binary decode, native-string encode
// and decode. Each figure is the median of 15 rounds of a loop calibrated to
// about 20 ms, in microseconds per operation. One line per figure:
//
//   codec_speed <op> <peers> <us_per_op> <allocs_per_op>
//
//   bazel run -c opt //tools/bench:codec_speed [-- NAME_SUBSTRING]
#include <algorithm>
#include <chrono>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"
#include "tools/bench/bench_util.h"

namespace tgsession {
namespace bench {
namespace {

// Keeps the optimizer from dropping a result it can see is unused.
volatile size_t g_sink = 0;

double NowMicros() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Only operations whose name contains this (argv[1]); empty: all.
const char* g_filter = "";

// Prints the median microseconds per call of `op` over 15 rounds, and
// allocations per call.
template <typename Op>
void Measure(const char* name, size_t peers, Op op) {
  if (std::strstr(name, g_filter) == nullptr) return;
  op();  // warm caches and any lazily built tables
  size_t iters = 1;
  for (;;) {  // calibrate: one round takes at least 20 ms
    const double t0 = NowMicros();
    for (size_t i = 0; i < iters; ++i) op();
    if (NowMicros() - t0 >= 20000 || iters >= (size_t{1} << 24)) break;
    iters *= 2;
  }
  std::vector<double> rounds;
  const AllocCounts before = CurrentAllocs();
  for (int r = 0; r < 15; ++r) {
    const double t0 = NowMicros();
    for (size_t i = 0; i < iters; ++i) op();
    rounds.push_back((NowMicros() - t0) / static_cast<double>(iters));
  }
  const AllocCounts after = CurrentAllocs();
  std::sort(rounds.begin(), rounds.end());
  const double allocs = static_cast<double>(after.allocations - before.allocations) / (15.0 * static_cast<double>(iters));
  std::printf("codec_speed %-22s %6zu %12.3f %8.2f\n", name, peers, rounds[rounds.size() / 2], allocs);
}

int Run() {
  for (size_t peers : {size_t{1000}, size_t{65535}}) {
    const Session session = SyntheticSession(peers);
    absl::StatusOr<std::string> bin = EncodeBinary(session);
    absl::StatusOr<std::string> native = EncodeNativeString(session);
    if (!bin.ok() || !native.ok()) {
      std::fprintf(stderr, "codec_speed: encoding the synthetic session failed\n");
      return 1;
    }
    std::string copy(bin->size(), '\0');
    Measure("memcpy", peers, [&] {
      std::memcpy(&copy[0], bin->data(), bin->size());
      g_sink = g_sink + static_cast<unsigned char>(copy[copy.size() / 2]);
    });
    Measure("encode_binary", peers, [&] {
      absl::StatusOr<std::string> out = EncodeBinary(session);
      g_sink = g_sink + out->size();
    });
    const int version = ChooseBinaryVersion(session);
    std::vector<uint8_t> buffer(BinaryEncodedSize(session, version));
    Measure("encode_binary_buffer", peers, [&] {
      absl::StatusOr<size_t> n = EncodeBinaryTo(session, version, absl::MakeSpan(buffer));
      g_sink = g_sink + *n;
    });
    Measure("decode_binary", peers, [&] {
      absl::StatusOr<Session> s = DecodeBinary(*bin);
      g_sink = g_sink + s->peers.size();
    });
    Measure("encode_native_string", peers, [&] {
      absl::StatusOr<std::string> out = EncodeNativeString(session);
      g_sink = g_sink + out->size();
    });
    Measure("decode_native_string", peers, [&] {
      absl::StatusOr<Session> s = DecodeNativeString(*native);
      g_sink = g_sink + s->peers.size();
    });
  }
  std::printf("codec_speed done\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace tgsession

int main(int argc, char** argv) {
  if (argc > 1) tgsession::bench::g_filter = argv[1];
#ifdef __GLIBC__
  // Steady state, as in a long-running process and as in WebAssembly, whose
  // heap never returns memory: without this, glibc serves each multi-megabyte
  // decode with fresh mmap()ed pages and the figure measures page faults
  // (on this VM ~15 us each: 13 ms instead of 0.6 ms per 65,535-peer
  // native-string decode). codec_bench gets the same effect from its earlier
  // 100,000-peer runs raising glibc's dynamic mmap threshold.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
  return tgsession::bench::Run();
}
