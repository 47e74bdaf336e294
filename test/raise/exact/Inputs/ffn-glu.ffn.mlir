// FFN_GLU: (sigmoid(x W + b) * (x V + c)) W2. x 2x3x8, d_ff 12, biases b and c.
// The source of ffn-glu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b: tensor<12xf32>, %c: tensor<12xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu sigmoid %x, %w, %v, %w2 b(%b) c(%c) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>, tensor<12xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}
