// One SwiGLU layer with d_ff 2048, fused with blocks of 4 (512 blocks):
// the packing must lower to a fixed number of ops whatever the block count.
func.func @layer(%x: tensor<3x4xf32>, %w: tensor<4x2048xf32>, %v: tensor<4x2048xf32>, %w2: tensor<2048x4xf32>) -> tensor<3x4xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<3x4xf32>, tensor<4x2048xf32>, tensor<4x2048xf32>, tensor<2048x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
