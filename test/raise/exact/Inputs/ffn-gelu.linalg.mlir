// Generated from ffn-gelu.ffn.mlir by: glu-opt ffn-gelu.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<8x12xf32>, %arg2: tensor<12x8xf32>, %arg3: tensor<12xf32>, %arg4: tensor<8xf32>) -> tensor<2x3x8xf32> {
    %cst = arith.constant 1.000000e+00 : f32
    %cst_0 = arith.constant 5.000000e-01 : f32
    %cst_1 = arith.constant 0.707106769 : f32
    %cst_2 = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
    %0 = tensor.empty() : tensor<6x12xf32>
    %1 = linalg.fill ins(%cst_2 : f32) outs(%0 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %2 = linalg.matmul ins(%collapsed, %arg1 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %3 = tensor.empty() : tensor<6x12xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %arg3 : tensor<6x12xf32>, tensor<12xf32>) outs(%3 : tensor<6x12xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %10 = arith.addf %in, %in_3 : f32
      %11 = arith.mulf %10, %cst_1 : f32
      %12 = math.erf %11 : f32
      %13 = arith.mulf %10, %cst_0 : f32
      %14 = arith.addf %12, %cst : f32
      %15 = arith.mulf %13, %14 : f32
      linalg.yield %15 : f32
    } -> tensor<6x12xf32>
    %5 = tensor.empty() : tensor<6x8xf32>
    %6 = linalg.fill ins(%cst_2 : f32) outs(%5 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %7 = linalg.matmul ins(%4, %arg2 : tensor<6x12xf32>, tensor<12x8xf32>) outs(%6 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %8 = tensor.empty() : tensor<6x8xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%7, %arg4 : tensor<6x8xf32>, tensor<8xf32>) outs(%8 : tensor<6x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %10 = arith.addf %in, %in_3 : f32
      linalg.yield %10 : f32
    } -> tensor<6x8xf32>
    %expanded = tensor.expand_shape %9 [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
    return %expanded : tensor<2x3x8xf32>
  }
}

