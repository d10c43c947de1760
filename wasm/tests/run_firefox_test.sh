#!/bin/bash
# Runs firefox_test.mjs: headless /usr/bin/firefox-esr driven by
# puppeteer-core over WebDriver BiDi, the npm package served from 127.0.0.1.
set -euo pipefail
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm/tests/browser_runner.sh"
run_browser_test puppeteer-core "${TGS_FIREFOX:-/usr/bin/firefox-esr}" firefox_test.mjs
