// FFN_ReGLU: (relu(x W) * x V) W2 + b2. x 2x3x8, d_ff 12, bias b2.
// The source of ffn-reglu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b2: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu relu %x, %w, %v, %w2 b2(%b2) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}
