"""Compiler options and visibilities shared by tgsession's own targets."""

# Every package is private by default. The public targets are exactly those
# README.md lists under "Public targets"; everything else another package of
# this repository needs is TGS_INTERNAL, invisible to other workspaces.
TGS_PUBLIC = ["//visibility:public"]
TGS_INTERNAL = ["//:__subpackages__"]

# Warnings on for our code only (dependencies keep their own settings).
# `--define=werror=1` (used by CI) turns them into errors.
TGS_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
] + select({
    "//:werror": ["-Werror"],
    "//conditions:default": [],
})

# For the codecs and their kernels: in optimized WebAssembly builds, -O2 with
# normal inlining instead of the package's -Oz. emcc's -Oz also passes
# -fno-inline-functions, and then even one-instruction helpers (a
# little-endian store, absl::Status::ok) stay calls: the binary codec ran 6-13x
# slower than at -O2 (docs/codec.md).
TGS_CODEC_COPTS = TGS_COPTS + select({
    "//:wasm_opt": ["-O2", "-finline-functions"],
    "//conditions:default": [],
})

# target_compatible_with for targets that need a native OS: fork, flock and
# fsync on a real file system, libsodium, the CLI. `bazel test --config=wasm
# //...` skips them (and, transitively, whatever depends on them); native
# builds are unaffected.
NATIVE_ONLY = select({
    str(Label("//wasm/toolchain:is_wasm")): ["@platforms//:incompatible"],
    "//conditions:default": [],
})

# Tests tagged "emulated" are the portable core's suites: tools/test_all.sh (TGS_CROSS=1)
# also builds them with each cross toolchain (--config=aarch64, armhf, s390x;
# cross/BUILD.bazel) and runs them under qemu-user. The tag is the only list:
# `bazel query 'attr(tags, "\bemulated\b", tests(//...))'` prints it. A test
# of the portable core gets the tag where it is declared, wherever it lives.
