// No feed-forward layer: a plain chain of two matmuls, (x W1) W2, with
// nothing between them. ffn-raise must leave it alone (a linear map is not
// one of the eight variants; FFN_Bilinear needs two projections of x), so
// raise_exactness.py must FAIL saying that nothing was raised.
func.func @layer(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e1 = tensor.empty() : tensor<4x12xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x12xf32>) outs(%f1 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%f2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
