// Generated from ffn-geglu.ffn.mlir by: glu-opt ffn-geglu.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<8x12xf32>, %arg2: tensor<8x12xf32>, %arg3: tensor<12x8xf32>) -> tensor<2x3x8xf32> {
    %cst = arith.constant 1.000000e+00 : f32
    %cst_0 = arith.constant 5.000000e-01 : f32
    %cst_1 = arith.constant 0.797884583 : f32
    %cst_2 = arith.constant 4.471500e-02 : f32
    %cst_3 = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
    %0 = tensor.empty() : tensor<6x12xf32>
    %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %2 = linalg.matmul ins(%collapsed, %arg1 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %3 = tensor.empty() : tensor<6x12xf32>
    %4 = linalg.fill ins(%cst_3 : f32) outs(%3 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %5 = linalg.matmul ins(%collapsed, %arg2 : tensor<6x8xf32>, tensor<8x12xf32>) outs(%4 : tensor<6x12xf32>) -> tensor<6x12xf32>
    %6 = tensor.empty() : tensor<6x12xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %5 : tensor<6x12xf32>, tensor<6x12xf32>) outs(%6 : tensor<6x12xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %11 = arith.mulf %in, %in : f32
      %12 = arith.mulf %11, %in : f32
      %13 = arith.mulf %12, %cst_2 : f32
      %14 = arith.addf %in, %13 : f32
      %15 = arith.mulf %14, %cst_1 : f32
      %16 = math.tanh %15 : f32
      %17 = arith.mulf %in, %cst_0 : f32
      %18 = arith.addf %16, %cst : f32
      %19 = arith.mulf %17, %18 : f32
      %20 = arith.mulf %19, %in_4 : f32
      linalg.yield %20 : f32
    } -> tensor<6x12xf32>
    %8 = tensor.empty() : tensor<6x8xf32>
    %9 = linalg.fill ins(%cst_3 : f32) outs(%8 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %10 = linalg.matmul ins(%7, %arg3 : tensor<6x12xf32>, tensor<12x8xf32>) outs(%9 : tensor<6x8xf32>) -> tensor<6x8xf32>
    %expanded = tensor.expand_shape %10 [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
    return %expanded : tensor<2x3x8xf32>
  }
}

