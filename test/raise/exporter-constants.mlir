// RUN: glu-opt %s -split-input-file --ffn-raise | FileCheck %s
// Constants as exporters write them. torch-mlir writes Python floats as f64
// constants converted with arith.truncf, inside a generic's body or hoisted
// before it, and x ** 3 as math.fpowi; a bf16 model computes its activation
// in f32 between arith.extf and arith.truncf. Each is HF's gelu_new GEGLU
// (T5 v1.1's "gated-gelu"), reduced from torch-mlir's output.

#map = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @gelu_new_truncf_constants
// CHECK: ffn.glu gelu_tanh
// CHECK-NOT: linalg.generic
func.func @gelu_new_truncf_constants(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %g = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c3 = arith.constant 3 : i64
    %half64 = arith.constant 5.000000e-01 : f64
    %k64 = arith.constant 4.471500e-02 : f64
    %c64 = arith.constant 0.79788456080286541 : f64
    %one64 = arith.constant 1.000000e+00 : f64
    %half = arith.truncf %half64 : f64 to f32
    %hx = arith.mulf %in, %half : f32
    %cube = math.fpowi %in, %c3 : f32, i64
    %k = arith.truncf %k64 : f64 to f32
    %kc = arith.mulf %cube, %k : f32
    %inner = arith.addf %in, %kc : f32
    %c = arith.truncf %c64 : f64 to f32
    %arg = arith.mulf %inner, %c : f32
    %t = math.tanh %arg : f32
    %one = arith.truncf %one64 : f64 to f32
    %p = arith.addf %t, %one : f32
    %r = arith.mulf %hx, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%g, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%gi: f32, %bi: f32, %out: f32):
    %m = arith.mulf %gi, %bi : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// The converted constants hoisted out of the body.
// CHECK-LABEL: func.func @gelu_new_hoisted_constants
// CHECK: ffn.glu gelu_tanh
// CHECK-NOT: linalg.generic
func.func @gelu_new_hoisted_constants(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %half64 = arith.constant 5.000000e-01 : f64
  %k64 = arith.constant 4.471500e-02 : f64
  %c64 = arith.constant 0.79788456080286541 : f64
  %half = arith.truncf %half64 : f64 to f32
  %k = arith.truncf %k64 : f64 to f32
  %c = arith.truncf %c64 : f64 to f32
  %one = arith.constant 1.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %lin: f32, %out: f32):
    %x2 = arith.mulf %in, %in : f32
    %cube = arith.mulf %x2, %in : f32
    %kc = arith.mulf %cube, %k : f32
    %inner = arith.addf %in, %kc : f32
    %arg = arith.mulf %inner, %c : f32
    %t = math.tanh %arg : f32
    %p = arith.addf %t, %one : f32
    %hx = arith.mulf %in, %half : f32
    %gl = arith.mulf %hx, %p : f32
    %r = arith.mulf %gl, %lin : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// A bf16 model: the activation computed in f32 between extf and truncf;
// the raised layer keeps the model's element type.
// CHECK-LABEL: func.func @gelu_new_bf16
// CHECK: ffn.glu gelu_tanh {{.*}} : (tensor<4x8xbf16>, tensor<8x12xbf16>, tensor<8x12xbf16>, tensor<12x8xbf16>) -> tensor<4x8xbf16>
// CHECK-NOT: linalg.generic
func.func @gelu_new_bf16(%x: tensor<4x8xbf16>, %w: tensor<8x12xbf16>, %v: tensor<8x12xbf16>, %w2: tensor<12x8xbf16>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.0 : bf16
  %e12 = tensor.empty() : tensor<4x12xbf16>
  %z12 = linalg.fill ins(%zero : bf16) outs(%e12 : tensor<4x12xbf16>) -> tensor<4x12xbf16>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xbf16>, tensor<8x12xbf16>) outs(%z12 : tensor<4x12xbf16>) -> tensor<4x12xbf16>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xbf16>, tensor<8x12xbf16>) outs(%z12 : tensor<4x12xbf16>) -> tensor<4x12xbf16>
  %h = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xbf16>, tensor<4x12xbf16>) outs(%e12 : tensor<4x12xbf16>) {
  ^bb0(%in16: bf16, %lin16: bf16, %out: bf16):
    %in = arith.extf %in16 : bf16 to f32
    %lin = arith.extf %lin16 : bf16 to f32
    %k64 = arith.constant 4.471500e-02 : f64
    %c64 = arith.constant 0.79788456080286541 : f64
    %k = arith.truncf %k64 : f64 to f32
    %c = arith.truncf %c64 : f64 to f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %c3 = arith.constant 3 : i64
    %cube = math.fpowi %in, %c3 : f32, i64
    %kc = arith.mulf %cube, %k : f32
    %inner = arith.addf %in, %kc : f32
    %arg = arith.mulf %inner, %c : f32
    %t = math.tanh %arg : f32
    %p = arith.addf %t, %one : f32
    %hx = arith.mulf %in, %half : f32
    %gl = arith.mulf %hx, %p : f32
    %r = arith.mulf %gl, %lin : f32
    %r16 = arith.truncf %r : f32 to bf16
    linalg.yield %r16 : bf16
  } -> tensor<4x12xbf16>
  %e8 = tensor.empty() : tensor<4x8xbf16>
  %z8 = linalg.fill ins(%zero : bf16) outs(%e8 : tensor<4x8xbf16>) -> tensor<4x8xbf16>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xbf16>, tensor<12x8xbf16>) outs(%z8 : tensor<4x8xbf16>) -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}
