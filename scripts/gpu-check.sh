#!/usr/bin/env bash
# The GPU check of glu, in two halves:
#
#   scripts/gpu-check.sh prepare   here (MLIR installed): builds glu-compile
#                                  and compiles every model of the check into
#                                  build-gpucheck/artifacts (cuda artifacts,
#                                  fused and unfused, and CPU references).
#   scripts/gpu-check.sh           on the GPU machine (CMake, ninja, nvcc,
#                                  CUDA 13, no MLIR): builds the runtime and
#                                  glu-run (GLU_RUNTIME_ONLY), runs the
#                                  runtime's GPU tests, runs every cuda
#                                  artifact and compares it with the CPU
#                                  artifact of the same model on the same
#                                  seeded inputs (1e-5 relative; a small
#                                  T5's entry points, glu-t5 emit's, on
#                                  the inputs gpu_check_t5.py writes, 1e-4),
#                                  and prints a
#                                  timing table (fused vs unfused on the GPU,
#                                  and cuBLAS as a peer).
#
# Carry build-gpucheck/artifacts, build-gpucheck/harness and build-gtest (the
# GoogleTest libraries and headers, and the nlohmann-json headers the runtime
# needs, copied from this machine by prepare) to the GPU machine.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_DIR="$ROOT/build-gpucheck"
ARTIFACTS="$CHECK_DIR/artifacts"
log() { printf '\n==> %s\n' "$*"; }

prepare() {
  source "$ROOT/scripts/setup.sh"
  glu_install_system_packages
  glu_build glu-compile glu-opt glu-t5
  glu_make_venv
  local compile="$GLU_BUILD_DIR/bin/glu-compile"
  rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS/models"
  python3 "$ROOT/scripts/gpu_check_models.py" "$ARTIFACTS/models" > "$ARTIFACTS/models.txt"
  # A small T5's entry points (glu-t5 emit), each with its inputs.
  "$GLU_VENV/bin/python" "$ROOT/scripts/gpu_check_t5.py" --glu-t5 "$GLU_BUILD_DIR/bin/glu-t5" \
    "$ARTIFACTS/models" >> "$ARTIFACTS/models.txt" || { echo "gpu_check_t5.py failed"; exit 1; }
  local jobs=()
  while read -r name path entry inputs; do
    jobs+=("$compile $path -o $ARTIFACTS/$name-cuda-fused --target=cuda")
    jobs+=("$compile $path -o $ARTIFACTS/$name-cuda-unfused --target=cuda --no-fuse")
    case "$name" in
      check-*) jobs+=("$compile $path -o $ARTIFACTS/$name-cpu --target=cpu --cpu=x86-64-v3") ;;
      # Hopper: the same layers with the wgmma kernels (sm_90a PTX).
      time-*) jobs+=("$compile $path -o $ARTIFACTS/$name-cuda-fused-sm90a --target=cuda --chip=sm_90a") ;;
    esac
  done < "$ARTIFACTS/models.txt"
  log "Compiling ${#jobs[@]} artifacts"
  printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} sh -c '{} || { echo "FAILED: {}"; exit 255; }'
  # The kernel harness: awkward shapes (M = 1, ragged blocks, biases) of
  # every fused op against the reference compiled for the CPU, one binary.
  rm -rf "$CHECK_DIR/harness-build" "$CHECK_DIR/harness" && mkdir -p "$CHECK_DIR/harness"
  "$GLU_VENV/bin/python" "$ROOT/test/cuda/gpu-check/build.py" --glu-opt "$GLU_BUILD_DIR/bin/glu-opt" \
    --llvm-bin "$GLU_LLVM_BIN" --out "$CHECK_DIR/harness-build" > /dev/null
  cp "$CHECK_DIR/harness-build/gpu-check" "$CHECK_DIR/harness/"
  # The same cases with the sm_90a kernels (wgmma), run on Hopper only.
  rm -rf "$CHECK_DIR/harness-build-sm90a"
  "$GLU_VENV/bin/python" "$ROOT/test/cuda/gpu-check/build.py" --glu-opt "$GLU_BUILD_DIR/bin/glu-opt" \
    --llvm-bin "$GLU_LLVM_BIN" --out "$CHECK_DIR/harness-build-sm90a" --chip sm_90a > /dev/null
  cp "$CHECK_DIR/harness-build-sm90a/gpu-check" "$CHECK_DIR/harness/gpu-check-sm90a"

  # GoogleTest for the runtime's GPU tests (the GPU machine has none).
  rm -rf "$ROOT/build-gtest" && mkdir -p "$ROOT/build-gtest/lib"
  cp -r /usr/include/gtest /usr/include/gmock "$ROOT/build-gtest/" 2>/dev/null
  mkdir -p "$ROOT/build-gtest/include" && mv "$ROOT/build-gtest/gtest" "$ROOT/build-gtest/gmock" "$ROOT/build-gtest/include/"
  cp /usr/lib/x86_64-linux-gnu/libgtest*.a /usr/lib/x86_64-linux-gnu/libgmock*.a "$ROOT/build-gtest/lib/"
  # nlohmann-json's headers for the runtime (header-only; the GPU machine has
  # no package): check passes them as GLU_NLOHMANN_JSON_INCLUDE_DIR.
  cp -r /usr/include/nlohmann "$ROOT/build-gtest/include/" \
    || { echo "no /usr/include/nlohmann: install nlohmann-json3-dev"; exit 1; }
  du -sh "$ARTIFACTS" "$ROOT/build-gtest"
  log "Now run scripts/gpu-check.sh on the GPU machine, carrying build-gpucheck/artifacts and build-gtest"
}

check() {
  local status=0
  [ -d "$ARTIFACTS" ] || { echo "no $ARTIFACTS: run 'scripts/gpu-check.sh prepare' and carry it"; exit 1; }
  log "GPU"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

  log "Building the runtime and glu-run (GLU_RUNTIME_ONLY)"
  local gtest=() json=()
  [ -d "$ROOT/build-gtest" ] && gtest=(-DGTEST_ROOT="$ROOT/build-gtest")
  # Used only where CMake finds no nlohmann_json package.
  [ -f "$ROOT/build-gtest/include/nlohmann/json.hpp" ] \
    && json=(-DGLU_NLOHMANN_JSON_INCLUDE_DIR="$ROOT/build-gtest/include")
  cmake -S "$ROOT" -B "$CHECK_DIR/rt" -G Ninja -DGLU_RUNTIME_ONLY=ON \
    -DCMAKE_BUILD_TYPE=Release "${gtest[@]}" "${json[@]}" > "$CHECK_DIR/rt-configure.log" 2>&1 \
    || { cat "$CHECK_DIR/rt-configure.log"; exit 1; }
  ninja -C "$CHECK_DIR/rt" > "$CHECK_DIR/rt-build.log" 2>&1 \
    || { tail -40 "$CHECK_DIR/rt-build.log"; exit 1; }
  local run
  run="$(find "$CHECK_DIR/rt" -name glu-run -type f -perm -u+x | head -1)"

  log "Runtime tests (GPU ones included)"
  (cd "$CHECK_DIR/rt" && ctest --output-on-failure 2>&1 | tail -15) || status=1

  if [ -x "$CHECK_DIR/harness/gpu-check" ]; then
    log "Kernel harness: every fused op at awkward shapes vs the CPU reference"
    timeout 180 "$CHECK_DIR/harness/gpu-check" 2>&1 | tail -40 || status=1
  fi
  local hopper=0
  case "$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1)" in
    9.*) hopper=1 ;;
  esac
  if [ "$hopper" = 1 ] && [ -x "$CHECK_DIR/harness/gpu-check-sm90a" ]; then
    log "Kernel harness, sm_90a (wgmma kernels)"
    timeout 180 "$CHECK_DIR/harness/gpu-check-sm90a" 2>&1 | tail -40 || status=1
  fi

  log "cuda artifacts vs the CPU artifact of the same model (same seeded inputs)"
  local out="$CHECK_DIR/out"
  rm -rf "$out" && mkdir -p "$out"
  while read -r name path entry inputs; do
    case "$name" in check-*) ;; *) continue ;; esac
    # T5's entry points run on the inputs gpu_check_t5.py wrote (ids in the
    # vocabulary, state at zero), within the T5 tests' tolerance.
    local given=() tolerance=()
    if [ -n "$inputs" ]; then
      for f in "$ARTIFACTS/models/$name-inputs"/*.npy; do
        given+=(--input "$(basename "$f" .npy)=$f")
      done
      tolerance=(--rtol 1e-4 --atol-scale 1e-4)
    fi
    timeout 120 "$run" "$ARTIFACTS/$name-cpu" --entry "$entry" --seed 7 --device cpu "${given[@]}" \
      --output-dir "$out/$name-cpu" > "$out/$name-cpu.log" 2>&1 \
      || { echo "FAIL $name: cpu run"; tail -3 "$out/$name-cpu.log"; status=1; continue; }
    for kind in fused unfused; do
      timeout 120 "$run" "$ARTIFACTS/$name-cuda-$kind" --entry "$entry" --seed 7 --device cuda "${given[@]}" \
        --output-dir "$out/$name-cuda-$kind" > "$out/$name-cuda-$kind.log" 2>&1 \
        || { echo "FAIL $name-cuda-$kind: run"; tail -3 "$out/$name-cuda-$kind.log"; status=1; continue; }
      python3 "$ROOT/scripts/npy_compare.py" "$out/$name-cpu" "$out/$name-cuda-$kind" \
        --label "$name-cuda-$kind" "${tolerance[@]}" || status=1
    done
  done < "$ARTIFACTS/models.txt"

  log "Timing (median of 20 calls after 3 warm-up calls; ms)"
  printf '%-26s %12s %12s %8s %12s\n' model fused unfused speedup sm90a-fused
  while read -r name path entry inputs; do
    case "$name" in time-*) ;; *) continue ;; esac
    local f u
    f="$(timeout 120 "$run" "$ARTIFACTS/$name-cuda-fused" --entry "$entry" --seed 1 --device cuda \
        --warmup 3 --iterations 20 --output-dir "$out/$name-f" 2>&1 | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' | head -1)"
    u="$(timeout 120 "$run" "$ARTIFACTS/$name-cuda-unfused" --entry "$entry" --seed 1 --device cuda \
        --warmup 3 --iterations 20 --output-dir "$out/$name-u" 2>&1 | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' | head -1)"
    local h=-
    if [ "$hopper" = 1 ] && [ -d "$ARTIFACTS/$name-cuda-fused-sm90a" ]; then
      h="$(timeout 120 "$run" "$ARTIFACTS/$name-cuda-fused-sm90a" --entry "$entry" --seed 1 --device cuda \
          --warmup 3 --iterations 20 --output-dir "$out/$name-h" 2>&1 | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' | head -1)"
    fi
    printf '%-26s %12s %12s %8s %12s\n' "$name" "${f:-FAIL}" "${u:-FAIL}" \
      "$(python3 -c "print('%.2fx' % ($u / $f))" 2>/dev/null || echo -)" "${h:-FAIL}"
    echo "$name ${f:-FAIL} ${u:-FAIL}" >> "$out/glu-timings.txt"
  done < "$ARTIFACTS/models.txt"

  # PyTorch on the same bf16 layers (the GPU machines have PyTorch with
  # CUDA): cuBLAS's GEMMs alone, eager, torch.compile at T5-base width and
  # M = 65536 (each shape compiles anew), beside glu's times.
  if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2> /dev/null; then
    log "bf16 peers: cuBLAS GEMMs alone, PyTorch eager, torch.compile"
    timeout 300 python3 "$ROOT/bench/torch_ffn_peer.py" --glu-timings "$out/glu-timings.txt" \
      --compile-only t5base-m65536 || echo "torch_ffn_peer.py did not finish"
  fi

  if [ -f "$ROOT/bench/cublas_peer.cu" ] && command -v nvcc > /dev/null; then
    log "cuBLAS peer: the same layers' GEMMs alone (no epilogue)"
    nvcc -O3 -o "$CHECK_DIR/cublas_peer" "$ROOT/bench/cublas_peer.cu" -lcublas \
      && "$CHECK_DIR/cublas_peer"
  fi

  [ $status -eq 0 ] && log "GPU check: PASS" || log "GPU check: FAILED"
  return $status
}

case "${1:-check}" in
  prepare) prepare ;;
  check) check ;;
  *) echo "usage: $0 [prepare|check]"; exit 2 ;;
esac
