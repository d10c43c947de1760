#!/usr/bin/env bash
# Footprint of the smallest useful program (//tools/bench:footprint: decode a
# 1,000-peer session, save it through BinaryFileBackend, load it back), per
# target, against the budget in tools/bench/footprint_budget.txt:
#   stripped_bytes  its size, linked statically and stripped;
#   peak_heap       its peak of heap in use from the decode on (counting
#                   operator new/delete: //tools/bench:footprint_heap, run
#                   under qemu-user for the cross targets);
#   max_frame       the largest stack frame (gcc -fstack-usage,
#                   //tools/bench:footprint_report) among the functions of
#                   the files a decode and a save go through.
#
#   bash tools/bench/footprint.sh [--update] [--bytes] [TARGET...]   (x86-64 aarch64 armhf)
#
# Exit 1 when a figure is more than 10% over its budget (footprint_check.sh).
# --update writes the measured figures as the new budget (commit it with the
# change that moved them, saying why); --bytes also prints where the bytes go
# (footprint_bytes.py). The build flags are those of the other CI steps
# (-c opt as tools/bench/compare.sh, the cross configurations as
# tools/test_all.sh), so the dependencies come from the cache. Encryption at
# rest is built out on every target (--define=tgs_sodium=0, as the cross
# configurations do): the program is the smallest that saves and loads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
budget=tools/bench/footprint_budget.txt
update=0 bytes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --update) update=1 ;;
    --bytes) bytes=1 ;;
    *) break ;;
  esac
  shift
done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86-64 aarch64 armhf)
# The files a decode and a save go through.
path_files='session/binary_codec|session/session|session/byte_bounds|session/indexed_list|backends/binary_file_backend|backends/file_system|backends/journal|backends/lock_holder'

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/measured"
for t in "${targets[@]}"; do
  case "$t" in
    x86-64) flags=(-c opt --define=werror=1 --define=tgs_sodium=0) tools= ;;
    aarch64) flags=(--config=aarch64 --define=werror=1) tools=aarch64-linux-gnu- ;;
    armhf) flags=(--config=armhf --define=werror=1) tools=arm-linux-gnueabihf- ;;
    *) echo "footprint.sh: unknown target $t" >&2; exit 2 ;;
  esac
  labels=(//tools/bench:footprint //tools/bench:footprint_heap //tools/bench:footprint_report)
  bazel build "${flags[@]}" "${labels[@]}" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
  bin="$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)/tools/bench"
  "${tools}strip" -o "$tmp/footprint" "$bin/footprint"
  size=$(stat -c %s "$tmp/footprint")
  out=$(cross/qemu_run.sh "$bin/footprint_heap" "$tmp")
  heap=$(printf '%s' "$out" | sed -n 's/.*peak_heap_bytes=\([0-9]*\).*/\1/p')
  [ -n "$heap" ] || { echo "footprint.sh: footprint_heap printed no peak for $t: $out" >&2; exit 1; }
  # .su lines: "file:line:col:function<TAB>bytes<TAB>static|dynamic[,bounded]".
  frame=$(find "$bin/footprint_report" -name '*.su' | grep -E "/($path_files)\.su\$" | xargs cat |
    sort -t$'\t' -k2,2n | tail -1)
  frame_bytes=$(printf '%s' "$frame" | cut -f2)
  frame_fn=$(printf '%s' "$frame" | cut -f1 | sed 's/^[^:]*:[0-9]*:[0-9]*://; s/absl::lts_[0-9]*::/absl::/g')
  [ -n "$frame_bytes" ] || { echo "footprint.sh: no -fstack-usage output for $t" >&2; exit 1; }
  {
    echo "$t stripped_bytes $size"
    echo "$t peak_heap $heap"
    echo "$t max_frame $frame_bytes $frame_fn"
  } >>"$tmp/measured"
  if [ "$bytes" = 1 ]; then
    echo "== $t: where the bytes go (symbol sizes of the unstripped program, by origin)"
    python3 tools/bench/footprint_bytes.py "${tools}nm" "$bin/footprint" "$bin/footprint_report"
  fi
done

echo "== footprint against $budget (target figure measured budget ratio)"
if [ "$update" = 1 ]; then
  {
    echo "# Footprint budget: target figure value. Written by tools/bench/footprint.sh --update;"
    echo "# CI fails when a figure grows more than 10% over it (tools/bench/footprint_check.sh)."
    # Targets not measured this time keep their lines.
    awk 'NR == FNR {measured[$1] = 1; next} !/^#/ && !($1 in measured)' "$tmp/measured" "$budget" 2>/dev/null || true
    cut -d' ' -f1-3 "$tmp/measured"
  } >"$budget.new"
  mv "$budget.new" "$budget"
  cat "$tmp/measured"
  echo "footprint.sh: budget written to $budget" >&2
  exit 0
fi
bash tools/bench/footprint_check.sh "$budget" "$tmp/measured"
