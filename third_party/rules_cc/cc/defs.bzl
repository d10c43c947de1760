"""Offline stand-in for @rules_cc//cc:defs.bzl.

Debian's bazel-rules-cc 0.0.4 does not load under Bazel 4.2.3, and there is no
network to fetch the upstream release, so this forwards every rule that Abseil,
GoogleTest and Google Benchmark load from @rules_cc to Bazel's native rules
(which is what upstream rules_cc of that era did as well).
"""

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
