// RUN: glu-opt %s --glu-cpu-gemm="micro-rows=15" -verify-diagnostics -split-input-file
// RUN: not glu-opt %s --glu-cpu-gemm="tile-k=0" 2>&1 | FileCheck %s --check-prefix=TILE

// glu-cpu-gemm refuses tiles that cannot work: a micro-tile of more than
// 14 rows (2 accumulators a row must fit the 32 vector registers with the
// two weight vectors and the broadcast) and non-positive tile sizes.

// TILE: error: glu-cpu-gemm: tile sizes must be positive, got tile-rows=64 tile-cols=128 tile-k=0

// expected-error@+1 {{glu-cpu-gemm: micro-rows must be in [1, 14] (2 accumulators a row in 32 vector registers), got 15}}
module {
  func.func @gated(%x: tensor<4x8xf32>, %p: tensor<8x16xf32>) -> tensor<4x8xf32> {
    %e = tensor.empty() : tensor<4x8xf32>
    %h = ffn.gated_matmul relu block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<8x16xf32>)
        outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %h : tensor<4x8xf32>
  }
}
