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
set(CMAKE_CROSSCOMPILING_EMULATOR ${TGS_CROSS_QEMU} -L /usr/${TGS_CROSS_TRIPLE})
