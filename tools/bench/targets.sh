#!/usr/bin/env bash
# Prints tgsession's codec and backend figures next to the real
# ferogram-session's (issue 7: Rust release build, measured by the issue's
# author "on this kind of machine"), with the ratio and the target ratio:
#
#   bash tools/bench/targets.sh        # about two minutes
#
# Two kinds of ratio, because the crate cannot run here (no Rust toolchain
# with its dependencies offline):
#   * "vs ferogram": ferogram's published figure / ours from this run. Only
#     as good as the assumption that this machine is as fast as the one the
#     figures came from; memcpy of the same bytes (printed) is the check on
#     that assumption.
#   * "x memcpy": ours / memcpy of the same bytes in the same run (issue 7's
#     "within 4x of memcpy"), which does not depend on the machine.
# Expects tools/setup.sh to have run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

tmp="$(mktemp -d /tmp/tgs-targets.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
bazel build -c opt //tools/bench:codec_speed //tools/bench:backend_bench >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

printf 'machine: %s, %s CPUs\n' "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)"
"$bin/tools/bench/codec_speed" >"$tmp/codec.txt"

# ferogram-session's figures from issue 7, microseconds: op peers value.
cat >"$tmp/ferogram.txt" <<'EOF'
encode_binary 1000 3.1
decode_binary 1000 3.4
encode_native_string 1000 12.6
decode_native_string 1000 13.2
encode_binary 65535 172
decode_binary 65535 187
encode_native_string 65535 820
decode_native_string 65535 807
EOF

echo
echo "codecs (median microseconds per operation; target: 3x ferogram, binary within 4x memcpy)"
awk '
  FNR == NR { fero[$1 " " $2] = $3; next }
  $1 == "codec_speed" && $2 == "memcpy" { memcpy[$3] = $4 }
  $1 == "codec_speed" && ($2 " " $3) in fero { ours[$2 " " $3] = $4; allocs[$2 " " $3] = $5; order[++n] = $2 " " $3 }
  END {
    printf "%-22s %6s %10s %10s %8s %6s %9s %6s %7s\n", "operation", "peers", "tgsession", "ferogram", "vs fero", "3x?",
           "x memcpy", "4x?", "allocs"
    for (i = 1; i <= n; ++i) {
      k = order[i]; split(k, p, " ")
      r = fero[k] / ours[k]
      m = ours[k] / memcpy[p[2]]
      binary = p[1] ~ /_binary$/
      printf "%-22s %6s %10.3f %10.1f %7.2fx %6s %8.2fx %6s %7.0f\n", p[1], p[2], ours[k], fero[k], r,
             (r >= 3 ? "met" : "MISSED"), m, (binary ? (m <= 4 ? "met" : "MISSED") : "-"), allocs[k]
    }
    for (s in memcpy) printf "memcpy of the encoded bytes, %s peers: %.3f us\n", s, memcpy[s]
  }' "$tmp/ferogram.txt" "$tmp/codec.txt"

echo
echo "backends (target: CachePeer x10,000 100x faster than ferogram's 3.5 s; InMemoryBackend 5x faster than 16.5 ms)"
mkdir -p "$tmp/backend"
"$bin/tools/bench/backend_bench" --dir="$tmp/backend" | grep -E "^==|faster than|peak RSS|peers loaded|Save|Load"
