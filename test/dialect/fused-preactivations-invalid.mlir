// RUN: glu-opt %s -split-input-file -verify-diagnostics

func.func @wrong_width(%x: tensor<3x8xf32>, %p: tensor<8x12xf32>) -> (tensor<3x6xf32>, tensor<3x6xf32>) {
  %h_init = tensor.empty() : tensor<3x6xf32>
  %ab_init = tensor.empty() : tensor<3x6xf32>
  // expected-error@+1 {{'ffn.gated_matmul' op pre-activations 'tensor<3x6xf32>' must be the [3, 12] product of the input and the weight, of element type 'f32'}}
  %h, %ab = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<3x8xf32>, tensor<8x12xf32>) outs(%h_init : tensor<3x6xf32>) preactivations(%ab_init : tensor<3x6xf32>) -> tensor<3x6xf32>, tensor<3x6xf32>
  return %h, %ab : tensor<3x6xf32>, tensor<3x6xf32>
}

// -----

func.func @wrong_rows(%x: tensor<3x8xf32>, %w: tensor<8x6xf32>) -> (tensor<3x6xf32>, tensor<4x6xf32>) {
  %h_init = tensor.empty() : tensor<3x6xf32>
  %a_init = tensor.empty() : tensor<4x6xf32>
  // expected-error@+1 {{'ffn.activated_matmul' op pre-activations 'tensor<4x6xf32>' must be the [3, 6] product of the input and the weight, of element type 'f32'}}
  %h, %a = ffn.activated_matmul relu ins(%x, %w : tensor<3x8xf32>, tensor<8x6xf32>) outs(%h_init : tensor<3x6xf32>) preactivations(%a_init : tensor<4x6xf32>) -> tensor<3x6xf32>, tensor<4x6xf32>
  return %h, %a : tensor<3x6xf32>, tensor<4x6xf32>
}

// -----

func.func @result_type(%x: tensor<3x8xf32>, %w: tensor<8x6xf32>) -> (tensor<3x6xf32>, tensor<?x6xf32>) {
  %h_init = tensor.empty() : tensor<3x6xf32>
  %a_init = tensor.empty() : tensor<3x6xf32>
  // expected-error@+1 {{'ffn.activated_matmul' op pre-activations result type 'tensor<?x6xf32>' must be its destination's 'tensor<3x6xf32>'}}
  %h, %a = "ffn.activated_matmul"(%x, %w, %h_init, %a_init) {activation = #ffn.activation<relu>, operandSegmentSizes = array<i32: 1, 1, 0, 1, 1>} : (tensor<3x8xf32>, tensor<8x6xf32>, tensor<3x6xf32>, tensor<3x6xf32>) -> (tensor<3x6xf32>, tensor<?x6xf32>)
  return %h, %a : tensor<3x6xf32>, tensor<?x6xf32>
}
