// RUN: glu-opt %s -split-input-file --ffn-raise | FileCheck %s
// RUN: glu-opt %s -split-input-file --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// A bf16 model as torch-mlir exports it (`model.to(torch.bfloat16)`): each
// projection is a matmul of bf16 operands into an f32 accumulator, rounded
// back to bf16 by the next generic; the activation is computed in bf16 with
// the Python constants rounded to bf16 (0.044715 becomes 0.044677734,
// sqrt(2/pi) 0.796875). Nothing was raised: the matmul's body widens its
// operands, and the rounded constants missed the 1e-6 tolerance.

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1, d0)>

// T5's gated-gelu FFN (T5DenseGatedActDense), reduced.
// CHECK-LABEL: func.func @t5_gated_gelu_bf16
// CHECK: %[[Y:.*]] = ffn.glu gelu_tanh %arg0, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xbf16>, tensor<8x12xbf16>, tensor<8x12xbf16>, tensor<12x8xbf16>) -> tensor<4x8xbf16>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
// REPORT: remark: ffn-raise: raised FFN_GEGLU (gelu_tanh)
// REPORT: remark: ffn-raise: @t5_gated_gelu_bf16: raised 1 layer (FFN_GEGLU), rejected 0 near-misses
func.func @t5_gated_gelu_bf16(%x: tensor<4x8xbf16>, %wi0: tensor<12x8xbf16>, %wi1: tensor<12x8xbf16>, %wo: tensor<8x12xbf16>) -> tensor<4x8xbf16> {
  %c3_i64 = arith.constant 3 : i64
  %zero = arith.constant 0.000000e+00 : f32
  %c = arith.constant 0.79788456080286541 : f64
  %k = arith.constant 4.471500e-02 : f64
  %half = arith.constant 5.000000e-01 : bf16
  %one = arith.constant 1.000000e+00 : bf16
  %et = tensor.empty() : tensor<8x12xbf16>
  %w0 = linalg.transpose ins(%wi0 : tensor<12x8xbf16>) outs(%et : tensor<8x12xbf16>) permutation = [1, 0]
  %w1 = linalg.transpose ins(%wi1 : tensor<12x8xbf16>) outs(%et : tensor<8x12xbf16>) permutation = [1, 0]
  %ef = tensor.empty() : tensor<4x12xf32>
  %zf = linalg.fill ins(%zero : f32) outs(%ef : tensor<4x12xf32>) -> tensor<4x12xf32>
  %e = tensor.empty() : tensor<4x12xbf16>
  %a32 = linalg.matmul ins(%x, %w0 : tensor<4x8xbf16>, tensor<8x12xbf16>) outs(%zf : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a32 : tensor<4x12xf32>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %halfx = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = arith.mulf %in, %half : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %cube = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = math.fpowi %in, %c3_i64 : bf16, i64
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %kcube = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%cube : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %k16 = arith.truncf %k : f64 to bf16
    %r = arith.mulf %in, %k16 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %inner = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%a, %kcube : tensor<4x12xbf16>, tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %in_1: bf16, %out: bf16):
    %r = arith.addf %in, %in_1 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %arg = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%inner : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %c16 = arith.truncf %c : f64 to bf16
    %r = arith.mulf %in, %c16 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %t = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = math.tanh %in : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %onet = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = arith.addf %in, %one : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %gelu = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%halfx, %onet : tensor<4x12xbf16>, tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %in_1: bf16, %out: bf16):
    %r = arith.mulf %in, %in_1 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %l32 = linalg.matmul ins(%x, %w1 : tensor<4x8xbf16>, tensor<8x12xbf16>) outs(%zf : tensor<4x12xf32>) -> tensor<4x12xf32>
  %l = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%l32 : tensor<4x12xf32>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %h = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%gelu, %l : tensor<4x12xbf16>, tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %in_1: bf16, %out: bf16):
    %r = arith.mulf %in, %in_1 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %eo = tensor.empty() : tensor<12x8xbf16>
  %w2 = linalg.transpose ins(%wo : tensor<8x12xbf16>) outs(%eo : tensor<12x8xbf16>) permutation = [1, 0]
  %ey = tensor.empty() : tensor<4x8xf32>
  %zy = linalg.fill ins(%zero : f32) outs(%ey : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y32 = linalg.matmul ins(%h, %w2 : tensor<4x12xbf16>, tensor<12x8xbf16>) outs(%zy : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e8 = tensor.empty() : tensor<4x8xbf16>
  %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%y32 : tensor<4x8xf32>) outs(%e8 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>

// GPT-2's MLP (Conv1D, addmm with biases), reduced: the input, weights and
// biases are widened to f32 by generics of their own, the matmul and the
// bias are f32, and the sum is rounded to bf16. The raised layer reads the
// bf16 tensors themselves.
// CHECK-LABEL: func.func @gpt2_biases_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xbf16>, %[[W:.*]]: tensor<8x12xbf16>, %[[B:.*]]: tensor<12xbf16>, %[[W2:.*]]: tensor<12x8xbf16>, %[[B2:.*]]: tensor<8xbf16>)
// CHECK: %[[Y:.*]] = ffn.ffn relu %[[X]], %[[W]], %[[W2]] b1(%[[B]]) b2(%[[B2]]) : (tensor<4x8xbf16>, tensor<8x12xbf16>, tensor<12x8xbf16>, tensor<12xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
// REPORT: remark: ffn-raise: @gpt2_biases_bf16: raised 1 layer (FFN_ReLU), rejected 0 near-misses
func.func @gpt2_biases_bf16(%x: tensor<4x8xbf16>, %w: tensor<8x12xbf16>, %b: tensor<12xbf16>, %w2: tensor<12x8xbf16>, %b2: tensor<8xbf16>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %zero16 = arith.constant 0.000000e+00 : bf16
  %eb = tensor.empty() : tensor<12xf32>
  %b32 = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%b : tensor<12xbf16>) outs(%eb : tensor<12xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<12xf32>
  %ex = tensor.empty() : tensor<4x8xf32>
  %x32 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xbf16>) outs(%ex : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %ew = tensor.empty() : tensor<8x12xf32>
  %w32 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<8x12xbf16>) outs(%ew : tensor<8x12xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<8x12xf32>
  %ea = tensor.empty() : tensor<4x12xf32>
  %za = linalg.fill ins(%zero : f32) outs(%ea : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a0 = linalg.matmul ins(%x32, %w32 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%za : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a1 = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%a0, %b32 : tensor<4x12xf32>, tensor<12xf32>) outs(%ea : tensor<4x12xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %r = arith.addf %in, %in_1 : f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %e = tensor.empty() : tensor<4x12xbf16>
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a1 : tensor<4x12xf32>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xbf16>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = arith.maximumf %in, %zero16 : bf16
    linalg.yield %r : bf16
  } -> tensor<4x12xbf16>
  %eb2 = tensor.empty() : tensor<8xf32>
  %b232 = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%b2 : tensor<8xbf16>) outs(%eb2 : tensor<8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %eh = tensor.empty() : tensor<4x12xf32>
  %h32 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%h : tensor<4x12xbf16>) outs(%eh : tensor<4x12xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<4x12xf32>
  %ew2 = tensor.empty() : tensor<12x8xf32>
  %w232 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%w2 : tensor<12x8xbf16>) outs(%ew2 : tensor<12x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %r = arith.extf %in : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<12x8xf32>
  %ey = tensor.empty() : tensor<4x8xf32>
  %zy = linalg.fill ins(%zero : f32) outs(%ey : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y0 = linalg.matmul ins(%h32, %w232 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%zy : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y1 = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%y0, %b232 : tensor<4x8xf32>, tensor<8xf32>) outs(%ey : tensor<4x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %r = arith.addf %in, %in_1 : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %e8 = tensor.empty() : tensor<4x8xbf16>
  %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%y1 : tensor<4x8xf32>) outs(%e8 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// A layer whose projections accumulate bf16 operands in f32 but whose
// result is never rounded back: an ffn op has one element type, so it is
// reported and left alone.
// CHECK-LABEL: func.func @result_stays_f32
// CHECK-NOT: ffn.
// REPORT: remark: ffn-raise: not raised: the layer's operands are bf16 but its result stays f32 (an ffn op computes in one element type)
// REPORT: remark: ffn-raise: @result_stays_f32: raised 0 layers, rejected 1 near-miss
func.func @result_stays_f32(%x: tensor<4x8xbf16>, %w: tensor<8x12xbf16>, %w2: tensor<12x8xbf16>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %zero16 = arith.constant 0.000000e+00 : bf16
  %ea = tensor.empty() : tensor<4x12xf32>
  %za = linalg.fill ins(%zero : f32) outs(%ea : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a32 = linalg.matmul ins(%x, %w : tensor<4x8xbf16>, tensor<8x12xbf16>) outs(%za : tensor<4x12xf32>) -> tensor<4x12xf32>
  %e = tensor.empty() : tensor<4x12xbf16>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a32 : tensor<4x12xf32>) outs(%e : tensor<4x12xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %r = arith.truncf %in : f32 to bf16
    %m = arith.maximumf %r, %zero16 : bf16
    linalg.yield %m : bf16
  } -> tensor<4x12xbf16>
  %ey = tensor.empty() : tensor<4x8xf32>
  %zy = linalg.fill ins(%zero : f32) outs(%ey : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xbf16>, tensor<12x8xbf16>) outs(%zy : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
