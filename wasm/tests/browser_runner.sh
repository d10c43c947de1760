# Sourced by run_chromium_test.sh and run_firefox_test.sh.
# run_browser_test DRIVER BROWSER TEST: fails with the fix when the npm driver
# package (wasm/tests/node_modules/DRIVER) or the BROWSER executable is
# missing, points TEST at the npm package, the native tools and the vectors in
# the runfiles, and runs it with node's test runner, one file at a time.
run_browser_test() {
  local driver="$1" browser="$2" test="$3"
  local w="${TEST_SRCDIR}/${TEST_WORKSPACE}/wasm"
  if [[ ! -f "${w}/tests/node_modules/${driver}/package.json" ]]; then
    echo "wasm/tests/node_modules is missing: run tools/setup.sh (it runs npm ci in wasm/tests)" >&2
    exit 1
  fi
  if [[ ! -x "${browser}" ]]; then
    echo "${browser} is missing: run tools/setup.sh (without --no-browser)" >&2
    exit 1
  fi
  export TGS_PKG_DIR="${w}/npm/tgsession"
  export TGS_TESTS_DIR="${w}/tests"
  export TGS_EXAMPLE_DIR="${w}/example"
  export TGS_NATIVE_TOOL="${w}/native_session_tool_host.bin"
  export TGS_NATIVE_SQLITE_TOOL="${w}/native_sqlite_tool_host.bin"
  export TGS_RUNFILES_VECTORS="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/vectors"
  exec node --test --test-reporter=spec --test-concurrency=1 "${w}/tests/${test}"
}
