#!/bin/bash
# Runs api_test.mjs with node's test runner against one module file of the
# npm package ($1: tgsession.node.mjs, tgsession.node.cjs or tgsession.single.mjs).
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
if [[ ! -f "${w}/tests/node_modules/fake-indexeddb/package.json" ]]; then
  echo "wasm/tests/node_modules is missing: run tools/setup.sh (it runs npm ci in wasm/tests)" >&2
  exit 1
fi
export TGS_MODULE="${w}/npm/tgsession/$1"
export TGS_RUNFILES_VECTORS="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors"
exec node --test --test-reporter=spec "${w}/tests/api_test.mjs"
