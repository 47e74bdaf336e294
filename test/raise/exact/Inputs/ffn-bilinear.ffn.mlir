// FFN_Bilinear: ((x W) * (x V)) W2. x 4x8, d_ff 12, no biases.
// The source of ffn-bilinear.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %y = ffn.glu identity %x, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
