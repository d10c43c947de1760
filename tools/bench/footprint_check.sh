#!/usr/bin/env bash
# Compares measured footprint figures with the budget; tools/bench/footprint.sh
# measures them and calls this.
#
#   footprint_check.sh BUDGET MEASURED
#
# Both files have one figure a line, "TARGET FIGURE VALUE [NOTE...]" ('#'
# starts a comment). Prints one row per measured figure and exits 1 when a
# figure is more than 10% over its budget (TGS_FOOTPRINT_TOLERANCE_PERCENT,
# default 10; exact integer arithmetic) or has no budget line: a figure without a budget would never be
# checked again.
set -euo pipefail
budget="$1" measured="$2"
pct="${TGS_FOOTPRINT_TOLERANCE_PERCENT:-10}"
awk -v pct="$pct" '
  /^[[:space:]]*(#|$)/ { next }
  FNR == NR { budget[$1 " " $2] = $3; next }
  {
    key = $1 " " $2
    note = ""
    for (i = 4; i <= NF; ++i) note = note " " $i
    if (!(key in budget)) {
      printf "%-8s %-15s %12s %12s %7s  NO BUDGET%s\n", $1, $2, $3, "-", "-", note
      bad = 1
      next
    }
    if ($3 * 100 > budget[key] * (100 + pct)) { note = " OVER BUDGET (> +" pct "%)" note; bad = 1 }
    ratio = budget[key] > 0 ? sprintf("%.3f", $3 / budget[key]) : "-"
    printf "%-8s %-15s %12s %12s %7s %s\n", $1, $2, $3, budget[key], ratio, note
  }
  END { exit bad }
' "$budget" "$measured" || {
  echo "footprint_check.sh: a figure is more than ${pct}% over its budget in $budget, or has none;" \
    "shrink it, or update the budget in the same commit (tools/bench/footprint.sh --update) and say why" >&2
  exit 1
}
