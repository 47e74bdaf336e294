# shellcheck shell=bash
# Shared set-up of scripts/test.sh and scripts/demo.sh; source it, then call
# the functions. Idempotent: every step skips what is already there.

GLU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GLU_BUILD_DIR="${GLU_BUILD_DIR:-$GLU_ROOT/build}"
GLU_VENV="${GLU_VENV:-$GLU_ROOT/.venv}"
GLU_LLVM_BIN=/usr/lib/llvm-22/bin

# Debian 12 packages the build and the tests need (DESIGN.md, Dependencies).
GLU_APT_PACKAGES=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libgtest-dev libgmock-dev nlohmann-json3-dev libopenblas-dev libomp-22-dev
  cmake ninja-build python3 python3-venv
  libclang-rt-22-dev # ASan, UBSan and libFuzzer for clang-22
  libsentencepiece-dev # glu-t5's tokenizer (tools/glu-t5/data)
)

# AArch64 (scripts/test.sh; test/compile/aarch64*.test): qemu-aarch64 and
# Debian's cross compiler with its C and C++ libraries under
# $GLU_AARCH64_SYSROOT, for the runtime and glu-run cross-built in
# $GLU_AARCH64_BUILD_DIR; the OpenMP runtime that AArch64 artifacts carry
# comes out of $GLU_AARCH64_LIBOMP_PACKAGE (glu_install_aarch64).
GLU_AARCH64_APT_PACKAGES=(qemu-user g++-aarch64-linux-gnu)
GLU_AARCH64_SYSROOT=/usr/aarch64-linux-gnu
GLU_AARCH64_BUILD_DIR="${GLU_AARCH64_BUILD_DIR:-$GLU_ROOT/build-aarch64}"
# The package of the libomp.so.5 that libomp-22-dev links (Debian 12).
GLU_AARCH64_LIBOMP_PACKAGE=libomp5-19

# The sanitized builds (glu_asan_runtime, glu_fuzz_smoke): clang-22, each in
# its own folder.
GLU_ASAN_BUILD_DIR="${GLU_ASAN_BUILD_DIR:-$GLU_ROOT/build-asan}"
GLU_FUZZ_BUILD_DIR="${GLU_FUZZ_BUILD_DIR:-$GLU_ROOT/build-fuzz}"
GLU_CLANG_CC=/usr/bin/clang-22
GLU_CLANG_CXX=/usr/bin/clang++-22

glu_log() { printf '\n==> %s\n' "$*"; }

# Installs the Debian packages that are missing (needs root).
glu_install_system_packages() {
  glu_install_apt_packages "${GLU_APT_PACKAGES[@]}"
}

# Installs those of the Debian packages given that are missing.
glu_install_apt_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    glu_log "System packages: all present"
    return
  fi
  glu_log "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# What AArch64 artifacts need here: the packages of GLU_AARCH64_APT_PACKAGES
# and the OpenMP runtime for aarch64 in $GLU_AARCH64_SYSROOT/lib, where
# glu-compile --target-triple=aarch64-linux-gnu and qemu-aarch64 -L find
# it. Debian 12's libomp5-19:arm64 cannot be installed beside the amd64
# one (both ship /usr/lib/llvm-19/lib/libomp-19.so.5, which differs) and
# would pull libllvm19:arm64 in; its libomp.so.5 needs nothing but libc, so
# it is taken out of the package (apt-get download, with the arm64
# architecture added to dpkg) instead.
glu_install_aarch64() {
  glu_install_apt_packages "${GLU_AARCH64_APT_PACKAGES[@]}" || return 1
  local libomp="$GLU_AARCH64_SYSROOT/lib/libomp.so.5"
  if [ -f "$libomp" ]; then
    glu_log "AArch64 OpenMP runtime: present"
    return
  fi
  glu_log "Installing the AArch64 OpenMP runtime ($GLU_AARCH64_LIBOMP_PACKAGE:arm64) as $libomp"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -q
  fi
  local tmp
  tmp="$(mktemp -d)"
  # apt downloads as its own user.
  chmod 777 "$tmp"
  (cd "$tmp" && apt-get download -q "$GLU_AARCH64_LIBOMP_PACKAGE:arm64") \
    && dpkg-deb -x "$tmp/${GLU_AARCH64_LIBOMP_PACKAGE}_"*_arm64.deb "$tmp/x" \
    && $sudo install -m 644 \
      "$(readlink -f "$tmp/x/usr/lib/aarch64-linux-gnu/libomp.so.5")" "$libomp"
  local status=$?
  rm -rf "$tmp"
  return $status
}

# Cross-builds the runtime and glu-run (nothing else: no MLIR, no tests)
# for aarch64 in $GLU_AARCH64_BUILD_DIR with tools/cmake/aarch64-linux-gnu.cmake.
# nlohmann-json is header-only: a folder holding only nlohmann/ gives it
# without putting the host's /usr/include before the target's headers.
glu_build_aarch64_runtime() {
  local dir="$GLU_AARCH64_BUILD_DIR"
  glu_log "Runtime and glu-run for aarch64 in $dir"
  mkdir -p "$dir/include"
  ln -sfn /usr/include/nlohmann "$dir/include/nlohmann"
  cmake -S "$GLU_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$GLU_ROOT/tools/cmake/aarch64-linux-gnu.cmake" \
    -DGLU_RUNTIME_ONLY=ON -DGLU_ENABLE_TESTS=OFF \
    -DGLU_NLOHMANN_JSON_INCLUDE_DIR="$dir/include" \
    > "$dir/configure.log" 2>&1 \
    || { cat "$dir/configure.log"; return 1; }
  CCACHE_BASEDIR="${CCACHE_BASEDIR:-$GLU_ROOT}" cmake --build "$dir" --target glu-run
}

# Makes the Python venv with the test references (PyTorch CPU, numpy) and
# bench/suite.py's peers (onnxruntime, threadpoolctl, matplotlib).
glu_make_venv() {
  if [ ! -x "$GLU_VENV/bin/python" ]; then
    glu_log "Creating the Python venv at $GLU_VENV"
    python3 -m venv "$GLU_VENV"
  fi
  if "$GLU_VENV/bin/python" -c "import torch, numpy, torch_mlir, transformers, ml_dtypes, onnx, onnxruntime, threadpoolctl, matplotlib, sentencepiece" 2>/dev/null; then
    glu_log "Python references: torch $("$GLU_VENV/bin/python" -c 'import torch; print(torch.__version__)') present"
    return
  fi
  glu_log "Installing the Python references (torch==2.13.0 CPU build, numpy, torch-mlir, transformers, ml_dtypes, sentencepiece) and the benchmark peers (onnx, onnxruntime, threadpoolctl, matplotlib)"
  "$GLU_VENV/bin/python" -m pip install -q --upgrade pip
  "$GLU_VENV/bin/python" -m pip install -q -r "$GLU_ROOT/scripts/requirements-test.txt"
}

# Configures and builds; extra arguments are ninja targets.
glu_build() {
  glu_log "Configuring in $GLU_BUILD_DIR"
  local python_arg=()
  [ -x "$GLU_VENV/bin/python" ] && python_arg=(-DGLU_PYTHON="$GLU_VENV/bin/python")
  mkdir -p "$GLU_BUILD_DIR"
  cmake -S "$GLU_ROOT" -B "$GLU_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGLU_AARCH64_GLU_RUN="$GLU_AARCH64_BUILD_DIR/bin/glu-run" \
    "${python_arg[@]}" > "$GLU_BUILD_DIR/configure.log" 2>&1 \
    || { cat "$GLU_BUILD_DIR/configure.log"; return 1; }
  glu_log "Building $*"
  cmake --build "$GLU_BUILD_DIR" -- "$@"
}

# Configures folder $1 with clang-22 and the CMake options after it (a
# configure log in the folder, printed if it fails). The sanitized builds
# share the compiler cache across clones of the repository.
glu_configure_clang() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  cmake -S "$GLU_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$GLU_CLANG_CC" -DCMAKE_CXX_COMPILER="$GLU_CLANG_CXX" \
    "$@" > "$dir/configure.log" 2>&1 \
    || { cat "$dir/configure.log"; return 1; }
}

# The runtime (no MLIR) and its tests built with ASan and UBSan
# (GLU_SANITIZE: -fsanitize=address,undefined -fno-sanitize-recover=all) in
# $GLU_ASAN_BUILD_DIR, and ctest there. Fails on a failed test and on any
# sanitizer report, also one from a process a test runs and whose output
# it keeps (glu-run): reports go to files under sanitizer-logs/.
glu_asan_runtime() {
  local dir="$GLU_ASAN_BUILD_DIR"
  glu_log "Runtime with ASan + UBSan in $dir"
  glu_configure_clang "$dir" -DGLU_RUNTIME_ONLY=ON -DGLU_SANITIZE=ON || return 1
  CCACHE_BASEDIR="${CCACHE_BASEDIR:-$GLU_ROOT}" cmake --build "$dir" || return 1
  local logs="$dir/sanitizer-logs"
  rm -rf "$logs"
  mkdir -p "$logs"
  local status=0
  # abort_on_error: a report ends the process with SIGABRT, never with an
  # exit code a test expects (glu-run exits 1 on errors).
  (cd "$dir" &&
    ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:log_path=$logs/asan" \
    UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan" \
    ctest --output-on-failure) || status=1
  if [ -n "$(ls -A "$logs")" ]; then
    glu_log "Sanitizer reports in $logs:"
    cat "$logs"/*
    status=1
  fi
  return $status
}

# The libFuzzer targets of test/fuzz (GLU_BUILD_FUZZERS: glu's code with
# coverage, ASan and UBSan, clang-22) built in $GLU_FUZZ_BUILD_DIR, then
# each run for a short, seeded while from the seed corpus
# (test/fuzz/make_corpus.py): $GLU_FUZZ_SECONDS (default 60) in all, 1/9
# (at least a second) to each of the three loaders' targets, the rest to
# glu-opt-fuzz. Fails if a target finds a crash, a leak or a time-out; the
# input is left in fuzz-smoke/artifacts/ (test/fuzz/README.md: reproduce).
glu_fuzz_smoke() {
  local dir="$GLU_FUZZ_BUILD_DIR"
  local total="${GLU_FUZZ_SECONDS:-60}"
  glu_log "Fuzz smoke (${total}s) in $dir"
  glu_configure_clang "$dir" -DGLU_BUILD_FUZZERS=ON -DGLU_ENABLE_TESTS=OFF \
    || return 1
  CCACHE_BASEDIR="${CCACHE_BASEDIR:-$GLU_ROOT}" cmake --build "$dir" -- \
    glu-opt-fuzz glu-manifest-fuzz glu-npy-fuzz glu-safetensors-fuzz \
    || return 1

  local smoke="$dir/fuzz-smoke"
  rm -rf "$smoke"
  mkdir -p "$smoke/artifacts"
  python3 "$GLU_ROOT/test/fuzz/make_corpus.py" "$smoke/seeds" || return 1

  local status=0 target seconds
  for target in glu-opt glu-manifest glu-npy glu-safetensors; do
    case $target in
      glu-opt) seconds=$((total - 3 * (total / 9))) ;;
      *) seconds=$((total / 9 > 0 ? total / 9 : 1)) ;;
    esac
    mkdir -p "$smoke/corpus/$target"
    if ! glu_run_fuzzer "$target" "$smoke/corpus/$target" "$smoke/seeds/$target" \
      -max_total_time="$seconds" -seed=1 -artifact_prefix="$smoke/artifacts/" \
      > "$smoke/$target.log" 2>&1; then
      tail -n 60 "$smoke/$target.log"
      glu_log "FAILED: $target-fuzz found a crash: $smoke/artifacts/"
      status=1
      continue
    fi
    printf '%s-fuzz: %s\n' "$target" \
      "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$smoke/$target.log" | tail -n 1)"
  done
  return $status
}

# Runs fuzz target $1 (glu-opt, glu-manifest, glu-npy or glu-safetensors) of
# $GLU_FUZZ_BUILD_DIR with its dictionary and the options every run uses;
# the other arguments go to libFuzzer (corpus folders, -max_total_time=...).
glu_run_fuzzer() {
  local target="$1"
  shift
  local dict=()
  [ -f "$GLU_ROOT/test/fuzz/$target.dict" ] \
    && dict=(-dict="$GLU_ROOT/test/fuzz/$target.dict")
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "$GLU_FUZZ_BUILD_DIR/bin/$target-fuzz" "${dict[@]}" -rss_limit_mb=4096 \
    -timeout=20 -max_len=16384 -print_final_stats=1 "$@"
}

# Real English prose for training: the King James Bible from Debian's
# bible-kjv (public domain; 4.1 MB, 820k words), one document a chapter
# (1189; blank lines between them, a verse a line), written to $1.
glu_kjv_corpus() {
  local out="$1"
  [ -s "$out" ] && return 0
  glu_install_apt_packages bible-kjv
  mkdir -p "$(dirname "$out")"
  bible -f "Gen1:1-Rev22:21" | awk '
    { chapter = $1; sub(/:[0-9]+$/, "", chapter)
      if (chapter != previous) { if (NR > 1) print ""; previous = chapter }
      print substr($0, length($1) + 2) }' > "$out.tmp"
  mv "$out.tmp" "$out"
}
