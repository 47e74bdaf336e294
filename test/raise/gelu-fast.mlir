// RUN: glu-opt %s --ffn-raise | FileCheck %s
// Hugging Face's gelu_fast, 0.5 x (1 + tanh(x * 0.7978845608 * (1 + 0.044715
// x x))): the tanh's argument is a product with the sum beside x, which
// ffn-raise distributes to sqrt(2/pi) (x + 0.044715 x^3). As torch-mlir
// writes it: one generic per PyTorch op, constants truncated from f64.

#map = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @gelu_fast
// CHECK: ffn.ffn gelu_tanh
// CHECK-NOT: linalg.generic
func.func @gelu_fast(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c64 = arith.constant 0.7978845608 : f64
    %k64 = arith.constant 0.044715 : f64
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %c = arith.truncf %c64 : f64 to f32
    %k = arith.truncf %k64 : f64 to f32
    %xc = arith.mulf %in, %c : f32
    %kx = arith.mulf %k, %in : f32
    %kxx = arith.mulf %kx, %in : f32
    %s = arith.addf %kxx, %one : f32
    %arg = arith.mulf %xc, %s : f32
    %t = math.tanh %arg : f32
    %p = arith.addf %t, %one : f32
    %hx = arith.mulf %in, %half : f32
    %g = arith.mulf %hx, %p : f32
    linalg.yield %g : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
