"""cc_toolchain_config for Debian's emscripten 3.1.6 (wasm32-unknown-emscripten).

Legacy crosstool style (tool_paths + features), which is what Bazel 4.2.3 selects
through `--crosstool_top=//wasm/toolchain:suite --cpu=wasm` (see .bazelrc).
Bazel injects its legacy features (include paths, dependency files, libraries
to link, param files, ...) around the features declared here.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)

_ALL_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
    ACTION_NAMES.lto_backend,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

# Debian's emscripten: the prebuilt, frozen sysroot and clang 14's own headers.
# `em++ -v -E -x c++ /dev/null` lists sysroot/include/{SDL,compat,c++/v1} too;
# they are all below the first entry.
_BUILTIN_INCLUDE_DIRECTORIES = [
    "/usr/share/emscripten/cache/sysroot/include",
    "/usr/lib/llvm-14/lib/clang/14.0.6/include",
]

def _flags(actions, flags, with_features = []):
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(flags = flags)],
        with_features = with_features,
    )

def _impl(ctx):
    tool_paths = [
        tool_path(name = "gcc", path = "emcc.sh"),
        tool_path(name = "ld", path = "emcc.sh"),
        tool_path(name = "ar", path = "emar.sh"),
        tool_path(name = "cpp", path = "/bin/false"),
        tool_path(name = "gcov", path = "/bin/false"),
        tool_path(name = "nm", path = "/usr/bin/llvm-nm-14"),
        tool_path(name = "objdump", path = "/usr/bin/llvm-objdump-14"),
        tool_path(name = "strip", path = "/usr/bin/llvm-strip-14"),
        tool_path(name = "objcopy", path = "/usr/bin/llvm-objcopy-14"),
        tool_path(name = "dwp", path = "/bin/false"),
    ]

    # Every C++ action in tgsession is exception-free (see .bazelrc); the link
    # flags pick emscripten's no-exception libc++/libc++abi to match.
    # EXIT_RUNTIME=1 flushes stdio at exit: without it a last line that has no
    # newline is lost. Browser modules (wasm/defs.bzl) turn it off again.
    default_compile_flags = feature(
        name = "default_compile_flags",
        enabled = True,
        flag_sets = [
            _flags(_ALL_COMPILE_ACTIONS, [
                "-fno-exceptions",
                # Reproducible objects.
                "-Wno-builtin-macro-redefined",
                "-D__DATE__=\"redacted\"",
                "-D__TIMESTAMP__=\"redacted\"",
                "-D__TIME__=\"redacted\"",
            ]),
        ],
    )
    default_link_flags = feature(
        name = "default_link_flags",
        enabled = True,
        flag_sets = [
            _flags(_LINK_ACTIONS, [
                "-fno-exceptions",
                "-sDISABLE_EXCEPTION_CATCHING=1",
                "-sALLOW_MEMORY_GROWTH=1",
                "-sEXIT_RUNTIME=1",
            ]),
        ],
    )

    # Compilation modes. Bazel turns on the feature named like --compilation_mode
    # (fastbuild: emcc's defaults, -O0 without debug info).
    opt = feature(
        name = "opt",
        flag_sets = [
            _flags(_ALL_COMPILE_ACTIONS, ["-O2", "-DNDEBUG"]),
            _flags(_LINK_ACTIONS, ["-O2"]),
        ],
    )
    dbg = feature(
        name = "dbg",
        flag_sets = [
            _flags(_ALL_COMPILE_ACTIONS, ["-O0", "-g"]),
            _flags(_LINK_ACTIONS, ["-g"]),
        ],
    )

    # Bazel's own user_link_flags feature would be injected in front of the
    # features above, so `--linkopt=-Oz` would lose to opt's `-O2`. Declaring
    # it here, after opt/dbg, puts --linkopt and `linkopts` last.
    user_link_flags = feature(
        name = "user_link_flags",
        enabled = True,
        flag_sets = [
            flag_set(
                actions = _LINK_ACTIONS,
                flag_groups = [
                    flag_group(
                        flags = ["%{user_link_flags}"],
                        iterate_over = "user_link_flags",
                        expand_if_available = "user_link_flags",
                    ),
                ],
            ),
        ],
    )

    # cc_test: link one self-contained JS file (the wasm inlined as base64, so
    # Node 18+'s global fetch() is never asked to load a file path) that starts
    # with a node shebang and sees the real file system, so `bazel test` runs it
    # directly. Declared before user_link_flags so linkopts can still override.
    cc_test_node = feature(
        name = "wasm_cc_test_node",
        enabled = True,
        flag_sets = [
            flag_set(
                actions = [ACTION_NAMES.cpp_link_executable],
                flag_groups = [
                    flag_group(
                        expand_if_true = "is_cc_test",
                        flags = [
                            "-sSINGLE_FILE=1",
                            "-sENVIRONMENT=node",
                            "-sNODERAWFS=1",
                            "--extern-pre-js=" + ctx.file.node_shebang.path,
                            "--pre-js=" + ctx.file.node_test_env.path,
                        ],
                    ),
                ],
            ),
        ],
    )

    # Size builds (--config=wasm_release): link-time optimization over the
    # bitcode objects emcc produces with -flto.
    lto = feature(
        name = "wasm_lto",
        flag_sets = [
            _flags(_ALL_COMPILE_ACTIONS + _LINK_ACTIONS, ["-flto"]),
        ],
    )

    features = [
        default_compile_flags,
        default_link_flags,
        opt,
        dbg,
        lto,
        cc_test_node,
        user_link_flags,
        feature(name = "supports_pic", enabled = False),
        feature(name = "supports_dynamic_linker", enabled = False),
        feature(name = "supports_start_end_lib", enabled = False),
    ]

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = features,
        cxx_builtin_include_directories = _BUILTIN_INCLUDE_DIRECTORIES,
        toolchain_identifier = "emscripten-wasm32",
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = "wasm32-unknown-emscripten",
        target_cpu = "wasm",
        target_libc = "musl",
        compiler = "emscripten",
        abi_version = "emscripten",
        abi_libc_version = "default",
        tool_paths = tool_paths,
    )

emscripten_cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "node_shebang": attr.label(allow_single_file = True, mandatory = True),
        "node_test_env": attr.label(allow_single_file = True, mandatory = True),
    },
    provides = [CcToolchainConfigInfo],
)
