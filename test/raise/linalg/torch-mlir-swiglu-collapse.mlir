// FFN_SwiGLU: (silu(x W) * x V) W2, written by hand in linalg on tensors in the
// form a linalg-level front end (torch-mlir's linalg backend style) gives for
// PyTorch nn.Linear layers (weights [out, in]) on a 3-D input:
//   linalg.transpose of each [out, in] weight, tensor.collapse_shape of the
//   [batch, seq, d] activation to 2-D, linalg.matmul on a zero linalg.fill,
//   tensor.expand_shape back to 3-D, one linalg.generic per elementwise op
//   (sigmoid as negf/exp/addf/divf; silu = sigmoid(h) * h; gate = silu * xV).
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
  %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
  %1 = tensor.empty() : tensor<6x12xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %3 = linalg.matmul ins(%collapsed, %transposed : tensor<6x8xf32>, tensor<8x12xf32>) outs(%2 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %expanded = tensor.expand_shape %3 [[0, 1], [2]] output_shape [2, 3, 12] : tensor<6x12xf32> into tensor<2x3x12xf32>
  // s = sigmoid(h) = 1 / (1 + exp(-h))
  %4 = tensor.empty() : tensor<2x3x12xf32>
  %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.negf %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5 : tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = math.exp %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.addf %in, %cst_0 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%7 : tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.divf %cst_0, %in : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // silu(h) = s * h
  %9 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8, %expanded : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // g = x V
  %transposed_2 = linalg.transpose ins(%arg2 : tensor<12x8xf32>) outs(%0 : tensor<8x12xf32>) permutation = [1, 0]
  %10 = linalg.matmul ins(%collapsed, %transposed_2 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%2 : tensor<6x12xf32>) -> tensor<6x12xf32>
  %expanded_3 = tensor.expand_shape %10 [[0, 1], [2]] output_shape [2, 3, 12] : tensor<6x12xf32> into tensor<2x3x12xf32>
  // a = silu(h) * g
  %11 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%9, %expanded_3 : tensor<2x3x12xf32>, tensor<2x3x12xf32>) outs(%4 : tensor<2x3x12xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<2x3x12xf32>
  // y = a W2
  %12 = tensor.empty() : tensor<12x8xf32>
  %transposed_4 = linalg.transpose ins(%arg3 : tensor<8x12xf32>) outs(%12 : tensor<12x8xf32>) permutation = [1, 0]
  %collapsed_5 = tensor.collapse_shape %11 [[0, 1], [2]] : tensor<2x3x12xf32> into tensor<6x12xf32>
  %13 = tensor.empty() : tensor<6x8xf32>
  %14 = linalg.fill ins(%cst : f32) outs(%13 : tensor<6x8xf32>) -> tensor<6x8xf32>
  %15 = linalg.matmul ins(%collapsed_5, %transposed_4 : tensor<6x12xf32>, tensor<12x8xf32>) outs(%14 : tensor<6x8xf32>) -> tensor<6x8xf32>
  %expanded_6 = tensor.expand_shape %15 [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
  return %expanded_6 : tensor<2x3x8xf32>
}
