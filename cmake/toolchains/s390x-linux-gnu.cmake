# IBM Z: 64-bit, big-endian, with Debian's s390x-linux-gnu-g++:
#   cmake -S . -B build-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(TGS_CROSS_TRIPLE s390x-linux-gnu)
set(TGS_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
