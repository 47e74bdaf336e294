// Generated from ffn-swish.ffn.mlir by: glu-opt ffn-swish.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @layer(%arg0: tensor<4x8xf32>, %arg1: tensor<8x12xf32>, %arg2: tensor<12x5xf32>, %arg3: tensor<5xf32>) -> tensor<4x5xf32> {
    %cst = arith.constant 1.000000e+00 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<4x12xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %2 = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %3 = tensor.empty() : tensor<4x12xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<4x12xf32>) outs(%3 : tensor<4x12xf32>) {
    ^bb0(%in: f32, %out: f32):
      %10 = arith.negf %in : f32
      %11 = math.exp %10 : f32
      %12 = arith.addf %11, %cst : f32
      %13 = arith.divf %cst, %12 : f32
      %14 = arith.mulf %in, %13 : f32
      linalg.yield %14 : f32
    } -> tensor<4x12xf32>
    %5 = tensor.empty() : tensor<4x5xf32>
    %6 = linalg.fill ins(%cst_0 : f32) outs(%5 : tensor<4x5xf32>) -> tensor<4x5xf32>
    %7 = linalg.matmul ins(%4, %arg2 : tensor<4x12xf32>, tensor<12x5xf32>) outs(%6 : tensor<4x5xf32>) -> tensor<4x5xf32>
    %8 = tensor.empty() : tensor<4x5xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%7, %arg3 : tensor<4x5xf32>, tensor<5xf32>) outs(%8 : tensor<4x5xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %10 = arith.addf %in, %in_1 : f32
      linalg.yield %10 : f32
    } -> tensor<4x5xf32>
    return %9 : tensor<4x5xf32>
  }
}

