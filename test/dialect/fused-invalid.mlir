// RUN: glu-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of the fused ops' verifiers.

func.func @pack_mismatched(%w: tensor<8x12xf32>, %v: tensor<8x10xf32>) {
  // expected-error @+1 {{'ffn.pack_gated' op gate 'tensor<8x12xf32>' and linear 'tensor<8x10xf32>' must have the same type}}
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x10xf32> -> tensor<8x24xf32>
  return
}

// -----

func.func @pack_wrong_width(%w: tensor<8x12xf32>, %v: tensor<8x12xf32>) {
  // expected-error @+1 {{'ffn.pack_gated' op packed last dimension 12 is not twice the unpacked 12}}
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x12xf32>
  return
}

// -----

// 2^62 columns: twice as many do not fit in int64 (test/fuzz found the
// overflow).
func.func @pack_too_wide(%w: tensor<8x4611686018427387904xf32>) {
  // expected-error @+1 {{'ffn.pack_gated' op cannot pack 4611686018427387904 columns: twice as many do not fit in int64}}
  %p = ffn.pack_gated %w, %w block_size(4) : tensor<8x4611686018427387904xf32>, tensor<8x4611686018427387904xf32> -> tensor<8x?xf32>
  return
}

// -----

func.func @pack_integers(%w: tensor<8x12xi32>, %v: tensor<8x12xi32>) {
  // expected-error @+1 {{'ffn.pack_gated' op packs 'tensor<8x12xi32>'; ffn packing takes f16, bf16, f32 or f64 tensors}}
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xi32>, tensor<8x12xi32> -> tensor<8x24xi32>
  return
}

// -----

func.func @pack_rows_differ(%w: tensor<8x12xf32>, %v: tensor<8x12xf32>) {
  // expected-error @+1 {{'ffn.pack_gated' op packed type 'tensor<4x24xf32>' does not match the unpacked type 'tensor<8x12xf32>'}}
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<4x24xf32>
  return
}

// -----

func.func @pack_zero_block(%w: tensor<8x12xf32>, %v: tensor<8x12xf32>) {
  // expected-error @+1 {{attribute 'block_size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %p = ffn.pack_gated %w, %v block_size(0) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x24xf32>
  return
}

// -----

func.func @unpack_wrong_width(%p: tensor<8x24xf32>) {
  // expected-error @+1 {{'ffn.unpack_gated' op packed last dimension 24 is not twice the unpacked 10}}
  %g, %l = ffn.unpack_gated %p block_size(4) : tensor<8x24xf32> -> tensor<8x10xf32>, tensor<8x10xf32>
  return
}

// -----

func.func @gated_weight_rows(%x: tensor<4x8xf32>, %p: tensor<16x24xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op packed weight has 16 rows but the input has 8 columns}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<16x24xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @gated_too_wide_to_pack(%x: tensor<4x8xf32>, %p: tensor<8x?xf32>, %init: tensor<4x4611686018427387904xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op the init's 4611686018427387904 columns cannot be packed: twice as many do not fit in int64}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<8x?xf32>) outs(%init : tensor<4x4611686018427387904xf32>) -> tensor<4x4611686018427387904xf32>
  return
}

// -----

func.func @gated_not_packed(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op packed weight has 12 columns; the init's 12 columns need 24}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @gated_init_rows(%x: tensor<4x8xf32>, %p: tensor<8x24xf32>, %init: tensor<5x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op init has 5 rows but the input has 4}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<8x24xf32>) outs(%init : tensor<5x12xf32>) -> tensor<5x12xf32>
  return
}

// -----

func.func @gated_bias(%x: tensor<4x8xf32>, %p: tensor<8x24xf32>, %b: tensor<12xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op bias 'tensor<12xf32>' must be a vector of the weight's 24 columns}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p, %b : tensor<4x8xf32>, tensor<8x24xf32>, tensor<12xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @gated_result(%x: tensor<4x8xf32>, %p: tensor<8x24xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op result type 'tensor<?x12xf32>' must be the init's 'tensor<4x12xf32>'}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<4x8xf32>, tensor<8x24xf32>) outs(%init : tensor<4x12xf32>) -> tensor<?x12xf32>
  return
}

// -----

func.func @gated_rank(%x: tensor<2x4x8xf32>, %p: tensor<8x24xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.gated_matmul' op expects a 2-D input, weight and init}}
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<2x4x8xf32>, tensor<8x24xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @activated_types(%x: tensor<4x8xf32>, %w: tensor<8x12xf16>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.activated_matmul' op operands must share one element type, got 'f16' and 'f32'}}
  %h = ffn.activated_matmul relu ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf16>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @activated_integer(%x: tensor<4x8xi32>, %w: tensor<8x12xi32>, %init: tensor<4x12xi32>) {
  // expected-error @+1 {{'ffn.activated_matmul' op operand 'tensor<4x8xi32>' is not an f16, bf16, f32 or f64 tensor}}
  %h = ffn.activated_matmul relu ins(%x, %w : tensor<4x8xi32>, tensor<8x12xi32>) outs(%init : tensor<4x12xi32>) -> tensor<4x12xi32>
  return
}

// -----

func.func @activated_weight_columns(%x: tensor<4x8xf32>, %w: tensor<8x10xf32>, %init: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.activated_matmul' op weight has 10 columns; the init's 12 columns need 12}}
  %h = ffn.activated_matmul relu ins(%x, %w : tensor<4x8xf32>, tensor<8x10xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @apply_gate_width(%ab: tensor<4x24xf32>) {
  // expected-error @+1 {{'ffn.apply_gate' op packed pre-activations must have twice the result's columns: 24 vs 20}}
  %h = ffn.apply_gate relu block_size(4) %ab : tensor<4x24xf32> -> tensor<4x10xf32>
  return
}

// -----

func.func @dgate_d_out(%dy: tensor<4x8xf32>, %w2: tensor<12x6xf32>, %ab: tensor<4x24xf32>) {
  // expected-error @+1 {{'ffn.dgate_matmul' op the output gradient and 'w2' must have as many columns (d_out): 8 vs 6}}
  %d = ffn.dgate_matmul relu block_size(4) ins(%dy, %w2, %ab : tensor<4x8xf32>, tensor<12x6xf32>, tensor<4x24xf32>) outs(%ab : tensor<4x24xf32>) -> tensor<4x24xf32>
  return
}

// -----

func.func @dgate_not_packed(%dy: tensor<4x8xf32>, %w2: tensor<12x8xf32>, %ab: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.dgate_matmul' op the packed pre-activations must have twice as many columns as 'w2' has rows: 12 vs 24}}
  %d = ffn.dgate_matmul relu block_size(4) ins(%dy, %w2, %ab : tensor<4x8xf32>, tensor<12x8xf32>, tensor<4x12xf32>) outs(%ab : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @dactivation_rows(%dy: tensor<5x8xf32>, %w2: tensor<12x8xf32>, %a: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.dactivation_matmul' op the pre-activations and the output gradient must have as many rows: 4 vs 5}}
  %d = ffn.dactivation_matmul relu ins(%dy, %w2, %a : tensor<5x8xf32>, tensor<12x8xf32>, tensor<4x12xf32>) outs(%a : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @dactivation_rank(%dy: tensor<2x4x8xf32>, %w2: tensor<12x8xf32>, %a: tensor<4x12xf32>) {
  // expected-error @+1 {{'ffn.dactivation_matmul' op expects 2-D f16, bf16, f32 or f64 tensors, got 'tensor<2x4x8xf32>'}}
  %d = ffn.dactivation_matmul relu ins(%dy, %w2, %a : tensor<2x4x8xf32>, tensor<12x8xf32>, tensor<4x12xf32>) outs(%a : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @block_size_mismatch(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %init: tensor<4x12xf32>) {
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x24xf32>
  // expected-error @+1 {{'ffn.gated_matmul' op reads a value packed with block size 4 as if packed with block size 3}}
  %h = ffn.gated_matmul swish block_size(3) ins(%x, %p : tensor<4x8xf32>, tensor<8x24xf32>) outs(%init : tensor<4x12xf32>) -> tensor<4x12xf32>
  return
}
