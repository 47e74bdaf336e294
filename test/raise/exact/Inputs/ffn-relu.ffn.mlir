// FFN_ReLU: relu(x W1) W2. x 4x8, d_ff 12, no biases.
// The source of ffn-relu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
