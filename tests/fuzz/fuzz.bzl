"""tgs_fuzz_target: a libFuzzer binary plus a regression test over its corpus."""

load("//:build_defs.bzl", "TGS_COPTS")

def tgs_fuzz_target(name, deps, corpus = [], corpus_dirs = [], regression_test = True, target_compatible_with = None, tags = []):
    """regression_test = False: no test target (for a target whose check
    needs something a test cannot count on, like the ferogram oracle).
    tags: of the regression test ("emulated": also run under qemu, build_defs.bzl)."""
    native.cc_library(
        name = name + "_fuzz_lib",
        testonly = True,
        srcs = [name + "_fuzz.cc"],
        hdrs = ["fuzz_support.h"],
        copts = TGS_COPTS,
        deps = deps,
        alwayslink = 1,
        target_compatible_with = target_compatible_with,
    )

    # Needs clang: bazel build --config=fuzz //tests/fuzz:<name>_fuzzer
    native.cc_binary(
        name = name + "_fuzzer",
        testonly = True,
        linkopts = ["-fsanitize=fuzzer"],
        deps = [":" + name + "_fuzz_lib"],
        tags = ["manual"],
    )
    if not regression_test:
        return

    findings = native.glob(["findings/" + name + "/**"])
    native.cc_test(
        name = name + "_fuzz_regression_test",
        size = "medium",
        srcs = ["regression_main.cc"],
        copts = TGS_COPTS,
        args = ["$(location //tests/fuzz:findings/.keep)"] + corpus_dirs + (
            ["tests/fuzz/findings/" + name] if findings else []
        ),
        data = corpus + findings + ["//tests/fuzz:findings/.keep"],
        deps = [":" + name + "_fuzz_lib"],
        tags = tags,
    )
