// A second model with an entry point of the same name as swiglu.mlir's but
// other shapes (self-check.test swaps its model.so in).
func.func @forward(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>, %v: tensor<16x8xf32>, %w2: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.glu gelu %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
