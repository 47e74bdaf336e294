// The eight feed-forward layers of "GLU Variants Improve Transformer"
// (Shazeer 2020, Table 1) at T5-base's width: d_model = 768, d_ff = 3072 for
// the ungated layers and 2/3 of it, 2048, for the gated ones (equal
// parameters and FLOPs). A batch of 2 sequences of 128 tokens.
//
//   glu-opt docs/examples/glu-variants.mlir                 # parse, verify, print
//   glu-opt docs/examples/glu-variants.mlir --convert-ffn-to-linalg

// FFN_ReLU: relu(x W1) W2
func.func @ffn_relu(%x: tensor<2x128x768xf32>, %w1: tensor<768x3072xf32>, %w2: tensor<3072x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<2x128x768xf32>, tensor<768x3072xf32>, tensor<3072x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_GELU: gelu(x W1) W2
func.func @ffn_gelu(%x: tensor<2x128x768xf32>, %w1: tensor<768x3072xf32>, %w2: tensor<3072x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.ffn gelu %x, %w1, %w2 : (tensor<2x128x768xf32>, tensor<768x3072xf32>, tensor<3072x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_Swish: swish(x W1) W2
func.func @ffn_swish(%x: tensor<2x128x768xf32>, %w1: tensor<768x3072xf32>, %w2: tensor<3072x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.ffn swish %x, %w1, %w2 : (tensor<2x128x768xf32>, tensor<768x3072xf32>, tensor<3072x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_GLU: (sigmoid(x W) * x V) W2
func.func @ffn_glu(%x: tensor<2x128x768xf32>, %w: tensor<768x2048xf32>, %v: tensor<768x2048xf32>, %w2: tensor<2048x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.glu sigmoid %x, %w, %v, %w2 : (tensor<2x128x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_Bilinear: (identity(x W) * x V) W2
func.func @ffn_bilinear(%x: tensor<2x128x768xf32>, %w: tensor<768x2048xf32>, %v: tensor<768x2048xf32>, %w2: tensor<2048x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.glu identity %x, %w, %v, %w2 : (tensor<2x128x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_ReGLU: (relu(x W) * x V) W2
func.func @ffn_reglu(%x: tensor<2x128x768xf32>, %w: tensor<768x2048xf32>, %v: tensor<768x2048xf32>, %w2: tensor<2048x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.glu relu %x, %w, %v, %w2 : (tensor<2x128x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_GEGLU: (gelu(x W) * x V) W2
func.func @ffn_geglu(%x: tensor<2x128x768xf32>, %w: tensor<768x2048xf32>, %v: tensor<768x2048xf32>, %w2: tensor<2048x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.glu gelu %x, %w, %v, %w2 : (tensor<2x128x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// FFN_SwiGLU: (swish(x W) * x V) W2
func.func @ffn_swiglu(%x: tensor<2x128x768xf32>, %w: tensor<768x2048xf32>, %v: tensor<768x2048xf32>, %w2: tensor<2048x768xf32>) -> tensor<2x128x768xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<2x128x768xf32>, tensor<768x2048xf32>, tensor<768x2048xf32>, tensor<2048x768xf32>) -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}
