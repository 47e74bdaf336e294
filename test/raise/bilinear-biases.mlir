// RUN: glu-opt %s --ffn-raise | FileCheck %s
// A Bilinear layer (identity gate) whose two projections carry biases added
// by broadcast generics: the product of two biased projections is the
// hidden activation. It was neither raised nor reported ("raised 0 layers,
// rejected 0 near-misses") while the same layer with a sigmoid, relu or
// swish gate was raised.

// CHECK-LABEL: func.func @bilinear_biases
// CHECK: ffn.glu identity %{{.*}} b(%{{.*}}) c(%{{.*}})
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @bilinear_biases(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %b: tensor<12xf32>, %c: tensor<12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a0 = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%a0, %b : tensor<4x12xf32>, tensor<12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  %l0 = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %l = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%l0, %c : tensor<4x12xf32>, tensor<12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %l : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
