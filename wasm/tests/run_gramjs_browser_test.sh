#!/bin/bash
# Bundles the real GramJS with tgsession/gramjs (esbuild, as a web app would)
# and runs gramjs_browser/gramjs_browser_test.mjs in headless Chromium.
set -euo pipefail
r="${TEST_SRCDIR}/${TEST_WORKSPACE}"
w="${r}/wasm"
# The bundlers stay in the source tree (see run_bundler_matrix_test.sh).
bundlers="$(dirname "$(readlink -f "${w}/tests/bundlers/package-lock.json")")/node_modules"
for need in "${r}/tests/interop_js/node_modules/telegram" "${bundlers}/esbuild" "${w}/tests/node_modules/playwright-core"; do
  if [[ ! -f "${need}/package.json" ]]; then
    echo "${need} is missing: run tools/setup.sh (it runs npm ci there)" >&2
    exit 1
  fi
done
app="${TEST_TMPDIR}/app"
mkdir -p "${app}/node_modules" "${app}/out"
for m in "${r}/tests/interop_js/node_modules/"*; do ln -s "$(readlink -f "${m}")" "${app}/node_modules/"; done
ln -s "${bundlers}/esbuild" "${app}/node_modules/esbuild"
cp -rL "${w}/npm/tgsession" "${app}/node_modules/tgsession"
cp "${w}/tests/gramjs_browser/build.mjs" "${w}/tests/gramjs_browser/entry.mjs" "${app}/"
cp "${w}/tests/gramjs_browser/index.html" "${app}/out/"
node "${app}/build.mjs" "${app}" entry.mjs out/bundle.mjs
cp "${w}/npm/tgsession/tgsession.wasm" "${app}/out/"
export TGS_APP_DIR="${app}/out"
exec node --test --test-reporter=spec "${w}/tests/gramjs_browser/gramjs_browser_test.mjs"
