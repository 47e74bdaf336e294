func.func @forward(%x: tensor<?x16xf32>, %w1: tensor<16x24xf32>, %w2: tensor<24x16xf32>) -> tensor<?x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<?x16xf32>, tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
