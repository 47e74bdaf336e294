// An ungated train step: the forward ffn.ffn and its ffn.ffn_grad, with a bias.
func.func @layer(%x: tensor<3x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %dy: tensor<3x8xf32>, %b1: tensor<12xf32>) -> (tensor<3x8xf32>, tensor<3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>) {
  %y = ffn.ffn gelu_tanh %x, %w1, %w2 b1(%b1) : (tensor<3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>) -> tensor<3x8xf32>
  %dx, %dw1, %dw2, %db1 = ffn.ffn_grad gelu_tanh %x, %w1, %w2, %dy b1(%b1) : (tensor<3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<3x8xf32>, tensor<12xf32>) -> (tensor<3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>)
  return %y, %dx, %dw1, %dw2, %db1 : tensor<3x8xf32>, tensor<3x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>
}
