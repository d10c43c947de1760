// --pre-js for wasm cc_tests run by node: hand the real process environment to
// the program's getenv(). Emscripten otherwise shows a made-up environment
// (USER=web_user, ...), so GoogleTest would not see Bazel's TEST_TMPDIR,
// XML_OUTPUT_FILE, TESTBRIDGE_TEST_ONLY (--test_filter) or sharding variables.
// ENV only exists when the program links getenv/environ.
Module['preRun'] = [].concat(Module['preRun'] || [], function () {
  if (typeof ENV !== 'undefined' && typeof process === 'object') {
    Object.assign(ENV, process.env);
  }
});
