// Helpers for tgsession's fuzz targets. Each target is a libFuzzer entry
// point (LLVMFuzzerTestOneInput) that checks properties, not just "no crash":
// violations call FuzzCheck, which prints the property and aborts so the
// fuzzer records the input.
#ifndef TGSESSION_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define TGSESSION_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>

#define FuzzCheck(cond)                                                      \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                          \
    }                                                                        \
  } while (false)

#endif  // TGSESSION_TESTS_FUZZ_FUZZ_SUPPORT_H_
