#!/usr/bin/env python3
"""Where a program's bytes go: its symbols' sizes grouped by origin.

  python3 tools/bench/footprint_bytes.py NM PROGRAM REPORT_DIR

PROGRAM is the unstripped static program; REPORT_DIR holds the objects
//tools/bench:footprint_report compiled from our sources. A symbol defined in
one of those objects counts for that source file; the rest by name: Abseil
(absl::, by its first namespace, e.g. absl::str_format_internal),
libstdc++ (std::, __gnu_cxx::, __cxxabiv1::) and the C library and runtime
(everything else). Like bloaty's "symbols" view, without a link map: an
inlined function counts where its copy landed.
"""

import collections
import re
import subprocess
import sys
from pathlib import Path


def symbols(nm, path):
    """(name, size, type) of each defined sized symbol, demangled; of
    aliases (one address, several names: strxfrm_l and __strxfrm_l) only
    the first counts."""
    args = [nm, "-C", "-S", "--size-sort", "--defined-only", str(path)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    seen = set()
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and (parts[0], parts[1]) not in seen:
            seen.add((parts[0], parts[1]))
            yield parts[3], int(parts[1], 16), parts[2]


def origin(name, ours):
    if name in ours:
        return ours[name]
    bare = re.sub(r"absl::lts_\d+::", "absl::", name)
    m = re.match(r"(?:typeinfo (?:name )?for |vtable for |guard variable for )?(absl::\w+)", bare)
    if m:
        return "Abseil " + m.group(1)
    if re.match(r"(?:typeinfo (?:name )?for |vtable for )?(std::|__gnu_cxx::|__cxxabiv1::|operator new|operator delete)", bare):
        return "libstdc++"
    if "absl::" in bare:
        return "Abseil (templates instantiated for us)"
    return "C library and runtime"


def main():
    nm, program, report = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    ours = {}
    for obj in sorted(report.rglob("*.o")):
        src = str(obj.relative_to(report))[: -len(".o")] + ".cc"
        for name, _, kind in symbols(nm, obj):
            if kind.upper() in "TDBRVW":
                ours.setdefault(name, "tgsession " + src)
    groups = collections.Counter()
    for name, size, _ in symbols(nm, program):
        groups[origin(name, ours)] += size
    total = sum(groups.values())
    file_size = program.stat().st_size
    print(f"{'bytes':>9} {'share':>6}  origin   (symbols {total} bytes; unstripped file {file_size})")
    coarse = collections.Counter()
    for group, size in groups.items():
        coarse[group.split(" ")[0] if group.startswith(("tgsession", "Abseil")) else group] += size
    for group, size in coarse.most_common():
        print(f"{size:9d} {100 * size / total:5.1f}%  {group}")
    print("  of which:")
    for group, size in groups.most_common(25):
        if group.startswith(("tgsession", "Abseil")):
            print(f"{size:9d} {100 * size / total:5.1f}%    {group}")


if __name__ == "__main__":
    main()
