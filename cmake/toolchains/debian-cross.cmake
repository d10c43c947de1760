# Shared part of the toolchain files for Debian's cross compilers
# (g++-<triple>, from tools/setup.sh): the includer sets TGS_CROSS_TRIPLE
# and TGS_CROSS_QEMU. Libraries and packages are looked up only in the
# target's sysroot (/usr/<triple>), never the host's; tests run under
# qemu-user with that sysroot (ctest uses CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${TGS_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${TGS_CROSS_TRIPLE}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${TGS_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# LD_LIBRARY_PATH=/lib (the sysroot's): with Debian's multiarch packages
# installed (libc6:arm64), qemu would otherwise give the sysroot's loader the
# host's /lib/<triple>/libc.so.6, and a forked child hangs (as in
# cross/qemu_run.sh).
set(CMAKE_CROSSCOMPILING_EMULATOR ${TGS_CROSS_QEMU} -L /usr/${TGS_CROSS_TRIPLE} -E LD_LIBRARY_PATH=/lib)
