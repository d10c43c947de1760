"""api_module: an emscripten module of the JavaScript API's C ABI (wasm/api/).

The core module (//wasm:tgsession), the optional SQLite module
(//wasm:tgsession_sqlite) and the measurement variants of the core follow one
convention, which this macro holds so that they cannot drift apart:

  * results go through the five functions of api/call_result.h
    (//wasm:api_call_result), and JavaScript reaches the heap with
    malloc/free, the only C functions exported by name (the ABI's own
    functions are EMSCRIPTEN_KEEPALIVE);
  * 64-bit integers cross as BigInt (-sWASM_BIGINT: no i64 legalization);
  * one split build (.mjs + .wasm): the npm package inlines the wasm itself
    (js/assemble_package.mjs), so no single-file link is needed.

`api_size_variant` is the core module rebuilt differently, for
wasm/measure/sizes.sh: built on request only (tag manual), and carrying the
JavaScript API (:tgsession_api_js) as --extern-post-js, since no package
wraps it.
"""

load("//:build_defs.bzl", "TGS_COPTS")
load(":defs.bzl", "wasm_module")

def api_module(name, srcs, deps, export_name, environment = "web,worker", linkopts = [], **kwargs):
    """A module of the C ABI: `<name>.mjs` + `<name>.wasm`.

    Args:
      name: target name; also the output basename.
      srcs: the C ABI's sources (api/*.cc).
      deps: what they use; //wasm:api_call_result is added.
      export_name: the factory's name (EXPORT_NAME).
      environment: emcc -sENVIRONMENT.
      linkopts: extra emcc link flags.
      **kwargs: other wasm_module attributes (defines, pre_js, tags, ...).
    """
    wasm_module(
        name = name,
        srcs = srcs,
        copts = TGS_COPTS,
        environment = environment,
        export_name = export_name,
        exported_functions = [
            "_malloc",
            "_free",
        ],
        linkopts = ["-sWASM_BIGINT=1"] + linkopts,
        single_file = False,
        deps = ["//wasm:api_call_result"] + deps,
        **kwargs
    )

def api_size_variant(name, srcs, deps, environment = "web,worker,node", linkopts = [], **kwargs):
    """The core module built another way, with the JavaScript API, for sizes.sh.

    Args:
      name: target name; also the output basename.
      srcs: the core's C ABI (api/tgsession_api.cc), plus what is measured.
      deps: what srcs use; //wasm:api_call_result is added.
      environment: emcc -sENVIRONMENT (with node support by default).
      linkopts: extra emcc link flags.
      **kwargs: other wasm_module attributes (defines, pre_js, ...).
    """
    api_module(
        name = name,
        srcs = srcs,
        deps = deps,
        export_name = "createTgsessionModule",
        environment = environment,
        additional_linker_inputs = ["//wasm:tgsession_api_js"],
        linkopts = ["--extern-post-js=$(location //wasm:tgsession_api_js)"] + linkopts,
        tags = ["manual"],
        testonly = True,
        **kwargs
    )
