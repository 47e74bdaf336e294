// RUN: glu-opt %s -split-input-file --ffn-pack-arguments --ffn-fuse | FileCheck %s
// RUN: glu-opt %s -split-input-file --ffn-fuse=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// Shapes found by test/fuzz/glu-opt-fuzz: layers whose sizes are all
// dynamic (the remarks once multiplied ShapedType::kDynamic) and a d_ff
// too wide to pack (2 * d_ff overflowed int64).

// Every size dynamic: fused, and the remark says "?" where a size is not
// known, and leaves out what it cannot count.
// CHECK-LABEL: func.func @ffn_all_dynamic
// CHECK: ffn.activated_matmul swish
// REPORT: remark: ffn-fuse: fused FFN_Swish [M=?, d_model=?, d_ff=?] into one GEMM with an activation epilogue{{$}}
func.func @ffn_all_dynamic(%x: tensor<?x?x?xf32>, %w1: tensor<?x?xf32>, %w2: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %y = ffn.ffn swish %x, %w1, %w2 : (tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @glu_all_dynamic
// CHECK: ffn.gated_matmul gelu
// REPORT: remark: ffn-fuse: fused FFN_GEGLU [M=?, d_model=?, d_ff=?] into one gated GEMM over packed [?, ?] weights (block 64){{$}}
func.func @glu_all_dynamic(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %v: tensor<?x?xf32>, %w2: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = ffn.glu gelu %x, %w, %v, %w2 : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @grad_all_dynamic
// CHECK: ffn.dgate_matmul swish
// REPORT: remark: ffn-fuse: fused the gradient of FFN_SwiGLU [M=?, d_model=?, d_ff=?] into the dh GEMM with the dgate epilogue, ONE dx GEMM over packed [?, ?] weights (K = ?) and ONE packed weight-gradient GEMM (block 64); recomputes [a | b] with one GEMM (? FLOPs per row), saving ? B per row of activation memory
func.func @grad_all_dynamic(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %v: tensor<?x?xf32>, %w2: tensor<?x?xf32>, %dy: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad swish %x, %w, %v, %w2, %dy : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Only d_model dynamic: the bytes are known, the FLOPs are not.
// CHECK-LABEL: func.func @grad_dynamic_d_model
// REPORT: remark: ffn-fuse: fused the gradient of FFN_SwiGLU [M=4, d_model=?, d_ff=12] {{.*}}packed [?, 24] weights (K = 24){{.*}}; recomputes [a | b] with one GEMM (? FLOPs per row), saving 384 B of activation memory
func.func @grad_dynamic_d_model(%x: tensor<4x?xf32>, %w: tensor<?x12xf32>, %v: tensor<?x12xf32>, %w2: tensor<12x?xf32>, %dy: tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<12x?xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad swish %x, %w, %v, %w2, %dy : (tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<12x?xf32>, tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<12x?xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<4x?xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<12x?xf32>
}

// -----

// d_ff = 2^62: twice as many columns do not fit in int64, so neither
// ffn-pack-arguments nor ffn-fuse packs the weights; the layer stays.
// CHECK-LABEL: func.func @glu_too_wide_to_pack
// CHECK-SAME: (%{{.*}}: tensor<2x8xf32>, %{{.*}}: tensor<8x4611686018427387904xf32>, %{{.*}}: tensor<8x4611686018427387904xf32>, %{{.*}}: tensor<4611686018427387904x8xf32>)
// CHECK-NOT: ffn.packed_arguments
// CHECK-NOT: ffn.pack_gated
// CHECK: ffn.glu relu
// REPORT-NOT: remark
func.func @glu_too_wide_to_pack(%x: tensor<2x8xf32>, %w: tensor<8x4611686018427387904xf32>, %v: tensor<8x4611686018427387904xf32>, %w2: tensor<4611686018427387904x8xf32>) -> tensor<2x8xf32> {
  %y = ffn.glu relu %x, %w, %v, %w2 : (tensor<2x8xf32>, tensor<8x4611686018427387904xf32>, tensor<8x4611686018427387904xf32>, tensor<4611686018427387904x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
