#!/usr/bin/env bash
# Runs every tgsession test suite. Expects tools/setup.sh to have run.
#   bash tools/test_all.sh            # everything
#   TGS_QUICK=1 bash tools/test_all.sh  # native tests only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "native tests (g++ 12, warnings as errors)"
bazel test --define=werror=1 //...

if [ "${TGS_QUICK:-0}" = 1 ]; then exit 0; fi

step "build with clang 14 (warnings as errors)"
bazel build --config=clang --define=werror=1 //...

step "tgsession as an external dependency (tests/external_workspace)"
(cd tests/external_workspace &&
  bazel --output_base="$HOME/.cache/bazel-ob-tgsession-consumer" run //:consumer -- \
    CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | grep -qx "home_dc_id=2")

step "all tests passed"
