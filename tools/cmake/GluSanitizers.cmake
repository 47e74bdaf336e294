# Sanitized builds (scripts/setup.sh: glu_asan_runtime, glu_fuzz_smoke), each
# in its own build folder; off by default.
#
#   GLU_SANITIZE=ON       everything compiled here gets AddressSanitizer and
#                         UndefinedBehaviorSanitizer, no recovery (the first
#                         report aborts). build-asan builds the runtime and
#                         its tests this way (GLU_RUNTIME_ONLY=ON).
#   GLU_BUILD_FUZZERS=ON  the same, plus libFuzzer's coverage, on glu's own
#                         code, and the libFuzzer targets of test/fuzz. Clang
#                         only. build-fuzz builds just those targets.
#
# MLIR and LLVM are Debian's prebuilt, uninstrumented libMLIR.so and
# libLLVM.so: ASan intercepts their allocations, but neither checks their
# memory accesses nor gives coverage inside them.

option(GLU_SANITIZE
  "Build with -fsanitize=address,undefined -fno-sanitize-recover=all" OFF)
option(GLU_BUILD_FUZZERS
  "Build the libFuzzer targets of test/fuzz (clang only), glu's code with \
coverage, ASan and UBSan" OFF)

if(NOT GLU_SANITIZE AND NOT GLU_BUILD_FUZZERS)
  return()
endif()

set(GLU_SANITIZER_FLAGS -fsanitize=address,undefined
  -fno-sanitize-recover=all -fno-omit-frame-pointer)
if(GLU_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang"
      OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GLU_BUILD_FUZZERS needs clang (libFuzzer): "
      "configure with CC=clang-22 CXX=clang++-22")
  endif()
  # Coverage for libFuzzer in every object; only the fuzz targets link
  # libFuzzer itself (-fsanitize=fuzzer, test/fuzz/CMakeLists.txt).
  list(APPEND GLU_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()
message(STATUS "Sanitizers: ${GLU_SANITIZER_FLAGS}")
add_compile_options(${GLU_SANITIZER_FLAGS})
add_link_options(-fsanitize=address,undefined)
# Shared libraries leave the sanitizers' runtime to the executable that
# loads them: allow that undefined reference (LLVM's flags add -z defs).
add_link_options(
  "$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,SHARED_LIBRARY>:LINKER:-z,undefs>")
