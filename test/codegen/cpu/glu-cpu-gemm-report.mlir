// RUN: glu-opt %s --glu-cpu-gemm="report=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: glu-opt %s --glu-cpu-gemm -split-input-file | FileCheck %s --check-prefix=QUIET

// report=true: a remark on every contraction no generated GEMM takes, with
// the reason; the ones it takes become loop nests and say nothing.

// CHECK-LABEL: func.func @taken
// CHECK-NOT: linalg.matmul
// QUIET-LABEL: func.func @taken
func.func @taken(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>) outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// Both operands read transposed: not a form the GEMMs take.
#lhsT = affine_map<(m, n, k) -> (k, m)>
#rhsT = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @both_transposed
// CHECK: linalg.matmul
// QUIET-LABEL: func.func @both_transposed
// QUIET: linalg.matmul
func.func @both_transposed(%a: tensor<16x8xf32>, %b: tensor<4x16xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  // expected-remark @below {{glu-cpu-gemm: contraction left to scalar loops (no generated GEMM):}}
  %r = linalg.matmul indexing_maps = [#lhsT, #rhsT, #out] ins(%a, %b : tensor<16x8xf32>, tensor<4x16xf32>) outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// f64: the generated GEMMs are f32.
// CHECK-LABEL: func.func @f64
// CHECK: linalg.matmul
func.func @f64(%a: tensor<8x16xf64>, %b: tensor<16x4xf64>) -> tensor<8x4xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<8x4xf64>
  %z = linalg.fill ins(%zero : f64) outs(%e : tensor<8x4xf64>) -> tensor<8x4xf64>
  // expected-remark @below {{glu-cpu-gemm: contraction left to scalar loops (no generated GEMM):}}
  %r = linalg.matmul ins(%a, %b : tensor<8x16xf64>, tensor<16x4xf64>) outs(%z : tensor<8x4xf64>) -> tensor<8x4xf64>
  return %r : tensor<8x4xf64>
}
