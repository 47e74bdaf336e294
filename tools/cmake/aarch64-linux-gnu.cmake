# CMake toolchain file: the runtime and glu-run for 64-bit Arm Linux, built
# on an x86-64 Debian with its cross compiler (g++-aarch64-linux-gnu, whose
# headers and libraries are under /usr/aarch64-linux-gnu). Only for
# -DGLU_RUNTIME_ONLY=ON: the compiler needs MLIR, which is not cross-built.
#
#   cmake -S . -B build-aarch64 -G Ninja -DGLU_RUNTIME_ONLY=ON \
#     -DGLU_ENABLE_TESTS=OFF \
#     -DCMAKE_TOOLCHAIN_FILE=tools/cmake/aarch64-linux-gnu.cmake \
#     -DGLU_NLOHMANN_JSON_INCLUDE_DIR=<a folder holding only nlohmann/>
#
# nlohmann-json is header-only, but the host's package points at
# /usr/include, which must not come before the target's C headers: give a
# folder that holds nothing but nlohmann/ (scripts/setup.sh,
# glu_build_aarch64_runtime, makes one). The programs run under
# `qemu-aarch64 -L /usr/aarch64-linux-gnu`.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Libraries, headers and packages of the target only; programs of the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

