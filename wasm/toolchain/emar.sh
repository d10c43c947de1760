#!/bin/bash
# Archiver for Bazel's wasm toolchain: Debian's emar (llvm-ar underneath, which
# reads Bazel's @param files itself).
set -euo pipefail
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:${NODE_PATH}}"
exec /usr/bin/emar "$@"
