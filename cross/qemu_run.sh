#!/bin/sh
# Runs a program under the qemu-user that matches the CPU it was built for,
# with the cross toolchain's Debian sysroot (/usr/<triple>) as its root for
# the dynamic loader and shared libraries. Programs for the host CPU, and
# anything that is not an ELF file (a shell script), run directly.
#
#   qemu_run.sh PROGRAM [ARGS...]
#
# Bazel uses it as --run_under in the cross configurations (.bazelrc).
set -eu
prog="$1"
shift

# ELF: bytes 0-3 "\177ELF", byte 5 the byte order, bytes 18-19 e_machine in
# that byte order.
header="$(od -An -tx1 -N20 "$prog" 2>/dev/null | tr -d ' \n')"
case "$header" in
  7f454c46*) ;;
  *) exec "$prog" "$@" ;;
esac
machine="$(printf '%s' "$header" | cut -c37-40)"
case "$machine" in
  b700) qemu=qemu-aarch64 root=/usr/aarch64-linux-gnu ;;
  2800) qemu=qemu-arm root=/usr/arm-linux-gnueabihf ;;
  0016) qemu=qemu-s390x root=/usr/s390x-linux-gnu ;;
  3e00) exec "$prog" "$@" ;;
  *)
    echo "qemu_run.sh: $prog: no emulator for ELF machine $machine" >&2
    exit 127
    ;;
esac
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "qemu_run.sh: $qemu is missing (apt-get install qemu-user; tools/setup.sh installs it)" >&2
  exit 127
fi
# The guest's loader must find the sysroot's libraries before anything else:
# qemu maps a guest path into $root only when that file exists there, and
# otherwise opens the host's. With Debian's multiarch packages installed
# (libc6:arm64, for the CMake cross build), /lib/aarch64-linux-gnu/libc.so.6
# is the host's arm64 glibc, a different build from the sysroot's loader, and
# the guest hangs in the child of its first fork. LD_LIBRARY_PATH=/lib is the
# sysroot's /lib.
exec "$qemu" -L "$root" -E LD_LIBRARY_PATH=/lib "$prog" "$@"
