// A SwiGLU layer of 260 rows: more than one 128-row tile of the generated
// GEMMs, so the code runs in parallel with OpenMP (the OpenMP runtime tests
// of glu-compile --target-triple need that; swiglu.mlir's 8 rows fit one
// tile, and its code calls no OpenMP).
func.func @forward(%x: tensor<260x16xf32> {ffn.name = "x"},
                   %w: tensor<16x24xf32> {ffn.name = "wi_0"},
                   %v: tensor<16x24xf32> {ffn.name = "wi_1"},
                   %w2: tensor<24x16xf32> {ffn.name = "wo"})
    -> (tensor<260x16xf32> {ffn.name = "y"}) {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<260x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>) -> tensor<260x16xf32>
  return %y : tensor<260x16xf32>
}
