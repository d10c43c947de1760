#!/usr/bin/env python3
"""Fails when CMakeLists.txt and the Bazel targets it mirrors drift apart.

Every tgs_cc_library / tgs_cc_test_library / tgs_cc_test call in
CMakeLists.txt names the Bazel targets it mirrors (BAZEL //pkg:name ...).
This script reads those calls, asks Bazel for the same targets
(`bazel query --output=xml`, so globs, macros and moved files are seen as
Bazel sees them) and checks:

  1. files: every source or header a CMake target lists belongs to one of
     its Bazel targets, and every source and header of a Bazel target is
     listed by some CMake target mirroring it;
  2. tests: the CMake tests are exactly the Bazel tests tagged "emulated"
     (build_defs.bzl), with the same arguments and defines;
  3. closure: every library of this workspace that the mirrored targets
     depend on (third_party/ aside: CMake finds those its own way) is
     mirrored too, so a new internal library cannot be missed.

Usage: python3 tools/check_cmake_sources.py [path/to/CMakeLists.txt]
Exit status 1 with one line per difference; 0 and a one-line summary if none.
"""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ("tgs_cc_library", "tgs_cc_test_library", "tgs_cc_test")
KEYWORDS = {"BAZEL", "SRCS", "HDRS", "DEPS", "PRIVATE_DEPS", "PRIVATE_DEFINES", "ARGS", "DEFINES", "OBJECT"}
EMULATED_TAG = "emulated"


def cmake_calls(text):
    """Yields (function, name, {keyword: [values]}) for each call of FUNCTIONS."""
    text = re.sub(r"#[^\n]*", "", text)  # comments (no quoted '#' in our calls)
    for m in re.finditer(r"\b(%s)\s*\(" % "|".join(FUNCTIONS), text):
        if text[: m.start()].rstrip().endswith("function("):
            continue  # the definition, not a call
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        tokens = text[m.end() : i - 1].split()
        name, args, key = tokens[0], {}, None
        for t in tokens[1:]:
            if t in KEYWORDS:
                key = t
                args.setdefault(key, [])
            elif key is not None:
                args[key].append(t)
        yield m.group(1), name, args


def bazel_query(expr, output="xml", keep_going=False):
    """keep_going: for a closure that reaches GoogleTest's optional
    dependencies (re2), which no workspace defines; exit status 3 then means
    a partial result, complete for this workspace's own targets."""
    r = subprocess.run(
        ["bazel", "query", "--noimplicit_deps", "--output=" + output]
        + (["--keep_going"] if keep_going else []) + [expr],
        cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0 and not (keep_going and r.returncode == 3):
        sys.exit("check_cmake_sources: bazel query failed:\n" + r.stderr[-3000:])
    return r.stdout


def label_to_path(label):
    pkg, _, name = label.lstrip("/").partition(":")
    return f"{pkg}/{name}" if pkg else name


def rules_by_label(xml_text):
    rules = {}
    for rule in ET.fromstring(xml_text).iter("rule"):
        attrs = {}
        for lst in rule.findall("list"):
            attrs[lst.get("name")] = [v.get("value") for v in lst]
        rules[rule.get("name")] = attrs
    return rules


def own_files(attrs):
    return {label_to_path(l) for l in attrs.get("srcs", []) + attrs.get("hdrs", []) if l.startswith("//")}


def main():
    cmakelists = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "CMakeLists.txt"
    calls = list(cmake_calls(cmakelists.read_text()))
    if not calls:
        sys.exit(f"check_cmake_sources: no {'/'.join(FUNCTIONS)} calls in {cmakelists}")
    labels = sorted({l for _, _, a in calls for l in a.get("BAZEL", [])})
    rules = rules_by_label(bazel_query("set(%s)" % " ".join(labels)))
    problems = []

    # 1. files, both ways.
    listed_for = {l: set() for l in labels}
    for fn, name, a in calls:
        if not a.get("BAZEL"):
            problems.append(f"CMake {name}: no BAZEL target named")
            continue
        files = {f for f in a.get("SRCS", []) + a.get("HDRS", []) if not f.startswith("$")}
        bazel_files = set().union(*(own_files(rules.get(l, {})) for l in a["BAZEL"]))
        for f in sorted(files - bazel_files):
            problems.append(f"CMake {name} lists {f}, which {' '.join(a['BAZEL'])} does not have")
        for l in a["BAZEL"]:
            listed_for[l] |= files
    for l in labels:
        for f in sorted(own_files(rules.get(l, {})) - listed_for[l]):
            problems.append(f"Bazel {l} has {f}, which no CMake target mirroring it lists")

    # 2. tests: the "emulated" set, arguments and defines.
    emulated = set(bazel_query(f'attr(tags, "\\b{EMULATED_TAG}\\b", tests(//...))', "label").split())
    cmake_tests = {a["BAZEL"][0]: (name, a) for fn, name, a in calls if fn == "tgs_cc_test" and a.get("BAZEL")}
    for l in sorted(emulated - set(cmake_tests)):
        problems.append(f"Bazel test {l} is tagged {EMULATED_TAG} but CMakeLists.txt has no tgs_cc_test for it")
    for l in sorted(set(cmake_tests) - emulated):
        problems.append(f"CMake test {cmake_tests[l][0]} mirrors {l}, which is not a test tagged {EMULATED_TAG}")
    for l, (name, a) in sorted(cmake_tests.items()):
        attrs = rules.get(l, {})
        bazel_args = [re.sub(r"\$\(location (//[^)]*)\)", lambda m: label_to_path(m.group(1)), x)
                      for x in attrs.get("args", [])]
        if bazel_args != a.get("ARGS", []):
            problems.append(f"CMake test {name} ARGS {a.get('ARGS', [])} differ from {l}'s args {bazel_args}")
        bazel_defines = sorted(attrs.get("defines", []) + attrs.get("local_defines", []))
        if bazel_defines != sorted(a.get("DEFINES", [])):
            problems.append(f"CMake test {name} DEFINES {a.get('DEFINES', [])} differ from {l}'s {bazel_defines}")

    # 3. closure: this workspace's libraries under the mirrored targets.
    deps = bazel_query("kind(cc_library, deps(set(%s)))" % " ".join(labels), "label", keep_going=True).split()
    for l in sorted(deps):
        if not l.startswith("//") or l.startswith("//third_party/") or l in listed_for:
            continue
        if own_files(rules_by_label(bazel_query(l)).get(l, {})):
            problems.append(f"Bazel library {l} is a dependency of the mirrored targets but no CMake target mirrors it")

    if problems:
        print("CMakeLists.txt and the Bazel build differ (tools/check_cmake_sources.py):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"CMakeLists.txt mirrors {len(labels)} Bazel targets ({len(cmake_tests)} tests tagged "
          f"{EMULATED_TAG}): sources, headers, test arguments and dependencies agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
