// RUN: glu-opt %s -split-input-file --ffn-raise | FileCheck %s
// Idempotent: a second run changes nothing.
// RUN: glu-opt %s -split-input-file --ffn-raise | glu-opt -split-input-file --ffn-raise | FileCheck %s
// The intermediate ops are gone once canonicalize removes dead code.
// RUN: glu-opt %s -split-input-file --ffn-raise --canonicalize | FileCheck %s --check-prefix=CLEAN

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// SwiGLU as separate elementwise generics (sigmoid as negf/exp/addf/divf,
// then x * sigmoid(x), then the gating product with the linear projection
// first).
// CHECK-LABEL: func.func @swiglu_separate_generics
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>)
// CHECK: %[[Y:.*]] = ffn.glu swish %[[X]], %[[W]], %[[V]], %[[W2]] : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
// CHECK: return %[[Y]]
// CLEAN-LABEL: func.func @swiglu_separate_generics
// CLEAN-NEXT: ffn.glu swish
// CLEAN-NEXT: return
func.func @swiglu_separate_generics(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%neg : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %sig = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%exp : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %d = arith.addf %in, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %silu = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %sig : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %r = arith.mulf %in, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%b, %silu : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%lin: f32, %g: f32, %out: f32):
    %r = arith.mulf %lin, %g : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// PyTorch's [out, in] weights read through transposed matmul indexing maps;
// swish spelled x / (1 + exp(-x)). The raised op takes [in, out] weights,
// so transposes are materialized.
// CHECK-LABEL: func.func @swish_transposed_maps
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W1:.*]]: tensor<12x8xf32>, %[[W2:.*]]: tensor<8x12xf32>)
// CHECK-DAG: %[[W1T:.*]] = linalg.transpose ins(%[[W1]] : tensor<12x8xf32>) outs(%{{.*}} : tensor<8x12xf32>) permutation = [1, 0]
// CHECK-DAG: %[[W2T:.*]] = linalg.transpose ins(%[[W2]] : tensor<8x12xf32>) outs(%{{.*}} : tensor<12x8xf32>) permutation = [1, 0]
// CHECK: %[[Y:.*]] = ffn.ffn swish %[[X]], %[[W1T]], %[[W2T]] : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
// CHECK: return %[[Y]]
func.func @swish_transposed_maps(%x: tensor<4x8xf32>, %w1: tensor<12x8xf32>, %w2: tensor<8x12xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w1 : tensor<4x8xf32>, tensor<12x8xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %d = arith.addf %one, %e : f32
    %r = arith.divf %in, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%h, %w2 : tensor<4x12xf32>, tensor<8x12xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Projections as linalg.generic contractions (operands of the multiply in
// either order), relu as cmpf + select.
// CHECK-LABEL: func.func @relu_generic_matmuls
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W1:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>)
// CHECK: %[[Y:.*]] = ffn.ffn relu %[[X]], %[[W1]], %[[W2]] :
// CHECK: return %[[Y]]
func.func @relu_generic_matmuls(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %pos = arith.cmpf ugt, %in, %c0 : f32
    %r = arith.select %pos, %in, %c0 : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// linalg.transpose of [out, in] weights feeding the matmuls (PyTorch's
// nn.Linear), and an exact GELU in one generic in the ONNX exporter's
// order: Div(x, 1.41421356) -> Erf -> Add 1 -> Mul x -> Mul 0.5. The
// existing transposes are reused.
// CHECK-LABEL: func.func @gelu_transposed_weights
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W1:.*]]: tensor<12x8xf32>, %[[W2:.*]]: tensor<8x12xf32>)
// CHECK: %[[W1T:.*]] = linalg.transpose ins(%[[W1]]
// CHECK: %[[W2T:.*]] = linalg.transpose ins(%[[W2]]
// CHECK-NOT: linalg.transpose
// CHECK: %[[Y:.*]] = ffn.ffn gelu %[[X]], %[[W1T]], %[[W2T]] :
// CHECK: return %[[Y]]
func.func @gelu_transposed_weights(%x: tensor<4x8xf32>, %w1: tensor<12x8xf32>, %w2: tensor<8x12xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %t1e = tensor.empty() : tensor<8x12xf32>
  %w1t = linalg.transpose ins(%w1 : tensor<12x8xf32>) outs(%t1e : tensor<8x12xf32>) permutation = [1, 0]
  %t2e = tensor.empty() : tensor<12x8xf32>
  %w2t = linalg.transpose ins(%w2 : tensor<8x12xf32>) outs(%t2e : tensor<12x8xf32>) permutation = [1, 0]
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w1t : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sqrt2 = arith.constant 1.41421356 : f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %q = arith.divf %in, %sqrt2 : f32
    %erf = math.erf %q : f32
    %p = arith.addf %erf, %one : f32
    %m = arith.mulf %in, %p : f32
    %r = arith.mulf %m, %half : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2t : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// A 3-D input against linalg.batch_matmul with linalg.broadcast weights
// (one matrix for the whole batch); GEGLU in the tanh form with powf(x, 3)
// and the gating product in the gate-first order.
// CHECK-LABEL: func.func @geglu_tanh_batch_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>)
// CHECK: %[[Y:.*]] = ffn.glu gelu_tanh %[[X]], %[[W]], %[[V]], %[[W2]] : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<2x3x8xf32>
// CHECK: return %[[Y]]
func.func @geglu_tanh_batch_matmul(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<2x3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %we = tensor.empty() : tensor<2x8x12xf32>
  %wb = linalg.broadcast ins(%w : tensor<8x12xf32>) outs(%we : tensor<2x8x12xf32>) dimensions = [0]
  %vb = linalg.broadcast ins(%v : tensor<8x12xf32>) outs(%we : tensor<2x8x12xf32>) dimensions = [0]
  %w2e = tensor.empty() : tensor<2x12x8xf32>
  %w2b = linalg.broadcast ins(%w2 : tensor<12x8xf32>) outs(%w2e : tensor<2x12x8xf32>) dimensions = [0]
  %e12 = tensor.empty() : tensor<2x3x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %a = linalg.batch_matmul ins(%x, %wb : tensor<2x3x8xf32>, tensor<2x8x12xf32>) outs(%z12 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %b = linalg.batch_matmul ins(%x, %vb : tensor<2x3x8xf32>, tensor<2x8x12xf32>) outs(%z12 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %h = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a, %b : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%e12 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %lin: f32, %out: f32):
    %three = arith.constant 3.0 : f32
    %k = arith.constant 0.044715 : f32
    %c = arith.constant 0.7978845608 : f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %cube = math.powf %in, %three : f32
    %kc = arith.mulf %cube, %k : f32
    %inner = arith.addf %in, %kc : f32
    %arg = arith.mulf %inner, %c : f32
    %t = math.tanh %arg : f32
    %p = arith.addf %t, %one : f32
    %hx = arith.mulf %in, %half : f32
    %g = arith.mulf %hx, %p : f32
    %r = arith.mulf %g, %lin : f32
    linalg.yield %r : f32
  } -> tensor<2x3x12xf32>
  %e8 = tensor.empty() : tensor<2x3x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %y = linalg.batch_matmul ins(%h, %w2b : tensor<2x3x12xf32>, tensor<2x12x8xf32>) outs(%z8 : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// torch-mlir's linalg form of a 3-D input: collapse to 2-D around each
// matmul and expand back, elementwise ops on 3-D tensors. ReGLU with
// maxnumf, and the tanh-GELU cube spelled x * x * x elsewhere.
// CHECK-LABEL: func.func @reglu_collapse_expand
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>)
// CHECK: %[[Y:.*]] = ffn.glu relu %[[X]], %[[W]], %[[V]], %[[W2]] : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<2x3x8xf32>
// CHECK: return %[[Y]]
func.func @reglu_collapse_expand(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<2x3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
  %e12 = tensor.empty() : tensor<6x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %a2 = linalg.matmul ins(%x2, %w : tensor<6x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %a = tensor.expand_shape %a2 [[0, 1], [2]] output_shape [2, 3, 12] : tensor<6x12xf32> into tensor<2x3x12xf32>
  %x2b = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
  %b2 = linalg.matmul ins(%x2b, %v : tensor<6x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %b = tensor.expand_shape %b2 [[0, 1], [2]] output_shape [2, 3, 12] : tensor<6x12xf32> into tensor<2x3x12xf32>
  %e3 = tensor.empty() : tensor<2x3x12xf32>
  %r = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a : tensor<2x3x12xf32>) outs(%e3 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %m = arith.maxnumf %c0, %in : f32
    linalg.yield %m : f32
  } -> tensor<2x3x12xf32>
  %h = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %b : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%e3 : tensor<2x3x12xf32>) {
  ^bb0(%g: f32, %lin: f32, %out: f32):
    %p = arith.mulf %g, %lin : f32
    linalg.yield %p : f32
  } -> tensor<2x3x12xf32>
  %h2 = tensor.collapse_shape %h [[0, 1], [2]] : tensor<2x3x12xf32> into tensor<6x12xf32>
  %e8 = tensor.empty() : tensor<6x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<6x8xf32>) -> tensor<6x8xf32>
  %y2 = linalg.matmul ins(%h2, %w2 : tensor<6x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<6x8xf32>) -> tensor<6x8xf32>
  %y = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// The paper's general GLU with biases: b added by a broadcast generic, c as
// the matmul's initial value (linalg.broadcast), b2 added after the down
// projection. sigmoid spelled with subf(0, x).
// CHECK-LABEL: func.func @glu_biases
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>, %[[B:.*]]: tensor<12xf32>, %[[C:.*]]: tensor<12xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK: %[[Y:.*]] = ffn.glu sigmoid %[[X]], %[[W]], %[[V]], %[[W2]] b(%[[B]]) c(%[[C]]) b2(%[[B2]]) :
// CHECK: return %[[Y]]
func.func @glu_biases(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %bb: tensor<12xf32>, %bc: tensor<12xf32>, %b2: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %ab = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %bb : tensor<4x12xf32>, tensor<12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %bias, %in : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  %cinit = linalg.broadcast ins(%bc : tensor<12xf32>) outs(%e12 : tensor<4x12xf32>) dimensions = [0]
  %b = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%cinit : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%ab, %b : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%g: f32, %lin: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %n = arith.subf %c0, %g : f32
    %e = math.exp %n : f32
    %d = arith.addf %one, %e : f32
    %s = arith.divf %one, %d : f32
    %p = arith.mulf %s, %lin : f32
    linalg.yield %p : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %d = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %b2 : tensor<4x8xf32>, tensor<8xf32>) outs(%e8 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Swish with beta = 2 as x * sigmoid(2 x) (the sigmoid through a multiply
// by -2), relu as a clamp to [0, FLT_MAX], and Bilinear; one function, three
// layers.
// CHECK-LABEL: func.func @three_layers
// CHECK: ffn.ffn swish(beta = 2.000000e+00)
// CHECK: ffn.ffn relu
// CHECK: ffn.glu identity
func.func @three_layers(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>

  %a1 = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a1 : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m2 = arith.constant -2.0 : f32
    %one = arith.constant 1.0 : f32
    %n = arith.mulf %in, %m2 : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %one, %d : f32
    %r = arith.mulf %s, %in : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %y1 = linalg.matmul ins(%h1, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>

  %a2 = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a2 : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %big = arith.constant 3.40282347E+38 : f32
    %lo = arith.maximumf %in, %c0 : f32
    %r = arith.minimumf %lo, %big : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %y2 = linalg.matmul ins(%h2, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>

  %a3 = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %b3 = linalg.matmul ins(%x, %v : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a3, %b3 : tensor<4x12xf32>, tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %y3 = linalg.matmul ins(%h3, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y1, %y2, %y3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// GELU, tanh form, x^3 as x * x * x, the constant folded into the sum
// (sqrt(2/pi) x + sqrt(2/pi) 0.044715 x^3), dynamic number of rows.
// CHECK-LABEL: func.func @gelu_tanh_expanded_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>, %[[W1:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>)
// CHECK: %[[Y:.*]] = ffn.ffn gelu_tanh %[[X]], %[[W1]], %[[W2]] : (tensor<?x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<?x8xf32>
// CHECK: return %[[Y]]
func.func @gelu_tanh_expanded_dynamic(%x: tensor<?x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e12 = tensor.empty(%m) : tensor<?x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<?x12xf32>) -> tensor<?x12xf32>
  %a = linalg.matmul ins(%x, %w1 : tensor<?x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<?x12xf32>) -> tensor<?x12xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x12xf32>) outs(%e12 : tensor<?x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.constant 0.797884583 : f32
    %ck = arith.constant 0.0356774081 : f32
    %one = arith.constant 1.0 : f32
    %half = arith.constant 0.5 : f32
    %sq = arith.mulf %in, %in : f32
    %cube = arith.mulf %in, %sq : f32
    %t1 = arith.mulf %c, %in : f32
    %t3 = arith.mulf %ck, %cube : f32
    %arg = arith.addf %t1, %t3 : f32
    %t = math.tanh %arg : f32
    %p = arith.addf %one, %t : f32
    %hx = arith.mulf %half, %in : f32
    %r = arith.mulf %hx, %p : f32
    linalg.yield %r : f32
  } -> tensor<?x12xf32>
  %e8 = tensor.empty(%m) : tensor<?x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<?x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
