#!/bin/bash
# Runs sqlite_module_test.mjs against one entry point of the npm package ($1)
# and the native reference program.
set -euo pipefail
w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
export TGS_MODULE="${w}/npm/tgsession/$1"
export TGS_NATIVE_TOOL="${w}/native_sqlite_tool_host.bin"
export TGS_RUNFILES_VECTORS="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors"
exec node --test --test-reporter=spec "${w}/tests/sqlite_module_test.mjs"
