#!/usr/bin/env bash
# Runs every tgsession test suite. Expects tools/setup.sh to have run.
#   bash tools/test_all.sh               # everything (what CI runs)
#   TGS_QUICK=1 bash tools/test_all.sh   # native g++ tests only (no WebAssembly, sanitizers, fuzzing)
#   TGS_FUZZ_SECONDS=60 ...              # longer fuzzing (default 20 s per target)
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

if [ "${TGS_QUICK:-0}" = 1 ]; then exit 0; fi

step "WebAssembly (emcc): every suite that needs no native OS under node, the JS API with fake-indexeddb, headless Chromium"
wasm_flags=()
if [ ! -x /usr/bin/chromium ]; then
  echo "test_all.sh: /usr/bin/chromium is missing (setup.sh --no-browser): skipping the Chromium tests" >&2
  wasm_flags+=(--test_tag_filters=-chromium)
fi
bazel test --config=wasm "${wasm_flags[@]}" //...

step "WebAssembly as shipped (--config=wasm_release: -Oz, LTO, bulk memory): the JavaScript suites and the npm package"
wasm_release_tests=(//wasm:js_api_test //wasm:js_api_single_file_test //wasm:npm_package_test)
if [ -x /usr/bin/chromium ]; then wasm_release_tests+=(//wasm:chromium_test); fi
bazel test --config=wasm_release "${wasm_release_tests[@]}"

step "native tests under ASan + UBSan, clang 14, warnings as errors"
bazel test --config=asan --define=werror=1 //...

step "threaded tests under TSan"
bazel test --config=tsan --define=werror=1 \
  //session:session_test //tests:memory_string_backend_test //tests:binary_file_backend_test \
  //tests:sqlite_backend_test //tests:postgres_backend_test //tests:power_loss_test

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

step "tgsession as an external dependency (tests/external_workspace)"
(cd tests/external_workspace &&
  bazel --output_base="$HOME/.cache/bazel-ob-tgsession-consumer" run //:consumer -- \
    CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | grep -qx "home_dc_id=2")

step "all tests passed"
