#!/usr/bin/env bash
# Runs every libFuzzer target for a fixed time and prints executions per
# target. Crashes are saved under tests/fuzz/findings/<target>/ (commit them:
# they become regression tests) and make the script fail. The
# ferogram_differential target (needs ../shared/tools/ferogram-oracle, else
# it checks nothing) saves its findings under tests/vectors/differential/,
# the regression inputs of //tests:ferogram_differential_test.
#
#   bash tools/fuzz.sh            # 30 s per target
#   TGS_FUZZ_SECONDS=600 bash tools/fuzz.sh binary_decode
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${TGS_FUZZ_SECONDS:-30}"
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
  targets=($(sed -n 's/^tgs_fuzz_target(/&/p;s/^ *name = "\([a-z_0-9]*\)",$/\1/p' tests/fuzz/BUILD.bazel | grep -v tgs_fuzz_target))
fi
# --define=werror=1 as in tools/test_all.sh's ASan step, whose objects these reuse.
bazel build --config=fuzz --define=werror=1 $(printf '//tests/fuzz:%s_fuzzer ' "${targets[@]}") >/dev/null 2>&1 ||
  bazel build --config=fuzz --define=werror=1 $(printf '//tests/fuzz:%s_fuzzer ' "${targets[@]}")
bin="$(bazel info --config=fuzz --define=werror=1 bazel-bin 2>/dev/null)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "tests/fuzz/findings/$t"
  seeds=(tests/vectors/ferogram/binary tests/vectors/ferogram/string_session tests/vectors/ferogram/malformed
         tests/fuzz/corpus tests/vectors/interop tests/fuzz/findings/$t tests/vectors/differential)
  log="$work/$t.log"
  if "$bin/tests/fuzz/${t}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 \
       -timeout=10 -artifact_prefix="tests/fuzz/findings/$t/" -print_final_stats=1 \
       "$work/$t" "${seeds[@]}" >"$log" 2>&1; then
    if grep -q '^skipped: ' "$log"; then  # a target that needs what is not here (the ferogram oracle)
      printf 'fuzz %-16s %s\n' "$t" "$(grep -m1 '^skipped: ' "$log")"
      continue
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    printf 'fuzz %-16s %10s executions in %ss, %s, no findings\n' "$t" "$execs" "$seconds" "$cov"
  else
    printf 'fuzz %-16s FOUND A PROBLEM:\n' "$t"
    grep -E "violated|ERROR|SUMMARY|runtime error|UNLISTED|^saved " "$log" | head -8
    status=1
  fi
done
exit $status
