#!/bin/bash
# Runs browser_test.mjs: headless /usr/bin/chromium driven by playwright-core,
# the npm package served from 127.0.0.1. Screenshots land in
# bazel-testlogs/wasm/chromium_test/test.outputs/.
set -euo pipefail
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm/tests/browser_runner.sh"
run_browser_test playwright-core "${TGS_CHROMIUM:-/usr/bin/chromium}" browser_test.mjs
