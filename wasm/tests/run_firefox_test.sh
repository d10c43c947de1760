#!/bin/bash
# Runs firefox_test.mjs: headless /usr/bin/firefox-esr driven by
# puppeteer-core over WebDriver BiDi, the npm package served from 127.0.0.1.
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
if [[ ! -f "${w}/tests/node_modules/puppeteer-core/package.json" ]]; then
  echo "wasm/tests/node_modules is missing: run tools/setup.sh (it runs npm ci in wasm/tests)" >&2
  exit 1
fi
firefox="${TGS_FIREFOX:-/usr/bin/firefox-esr}"
if [[ ! -x "${firefox}" ]]; then
  echo "${firefox} is missing: run tools/setup.sh (without --no-browser)" >&2
  exit 1
fi
export TGS_PKG_DIR="${w}/npm/tgsession"
export TGS_TESTS_DIR="${w}/tests"
export TGS_EXAMPLE_DIR="${w}/example"
export TGS_NATIVE_TOOL="${w}/native_session_tool_host.bin"
export TGS_NATIVE_SQLITE_TOOL="${w}/native_sqlite_tool_host.bin"
export TGS_RUNFILES_VECTORS="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors"
exec node --test --test-reporter=spec --test-concurrency=1 "${w}/tests/firefox_test.mjs"
