// RUN: glu-opt %s --glu-cpu-gemm="micro-rows=15" -verify-diagnostics -split-input-file
// RUN: not glu-opt %s --glu-cpu-gemm="tile-k=0" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not glu-opt %s --glu-cpu-gemm="vector-lanes=8 vector-registers=16 micro-rows=7" 2>&1 | FileCheck %s --check-prefix=AVX2
// RUN: not glu-opt %s --glu-cpu-gemm="vector-lanes=5" 2>&1 | FileCheck %s --check-prefix=LANES
// RUN: not glu-opt %s --glu-cpu-gemm="stream-cols=-1" 2>&1 | FileCheck %s --check-prefix=STREAM

// glu-cpu-gemm refuses tiles that cannot work: a micro-tile whose 2
// accumulators a row, two weight vectors and broadcast overflow the vector
// registers (14 rows in AVX-512's 32, 6 in AVX2's 16), vectors that are
// not 4, 8 or 16 lanes, non-positive tile sizes, and a negative stream-cols.

// TILE: error: glu-cpu-gemm: tile sizes must be positive, got tile-rows=128 tile-cols=128 tile-k=0
// AVX2: error: glu-cpu-gemm: micro-rows must be in [1, 6] (2 accumulators a row, 2 weight vectors and a broadcast in 16 vector registers), got 7
// LANES: error: glu-cpu-gemm: vector-lanes must be 4, 8 or 16, got 5
// STREAM: error: glu-cpu-gemm: stream-cols must be 0 (by the thread count) or positive, got -1

// expected-error@+1 {{glu-cpu-gemm: micro-rows must be in [1, 14] (2 accumulators a row, 2 weight vectors and a broadcast in 32 vector registers), got 15}}
module {
  func.func @gated(%x: tensor<4x8xf32>, %p: tensor<8x16xf32>) -> tensor<4x8xf32> {
    %e = tensor.empty() : tensor<4x8xf32>
    %h = ffn.gated_matmul relu block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<8x16xf32>)
        outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %h : tensor<4x8xf32>
  }
}
