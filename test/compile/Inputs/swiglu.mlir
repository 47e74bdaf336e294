// A SwiGLU layer with named operands (glu-compile's manifest tests).
func.func @forward(%x: tensor<8x16xf32> {ffn.name = "x"},
                   %w: tensor<16x24xf32> {ffn.name = "wi_0"},
                   %v: tensor<16x24xf32> {ffn.name = "wi_1"},
                   %w2: tensor<24x16xf32> {ffn.name = "wo"})
    -> (tensor<8x16xf32> {ffn.name = "y"}) {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

func.func private @helper(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  return %x : tensor<8x16xf32>
}
