// FFN_GELU: gelu(x W1 + b1) W2 + b2, erf gelu. x 2x3x8, d_ff 12, both biases.
// The source of ffn-gelu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<2x3x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b1: tensor<12xf32>, %b2: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.ffn gelu %x, %w1, %w2 b1(%b1) b2(%b2) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}
