// The one CPU-feature probe of the library, and the one switch that forces
// the portable code paths.
//
// Every ISA-specific kernel (session/internal/*_avx2.cc and the like) runs
// only when ActiveCpuFeatures() says its instructions are there. Setting the
// environment variable TGS_FORCE_PORTABLE=1 makes every feature read as
// absent, so the portable paths (what ARM and older x86-64 run)
// can be tested and measured on any machine. The variable is read once, at
// the first call.
#ifndef TGSESSION_SESSION_INTERNAL_CPU_FEATURES_H_
#define TGSESSION_SESSION_INTERNAL_CPU_FEATURES_H_

namespace tgsession {
namespace internal {

struct CpuFeatures {
  bool sse42 = false;         // x86-64: the crc32 instruction
  bool avx2 = false;          // x86-64
  bool avx512vbmi = false;  // x86-64: AVX-512 F, BW and VBMI together
  // WebAssembly built with -msimd128 (a module that loads at all has it).
  bool wasm_simd128 = false;

  bool any() const { return sse42 || avx2 || avx512vbmi || wasm_simd128; }
  friend bool operator==(const CpuFeatures& a, const CpuFeatures& b) {
    return a.sse42 == b.sse42 && a.avx2 == b.avx2 && a.avx512vbmi == b.avx512vbmi &&
           a.wasm_simd128 == b.wasm_simd128;
  }
  friend bool operator!=(const CpuFeatures& a, const CpuFeatures& b) { return !(a == b); }
};

// What this machine and build offer, whatever the switch says.
CpuFeatures DetectedCpuFeatures();

// What the kernels may use: DetectedCpuFeatures(), or nothing when
// TGS_FORCE_PORTABLE=1, or what a test set.
CpuFeatures ActiveCpuFeatures();

// True when TGS_FORCE_PORTABLE=1 was in the environment at the first call.
bool PortableForcedByEnvironment();

// Tests and benchmarks: use `features` (a subset of DetectedCpuFeatures(),
// e.g. CpuFeatures() for the portable paths) until Reset. Not for concurrent
// use with running codecs.
void SetCpuFeaturesForTesting(const CpuFeatures& features);
void ResetCpuFeaturesForTesting();

}  // namespace internal
}  // namespace tgsession

#endif  // TGSESSION_SESSION_INTERNAL_CPU_FEATURES_H_
