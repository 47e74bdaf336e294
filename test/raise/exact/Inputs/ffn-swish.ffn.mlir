// FFN_Swish: swish(x W1) W2 + b2, beta 1. x 4x8, d_ff 12, d_out 5, bias b2.
// The source of ffn-swish.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x5xf32>, %b2: tensor<5xf32>) -> tensor<4x5xf32> {
  %y = ffn.ffn swish %x, %w1, %w2 b2(%b2) : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}
