#!/usr/bin/env bash
# tgsession against the real ferogram-session in the same run, on the same
# machine and the same sessions (../shared/tools/ferogram-oracle, a build of
# ferogram-session 0.6.5; ../shared/tools/FEROGRAM-ORACLE.md):
#
#   bash tools/bench/side_by_side.sh              # 5 alternations, about five minutes
#   bash tools/bench/side_by_side.sh --rounds 9
#   TGS_FORCE_PORTABLE=1 bash tools/bench/side_by_side.sh   # our portable paths only
#
# Each alternation runs the oracle's `bench` (N = 1,000 and 65,535) and
# `bench-backend` (CachePeer x10,000 on a 10,000-peer file, then in memory)
# and ours (codec_speed, backend_bench --cache-peer-only), the two sides in
# turn, the first side alternating. Our codecs are timed in two tiers, each
# its own codec_speed process: "portable" with TGS_FORCE_PORTABLE=1 (every
# ISA kernel off: what ARM and older x86-64 run) and "kernels"
# with whatever this CPU has; with TGS_FORCE_PORTABLE=1 set for the script,
# only the portable tier. Before timing anything it checks that
# both build the same synthetic session byte for byte (size and FNV-1a of
# the binary encoding at N = 1,000, 10,000 and 65,535) and stops if not.
#
# Printed per operation and size: each side's median over the alternations
# (each alternation's figure being that program's own median of its
# rounds); the ratio ferogram / ours (median of the per-alternation ratios)
# and its range; for the codecs also that ratio with each side divided by
# its own memcpy of the same bytes (steadier on a busy machine); the target
# ratio where issue 7 set one (codecs 3x faster, binary codec within 4x of
# a memcpy of the same bytes, CachePeer 100x faster on a file and 5x in
# memory; issue 17: 2x for the portable tier) and whether it was met; and
# the load average before and after. Our file backend is shown in each
# durability mode; kNone (no fsync at all) is the one that matches
# ferogram's, whose cache_peer rewrites the whole file through a temporary
# file without fsync.
# Not run in CI (timing needs a quiet machine); README "Performance" quotes it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "side_by_side.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
oracle="${TGS_FEROGRAM_ORACLE:-../shared/tools/ferogram-oracle}"
if [ ! -x "$oracle" ]; then
  echo "side_by_side.sh: needs ../shared/tools/ferogram-oracle (or \$TGS_FEROGRAM_ORACLE)" >&2
  exit 1
fi
oracle="$(cd "$(dirname "$oracle")" && pwd)/$(basename "$oracle")"

bazel build -c opt //tools/bench:codec_speed //tools/bench:backend_bench >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
tmp="$(mktemp -d /tmp/tgs-side-by-side.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cp "$bin/tools/bench/codec_speed" "$bin/tools/bench/backend_bench" "$tmp/"

python3 - "$oracle" "$tmp" "$rounds" <<'EOF'
import json, os, platform, statistics, subprocess, sys

oracle, tmp, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
codec_speed, backend_bench = os.path.join(tmp, "codec_speed"), os.path.join(tmp, "backend_bench")

def run(args, env=None):
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout

def tier_env(tier):
    env = dict(os.environ)
    env.pop("TGS_FORCE_PORTABLE", None)
    if tier == "portable":
        env["TGS_FORCE_PORTABLE"] = "1"
    return env

def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])

model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"machine: {model}, {os.cpu_count()} CPUs, kernel {platform.release()}")
print(f"ferogram: {run([oracle, '--version']).strip()}")
forced = os.environ.get("TGS_FORCE_PORTABLE") == "1"
tiers = ["portable"] if forced else ["portable", "kernels"]
print(f"tgsession: {codec_speed} and {backend_bench} (bazel -c opt); TGS_FORCE_PORTABLE="
      f"{os.environ.get('TGS_FORCE_PORTABLE', '(unset)')}; codec tiers: {', '.join(tiers)}")
load_before = loadavg()
print(f"load average before: {load_before}")

# The same session on both sides, byte for byte, or nothing is timed.
sizes = [1000, 10000, 65535]
ours = {}
for line in run([codec_speed, "--fingerprint"] + [str(n) for n in sizes]).splitlines():
    _, n, size, chars, fnv = line.split()
    ours[int(n)] = (int(size), int(chars), fnv)
for n in sizes:
    t = json.loads(run([oracle, "bench", "--n", str(n), "--rounds", "1"]))
    theirs = (t["binary_bytes"], t["string_chars"], t["fnv1a64"])
    if theirs != ours[n]:
        sys.exit(f"side_by_side.sh: SyntheticSession({n}) differs: ferogram {theirs}, ours {ours[n]} "
                 "(bytes, native chars, fnv1a64); the figures would not compare the same work")
    print(f"same session, N={n}: {theirs[0]} bytes, {theirs[1]} native chars, fnv1a64 {theirs[2]}")

codec_ops = [  # (label, ours, ferogram's field, target ratio per tier)
    ("binary encode", "encode_binary", "to_bytes_us", {"portable": 2, "kernels": 3}),
    ("binary decode", "decode_binary", "from_bytes_us", {"portable": 2, "kernels": 3}),
    ("native string encode", "encode_native_string", "to_string_us", {"portable": 2, "kernels": 3}),
    ("native string decode", "decode_native_string", "from_string_us", {"portable": 2, "kernels": 3}),
    ("memcpy of the same bytes (the two processes' machine)", "memcpy", "memcpy_us", {}),
]
backend_rows = [
    ("CachePeer x10,000, 10,000-peer file: ours no fsync (ferogram's durability)", "binary_file_none",
     "binary_file_cache_peer_ms", 100),
    ("the same, ours group commit (50 ms window)", "binary_file_group_commit", "binary_file_cache_peer_ms", None),
    ("the same, ours fdatasync per call", "binary_file_every_operation", "binary_file_cache_peer_ms", None),
    ("CachePeer x10,000, InMemoryBackend", "in_memory", "in_memory_cache_peer_ms", 5),
]
fero = {}  # (key, n) -> [per-alternation value]
mine = {}
x_memcpy = {}  # (our op, n) -> [per-alternation median of round / memcpy round]
# Our codec figures are keyed "<op>@<tier>".

def ferogram_side(r):
    for n in (1000, 65535):
        t = json.loads(run([oracle, "bench", "--n", str(n)]))
        for _, _, f, _ in codec_ops:
            fero.setdefault((f, n), []).append(t[f])
    t = json.loads(run([oracle, "bench-backend", "--peers", "10000", "--calls", "10000", "--runs", "1",
                        "--dir", os.path.join(tmp, "ferogram")]))
    for f in ("binary_file_cache_peer_ms", "in_memory_cache_peer_ms"):
        fero.setdefault((f, 10000), []).append(t[f]["median"])

def our_side(r):
    for tier in tiers:
        for line in run([codec_speed, "", "21", "kernels"], env=tier_env(tier)).splitlines():
            p = line.split()
            if p[0] == "codec_speed" and len(p) == 5:
                mine.setdefault((f"{p[1]}@{tier}", int(p[2])), []).append(float(p[3]))
            if p[0] == "codec_speed_spread":
                x_memcpy.setdefault((f"{p[1]}@{tier}", int(p[2])), []).append(float(p[6]))
    for line in run([backend_bench, f"--dir={os.path.join(tmp, 'ours')}", "--cache-peer-only"]).splitlines():
        p = line.split()
        if p[:2] == ["side_by_side", "cache_peer"]:
            mine.setdefault((p[2], 10000), []).append(float(p[3]))

for r in range(rounds):
    sides = (ferogram_side, our_side) if r % 2 == 0 else (our_side, ferogram_side)
    for side in sides:
        side(r)
    print(f"alternation {r + 1} of {rounds} done, load average {loadavg()}", file=sys.stderr)

def row(label, n, f_key, o_key, unit, target, tier=None):
    f, o = fero[(f_key, n)], mine[(o_key, n)]
    ratios = [a / b for a, b in zip(f, o)]
    ratio = statistics.median(ratios)
    ours_text = f"{statistics.median(o):.3f} {unit}"
    goals = []
    if target is not None:
        goals.append(f"{target}x: {'met' if ratio >= target else 'MISSED'}")
    if o_key.split("@")[0] in ("encode_binary", "decode_binary"):
        xm = statistics.median(x_memcpy[(o_key, n)])
        ours_text += f" ({xm:.2f}x memcpy)"
        goals.append(f"4x memcpy: {'met' if xm <= 4 else 'MISSED'}")
    # The same ratio with each side first divided by its own memcpy of the
    # same bytes, timed in the same process between the same rounds: what a
    # busy machine does to one process and not the other cancels out.
    steady = ""
    if unit == "us" and not o_key.startswith("memcpy"):
        fm, om = fero[("memcpy_us", n)], mine[(f"memcpy@{tier}", n)]
        steady = f"{statistics.median([(a / c) / (b / d) for a, b, c, d in zip(f, o, fm, om)]):.2f}x"
    print(f"| {label} | {tier or ''} | {n:,} | {statistics.median(f):.3f} {unit} | {ours_text} | "
          f"{ratio:.2f}x | {min(ratios):.2f}-{max(ratios):.2f}x | {steady} | {', '.join(goals)} |")

print()
print(f"{rounds} alternations; each figure the median over them; ratio = ferogram / ours, taken per alternation")
print()
print("| operation | our tier | N | ferogram-session | tgsession | ratio | range | ratio per memcpy | target |")
print("|---|---|---|---|---|---|---|---|---|")
for tier in tiers:
    for n in (1000, 65535):
        for label, o, f, target in codec_ops:
            row(label, n, f, f"{o}@{tier}", "us", target.get(tier), tier)
for label, o, f, target in backend_rows:
    row(label, 10000, f, o, "ms", target, "portable" if forced else None)
print()
print(f"load average before: {load_before}; after: {loadavg()}")
EOF
