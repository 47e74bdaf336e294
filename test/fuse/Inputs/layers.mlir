// Three layers in one function, two results: FFN_SwiGLU without biases,
// FFN_GELU on its output with both biases, FFN_GEGLU (tanh) with b and b2
// on that. x 2x3x8, d_ff 12 (SwiGLU, GELU) and 20 (GEGLU).
// ffn-fuse must leave two ffn.gated_matmul, one ffn.activated_matmul and
// three ffn.pack_gated (the SwiGLU weights; the GEGLU weights and its b
// with zeros for c).
func.func @layer(%x: tensor<2x3x8xf32>,
                 %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>,
                 %g1: tensor<8x12xf32>, %g2: tensor<12x8xf32>, %gb1: tensor<12xf32>, %gb2: tensor<8xf32>,
                 %u: tensor<8x20xf32>, %uv: tensor<8x20xf32>, %u2: tensor<20x8xf32>, %ub: tensor<20xf32>, %ub2: tensor<8xf32>)
    -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %y1 = ffn.glu swish %x, %w, %v, %w2 : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<2x3x8xf32>
  %y2 = ffn.ffn gelu %y1, %g1, %g2 b1(%gb1) b2(%gb2) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %y3 = ffn.glu gelu_tanh %y2, %u, %uv, %u2 b(%ub) b2(%ub2) : (tensor<2x3x8xf32>, tensor<8x20xf32>, tensor<8x20xf32>, tensor<20x8xf32>, tensor<20xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y1, %y3 : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
