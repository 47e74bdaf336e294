#!/usr/bin/env bash
# The main job, for now: build glu-opt, then show the eight feed-forward
# variants of the paper as ffn ops, their reference lowering to linalg, the
# fusion (one GEMM over packed weights with the gating epilogue), and a
# SwiGLU layer compiled to LLVM and run, unfused and fused. Later issues make
# this train and run T5.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

glu_install_system_packages
glu_build glu-opt
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
