// Generated from ffn-relu.ffn.mlir by: glu-opt ffn-relu.ffn.mlir --convert-ffn-to-linalg --canonicalize
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @layer(%arg0: tensor<4x8xf32>, %arg1: tensor<8x12xf32>, %arg2: tensor<12x8xf32>) -> tensor<4x8xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<4x12xf32>
    %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %2 = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%1 : tensor<4x12xf32>) -> tensor<4x12xf32>
    %3 = tensor.empty() : tensor<4x12xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<4x12xf32>) outs(%3 : tensor<4x12xf32>) {
    ^bb0(%in: f32, %out: f32):
      %8 = arith.maximumf %in, %cst : f32
      linalg.yield %8 : f32
    } -> tensor<4x12xf32>
    %5 = tensor.empty() : tensor<4x8xf32>
    %6 = linalg.fill ins(%cst : f32) outs(%5 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %7 = linalg.matmul ins(%4, %arg2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%6 : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %7 : tensor<4x8xf32>
  }
}

