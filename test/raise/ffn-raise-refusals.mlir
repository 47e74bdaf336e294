// RUN: glu-opt %s -split-input-file --ffn-raise=report=true --mlir-print-op-on-diagnostic=false -verify-diagnostics | FileCheck %s
// ffn-raise leaves alone what it cannot rewrite safely, and report=true says
// why. One case per refusal; each function keeps its matmuls.

#id = affine_map<(d0, d1) -> (d0, d1)>

// An intermediate (here the gate projection x W) has a user outside the
// layer: rewriting would have to keep computing it.
// CHECK-LABEL: func.func @projection_used_elsewhere
// CHECK-NOT: ffn.
// CHECK-COUNT-3: linalg.matmul
// expected-remark @+1 {{ffn-raise: @projection_used_elsewhere: raised 0 layers, rejected 1 near-miss}}
func.func @projection_used_elsewhere(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> (tensor<4x8xf32>, tensor<4x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %r = arith.maximumf %p, %c0 : f32
    %m = arith.mulf %r, %q : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: the gate projection has a user outside the layer (func.return)}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %a : tensor<4x8xf32>, tensor<4x12xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// The activation's result feeds something else too.
// CHECK-LABEL: func.func @activation_used_elsewhere
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @activation_used_elsewhere: raised 0 layers, rejected 1 near-miss}}
func.func @activation_used_elsewhere(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> (tensor<4x8xf32>, tensor<4x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %r = arith.maximumf %p, %c0 : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: the intermediate linalg.generic has a user outside the layer (func.return)}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %h : tensor<4x8xf32>, tensor<4x12xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// The gate and the linear projection read different inputs: not a GLU.
// CHECK-LABEL: func.func @different_inputs
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @different_inputs: raised 0 layers, rejected 1 near-miss}}
func.func @different_inputs(%x: tensor<4x8xf32>, %x2: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x2, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %m = arith.mulf %p, %q : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: the gate projection and the linear projection read different inputs}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Mismatched shapes: the "bias" is indexed by row ([M], one value per
// token) instead of by column ([d_ff]); no ffn bias has that shape.
// CHECK-LABEL: func.func @bias_along_the_wrong_dimension
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @bias_along_the_wrong_dimension: raised 0 layers, rejected 1 near-miss}}
func.func @bias_along_the_wrong_dimension(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %rowbias: tensor<4xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %rowbias : tensor<4x12xf32>, tensor<4xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %bias: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %s = arith.addf %p, %bias : f32
    %r = arith.maximumf %s, %c0 : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: the down projection's input is computed by elementwise ops that ffn-raise cannot read: linalg.generic reads operand #1 with indexing map (d0, d1) -> (d0), which is neither elementwise nor a broadcast along the rows}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// x * sigmoid(y) is swish only when y is a multiple of x; here y = x + 1.
// CHECK-LABEL: func.func @looks_like_swish
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @looks_like_swish: raised 0 layers, rejected 1 near-miss}}
func.func @looks_like_swish(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %y = arith.addf %p, %one : f32
    %n = arith.negf %y : f32
    %e = math.exp %n : f32
    %d = arith.addf %one, %e : f32
    %s = arith.divf %one, %d : f32
    %r = arith.mulf %p, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: x * sigmoid(y) is swish only when y is a positive multiple of x}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// sigmoid(2 x W) * x V: a GLU gate has no slope.
// CHECK-LABEL: func.func @scaled_sigmoid_gate
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @scaled_sigmoid_gate: raised 0 layers, rejected 1 near-miss}}
func.func @scaled_sigmoid_gate(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %m2 = arith.constant -2.0 : f32
    %n = arith.mulf %m2, %p : f32
    %e = math.exp %n : f32
    %d = arith.addf %one, %e : f32
    %s = arith.divf %one, %d : f32
    %r = arith.mulf %s, %q : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: sigmoid of a scaled argument is not an ffn activation}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// An elementwise op no activation uses.
// CHECK-LABEL: func.func @unknown_function
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @unknown_function: raised 0 layers, rejected 1 near-miss}}
func.func @unknown_function(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %out: f32):
    %r = math.sin %p : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{ffn-raise: not raised: the down projection's input is computed by elementwise ops that ffn-raise cannot read: linalg.generic contains math.sin, which no activation uses}}
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Linear chains are not layers and are not reported: attention's output
// projection after a residual add, two matmuls in a row.
// CHECK-LABEL: func.func @not_a_layer
// CHECK-NOT: ffn.
// expected-remark @+1 {{ffn-raise: @not_a_layer: raised 0 layers, rejected 0 near-misses}}
func.func @not_a_layer(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e8 : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %a = arith.addf %p, %q : f32
    linalg.yield %a : f32
  } -> tensor<4x8xf32>
  %a = linalg.matmul ins(%s, %w1 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %w2 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
