// Generated from ffn-swiglu.ffn.mlir by: glu-opt ffn-swiglu.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @layer(%arg0: tensor<4x8xf32>, %arg1: tensor<8x12xf32>, %arg2: tensor<8x12xf32>, %arg3: tensor<12x8xf32>, %arg4: tensor<12xf32>, %arg5: tensor<12xf32>, %arg6: tensor<8xf32>) -> tensor<4x8xf32> {
    %cst = arith.constant 1.000000e+00 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<4x12xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %2 = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %3 = tensor.empty() : tensor<4x12xf32>
    %4 = linalg.fill ins(%cst_0 : f32) outs(%3 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %5 = linalg.matmul ins(%arg0, %arg2 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%4 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %6 = tensor.empty() : tensor<4x12xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map, #map1, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %5, %arg4, %arg5 : tensor<4x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<12xf32>) outs(%6 : tensor<4x12xf32>) {
    ^bb0(%in: f32, %in_1: f32, %in_2: f32, %in_3: f32, %out: f32):
      %13 = arith.addf %in, %in_2 : f32
      %14 = arith.addf %in_1, %in_3 : f32
      %15 = arith.negf %13 : f32
      %16 = math.exp %15 : f32
      %17 = arith.addf %16, %cst : f32
      %18 = arith.divf %cst, %17 : f32
      %19 = arith.mulf %13, %18 : f32
      %20 = arith.mulf %19, %14 : f32
      linalg.yield %20 : f32
    } -> tensor<4x12xf32>
    %8 = tensor.empty() : tensor<4x8xf32>
    %9 = linalg.fill ins(%cst_0 : f32) outs(%8 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %10 = linalg.matmul ins(%7, %arg3 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%9 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %11 = tensor.empty() : tensor<4x8xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%10, %arg6 : tensor<4x8xf32>, tensor<8xf32>) outs(%11 : tensor<4x8xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %13 = arith.addf %in, %in_1 : f32
      linalg.yield %13 : f32
    } -> tensor<4x8xf32>
    return %12 : tensor<4x8xf32>
  }
}

