// FFN_GEGLU (T5 v1.1): (gelu_tanh(x W) * x V) W2. x 2x3x8, d_ff 12, no biases.
// The source of ffn-geglu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}
