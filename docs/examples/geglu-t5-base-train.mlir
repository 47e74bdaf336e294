// A train step of FFN_GEGLU at T5 v1.1 base width (d_model 768, d_ff 2048),
// 512 tokens: y and every gradient (scripts/demo.sh, README).
func.func @train_step(%x: tensor<512x768xf32> {ffn.name = "x"}, %w: tensor<768x2048xf32> {ffn.name = "w"}, %v: tensor<768x2048xf32> {ffn.name = "v"}, %w2: tensor<2048x768xf32> {ffn.name = "w2"}, %dy: tensor<512x768xf32> {ffn.name = "dy"}) -> (tensor<512x768xf32> {ffn.name = "y"}, tensor<512x768xf32> {ffn.name = "dx"}, tensor<768x2048xf32> {ffn.name = "dw"}, tensor<768x2048xf32> {ffn.name = "dv"}, tensor<2048x768xf32> {ffn.name = "dw2"}) {
  %y = ffn.glu gelu %x, %w, %v, %w2 : (tensor<512x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<512x768xf32>
  %dx, %dw, %dv, %dw2 = ffn.glu_grad gelu %x, %w, %v, %w2, %dy : (tensor<512x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>, tensor<512x768xf32>) -> (tensor<512x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>)
  return %y, %dx, %dw, %dv, %dw2 : tensor<512x768xf32>, tensor<512x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>
}
