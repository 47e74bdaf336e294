// RUN: glu-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of the ffn verifiers and parsers.

func.func @integer_elements(%x: tensor<4x16xi32>, %w1: tensor<16x64xi32>, %w2: tensor<64x16xi32>) {
  // expected-error @+1 {{'ffn.ffn' op input has element type 'i32'; ffn ops take f16, bf16, f32 or f64}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xi32>, tensor<16x64xi32>, tensor<64x16xi32>) -> tensor<4x16xi32>
  return
}

// -----

func.func @mixed_elements(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf16>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.glu' op 'v' has element type 'f16' but the input has 'f32'}}
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf16>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @result_element_differs(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op 'result' has element type 'bf16' but the input has 'f32'}}
  %y = ffn.ffn gelu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xbf16>
  return
}

// -----

func.func @rank_one_input(%x: tensor<16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op input must have rank >= 2 ([..., d_model]), got 'tensor<16xf32>'}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @batched_weight(%x: tensor<4x16xf32>, %w: tensor<2x16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.glu' op 'w' must be a 2-D [d_model, d_ff] matrix, got 'tensor<2x16x64xf32>'}}
  %y = ffn.glu relu %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @vector_down_projection(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64xf32>) {
  // expected-error @+1 {{'ffn.ffn' op 'w2' must be a 2-D [d_ff, d_out] matrix, got 'tensor<64xf32>'}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @d_model_mismatch(%x: tensor<4x16xf32>, %w1: tensor<32x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op 'w1' has 32 rows but the input's d_model is 16}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<32x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @d_ff_mismatch_between_w_and_v(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x48xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.glu' op 'v' is [16, 48] but 'w' is [16, 64]; the gate and linear projections must have the same shape}}
  %y = ffn.glu sigmoid %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x48xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @d_ff_mismatch_with_w2(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<48x16xf32>) {
  // expected-error @+1 {{'ffn.glu' op 'w2' has 48 rows but d_ff is 64}}
  %y = ffn.glu identity %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<48x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @hidden_bias_size(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %c: tensor<16xf32>) {
  // expected-error @+1 {{'ffn.glu' op 'c' must be a 1-D tensor of d_ff = 64 elements, got 'tensor<16xf32>'}}
  %y = ffn.glu swish %x, %w, %v, %w2 c(%c) : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @out_bias_rank(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %b2: tensor<1x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op 'b2' must be a 1-D tensor of d_out = 16 elements, got 'tensor<1x16xf32>'}}
  %y = ffn.ffn relu %x, %w1, %w2 b2(%b2) : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<1x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @result_rank(%x: tensor<2x4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op result must have the input's rank 3, got 'tensor<8x16xf32>'}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<2x4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<8x16xf32>
  return
}

// -----

func.func @result_batch_dim(%x: tensor<2x4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op result dimension 1 is 5 but the input's is 4}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<2x4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @result_width(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x8xf32>) {
  // expected-error @+1 {{'ffn.ffn' op result's last dimension is 16 but 'w2' produces d_out = 8}}
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @ungated_identity(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op activation 'identity' makes ffn.ffn two chained linear maps; use 'ffn.glu identity' for the Bilinear variant}}
  %y = ffn.ffn identity %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @memref_operand(%x: memref<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{'ffn.ffn' op operand #0 must be ranked tensor of any type values, but got 'memref<4x16xf32>'}}
  %y = "ffn.ffn"(%x, %w1, %w2) <{activation = #ffn.activation<relu>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (memref<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @unknown_activation(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{unknown activation 'tanh'; expected one of relu, gelu, gelu_tanh, swish, sigmoid, identity}}
  %y = ffn.ffn tanh %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @beta_on_relu(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{beta is only meaningful for swish, not 'relu'}}
  %y = ffn.ffn relu(beta = 2.0) %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @negative_beta(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{swish beta must be finite and positive, got -1}}
  %y = ffn.glu swish(beta = -1.0) %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @generic_form_beta(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) {
  // expected-error @+1 {{beta is only meaningful for swish, not 'sigmoid'}}
  %y = "ffn.ffn"(%x, %w1, %w2) <{activation = #ffn.activation<sigmoid(beta = 3.0)>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @grad_dy_shape(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x8xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'ffn.ffn_grad' op 'dy' must have the forward result's shape [4, 8] ([..., d_out]), got 'tensor<4x16xf32>'}}
  %0:3 = ffn.ffn_grad relu %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>)
  return
}

// -----

func.func @grad_dy_rank(%x: tensor<2x4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<8x16xf32>) {
  // expected-error @+1 {{'ffn.glu_grad' op 'dy' must have the forward result's shape [2, 4, 16] ([..., d_out]), got 'tensor<8x16xf32>'}}
  %0:4 = ffn.glu_grad swish %x, %w, %v, %w2, %dy : (tensor<2x4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<8x16xf32>) -> (tensor<2x4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return
}

// -----

func.func @grad_dy_element(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<4x16xbf16>) {
  // expected-error @+1 {{'ffn.ffn_grad' op 'dy' has element type 'bf16' but the input has 'f32'}}
  %0:3 = ffn.ffn_grad gelu %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xbf16>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return
}

// -----

func.func @grad_result_count(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<4x16xf32>, %b1: tensor<64xf32>) {
  // expected-error @+1 {{'ffn.ffn_grad' op expects 4 results (dx, dw1, dw2, db1), one gradient per operand but dy; got 3}}
  %0:3 = ffn.ffn_grad relu %x, %w1, %w2, %dy b1(%b1) : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xf32>, tensor<64xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return
}

// -----

func.func @grad_result_type(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'ffn.glu_grad' op result #2 (dv) must have the type of 'v', 'tensor<16x64xf32>', got 'tensor<64x16xf32>'}}
  %0:4 = ffn.glu_grad sigmoid %x, %w, %v, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<64x16xf32>)
  return
}

// -----

func.func @grad_input_type(%x: tensor<?x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<?x16xf32>) {
  // expected-error @+1 {{'ffn.ffn_grad' op result #0 (dx) must have the type of the input, 'tensor<?x16xf32>', got 'tensor<4x16xf32>'}}
  %0:3 = ffn.ffn_grad relu %x, %w1, %w2, %dy : (tensor<?x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<?x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return
}

// -----

// The gradient ops share the forward's operand checks and messages.
func.func @grad_d_ff_mismatch(%x: tensor<4x16xf32>, %w: tensor<16x64xf32>, %v: tensor<16x64xf32>, %w2: tensor<48x16xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'ffn.glu_grad' op 'w2' has 48 rows but d_ff is 64}}
  %0:4 = ffn.glu_grad relu %x, %w, %v, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<48x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<16x64xf32>, tensor<48x16xf32>)
  return
}

// -----

func.func @grad_ungated_identity(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<4x16xf32>) {
  // expected-error @+1 {{'ffn.ffn_grad' op activation 'identity' makes ffn.ffn_grad the gradient of two chained linear maps; use 'ffn.glu_grad identity' for the Bilinear variant}}
  %0:3 = ffn.ffn_grad identity %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return
}
