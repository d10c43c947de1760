# 32-bit ARM (ARMv7, hard float): size_t is 32 bits, with Debian's arm-linux-gnueabihf-g++:
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
set(CMAKE_SYSTEM_PROCESSOR arm)
set(TGS_CROSS_TRIPLE arm-linux-gnueabihf)
set(TGS_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
# GCC's notes that passing some structs changed in GCC 7.1 matter only when
# linking code built before it.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
set(CMAKE_C_FLAGS_INIT "-Wno-psabi")
