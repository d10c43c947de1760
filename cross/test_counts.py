#!/usr/bin/env python3
"""Prints how many test cases ran, passed, failed and skipped per target.

  python3 cross/test_counts.py TARGET TESTLOGS LABEL...

reads TESTLOGS/<package>/<name>/test.xml (the GoogleTest report Bazel keeps
for each test, also for a cached result) of each test LABEL and prints one
line: "<TARGET>: <n> suites, <n> test cases run, <n> passed, <n> failed,
<n> skipped". tools/test_all.sh calls it after each emulated run.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main():
    target, testlogs, labels = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    suites = run = failed = skipped = 0
    missing = []
    for label in labels:
        pkg, _, name = label.lstrip("/").partition(":")
        report = testlogs / pkg / name / "test.xml"
        if not report.exists():
            missing.append(label)
            continue
        suites += 1
        for case in ET.parse(report).iter("testcase"):
            if case.get("status") == "notrun":
                continue
            run += 1
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.get("result") == "skipped" or case.find("skipped") is not None:
                skipped += 1
    print(f"{target}: {suites} suites, {run} test cases run, {run - failed - skipped} passed, "
          f"{failed} failed, {skipped} skipped" + (f"; no report for {' '.join(missing)}" if missing else ""))
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
