#!/usr/bin/env bash
# Exchanges session files between targets through one folder: every
# target's build of //tests:cross_exchange_test writes its files into
# <folder>/<target> and checks them against each folder already there (same
# names, same bytes) and reads every other target's files back. Two rounds,
# so that in the second each target sees all the others.
#
#   bash cross/exchange.sh TARGET...   (x86-64 aarch64 armhf s390x)
#
# Expects each target's test to be built already: x86-64 by a plain
# `bazel test //...`, the others by `bazel test --config=<target>`
# (tools/test_all.sh does both first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

binary() {
  case "$1" in
    x86-64) echo bazel-out/k8-fastbuild/bin/tests/cross_exchange_test ;;
    *) echo "bazel-out/$1-opt/bin/tests/cross_exchange_test" ;;
  esac
}

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for round in 1 2; do
  for target in "$@"; do
    bin="$(binary "$target")"
    if [ ! -x "$bin" ]; then
      echo "exchange.sh: $bin is missing: build //tests:cross_exchange_test for $target first" >&2
      exit 1
    fi
    echo "exchange.sh: round $round, $target" >&2
    if ! out="$(TGS_EXCHANGE_DIR="$dir" TGS_VECTORS_DIR="$PWD/tests/vectors" TEST_TMPDIR="$dir" \
      cross/qemu_run.sh "$bin" 2>&1)"; then
      printf '%s\n' "$out" >&2
      echo "exchange.sh: $target failed in round $round" >&2
      exit 1
    fi
    printf '%s\n' "$out" | grep -E ' compares its ' >&2
  done
done
echo "exchange.sh: $* write the same bytes and read each other's files" >&2
