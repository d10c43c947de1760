#!/usr/bin/env bash
# One-time (and idempotent) setup of a Debian 12 machine for building and
# testing tgsession offline.
#
#   1. installs the Debian packages the build and the tests use (only the ones
#      missing, so a second run is fast);
#   2. downloads the pinned source tarballs (Abseil, GoogleTest, Google
#      Benchmark, RapidJSON, SQLite, libsodium) from Debian's archive into
#      third_party/distdir/, checking their sha256;
#   3. writes .bazelrc.local so Bazel finds them there (--distdir) and never
#      needs the network while building;
#   4. installs the npm packages the tests use (wasm/tests, the bundlers of
#      wasm/tests/bundlers, and GramJS and mtcute in tests/interop_js for the
#      real-library interop test).
#
# Usage: bash tools/setup.sh [--no-browser]   (run as root, or with sudo rights)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

want_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=0 ;;
    *) echo "setup.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup: %s\n' "$*" >&2; }

# --- 1. Debian packages -------------------------------------------------------
packages=(
  bazel-bootstrap bazel-platforms bazel-skylib bazel-rules-java  # Bazel 4.2.3 and its helper repos
  patch                       # applies Debian's Abseil security patch
  g++ clang libclang-rt-14-dev llvm  # compilers, sanitizer + libFuzzer runtimes
  tcl                         # generates SQLite's amalgamation from its source tree
  libpq-dev postgresql openssl  # PostgresBackend; its tests start a server (runuser, from util-linux) and make TLS certificates
  pgbouncer                   # PostgresBackend behind a transaction-mode pooler (tests start one beside the server)
  emscripten nodejs           # WebAssembly build (Debian's emcc 3.1.6) and node tests
  python3-telethon            # interop tests run the real Telethon on our output
  valgrind                    # benchmark instruction counts
  g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++-s390x-linux-gnu  # cross builds (cross/, cmake/toolchains/)
  qemu-user                   # runs their tests (cross/qemu_run.sh); no binfmt registration needed
  cmake ninja-build libabsl-dev  # the CMake build, against Debian's Abseil and the bundled one
  ca-certificates curl
)
if [ "$want_browser" = 1 ]; then packages+=(chromium firefox-esr); fi  # browser tests: playwright-core (Chromium), puppeteer-core over WebDriver BiDi (Firefox)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodesource's nodejs package provides node and npm itself; Debian's needs npm.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

apt_updated=0
apt_update() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    apt_updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  apt_update
  log "installing: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. pinned source tarballs -----------------------------------------------
distdir="$here/third_party/distdir"
mkdir -p "$distdir"

# name|source package|sha256 (must match deps.bzl)
tarballs=(
  "abseil_20220623.1.orig.tar.gz|abseil|abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe"
  "googletest_1.12.1.orig.tar.gz|googletest|81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2"
  "benchmark_1.7.1.orig.tar.gz|benchmark|6430e4092653380d9dc4ccb45a1e2dc9259d581f4866dc0759713126056bc1d7"
  "rapidjson_1.1.0+dfsg2.orig.tar.gz|rapidjson|92aa6402743012e5f2c3db17def1ff5273df4f3ca7a8f8ed9f1041d392c14ce7"
  "sqlite3_3.40.1.orig.tar.xz|sqlite3|aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655"
  "libsodium_1.0.18.orig.tar.gz|libsodium|d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4"
)

have_sha() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

need_src=0
for t in "${tarballs[@]}"; do
  IFS='|' read -r file pkg sha <<<"$t"
  have_sha "$distdir/$file" "$sha" || need_src=1
done

if [ "$need_src" = 1 ]; then
  # Debian's source packages: add a deb-src entry once.
  src_list=/etc/apt/sources.list.d/tgsession-debian-src.sources
  if ! grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
    log "adding a deb-src entry ($src_list)"
    $SUDO tee "$src_list" >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt_updated=0
  fi
  apt_update
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  for t in "${tarballs[@]}"; do
    IFS='|' read -r file pkg sha <<<"$t"
    if have_sha "$distdir/$file" "$sha"; then continue; fi
    log "downloading source package $pkg"
    (cd "$tmp" && apt-get source --download-only "$pkg" >/dev/null 2>&1) || {
      echo "setup.sh: apt-get source $pkg failed" >&2; exit 1; }
    if ! have_sha "$tmp/$file" "$sha"; then
      echo "setup.sh: $file from Debian does not have the pinned sha256 $sha" >&2
      exit 1
    fi
    cp "$tmp/$file" "$distdir/$file"
  done
fi

# --- 3. Bazel settings for this checkout ------------------------------------
cat >"$here/.bazelrc.local" <<EOF
# Written by tools/setup.sh: the pinned tarballs live here, so no network.
build --distdir=$distdir
# Shared with tests/external_workspace, so Abseil is compiled once.
build --disk_cache=$HOME/.cache/tgsession-bazel-disk
fetch --distdir=$distdir
query --distdir=$distdir
sync --distdir=$distdir
EOF

# --- 4. npm packages the tests run -----------------------------------------
#   wasm/tests         the WebAssembly tests
#   wasm/tests/bundlers  Vite, webpack and esbuild for //wasm:bundler_matrix_test
#   tests/interop_js   GramJS (npm `telegram`) and mtcute (`@mtcute/core`),
#                      which read our strings in //tests:real_libraries_test
# Installed from the committed package-lock.json (npm ci), and only when the
# lock file is newer than the last install.
for npm_dir in wasm/tests wasm/tests/bundlers tests/interop_js; do
  if [ -f "$here/$npm_dir/package.json" ]; then
    if [ ! -f "$here/$npm_dir/node_modules/.tgsession-ok" ] ||
       [ "$here/$npm_dir/package-lock.json" -nt "$here/$npm_dir/node_modules/.tgsession-ok" ]; then
      log "npm ci ($npm_dir)"
      (cd "$here/$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      touch "$here/$npm_dir/node_modules/.tgsession-ok"
    fi
  fi
done

# TSan needs the absolute path of its suppression file (tests run elsewhere).
echo "test:tsan --test_env=TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$here/tools/tsan_suppressions.txt" >>"$here/.bazelrc.local"

# Tests read the shared golden vectors from ../shared when that folder exists
# (a checkout next to the team's shared data); otherwise the committed copy.
if [ -d "$here/../shared/vectors/ferogram" ]; then
  echo "test --test_env=TGS_VECTORS_DIR=$(cd "$here/../shared/vectors" && pwd)" >>"$here/.bazelrc.local"
fi
# The real ferogram-session behind a command line, for the differential
# tests (//tests:ferogram_differential_test skips without it).
if [ -x "$here/../shared/tools/ferogram-oracle" ]; then
  echo "test --test_env=TGS_FEROGRAM_ORACLE=$(cd "$here/../shared/tools" && pwd)/ferogram-oracle" >>"$here/.bazelrc.local"
fi

log "ready"
