// FFN_SwiGLU: (silu(x W) * x V) W2, written by hand in linalg on tensors in the
// batch_matmul form a linalg-level front end gives for PyTorch nn.Linear layers
// (weights [out, in]) on a 3-D input: each weight is transposed with
// linalg.transpose, broadcast over the batch with linalg.broadcast
// (dimensions = [0]), and multiplied with linalg.batch_matmul against the
// unreshaped 3-D activation; elementwise ops are one linalg.generic each
// (sigmoid as negf/exp/addf/divf; silu = sigmoid(h) * h; gate = silu * xV).
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --ffn-raise --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu swish %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]]

#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<12x8xf32>, %arg2: tensor<12x8xf32>, %arg3: tensor<8x12xf32>) -> tensor<2x3x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 1.000000e+00 : f32
  // h = x W
  %0 = tensor.empty() : tensor<8x12xf32>
  %transposed = linalg.transpose ins(%arg1 : tensor<12x8xf32>) outs(%0 : tensor<8x12xf32>) permutation = [1, 0]
  %1 = tensor.empty() : tensor<2x8x12xf32>
  %broadcasted = linalg.broadcast ins(%transposed : tensor<8x12xf32>) outs(%1 : tensor<2x8x12xf32>) dimensions = [0]
  %2 = tensor.empty() : tensor<2x3x12xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %4 = linalg.batch_matmul ins(%arg0, %broadcasted : tensor<2x3x8xf32>, tensor<2x8x12xf32>) outs(%3 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  // s = sigmoid(h) = 1 / (1 + exp(-h))
  %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4 : tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.negf %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5 : tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = math.exp %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.addf %in, %cst_0 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.divf %cst_0, %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // silu(h) = s * h
  %9 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8, %4 : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // g = x V
  %transposed_2 = linalg.transpose ins(%arg2 : tensor<12x8xf32>) outs(%0 : tensor<8x12xf32>) permutation = [1, 0]
  %broadcasted_3 = linalg.broadcast ins(%transposed_2 : tensor<8x12xf32>) outs(%1 : tensor<2x8x12xf32>) dimensions = [0]
  %10 = linalg.batch_matmul ins(%arg0, %broadcasted_3 : tensor<2x3x8xf32>, tensor<2x8x12xf32>) outs(%3 : tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  // a = silu(h) * g
  %11 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%9, %10 : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%2 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // y = a W2
  %12 = tensor.empty() : tensor<12x8xf32>
  %transposed_4 = linalg.transpose ins(%arg3 : tensor<8x12xf32>) outs(%12 : tensor<12x8xf32>) permutation = [1, 0]
  %13 = tensor.empty() : tensor<2x12x8xf32>
  %broadcasted_5 = linalg.broadcast ins(%transposed_4 : tensor<12x8xf32>) outs(%13 : tensor<2x12x8xf32>) dimensions = [0]
  %14 = tensor.empty() : tensor<2x3x8xf32>
  %15 = linalg.fill ins(%cst : f32) outs(%14 : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %16 = linalg.batch_matmul ins(%11, %broadcasted_5 : tensor<2x3x12xf32>, tensor<2x12x8xf32>) outs(%15 : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %16 : tensor<2x3x8xf32>
}
