// Codec speed without Google Benchmark, so the very same program runs
// natively, in node and in Chromium (wasm/measure/codec_speed.mjs builds it
// both ways and prints the WebAssembly figures relative to native).
//
// For each session size it times memcpy of the encoded bytes, binary encode
// (new string and into a reused buffer), binary decode, native-string encode
// and decode.
//
// The rounds of all operations are interleaved (round r of every operation
// runs before round r + 1 of any), each a loop calibrated to about 8 ms. The
// VMs we measure on drift by 10-40% over seconds (other tenants, memory
// bandwidth); interleaving spreads that drift evenly over every operation
// instead of landing on whichever ran during a slow spell, and lets each
// round's time be divided by the memcpy round of the same size taken next to
// it. Two lines per figure:
//
//   codec_speed <op> <peers> <median_us> <allocs_per_op>
//   codec_speed_spread <op> <peers> <min_us> <p25_us> <p75_us> <x_memcpy>
//
// x_memcpy is the median over rounds of (this round / memcpy's round).
//
//   bazel run -c opt //tools/bench:codec_speed [-- NAME_SUBSTRING [ROUNDS]]
//   codec_speed --fingerprint N...   one line per N: `codec_speed_session N
//                                    <binary bytes> <native chars> <fnv1a64>`
//                                    of SyntheticSession(N), the same line
//                                    ferogram-oracle's bench prints, so
//                                    side_by_side.sh can check that both
//                                    time the very same session
#include <algorithm>
#include <chrono>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
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

// Only operations whose "name/peers" (e.g. "decode_binary/1000") contains
// this (argv[1]); empty: all. memcpy always runs: the other figures are also
// given relative to it.
const char* g_filter = "";

struct Op {
  const char* name;
  size_t peers;
  // Runs the operation `iters` times: one indirect call per round, not per
  // operation, so the wrapper costs nothing measurable.
  std::function<void(size_t iters)> run;
  size_t iters = 1;
  std::vector<double> us;  // per round, microseconds per operation
  size_t allocs = 0;
  size_t memcpy_index = 0;  // the memcpy op of the same size
};

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

// A session of `peers` peers and everything its operations need, kept alive
// for the whole run.
struct Fixture {
  explicit Fixture(size_t peers) : session(SyntheticSession(peers)) {}
  Session session;
  std::string bin, native, copy;
  int version = 0;
  std::vector<uint8_t> buffer;
};

int Run(int rounds) {
  std::vector<std::unique_ptr<Fixture>> fixtures;
  std::vector<Op> ops;
  for (size_t peers : {size_t{1000}, size_t{65535}}) {
    fixtures.push_back(std::make_unique<Fixture>(peers));
    Fixture* f = fixtures.back().get();
    absl::StatusOr<std::string> bin = EncodeBinary(f->session);
    absl::StatusOr<std::string> native = EncodeNativeString(f->session);
    if (!bin.ok() || !native.ok()) {
      std::fprintf(stderr, "codec_speed: encoding the synthetic session failed\n");
      return 1;
    }
    f->bin = *std::move(bin);
    f->native = *std::move(native);
    f->copy.assign(f->bin.size(), '\0');
    f->version = ChooseBinaryVersion(f->session);
    f->buffer.resize(BinaryEncodedSize(f->session, f->version));
    const size_t memcpy_index = ops.size();
    const auto add = [&](const char* name, std::function<void(size_t)> run) {
      const std::string label = std::string(name) + "/" + std::to_string(peers);
      if (ops.size() != memcpy_index && std::strstr(label.c_str(), g_filter) == nullptr) return;
      Op op;
      op.name = name;
      op.peers = peers;
      op.run = std::move(run);
      op.memcpy_index = memcpy_index;
      ops.push_back(std::move(op));
    };
    add("memcpy", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        std::memcpy(&f->copy[0], f->bin.data(), f->bin.size());
        g_sink = g_sink + static_cast<unsigned char>(f->copy[f->copy.size() / 2]);
      }
    });
    add("encode_binary", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        absl::StatusOr<std::string> out = EncodeBinary(f->session);
        g_sink = g_sink + out->size();
      }
    });
    add("encode_binary_buffer", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        absl::StatusOr<size_t> w = EncodeBinaryTo(f->session, f->version, absl::MakeSpan(f->buffer));
        g_sink = g_sink + *w;
      }
    });
    add("decode_binary", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        absl::StatusOr<Session> s = DecodeBinary(f->bin);
        g_sink = g_sink + s->peers.size();
      }
    });
    add("encode_native_string", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        absl::StatusOr<std::string> out = EncodeNativeString(f->session);
        g_sink = g_sink + out->size();
      }
    });
    add("decode_native_string", [f](size_t n) {
      for (size_t i = 0; i < n; ++i) {
        absl::StatusOr<Session> s = DecodeNativeString(f->native);
        g_sink = g_sink + s->peers.size();
      }
    });
  }

  // Calibrate: a round of each operation takes at least 8 ms. The first call
  // also warms caches and any lazily built tables.
  for (Op& op : ops) {
    op.run(1);
    for (;;) {
      const double t0 = NowMicros();
      op.run(op.iters);
      if (NowMicros() - t0 >= 8000 || op.iters >= (size_t{1} << 24)) break;
      op.iters *= 2;
    }
  }
  for (int r = 0; r < rounds; ++r) {
    for (Op& op : ops) {
      const AllocCounts before = CurrentAllocs();
      const double t0 = NowMicros();
      op.run(op.iters);
      const double t1 = NowMicros();
      op.allocs += CurrentAllocs().allocations - before.allocations;
      op.us.push_back((t1 - t0) / static_cast<double>(op.iters));
    }
  }
  for (const Op& op : ops) {
    const std::vector<double>& base = ops[op.memcpy_index].us;
    std::vector<double> ratio;
    for (size_t r = 0; r < op.us.size(); ++r) ratio.push_back(op.us[r] / base[r]);
    const double allocs =
        static_cast<double>(op.allocs) / (static_cast<double>(rounds) * static_cast<double>(op.iters));
    std::printf("codec_speed %-22s %6zu %12.3f %8.2f\n", op.name, op.peers, Percentile(op.us, 0.5), allocs);
    std::printf("codec_speed_spread %-22s %6zu %12.3f %12.3f %12.3f %8.3f\n", op.name, op.peers,
                Percentile(op.us, 0), Percentile(op.us, 0.25), Percentile(op.us, 0.75), Percentile(ratio, 0.5));
  }
  std::printf("codec_speed done\n");
  std::fflush(stdout);
  return 0;
}

uint64_t Fnv1a64(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

int Fingerprint(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const size_t peers = std::strtoull(argv[i], nullptr, 10);
    const Session s = SyntheticSession(peers);
    absl::StatusOr<std::string> bin = EncodeBinary(s);
    absl::StatusOr<std::string> native = EncodeNativeString(s);
    if (!bin.ok() || !native.ok()) return 1;
    std::printf("codec_speed_session %zu %zu %zu %016llx\n", peers, bin->size(), native->size(),
                static_cast<unsigned long long>(Fnv1a64(*bin)));
  }
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace tgsession

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--fingerprint") == 0) return tgsession::bench::Fingerprint(argc, argv);
  if (argc > 1) tgsession::bench::g_filter = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 21;
  if (rounds < 1) {
    std::fprintf(stderr, "codec_speed: ROUNDS must be at least 1\n");
    return 2;
  }
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
  return tgsession::bench::Run(rounds);
}
