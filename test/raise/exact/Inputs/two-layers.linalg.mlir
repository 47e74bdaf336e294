// Generated from two-layers.ffn.mlir by: glu-opt two-layers.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @unused_helper(%arg0: f32) -> tensor<4xf32> {
    %0 = tensor.empty() : tensor<4xf32>
    %1 = linalg.fill ins(%arg0 : f32) outs(%0 : tensor<4xf32>) -> tensor<4xf32>
    return %1 : tensor<4xf32>
  }
  func.func @layer(%arg0: tensor<2x3x8xf32> {test.name = "x"}, %arg1: tensor<8x12xf32>, %arg2: tensor<8x12xf32>, %arg3: tensor<12x8xf32>, %arg4: tensor<8xf32>, %arg5: tensor<8x12xf32>, %arg6: tensor<12x4xf32> {test.name = "r2, with a comma"}, %arg7: tensor<12xf32>) -> (tensor<2x3x8xf32> {test.name = "swiglu"}, tensor<2x3x4xf32>) {
    %cst = arith.constant 1.000000e+00 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
    %0 = tensor.empty() : tensor<6x12xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %2 = linalg.matmul ins(%collapsed, %arg1 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %3 = tensor.empty() : tensor<6x12xf32>
    %4 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %5 = linalg.matmul ins(%collapsed, %arg2 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%4 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %6 = tensor.empty() : tensor<6x12xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %5 : tensor<6x12xf32>, tensor<6x12xf32>) outs(%6 : tensor<6x12xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %21 = arith.negf %in : f32
      %22 = math.exp %21 : f32
      %23 = arith.addf %22, %cst : f32
      %24 = arith.divf %cst, %23 : f32
      %25 = arith.mulf %in, %24 : f32
      %26 = arith.mulf %25, %in_3 : f32
      linalg.yield %26 : f32
    } -> tensor<6x12xf32>
    %8 = tensor.empty() : tensor<6x8xf32>
    %9 = linalg.fill ins(%cst_0 : f32) outs(%8 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %10 = linalg.matmul ins(%7, %arg3 : tensor<6x12xf32>, tensor<12x8xf32>) outs(%9 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %11 = tensor.empty() : tensor<6x8xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%10, %arg4 : tensor<6x8xf32>, tensor<8xf32>) outs(%11 : tensor<6x8xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %21 = arith.addf %in, %in_3 : f32
      linalg.yield %21 : f32
    } -> tensor<6x8xf32>
    %expanded = tensor.expand_shape %12 [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
    %collapsed_1 = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
    %13 = tensor.empty() : tensor<6x12xf32>
    %14 = linalg.fill ins(%cst_0 : f32) outs(%13 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %15 = linalg.matmul ins(%collapsed_1, %arg5 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%14 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %16 = tensor.empty() : tensor<6x12xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%15, %arg7 : tensor<6x12xf32>, tensor<12xf32>) outs(%16 : tensor<6x12xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %21 = arith.addf %in, %in_3 : f32
      %22 = arith.maximumf %21, %cst_0 : f32
      linalg.yield %22 : f32
    } -> tensor<6x12xf32>
    %18 = tensor.empty() : tensor<6x4xf32>
    %19 = linalg.fill ins(%cst_0 : f32) outs(%18 : tensor<6x4xf32>) -> tensor<6x4xf32>
    %20 = linalg.matmul ins(%17, %arg6 : tensor<6x12xf32>, tensor<12x4xf32>) outs(%19 : tensor<6x4xf32>) -> tensor<6x4xf32>
    %expanded_2 = tensor.expand_shape %20 [[0, 1], [2]] output_shape [2, 3, 4] : tensor<6x4xf32> into tensor<2x3x4xf32>
    return %expanded, %expanded_2 : tensor<2x3x8xf32>, tensor<2x3x4xf32>
  }
}

