#!/usr/bin/env bash
# The CMake build, as CI runs it (tools/test_all.sh):
#   1. CMakeLists.txt's source lists against Bazel's (check_cmake_sources.py);
#   2. natively against Debian's Abseil (libabsl-dev): build, ctest, install;
#   3. examples/cmake_consumer against that install (find_package) and from
#      the sources (FetchContent), each run on a session string;
#   4. cross-compiled for aarch64 in the README's embedded configuration
#      (bundled Abseil from the pinned tarball, no JSON, no libsodium): the
#      core suites under ctest and qemu-user; TGS_CROSS=0 skips it. The JSON
#      suites run on aarch64 in the Bazel cross block.
# Build folders go under $TGS_CMAKE_DIR (default: a fresh temporary folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src="$PWD"
work="${TGS_CMAKE_DIR:-$(mktemp -d)}"
jobs="$(nproc)"
session=CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA  # home DC 2, no DC entries (as in tests/external_workspace)

python3 tools/check_cmake_sources.py

echo "cmake_check.sh: native, Debian's Abseil" >&2
cmake -S "$src" -B "$work/native" -G Ninja -DTGS_ABSEIL=PACKAGE -DTGS_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/native" -j "$jobs"
ctest --test-dir "$work/native" -j "$jobs" --output-on-failure
cmake --install "$work/native" >/dev/null

echo "cmake_check.sh: examples/cmake_consumer, installed and from the sources" >&2
cmake -S examples/cmake_consumer -B "$work/consumer_installed" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer_installed" -j "$jobs"
"$work/consumer_installed/consumer" "$session" "$work/installed.session" | grep -qx "home_dc_id=2 dcs=0"
cmake -S examples/cmake_consumer -B "$work/consumer_sources" -G Ninja \
  -DTGSESSION_SOURCE_DIR="$src" -DTGS_ABSEIL=PACKAGE >/dev/null
cmake --build "$work/consumer_sources" -j "$jobs"
"$work/consumer_sources/consumer" "$session" "$work/sources.session" | grep -qx "home_dc_id=2 dcs=0"

if [ "${TGS_CROSS:-1}" != 1 ]; then
  echo "cmake_check.sh: passed (TGS_CROSS=0: without the aarch64 cross build)" >&2
  exit 0
fi
echo "cmake_check.sh: aarch64 (cross), embedded configuration, ctest under qemu-user" >&2
cmake -S "$src" -B "$work/aarch64" -G Ninja -DTGS_ABSEIL=BUNDLED -DTGS_INSTALL=OFF -DTGS_WERROR=ON \
  -DTGS_WITH_JSON=OFF -DTGS_WITH_SODIUM=OFF \
  -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchains/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$work/aarch64" -j "$jobs"
ctest --test-dir "$work/aarch64" -j "$jobs" --output-on-failure
echo "cmake_check.sh: all passed" >&2
