func.func @forward(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %y = ffn.ffn relu %x : (tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
