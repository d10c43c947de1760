#!/usr/bin/env bash
# Runs every tgsession test suite. Expects tools/setup.sh to have run.
#   bash tools/test_all.sh               # everything (what CI runs)
#   TGS_QUICK=1 bash tools/test_all.sh   # native g++ tests only (no WebAssembly, sanitizers, fuzzing)
#   TGS_FUZZ_SECONDS=60 ...              # longer fuzzing (default 20 s per target)
#   TGS_CROSS=0 ...                      # skip the cross targets (aarch64, armhf, s390x under qemu-user,
#                                        # Bazel and CMake) and the footprint budget: 17-20 min of a cold
#                                        # run on 2 cores (docs/constrained-environments.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "native tests, g++ 12, warnings as errors"
bazel test --define=werror=1 //...

step "differential campaign against the real ferogram-session: counts (docs/ferogram-differences.md)"
# Already run (and cached) by the step above; Bazel hides a passing test's
# output, so show the campaign's counts, or its one-line skip, here.
bazel test --define=werror=1 --test_output=all //tests:ferogram_differential_test 2>&1 |
  grep -E '^(campaign |skipped: |UNLISTED |  input )'

step "the codec suites again with every ISA kernel off (TGS_FORCE_PORTABLE=1: what ARM, WebAssembly and older x86-64 run)"
bazel test --define=werror=1 --test_env=TGS_FORCE_PORTABLE=1 //session/... //tests:ferogram_vectors_test \
  //tests:hostile_input_test //tests:secret_hygiene_codecs_test //tests:interop_vectors_test \
  //backends:binary_file_backend_test //backends:memory_string_backend_test

if [ "${TGS_QUICK:-0}" = 1 ]; then exit 0; fi

step "WebAssembly (emcc): every suite that needs no native OS, under node"
# The package's own tests (tag "package") run once, in the next step, against
# the shipped build; --build_tests_only keeps this step from building the
# package at this configuration too.
bazel test --config=wasm --define=werror=1 --build_tests_only --test_tag_filters=-package //...

step "WebAssembly as shipped (--config=wasm_release: -Oz, LTO, bulk memory): the JavaScript suites, the npm package and its bundler matrix, GramJS, Chromium and Firefox"
release_filter=package
if [ ! -x /usr/bin/chromium ]; then
  echo "test_all.sh: /usr/bin/chromium is missing (setup.sh --no-browser): skipping the Chromium tests" >&2
  release_filter+=",-chromium"
fi
if [ ! -x /usr/bin/firefox-esr ]; then
  echo "test_all.sh: /usr/bin/firefox-esr is missing: skipping the Firefox test" >&2
  release_filter+=",-firefox"
fi
# bundler_matrix_test is manual (heavy, needs wasm/tests/bundlers): named here.
# --build_tests_only: the other //wasm targets (status_module, embind_module,
# ...) serve the previous step's tests, not these.
bazel test --config=wasm_release --define=werror=1 --build_tests_only --test_tag_filters="$release_filter" \
  //wasm/... //wasm:bundler_matrix_test

step "native tests under ASan + UBSan, clang 14, warnings as errors"
bazel test --config=asan --define=werror=1 //...

step "threaded tests under TSan"
bazel test --config=tsan --define=werror=1 \
  //session:session_test //backends:memory_string_backend_test //backends:binary_file_backend_test \
  //backends:sqlite_backend_test //backends:postgres_backend_test //tests:power_loss_test

step "fuzzing, ${TGS_FUZZ_SECONDS:-20} s per target"
TGS_FUZZ_SECONDS="${TGS_FUZZ_SECONDS:-20}" bash tools/fuzz.sh

step "instruction-count regression check against tools/bench/baseline_instructions.txt"
# Printed for every run; it fails the run only with TGS_BENCH_STRICT=1, since
# counts shift slightly with the CPU features the machine reports.
if [ "${TGS_BENCH_STRICT:-0}" = 1 ]; then
  bash tools/bench/compare.sh
else
  bash tools/bench/compare.sh || echo "(instruction counts above the 10% tolerance: see the ratios)" >&2
fi

export TGS_CROSS="${TGS_CROSS:-1}"  # tools/cmake_check.sh reads it too
step "CMake: source lists against Bazel's, native build and ctest, examples/cmake_consumer, aarch64 under qemu-user (TGS_CROSS=1)"
bash tools/cmake_check.sh

if [ "$TGS_CROSS" = 1 ]; then
  # Each target compiles Abseil, GoogleTest and the suites once (the
  # footprint below reuses those objects): docs/constrained-environments.md
  # has the cold cost of each piece.
  step "cross targets under qemu-user: the suites tagged emulated on aarch64, armhf (32-bit), s390x (big-endian)"
  emulated=$(bazel query 'attr(tags, "\bemulated\b", tests(//...))' 2>/dev/null)
  for target in aarch64 armhf s390x; do
    # shellcheck disable=SC2086  # one label per word
    bazel test --config="$target" --define=werror=1 $emulated
    # shellcheck disable=SC2086
    python3 cross/test_counts.py "$target" "$(bazel info --config="$target" bazel-testlogs 2>/dev/null)" $emulated
  done
  bazel build --define=werror=1 //tests:cross_exchange_test
  bash cross/exchange.sh x86-64 aarch64 armhf s390x
  step "footprint budget (tools/bench/footprint_budget.txt): size, peak heap and largest frame on x86-64, aarch64, armhf"
  bash tools/bench/footprint.sh
fi

step "tgsession as an external dependency (tests/external_workspace)"
(cd tests/external_workspace &&
  bazel --output_base="$HOME/.cache/bazel-ob-tgsession-consumer" run //:consumer -- \
    CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | grep -qx "home_dc_id=2")

step "all tests passed"
