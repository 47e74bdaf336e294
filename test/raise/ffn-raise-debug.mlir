// RUN: glu-opt %s -split-input-file --ffn-raise -debug-only=ffn-raise 2>&1 | FileCheck %s
// RUN: glu-opt %s -split-input-file --ffn-raise -debug 2>&1 | FileCheck %s
// Another pass's debug type: ffn-raise stays quiet (and still raises).
// RUN: glu-opt %s -split-input-file --ffn-raise -debug-only=convert-ffn-to-linalg 2>&1 | FileCheck %s --check-prefix=QUIET --implicit-check-not=candidate --implicit-check-not=near-miss --implicit-check-not=skipped
// -debug-only=ffn-raise explains what ffn-raise decided: each candidate, the
// layer it found, or why it refused a near-miss or skipped an op.

#id = affine_map<(d0, d1) -> (d0, d1)>

// The gated product relu(x W) * (x V) feeds the down projection, but the
// gate projection x W is also returned: a near-miss.
// CHECK-LABEL: candidate linalg.matmul at loc("used_twice.down")
// CHECK-NEXT: hidden expression: mulf(maximumf(linalg.matmul, 0.000000e+00), linalg.matmul)
// CHECK-NEXT: rejected near-miss: the gate projection has a user outside the layer (func.return)
// CHECK: candidate linalg.generic at loc("used_twice.gating")
// CHECK-NEXT: skipped: not a projection x W
// CHECK: candidate linalg.matmul at loc("used_twice.gate")
// CHECK-NEXT: skipped: a projection of a plain tensor, not the end of a feed-forward layer
// QUIET-LABEL: func.func @used_twice
func.func @used_twice(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> (tensor<4x8xf32>, tensor<4x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32> loc("used_twice.gate")
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %r = arith.maximumf %p, %c0 : f32
    %m = arith.mulf %r, %q : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32> loc("used_twice.gating")
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32> loc("used_twice.down")
  return %y, %a : tensor<4x8xf32>, tensor<4x12xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// An elementwise op that no activation uses.
// CHECK-LABEL: candidate linalg.matmul at loc("unknown_function.down")
// CHECK-NEXT: rejected near-miss: the down projection's input is computed by elementwise ops that ffn-raise cannot read: linalg.generic contains math.sin, which no activation uses
// QUIET-LABEL: func.func @unknown_function
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
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32> loc("unknown_function.down")
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A layer that is raised: what was found, and what it became.
// CHECK-LABEL: candidate linalg.matmul at loc("raised.down")
// CHECK-NEXT: hidden expression: maximumf(linalg.matmul, 0.000000e+00)
// CHECK-NEXT: found an ungated layer: relu
// CHECK-NEXT: up: linalg.matmul at loc("raised.up")
// CHECK-NEXT: down: linalg.matmul at loc("raised.down")
// CHECK-NEXT: 2 intermediate ops replaced
// CHECK-NEXT: raised to ffn.ffn (FFN_ReLU)
// QUIET-LABEL: func.func @raised
// QUIET: ffn.ffn relu
func.func @raised(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32> loc("raised.up")
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %r = arith.maximumf %p, %c0 : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32> loc("raised.down")
  return %y : tensor<4x8xf32>
}
