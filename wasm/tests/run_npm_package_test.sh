#!/bin/bash
# Installs the npm package from its directory into a fresh project (no
# network: a local path), imports it by name from node, and type-checks
# TypeScript consumers (ES module and CommonJS) against tgsession.d.ts and
# .d.cts, including lines that must not type-check (@ts-expect-error).
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
tsc="${w}/tests/node_modules/typescript/bin/tsc"
if [[ ! -f "${tsc}" ]]; then
  echo "wasm/tests/node_modules is missing: run tools/setup.sh (it runs npm ci in wasm/tests)" >&2
  exit 1
fi
export HOME="${TEST_TMPDIR}/home" npm_config_cache="${TEST_TMPDIR}/npm-cache"
mkdir -p "${HOME}"
cp -rL "${w}/npm/tgsession" "${TEST_TMPDIR}/tgsession"
chmod -R u+w "${TEST_TMPDIR}/tgsession"
app="${TEST_TMPDIR}/app"
mkdir -p "${app}"
cp "${w}/tests/consumer/consumer.mjs" "${w}/tests/consumer/consumer.ts" "${w}/tests/consumer/consumer.cts" "${app}/"
cd "${app}"
printf '{"name": "app", "private": true, "type": "module"}\n' >package.json
npm install --offline --no-audit --no-fund --loglevel=error ../tgsession
node consumer.mjs
"${tsc}" --strict --noEmit --target es2022 --module node16 --moduleResolution node16 --lib es2022,dom \
    consumer.ts consumer.cts
echo "tsc: consumer.ts (import) and consumer.cts (require) type-check against tgsession.d.ts / .d.cts"
