#!/usr/bin/env bash
# A long differential campaign against the real ferogram-session
# (../shared/tools/ferogram-oracle; docs/ferogram-differences.md): the
# campaign of //tests:ferogram_differential_test with more inputs and other
# seeds, for as long as asked.
#
#   bash tools/differential.sh                        # one campaign: seed 1000, 100,000 inputs per decoder
#   bash tools/differential.sh --seed 7 --inputs 500000
#   bash tools/differential.sh --hours 4              # campaigns with seeds 1000, 1001, ... for 4 hours
#
# Each campaign prints its counts. An input the harness cannot explain is
# saved under tests/vectors/differential/<decoder>/ (a regression input:
# //tests:ferogram_differential_test fails on it until it is fixed or the
# difference is listed) and the script exits 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seed=1000
inputs=100000
hours=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --inputs) inputs="$2"; shift 2 ;;
    --hours) hours="$2"; shift 2 ;;
    *) echo "differential.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

oracle="${TGS_FEROGRAM_ORACLE:-../shared/tools/ferogram-oracle}"
if [ ! -x "$oracle" ]; then
  echo "skipped: ../shared/tools/ferogram-oracle not found"
  exit 0
fi
vectors=tests/vectors
if [ -d ../shared/vectors/ferogram ]; then vectors=../shared/vectors; fi

bazel build -c opt //tests/differential:campaign >&2
tmp="$(mktemp -d /tmp/tgs-differential.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cp "$(bazel info -c opt bazel-bin 2>/dev/null)/tests/differential/campaign" "$tmp/campaign"

end=$(($(date +%s) + $(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')))
sessions=$((inputs / 10))
while :; do
  start=$(date +%s)
  "$tmp/campaign" --seed="$seed" --inputs="$inputs" --sessions="$sessions" --oracle="$oracle" \
    --vectors="$vectors" --regression=tests/vectors/differential
  echo "campaign seed $seed took $(($(date +%s) - start)) s"
  seed=$((seed + 1))
  [ "$(date +%s)" -lt "$end" ] || break
done
