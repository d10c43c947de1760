#!/bin/bash
# Runs gramjs_test.mjs in a project whose node_modules holds the npm package
# (a copy, as an install makes it) and the real GramJS from tests/interop_js.
set -euo pipefail
r="${TEST_SRCDIR}/${TEST_WORKSPACE}"
if [[ ! -f "${r}/tests/interop_js/node_modules/telegram/package.json" ]]; then
  echo "tests/interop_js/node_modules is missing: run tools/setup.sh (it runs npm ci there)" >&2
  exit 1
fi
app="${TEST_TMPDIR}/app"
mkdir -p "${app}/node_modules"
for m in "${r}/tests/interop_js/node_modules/"*; do ln -s "$(readlink -f "${m}")" "${app}/node_modules/"; done
ln -s "$(readlink -f "${r}/wasm/tests/node_modules/fake-indexeddb")" "${app}/node_modules/"
cp -rL "${r}/wasm/npm/tgsession" "${app}/node_modules/tgsession"
cp "${r}/wasm/tests/gramjs_test.mjs" "${r}/wasm/tests/gramjs_consumer.ts" "${r}/wasm/tests/gramjs_consumer.cts" "${app}/"
printf '{"name": "app", "private": true, "type": "module"}\n' >"${app}/package.json"
cd "${app}"
export TGS_NATIVE_TOOL="${r}/wasm/native_session_tool_host.bin"
"${r}/wasm/tests/node_modules/typescript/bin/tsc" --strict --noEmit --skipLibCheck --target es2022 \
  --module node16 --moduleResolution node16 --lib es2022,dom gramjs_consumer.ts gramjs_consumer.cts
echo "tsc: gramjs_consumer.ts (import) and gramjs_consumer.cts (require) type-check against gramjs.d.ts / .d.cts"
exec node --test --test-reporter=spec gramjs_test.mjs
