#include "session/internal/cpu_features.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace tgsession {
namespace internal {
namespace {

CpuFeatures Probe() {
  CpuFeatures f;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the vector state.
  f.sse42 = __builtin_cpu_supports("sse4.2");
  f.avx2 = __builtin_cpu_supports("avx2");
  f.avx512vbmi = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vbmi");
#endif
#ifdef __wasm_simd128__
  f.wasm_simd128 = true;
#endif
  return f;
}

struct Startup {
  CpuFeatures detected;
  bool forced;
};

const Startup& GetStartup() {
  static const Startup s = [] {
    const char* env = std::getenv("TGS_FORCE_PORTABLE");
    return Startup{Probe(), env != nullptr && std::strcmp(env, "1") == 0};
  }();
  return s;
}

uint32_t ToBits(const CpuFeatures& f) {
  return (f.sse42 ? 1u : 0u) | (f.avx2 ? 2u : 0u) | (f.avx512vbmi ? 4u : 0u) | (f.wasm_simd128 ? 8u : 0u);
}

CpuFeatures FromBits(uint32_t b) {
  CpuFeatures f;
  f.sse42 = (b & 1u) != 0;
  f.avx2 = (b & 2u) != 0;
  f.avx512vbmi = (b & 4u) != 0;
  f.wasm_simd128 = (b & 8u) != 0;
  return f;
}

constexpr uint32_t kNoOverride = ~uint32_t{0};
std::atomic<uint32_t> g_override{kNoOverride};

}  // namespace

CpuFeatures DetectedCpuFeatures() { return GetStartup().detected; }

bool PortableForcedByEnvironment() { return GetStartup().forced; }

CpuFeatures ActiveCpuFeatures() {
  const uint32_t o = g_override.load(std::memory_order_relaxed);
  if (o != kNoOverride) return FromBits(o);
  const Startup& s = GetStartup();
  return s.forced ? CpuFeatures() : s.detected;
}

void SetCpuFeaturesForTesting(const CpuFeatures& features) {
  // Never more than the machine has: a kernel run without its instructions
  // would crash.
  g_override.store(ToBits(features) & ToBits(GetStartup().detected), std::memory_order_relaxed);
}

void ResetCpuFeaturesForTesting() { g_override.store(kNoOverride, std::memory_order_relaxed); }

}  // namespace internal
}  // namespace tgsession
