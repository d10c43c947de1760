#!/usr/bin/env bash
# footprint_check.sh, the CI gate on tools/bench/footprint_budget.txt: it
# passes at +10%, fails one unit over, fails a figure without a budget, and
# fails the committed figures against a budget shrunk by a sixth.
set -euo pipefail
check="$1" committed="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '# comment\nx86-64 stripped_bytes 1000\narmhf max_frame 0\n' >"$tmp/budget"
printf 'x86-64 stripped_bytes 1100\narmhf max_frame 0 f(int)\n' >"$tmp/at_limit"
printf 'x86-64 stripped_bytes 1101\narmhf max_frame 0\n' >"$tmp/over"
printf 'x86-64 stripped_bytes 900\narmhf max_frame 0\narmhf peak_heap 5\n' >"$tmp/unbudgeted"

bash "$check" "$tmp/budget" "$tmp/at_limit" >"$tmp/out" 2>&1 || fail "+10% must pass: $(cat "$tmp/out")"
if bash "$check" "$tmp/budget" "$tmp/over" >"$tmp/out" 2>&1; then fail "+10.1% must fail"; fi
grep -q 'stripped_bytes .*OVER BUDGET' "$tmp/out" || fail "no OVER BUDGET row: $(cat "$tmp/out")"
if bash "$check" "$tmp/budget" "$tmp/unbudgeted" >"$tmp/out" 2>&1; then fail "a figure without a budget must fail"; fi
grep -q 'peak_heap .*NO BUDGET' "$tmp/out" || fail "no NO BUDGET row: $(cat "$tmp/out")"

# The committed budget: every target's three figures, passing against
# themselves, and each one failing against a budget a sixth smaller.
for t in x86-64 aarch64 armhf; do
  for f in stripped_bytes peak_heap max_frame; do
    grep -Eq "^$t $f [0-9]+\$" "$committed" || fail "$committed has no '$t $f N' line"
  done
done
bash "$check" "$committed" "$committed" >"$tmp/out" 2>&1 || fail "the budget against itself: $(cat "$tmp/out")"
awk '/^#/ {next} {print $1, $2, int($3 * 5 / 6)}' "$committed" >"$tmp/shrunk"
if bash "$check" "$tmp/shrunk" "$committed" >"$tmp/out" 2>&1; then fail "a shrunk budget must fail"; fi
over=$(grep -c 'OVER BUDGET' "$tmp/out" || true)
[ "$over" = 9 ] || fail "expected 9 figures over a shrunk budget, got $over: $(cat "$tmp/out")"
echo "PASS"
