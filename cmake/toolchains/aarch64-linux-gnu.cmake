# 64-bit ARM, little-endian, with Debian's aarch64-linux-gnu-g++:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(TGS_CROSS_TRIPLE aarch64-linux-gnu)
set(TGS_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
