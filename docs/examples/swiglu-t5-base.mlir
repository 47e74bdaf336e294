// FFN_SwiGLU at T5 v1.1 base width (d_model 768, d_ff 2048), 512 tokens:
// the forward, as glu-compile takes it (scripts/demo.sh, README).
func.func @forward(%x: tensor<512x768xf32> {ffn.name = "x"}, %w: tensor<768x2048xf32> {ffn.name = "w"}, %v: tensor<768x2048xf32> {ffn.name = "v"}, %w2: tensor<2048x768xf32> {ffn.name = "w2"}) -> (tensor<512x768xf32> {ffn.name = "y"}) {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<512x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<512x768xf32>
  return %y : tensor<512x768xf32>
}
