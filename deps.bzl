"""External dependencies of tgsession, pinned by sha256.

Every archive is the `.orig` tarball of a Debian bookworm source package, so the
same bytes are reachable from Debian's archive (`apt-get source`), which is the
only package source our build machines can reach. `tools/setup.sh` downloads
them once into `third_party/distdir/`, and `.bazelrc.local` points Bazel's
`--distdir` there: builds never touch the network.

A workspace that depends on tgsession calls `tgsession_dependencies()` from its
own WORKSPACE (see README.md); any repository it already defines is kept.
"""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

_DEBIAN_POOL = "https://deb.debian.org/debian/pool/main/"

_RULES_CC_DEFS = """\"\"\"Offline stand-in for @rules_cc//cc:defs.bzl (written by tgsession's deps.bzl).

Debian's bazel-rules-cc 0.0.4 does not load under Bazel 4.2.3 and there is no
network to fetch upstream rules_cc, so every rule Abseil, GoogleTest and
Google Benchmark load from @rules_cc forwards to Bazel's native rules, which is
what upstream rules_cc of that era did as well.
\"\"\"

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_import(**kwargs):
    native.cc_import(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)
"""

_RULES_CC_BUILD = """package(default_visibility = ["//visibility:public"])

# Abseil and GoogleTest refer to the C++ toolchain type through @rules_cc.
alias(
    name = "toolchain_type",
    actual = "@bazel_tools//tools/cpp:toolchain_type",
)
"""

def _rules_cc_stub_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "rules_cc")\n')
    ctx.file("BUILD.bazel", "")
    ctx.file("cc/BUILD.bazel", _RULES_CC_BUILD)
    ctx.file("cc/defs.bzl", _RULES_CC_DEFS)

rules_cc_stub = repository_rule(
    implementation = _rules_cc_stub_impl,
    doc = "A local @rules_cc that forwards to Bazel's native C++ rules.",
)

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def _debian_archive(name, pool_path, sha256, strip_prefix, patches = [], **kwargs):
    """The .orig tarball at `pool_path` in Debian's pool, plus `patches` (-p1)."""
    if patches:
        kwargs.update({"patch_args": ["-p1"], "patch_tool": "patch", "patches": patches})
    _maybe(
        http_archive,
        name,
        urls = [_DEBIAN_POOL + pool_path],
        sha256 = sha256,
        strip_prefix = strip_prefix,
        **kwargs
    )

def tgsession_dependencies(system_bazel_dir = "/usr/share/bazel"):
    """Declares Abseil, GoogleTest, Google Benchmark, RapidJSON, SQLite, libsodium and the Bazel helper repositories."""

    _maybe(rules_cc_stub, "rules_cc")

    # Bazel helper repositories come from Debian's bazel-platforms, bazel-skylib
    # and bazel-rules-java packages. Bazel 4.2.3's embedded @platforms lacks
    # cpu:wasm32, which Abseil's BUILD files reference even in native builds.
    _maybe(native.local_repository, "platforms", path = system_bazel_dir + "/tools/platforms")
    _maybe(native.local_repository, "bazel_skylib", path = system_bazel_dir + "/tools/skylib")
    _maybe(native.local_repository, "rules_java", path = system_bazel_dir + "/rules/java")

    _debian_archive(
        name = "com_google_absl",
        pool_path = "a/abseil/abseil_20220623.1.orig.tar.gz",
        sha256 = "abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe",
        strip_prefix = "abseil-20220623.1",
        # Debian ships its security fix in the .debian.tar.xz, not in the
        # orig tarball: apply it here so we build what Debian builds.
        patches = [Label("//third_party/abseil:CVE-2025-0838.patch")],
    )

    _debian_archive(
        name = "com_google_googletest",
        pool_path = "g/googletest/googletest_1.12.1.orig.tar.gz",
        sha256 = "81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2",
        strip_prefix = "googletest-release-1.12.1",
    )

    _debian_archive(
        name = "com_github_google_benchmark",
        pool_path = "b/benchmark/benchmark_1.7.1.orig.tar.gz",
        sha256 = "6430e4092653380d9dc4ccb45a1e2dc9259d581f4866dc0759713126056bc1d7",
        strip_prefix = "benchmark-1.7.1",
    )

    _debian_archive(
        name = "com_github_tencent_rapidjson",
        pool_path = "r/rapidjson/rapidjson_1.1.0+dfsg2.orig.tar.gz",
        sha256 = "92aa6402743012e5f2c3db17def1ff5273df4f3ca7a8f8ed9f1041d392c14ce7",
        strip_prefix = "rapidjson-1.1.0",
        build_file = Label("//third_party/rapidjson:BUILD.rapidjson"),
        # Two undefined behaviours found by our JSON fuzzer under UBSan, fixed
        # as later upstream releases do: pointer arithmetic on a null stack
        # pointer, and clz(0) for an all-zero number with a large exponent.
        patches = [
            Label("//third_party/rapidjson:stack-null-pointer-arithmetic.patch"),
            Label("//third_party/rapidjson:strtod-zero-significand.patch"),
        ],
    )

    # SQLite from the canonical source tree; the amalgamation is generated at
    # build time (third_party/sqlite/BUILD.sqlite, README.md there). Debian's
    # fixes to the library's own code come from its .debian.tar.xz, as for
    # Abseil; its packaging patches (configure, libtool, Hurd) and those for
    # extensions we do not compile (sessions, FTS5) are not applied.
    _debian_archive(
        name = "org_sqlite",
        pool_path = "s/sqlite3/sqlite3_3.40.1.orig.tar.xz",
        sha256 = "aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655",
        strip_prefix = "sqlite3-3.40.1",
        build_file = Label("//third_party/sqlite:BUILD.sqlite"),
        patches = [
            Label("//third_party/sqlite:41-fix_a_bug_in_the_NOT_NULL-IS_NULL_optimization.patch"),
            Label("//third_party/sqlite:42-CVE-2025-6965.patch"),
            Label("//third_party/sqlite:0002-Avoid-a-stack-overflow-that-could-be-caused-by-a-rec.patch"),
        ],
    )

    # libsodium for encryption at rest (third_party/libsodium/README.md), with
    # Debian's security fix from its .debian.tar.xz.
    _debian_archive(
        name = "libsodium",
        pool_path = "libs/libsodium/libsodium_1.0.18.orig.tar.gz",
        sha256 = "d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4",
        strip_prefix = "libsodium-1.0.18",
        build_file = Label("//third_party/libsodium:BUILD.libsodium"),
        patches = [Label("//third_party/libsodium:CVE-2025-69277.patch")],
    )
