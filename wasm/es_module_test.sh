#!/bin/bash
# Runs es_module_test.mjs with node's test runner against the wasm_module
# outputs in this test's runfiles.
set -euo pipefail
export TGS_WASM_MODULE_DIR="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
exec node --test "${TGS_WASM_MODULE_DIR}/es_module_test.mjs"
