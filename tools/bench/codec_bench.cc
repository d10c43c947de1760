// Codec micro-benchmarks (Google Benchmark): binary and native-string encode
// and decode of synthetic sessions, against memcpy of the same bytes, with
// allocations per operation counted by a replaced operator new.
//
//   bazel run -c opt //tools/bench:codec_bench
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "session/binary_codec.h"
#include "session/string_codec.h"
#include "tools/bench/bench_util.h"

namespace tgsession {
namespace bench {
namespace {

const Session& SessionOf(size_t n) {
  static std::map<size_t, Session>* cache = new std::map<size_t, Session>();
  auto it = cache->find(n);
  if (it == cache->end()) it = cache->emplace(n, SyntheticSession(n)).first;
  return it->second;
}

void Report(benchmark::State& state, const AllocCounts& before, size_t bytes) {
  const AllocCounts after = CurrentAllocs();
  const double iters = static_cast<double>(state.iterations());
  state.counters["allocs/op"] = static_cast<double>(after.allocations - before.allocations) / iters;
  state.counters["alloc_bytes/op"] = static_cast<double>(after.bytes - before.bytes) / iters;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["session_bytes"] = static_cast<double>(bytes);
}

void BM_Memcpy(benchmark::State& state) {
  const std::string bin = *EncodeBinary(SessionOf(state.range(0)));
  std::string dst(bin.size(), '\0');
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    std::memcpy(&dst[0], bin.data(), bin.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  Report(state, before, bin.size());
}

void BM_EncodeBinary(benchmark::State& state) {
  const Session& s = SessionOf(state.range(0));
  const size_t size = BinaryEncodedSize(s, ChooseBinaryVersion(s));
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    absl::StatusOr<std::string> out = EncodeBinary(s);
    benchmark::DoNotOptimize(out->data());
  }
  Report(state, before, size);
}

void BM_EncodeBinaryIntoBuffer(benchmark::State& state) {
  const Session& s = SessionOf(state.range(0));
  const int version = ChooseBinaryVersion(s);
  std::vector<uint8_t> buf(BinaryEncodedSize(s, version));
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    absl::StatusOr<size_t> n = EncodeBinaryTo(s, version, absl::MakeSpan(buf));
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  Report(state, before, buf.size());
}

void BM_DecodeBinary(benchmark::State& state) {
  const std::string bin = *EncodeBinary(SessionOf(state.range(0)));
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    absl::StatusOr<Session> s = DecodeBinary(bin);
    benchmark::DoNotOptimize(s->peers.size());
  }
  Report(state, before, bin.size());
}

void BM_EncodeNativeString(benchmark::State& state) {
  const Session& s = SessionOf(state.range(0));
  const size_t size = BinaryEncodedSize(s, ChooseBinaryVersion(s));
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    absl::StatusOr<std::string> out = EncodeNativeString(s);
    benchmark::DoNotOptimize(out->data());
  }
  Report(state, before, size);
}

void BM_DecodeNativeString(benchmark::State& state) {
  const std::string text = *EncodeNativeString(SessionOf(state.range(0)));
  const AllocCounts before = CurrentAllocs();
  for (auto _ : state) {
    absl::StatusOr<Session> s = DecodeNativeString(text);
    benchmark::DoNotOptimize(s->peers.size());
  }
  Report(state, before, BinaryEncodedSize(SessionOf(state.range(0)), ChooseBinaryVersion(SessionOf(state.range(0)))));
}

#define SIZES Arg(1000)->Arg(65535)->Arg(100000)
BENCHMARK(BM_Memcpy)->SIZES;
BENCHMARK(BM_EncodeBinary)->SIZES;
BENCHMARK(BM_EncodeBinaryIntoBuffer)->SIZES;
BENCHMARK(BM_DecodeBinary)->SIZES;
BENCHMARK(BM_EncodeNativeString)->SIZES;
BENCHMARK(BM_DecodeNativeString)->SIZES;

}  // namespace
}  // namespace bench
}  // namespace tgsession

BENCHMARK_MAIN();
