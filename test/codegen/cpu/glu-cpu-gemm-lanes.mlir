// RUN: glu-opt %s --glu-cpu-gemm="vector-lanes=8 vector-registers=16" | FileCheck %s --check-prefix=AVX2
// RUN: glu-opt %s --glu-cpu-gemm="vector-lanes=4 vector-registers=32 micro-rows=8" | FileCheck %s --check-prefix=NEON
// RUN: glu-opt %s --glu-cpu-gemm | FileCheck %s --check-prefix=AVX512

// The vector shape follows the target (CpuTarget.h; glu-compile sets it
// from --cpu): a micro-column is two vectors of L lanes, the packed panel
// KC x 2L per micro-column of the tile, and the micro-kernel carries 2 x micro-rows accumulators. On
// AVX2 8 lanes, 6 x 2 ymm accumulators (12 of 16 registers, with two
// weight vectors and a broadcast: no spills); on NEON 4 lanes, 8 x 2 of
// 32; on AVX-512 (the default) 16 lanes, 6 x 2 zmm.

// AVX2-LABEL: func.func @gated_swish
// AVX2:         memref.alloca() {alignment = 64 : i64} : memref<16x256x16xf32>
// AVX2:         scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2:           vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT:     vector<16xf32>

// NEON-LABEL: func.func @gated_swish
// NEON:         memref.alloca() {alignment = 64 : i64} : memref<32x256x8xf32>
// NEON:         scf.for {{.*}} iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// NEON:           vector.fma {{.*}} : vector<4xf32>
// NEON-NOT:     vector<16xf32>

// AVX512-LABEL: func.func @gated_swish
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<8x256x32xf32>
// AVX512:         vector.fma {{.*}} : vector<16xf32>
func.func @gated_swish(%x: tensor<67x130xf32>, %p: tensor<130x256xf32>) -> tensor<67x128xf32> {
  %e = tensor.empty() : tensor<67x128xf32>
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %p : tensor<67x130xf32>, tensor<130x256xf32>)
      outs(%e : tensor<67x128xf32>) -> tensor<67x128xf32>
  return %h : tensor<67x128xf32>
}
