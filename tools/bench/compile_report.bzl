"""compile_report: our sources under a target, compiled again with -fstack-usage.

For every C++ source of this workspace's cc_library and cc_binary targets
that `deps` reach (external repositories are left out), one action compiles
it with the configuration's C++ toolchain, the flags and defines its own
target uses, plus -fstack-usage, and declares both outputs: `<src>.o` (its
symbols attribute a program's bytes to files) and `<src>.su` (gcc's stack
frame of every function). tools/bench/footprint.sh reads them; declared
outputs, unlike the .su files a plain --copt=-fstack-usage would leave in the
sandbox, are cached like any other.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

_SourcesInfo = provider(fields = {"items": "list of structs: src, copts, local_defines, cc (CompilationContext)"})

def _sources_aspect_impl(target, ctx):
    items = []
    for dep in getattr(ctx.rule.attr, "deps", []):
        if _SourcesInfo in dep:
            items.extend(dep[_SourcesInfo].items)
    if ctx.label.workspace_name == "" and CcInfo in target and ctx.rule.kind in ("cc_library", "cc_binary"):
        for f in ctx.rule.files.srcs:
            if f.extension in ("cc", "cpp"):
                items.append(struct(
                    src = f,
                    copts = ctx.rule.attr.copts,
                    local_defines = getattr(ctx.rule.attr, "local_defines", []),
                    cc = target[CcInfo].compilation_context,
                ))
    return [_SourcesInfo(items = items)]

_sources_aspect = aspect(
    implementation = _sources_aspect_impl,
    attr_aspects = ["deps"],
)

def _compile_report_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    compiler = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.cpp_compile)
    outputs = []
    seen = {}
    for dep in ctx.attr.deps:
        for item in dep[_SourcesInfo].items:
            if item.src.path in seen:
                continue
            seen[item.src.path] = True
            stem = ctx.label.name + "/" + item.src.short_path[:-len(item.src.extension) - 1]
            obj = ctx.actions.declare_file(stem + ".o")
            su = ctx.actions.declare_file(stem + ".su")
            variables = cc_common.create_compile_variables(
                feature_configuration = features,
                cc_toolchain = cc_toolchain,
                user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts + item.copts + ["-fstack-usage"],
                source_file = item.src.path,
                output_file = obj.path,
                include_directories = item.cc.includes,
                quote_include_directories = item.cc.quote_includes,
                system_include_directories = item.cc.system_includes,
                preprocessor_defines = depset(item.local_defines, transitive = [item.cc.defines]),
            )
            ctx.actions.run(
                executable = compiler,
                arguments = cc_common.get_memory_inefficient_command_line(
                    feature_configuration = features,
                    action_name = ACTION_NAMES.cpp_compile,
                    variables = variables,
                ),
                env = cc_common.get_environment_variables(
                    feature_configuration = features,
                    action_name = ACTION_NAMES.cpp_compile,
                    variables = variables,
                ),
                inputs = depset([item.src], transitive = [item.cc.headers, cc_toolchain.all_files]),
                outputs = [obj, su],
                mnemonic = "CompileReport",
                progress_message = "Compiling %s with -fstack-usage" % item.src.short_path,
            )
            outputs += [obj, su]
    return [DefaultInfo(files = depset(outputs))]

compile_report = rule(
    implementation = _compile_report_impl,
    attrs = {
        "deps": attr.label_list(aspects = [_sources_aspect], mandatory = True),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)
