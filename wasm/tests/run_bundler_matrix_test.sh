#!/bin/bash
# Runs bundlers/matrix.mjs: the npm package installed from its directory and
# from a tarball into tiny apps built with Vite (dev server and build),
# webpack 5 and esbuild, run in headless /usr/bin/chromium, and in node (ESM
# and CommonJS). The bundlers come from wasm/tests/bundlers/node_modules
# (tools/setup.sh: npm ci from the committed package-lock.json), used in place
# in the source tree: 3,600 files are too many to copy into runfiles for
# every run. package-lock.json is a data dependency, so a new lock file
# re-runs the test.
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
bundlers="$(dirname "$(readlink -f "${w}/tests/bundlers/package-lock.json")")"
if [[ ! -f "${bundlers}/node_modules/vite/package.json" || ! -f "${w}/tests/node_modules/playwright-core/package.json" ]]; then
  echo "wasm/tests/bundlers/node_modules or wasm/tests/node_modules is missing: run tools/setup.sh (npm ci)" >&2
  exit 1
fi
chromium="${TGS_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "${chromium}" ]]; then
  echo "${chromium} is missing: run tools/setup.sh (without --no-browser)" >&2
  exit 1
fi
export TGS_PKG_DIR="${w}/npm/tgsession" TGS_BUNDLERS_DIR="${bundlers}" TGS_CHROMIUM="${chromium}"
export TGS_TELETHON_SESSION="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors/interop/telethon_1.25.1_dc2_v4_full.session"
exec node "${w}/tests/bundlers/matrix.mjs"
