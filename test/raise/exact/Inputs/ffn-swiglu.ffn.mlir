// FFN_SwiGLU: (swish(x W + b) * (x V + c)) W2 + b2. x 4x8, d_ff 12, all biases.
// The source of ffn-swiglu.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b: tensor<12xf32>, %c: tensor<12xf32>, %b2: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 b(%b) c(%c) b2(%b2) : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>, tensor<12xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
