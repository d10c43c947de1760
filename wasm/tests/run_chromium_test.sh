#!/bin/bash
# Runs browser_test.mjs: headless /usr/bin/chromium driven by playwright-core,
# the npm package served from 127.0.0.1. Screenshots land in
# bazel-testlogs/wasm/chromium_test/test.outputs/.
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
if [[ ! -f "${w}/tests/node_modules/playwright-core/package.json" ]]; then
  echo "wasm/tests/node_modules is missing: run tools/setup.sh (it runs npm ci in wasm/tests)" >&2
  exit 1
fi
chromium="${TGS_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "${chromium}" ]]; then
  echo "${chromium} is missing: run tools/setup.sh (without --no-browser)" >&2
  exit 1
fi
export TGS_PKG_DIR="${w}/npm/tgsession"
export TGS_TESTS_DIR="${w}/tests"
export TGS_EXAMPLE_DIR="${w}/example"
export TGS_NATIVE_TOOL="${w}/native_session_tool_host.bin"
export TGS_NATIVE_SQLITE_TOOL="${w}/native_sqlite_tool_host.bin"
export TGS_RUNFILES_VECTORS="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors"
exec node --test --test-reporter=spec --test-concurrency=1 "${w}/tests/browser_test.mjs"
