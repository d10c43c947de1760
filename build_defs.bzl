"""Compiler options shared by tgsession's own targets."""

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
