// RUN: glu-opt %s -split-input-file --ffn-raise=report=true -verify-diagnostics
// RUN: glu-opt %s --ffn-raise=report=true 2>&1 >/dev/null | FileCheck %s
// --ffn-raise=report=true reports as near-misses only what has the shape of
// a layer, and its per-function summary is one line. Reduced from a
// torch-mlir T5 encoder: the attention's query projection reads an RMS
// norm of the residual stream (a down projection plus a residual add): not
// a near-miss, where it used to be one of 19.

// CHECK: remark: ffn-raise: @query_of_rms_norm: raised 0 layers, rejected 0 near-misses
// CHECK-NOT: see current operation

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// expected-remark @+1 {{ffn-raise: @query_of_rms_norm: raised 0 layers, rejected 0 near-misses}}
func.func @query_of_rms_norm(%h: tensor<4x8xf32>, %x: tensor<4x8xf32>, %wo: tensor<8x8xf32>, %scale: tensor<8xf32>, %wq: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %o = linalg.matmul ins(%h, %wo : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %res = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %o : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %er = tensor.empty() : tensor<4xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%res : tensor<4x8xf32>) outs(%zr : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %norm = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%res, %ss, %scale : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %sum: f32, %g: f32, %out: f32):
    %n = arith.constant 8.0 : f32
    %eps = arith.constant 1.0e-6 : f32
    %mean = arith.divf %sum, %n : f32
    %me = arith.addf %mean, %eps : f32
    %r = math.rsqrt %me : f32
    %ar = arith.mulf %a, %r : f32
    %y = arith.mulf %ar, %g : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %q = linalg.matmul ins(%norm, %wq : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %q : tensor<4x8xf32>
}
