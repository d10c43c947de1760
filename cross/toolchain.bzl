"""C++ toolchains for Debian's cross compilers (g++-<triple> packages).

Each toolchain reuses Bazel's own Unix toolchain rule (the one the
auto-configured host toolchain uses), so the cross builds get the same
features (opt/dbg flags, --copt, pic, sanitizer plumbing) as the native one;
only the tools, the include directories and a few link flags differ.
"""

load("@bazel_tools//tools/cpp:unix_cc_toolchain_config.bzl", "cc_toolchain_config")

def debian_cross_toolchain(name, cpu, triple):
    """Declares `<name>` (a cc_toolchain) and `<name>_config` for /usr/bin/<triple>-gcc.

    Args:
      name: the cc_toolchain's name.
      cpu: the --cpu value that selects it (also names bazel-out/<cpu>-<mode>).
      triple: the GNU triple of Debian's cross tools (aarch64-linux-gnu, ...).
    """
    tool = "/usr/bin/" + triple + "-"
    cc_toolchain_config(
        name = name + "_config",
        cpu = cpu,
        compiler = "gcc",
        toolchain_identifier = triple,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = triple,
        target_libc = "glibc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        # What `<triple>-g++ -E -v -x c++ /dev/null` searches, minus the
        # host's /usr/include: the cross g++ searches it last, and a header
        # found there (sqlite3.h, sodium.h) belongs to an x86-64 library the
        # link could not use. Leaving it out makes such an include a Bazel
        # error ("undeclared inclusion") instead of a late link failure.
        cxx_builtin_include_directories = [
            "/usr/%s/include/c++/12" % triple,
            "/usr/%s/include/c++/12/%s" % (triple, triple),
            "/usr/%s/include/c++/12/backward" % triple,
            "/usr/lib/gcc-cross/%s/12/include" % triple,
            "/usr/%s/include" % triple,
        ],
        tool_paths = {
            "ar": tool + "ar",
            "cpp": tool + "cpp",
            "dwp": tool + "dwp",
            "gcc": tool + "gcc",
            "gcov": tool + "gcov",
            "ld": tool + "ld",
            "llvm-cov": "/bin/false",
            "nm": tool + "nm",
            "objcopy": tool + "objcopy",
            "objdump": tool + "objdump",
            "strip": tool + "strip",
        },
        # The host toolchain's flags (Bazel's local_config_cc on Debian 12),
        # except gold and -B/usr/bin, which would pick the host's linker.
        compile_flags = [
            "-U_FORTIFY_SOURCE",
            "-fstack-protector",
            "-Wall",
            "-Wunused-but-set-parameter",
            "-Wno-free-nonheap-object",
            # armhf: GCC notes that passing some structs changed in GCC 7.1;
            # that matters only when linking code built before it, and every
            # line of these programs is built by the same GCC 12.
            "-Wno-psabi",
            "-fno-omit-frame-pointer",
        ],
        opt_compile_flags = [
            "-g0",
            "-O2",
            "-D_FORTIFY_SOURCE=1",
            "-DNDEBUG",
            "-ffunction-sections",
            "-fdata-sections",
        ],
        dbg_compile_flags = ["-g"],
        cxx_flags = ["-std=c++17"],
        link_flags = [
            "-Wl,-no-as-needed",
            "-Wl,-z,relro,-z,now",
            "-pass-exit-codes",
        ],
        link_libs = [
            "-lstdc++",
            "-lm",
        ],
        opt_link_flags = ["-Wl,--gc-sections"],
        unfiltered_compile_flags = [
            "-fno-canonical-system-headers",
            "-Wno-builtin-macro-redefined",
            "-D__DATE__=\"redacted\"",
            "-D__TIMESTAMP__=\"redacted\"",
            "-D__TIME__=\"redacted\"",
        ],
        coverage_compile_flags = ["--coverage"],
        coverage_link_flags = ["--coverage"],
        supports_start_end_lib = False,
        tags = ["manual"],
    )
    native.cc_toolchain(
        name = name,
        all_files = ":empty",
        ar_files = ":empty",
        as_files = ":empty",
        compiler_files = ":empty",
        dwp_files = ":empty",
        linker_files = ":empty",
        objcopy_files = ":empty",
        strip_files = ":empty",
        supports_param_files = 1,
        tags = ["manual"],
        toolchain_config = ":" + name + "_config",
        toolchain_identifier = triple,
    )
