// Two layers in one function, sharing x: FFN_SwiGLU with a b2 bias and
// FFN_ReLU with a b1 bias; two results, argument and result attributes, and a
// helper function the driver must leave alone. x 2x3x8, d_ff 12.
// The source of two-layers.linalg.mlir (glu-opt --convert-ffn-to-linalg --canonicalize).
func.func @unused_helper(%s: f32) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %t = linalg.fill ins(%s : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}
func.func @layer(%x: tensor<2x3x8xf32> {test.name = "x"}, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %b2: tensor<8xf32>,
                 %r1: tensor<8x12xf32>, %r2: tensor<12x4xf32> {test.name = "r2, with a comma"}, %rb1: tensor<12xf32>)
    -> (tensor<2x3x8xf32> {test.name = "swiglu"}, tensor<2x3x4xf32>) {
  %y = ffn.glu swish %x, %w, %v, %w2 b2(%b2) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %z = ffn.ffn relu %x, %r1, %r2 b1(%rb1) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<12x4xf32>, tensor<12xf32>) -> tensor<2x3x4xf32>
  return %y, %z : tensor<2x3x8xf32>, tensor<2x3x4xf32>
}
