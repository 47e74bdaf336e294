#!/usr/bin/env bash
# A tour of the fusion: build glu-opt, glu-compile and glu-run, then show
# the eight feed-forward variants of the paper as ffn ops, their reference
# lowering to linalg, the fusion (one GEMM over packed weights with the
# gating epilogue), a SwiGLU layer run on mlir-runner unfused and fused, and
# T5-base-sized layers compiled to artifacts and run by glu-run, with their
# timings fused and unfused. (scripts/demo.sh is the main job: it trains
# a T5.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

glu_install_system_packages
glu_build glu-opt glu-compile glu-run
GLU_OPT="$GLU_BUILD_DIR/bin/glu-opt"
EXAMPLES="$GLU_ROOT/docs/examples"

glu_log "The eight variants of 'GLU Variants Improve Transformer' at T5-base width (parsed, verified, printed)"
"$GLU_OPT" "$EXAMPLES/glu-variants.mlir"

glu_log "Reference semantics of FFN_SwiGLU (convert-ffn-to-linalg, then canonicalize and cse)"
"$GLU_OPT" "$EXAMPLES/glu-variants.mlir" --convert-ffn-to-linalg --canonicalize --cse \
  | awk '/func.func @ffn_swiglu/ {show = 1} show {print} show && /^  }$/ {exit}'

glu_log "FFN_SwiGLU fused by ffn-fuse: packed weights, ONE gated GEMM, the down projection"
"$GLU_OPT" "$EXAMPLES/glu-variants.mlir" --ffn-fuse=report=true --canonicalize 2>&1 \
  | awk '/remark: ffn-fuse: fused FFN_SwiGLU/ {print} /func.func @ffn_swiglu/ {show = 1} show {print} show && /^  }$/ {exit}'

glu_log "A small SwiGLU layer through glu-reference-pipeline, run by mlir-runner"
"$GLU_OPT" "$EXAMPLES/swiglu-run.mlir" --glu-reference-pipeline \
  | "$GLU_LLVM_BIN/mlir-runner" -e main -entry-point-result=void \
      -shared-libs="/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"
echo "(PyTorch gives [[0.731059, 1.46212, 0.731059, 0], [0, 0, 0, 7.04638]])"

glu_log "The same layer fused (ffn-fuse, blocks of 2) computes the same numbers"
"$GLU_OPT" "$EXAMPLES/swiglu-run.mlir" --ffn-fuse=block-size=2 --glu-reference-pipeline \
  | "$GLU_LLVM_BIN/mlir-runner" -e main -entry-point-result=void \
      -shared-libs="/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so"

GLU_COMPILE="$GLU_BUILD_DIR/bin/glu-compile"
GLU_RUN="$GLU_BUILD_DIR/bin/glu-run"
ARTIFACTS="$GLU_BUILD_DIR/demo-artifacts"
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"

glu_log "glu-compile: FFN_SwiGLU at T5-base width, 512 tokens -> a CPU artifact (fused, and --no-fuse)"
"$GLU_COMPILE" "$EXAMPLES/swiglu-t5-base.mlir" -o "$ARTIFACTS/swiglu-fused"
"$GLU_COMPILE" "$EXAMPLES/swiglu-t5-base.mlir" -o "$ARTIFACTS/swiglu-unfused" --no-fuse
ls -l "$ARTIFACTS/swiglu-fused"
sed -n '1,40p' "$ARTIFACTS/swiglu-fused/manifest.json"

glu_log "glu-run: the forward on seeded random inputs, fused vs unfused (median of 10 calls)"
"$GLU_RUN" "$ARTIFACTS/swiglu-fused" --seed 1 --warmup 2 --iterations 10 --output-dir "$ARTIFACTS/out-fused"
"$GLU_RUN" "$ARTIFACTS/swiglu-unfused" --seed 1 --warmup 2 --iterations 10 --output-dir "$ARTIFACTS/out-unfused"

glu_log "A GEGLU train step (y and every gradient), fused vs unfused"
"$GLU_COMPILE" "$EXAMPLES/geglu-t5-base-train.mlir" -o "$ARTIFACTS/geglu-train-fused"
"$GLU_COMPILE" "$EXAMPLES/geglu-t5-base-train.mlir" -o "$ARTIFACTS/geglu-train-unfused" --no-fuse
"$GLU_RUN" "$ARTIFACTS/geglu-train-fused" --seed 1 --warmup 1 --iterations 5
"$GLU_RUN" "$ARTIFACTS/geglu-train-unfused" --seed 1 --warmup 1 --iterations 5
