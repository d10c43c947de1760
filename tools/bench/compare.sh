#!/usr/bin/env bash
# Regression check by numbers: runs each workload of //tools/bench:workload
# under callgrind (instruction counts are exact and repeatable, unlike time on
# a shared machine) and prints the ratio to the stored baseline. Valgrind's
# virtual CPU has no AVX-512, so these count the paths a machine without it
# runs (the portable ones, and AVX2 where a kernel has it).
#
#   bash tools/bench/compare.sh              # compare; exit 1 if any workload
#                                            # needs > 10% more instructions
#   bash tools/bench/compare.sh --update     # record a new baseline
#   TGS_BENCH_TOLERANCE=1.05 bash tools/bench/compare.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
baseline=tools/bench/baseline_instructions.txt
tolerance="${TGS_BENCH_TOLERANCE:-1.10}"
update=0
[ "${1:-}" = "--update" ] && update=1

# The footprint step's x86-64 flags (tools/bench/footprint.sh), so that CI
# compiles the optimized library once for both.
flags=(-c opt --define=werror=1 --define=tgs_sodium=0)
bazel build "${flags[@]}" //tools/bench:workload >/dev/null 2>&1 || bazel build "${flags[@]}" //tools/bench:workload
bin="$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)/tools/bench/workload"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

status=0
new=()
printf '%-28s %15s %15s %8s\n' workload instructions baseline ratio
for w in $("$bin" --list); do
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$w.out" --toggle-collect='tgsession::bench::RunWorkload*' \
    "$bin" "$w" >/dev/null 2>"$tmp/$w.err" || { cat "$tmp/$w.err"; exit 1; }
  ir=$(grep -m1 '^summary:' "$tmp/$w.out" | awk '{print $2}')
  new+=("$w $ir")
  base=$(awk -v w="$w" '$1 == w {print $2}' "$baseline" 2>/dev/null || true)
  if [ -n "$base" ]; then
    ratio=$(awk -v a="$ir" -v b="$base" 'BEGIN {printf "%.3f", a / b}')
    flag=""
    if awk -v r="$ratio" -v t="$tolerance" 'BEGIN {exit !(r > t)}'; then flag="  REGRESSION"; status=1; fi
    printf '%-28s %15s %15s %8s%s\n' "$w" "$ir" "$base" "$ratio" "$flag"
  else
    printf '%-28s %15s %15s %8s\n' "$w" "$ir" "-" "new"
  fi
done
if [ "$update" = 1 ]; then
  {
    echo "# Instructions per workload (tools/bench/compare.sh --update), $(date -u +%Y-%m-%d), $(uname -m)"
    printf '%s\n' "${new[@]}"
  } >"$baseline"
  echo "baseline written to $baseline"
  exit 0
fi
exit $status
