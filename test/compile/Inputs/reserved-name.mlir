// @x's entry point is glu_entry_x: a function of that name collides with it.
func.func @x(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
func.func @glu_entry_x(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
