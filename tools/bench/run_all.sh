#!/usr/bin/env bash
# Prints every performance figure of tgsession (README "Performance"):
#   1. codecs: time per operation, bytes/s, allocations per operation
#      (Google Benchmark, //tools/bench:codec_bench);
#   2. backends: CachePeer x10,000 on a 10,000-peer BinaryFileBackend per
#      durability mode against a full rewrite per call, InMemoryBackend,
#      Save/Load of 100,000 peers, a 1,000,000-peer session with peak RSS
#      (//tools/bench:backend_bench);
#   3. SqliteBackend: Save/Load of 100,000 peers, CachePeer per synchronous
#      setting (//tests:sqlite_backend_bench);
#   4. WebAssembly: module sizes (raw, gzip -9) and codec speed in node and
#      headless Chromium relative to native, for the shipped -Oz build
#      (--config=wasm_release) and the -O2 one (--config=wasm_fast);
#   5. the codec and backend figures next to the real ferogram-session's,
#      measured in the same run, with the target ratios
#      (tools/bench/side_by_side.sh; needs ../shared/tools/ferogram-oracle).
#
#   bash tools/bench/run_all.sh                 # everything, about seven minutes
#   TGS_BENCH_NO_WASM=1 bash tools/bench/run_all.sh
# Expects tools/setup.sh to have run. Quiet machines give stable figures; for
# regressions use tools/bench/compare.sh (instruction counts) instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

step() { printf '\n==> %s\n' "$*"; }
tmp="$(mktemp -d /tmp/tgs-bench.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

bazel build -c opt //tools/bench:codec_bench //tools/bench:backend_bench //tools/bench:codec_speed \
  //tests:sqlite_backend_bench >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
# bazel-bin moves with the next build's configuration: keep the native tool.
cp "$bin/tools/bench/codec_speed" "$tmp/codec_speed"

step "machine"
printf '%s, %s CPUs, %s RAM, kernel %s\n' "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)" \
  "$(free -h | awk '/^Mem:/ {print $2}')" "$(uname -r)"

step "codecs (Google Benchmark; allocs/op from a counting operator new)"
"$bin/tools/bench/codec_bench" --benchmark_counters_tabular=true

step "backends (BinaryFileBackend, InMemoryBackend; peak RSS)"
mkdir -p "$tmp/backend"
"$bin/tools/bench/backend_bench" --dir="$tmp/backend"

step "SqliteBackend"
mkdir -p "$tmp/sqlite"
"$bin/tests/sqlite_backend_bench" "$tmp/sqlite"

if [ "${TGS_BENCH_NO_WASM:-0}" != 1 ]; then
  step "WebAssembly module sizes (-Oz, LTO, bulk memory)"
  bash wasm/measure/sizes.sh

  for config in wasm_release wasm_fast; do
    step "WebAssembly codec speed relative to native (microseconds per operation), --config=$config"
    bazel build --config=$config //wasm:bench_codec_speed >&2
    node wasm/measure/codec_speed.mjs "$tmp/codec_speed" "$(bazel info --config=$config bazel-bin 2>/dev/null)/wasm" \
      2> >(grep -v -E '^\[pid=|dbus' >&2)
  done
fi

step "against the real ferogram-session, same run (issue 7 targets)"
if [ -x "${TGS_FEROGRAM_ORACLE:-../shared/tools/ferogram-oracle}" ]; then
  bash tools/bench/side_by_side.sh
else
  echo "skipped: ../shared/tools/ferogram-oracle not found"
fi
