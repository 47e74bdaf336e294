// RUN: glu-opt %s -split-input-file --ffn-fuse | FileCheck %s
// RUN: glu-opt %s -split-input-file --ffn-fuse=block-size=32 | FileCheck %s --check-prefix=BLOCK32
// RUN: glu-opt %s -split-input-file --ffn-fuse=target=cuda | FileCheck %s --check-prefix=CUDA
// RUN: glu-opt %s -split-input-file --ffn-fuse=block-size=2 | FileCheck %s --check-prefix=BLOCK2
// RUN: glu-opt %s -split-input-file --ffn-fuse=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// A gated layer: the weights are packed, ONE gated GEMM computes the
// hidden activations, the down projection is a plain matmul.
// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<256x512xf32>, %[[W:.*]]: tensor<512x1365xf32>, %[[V:.*]]: tensor<512x1365xf32>, %[[W2:.*]]: tensor<1365x512xf32>)
// CHECK: %[[P:.*]] = ffn.pack_gated %[[W]], %[[V]] block_size(64) : tensor<512x1365xf32>, tensor<512x1365xf32> -> tensor<512x2730xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<256x1365xf32>
// CHECK: %[[H:.*]] = ffn.gated_matmul swish block_size(64) ins(%[[X]], %[[P]] : tensor<256x512xf32>, tensor<512x2730xf32>) outs(%[[E]] : tensor<256x1365xf32>) -> tensor<256x1365xf32>
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<256x1365xf32>, tensor<1365x512xf32>)
// CHECK: return %[[Y]]
// BLOCK32-LABEL: func.func @swiglu
// BLOCK32: ffn.pack_gated {{.*}} block_size(32)
// BLOCK32: ffn.gated_matmul swish block_size(32)
// CUDA-LABEL: func.func @swiglu
// CUDA: ffn.gated_matmul swish block_size(128)
// REPORT: remark: ffn-fuse: fused FFN_SwiGLU [M=256, d_model=512, d_ff=1365] into one gated GEMM over packed [512, 2730] weights (block 64); removes 5.83 MiB of intermediate memory traffic
func.func @swiglu(%x: tensor<256x512xf32>, %w: tensor<512x1365xf32>, %v: tensor<512x1365xf32>, %w2: tensor<1365x512xf32>) -> tensor<256x512xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<256x512xf32>, tensor<512x1365xf32>, tensor<512x1365xf32>, tensor<1365x512xf32>) -> tensor<256x512xf32>
  return %y : tensor<256x512xf32>
}

// -----

// 3-D input and biases: batch dims collapsed around the GEMMs, the missing
// gate bias b packed as zeros with c, b2 the down projection's initial
// value.
// CHECK-LABEL: func.func @glu_biases_3d
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8x130xf32>, %[[V:.*]]: tensor<8x130xf32>, %[[W2:.*]]: tensor<130x8xf32>, %[[C:.*]]: tensor<130xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : tensor<130xf32>
// CHECK-DAG: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[P:.*]] = ffn.pack_gated %[[W]], %[[V]] block_size(64)
// CHECK: %[[PB:.*]] = ffn.pack_gated %[[ZEROS]], %[[C]] block_size(64) : tensor<130xf32>, tensor<130xf32> -> tensor<260xf32>
// CHECK: %[[H:.*]] = ffn.gated_matmul sigmoid block_size(64) ins(%[[ROWS]], %[[P]], %[[PB]] : tensor<6x8xf32>, tensor<8x260xf32>, tensor<260xf32>) outs(%{{.*}} : tensor<6x130xf32>)
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B2]] : tensor<8xf32>) outs(%{{.*}} : tensor<6x8xf32>) dimensions = [0]
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<6x130xf32>, tensor<130x8xf32>) outs(%[[INIT]] : tensor<6x8xf32>)
// CHECK: %[[Y3:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
// CHECK: return %[[Y3]]
// REPORT: remark: ffn-fuse: fused FFN_GLU [M=6, d_model=8, d_ff=130] into one gated GEMM over packed [8, 260] weights (block 64); removes 12.38 KiB of intermediate memory traffic
func.func @glu_biases_3d(%x: tensor<2x3x8xf32>, %w: tensor<8x130xf32>, %v: tensor<8x130xf32>, %w2: tensor<130x8xf32>, %c: tensor<130xf32>, %b2: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu sigmoid %x, %w, %v, %w2 c(%c) b2(%b2) : (tensor<2x3x8xf32>, tensor<8x130xf32>, tensor<8x130xf32>, tensor<130x8xf32>, tensor<130xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// Constant weights are packed at compile time: no pack op remains. With
// blocks wider than d_ff the packed weight is [W | V]; with blocks of 2 the
// columns interleave W0 W1 | V0 V1 | W2 | V2 (the last block ragged).
// CHECK-LABEL: func.func @constant_weights
// CHECK-NOT: ffn.pack_gated
// CHECK: %[[P:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00]]> : tensor<1x6xf32>
// CHECK-NOT: ffn.pack_gated
// CHECK: ffn.gated_matmul gelu_tanh block_size(64) ins(%{{.*}}, %[[P]] : tensor<4x1xf32>, tensor<1x6xf32>)
// BLOCK2-LABEL: func.func @constant_weights
// BLOCK2-NOT: ffn.pack_gated
// BLOCK2: %[[P:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 5.000000e+00, 6.000000e+00, 3.000000e+00, 7.000000e+00]]> : tensor<1x6xf32>
// BLOCK2: ffn.gated_matmul gelu_tanh block_size(2) ins(%{{.*}}, %[[P]] : tensor<4x1xf32>, tensor<1x6xf32>)
func.func @constant_weights(%x: tensor<4x1xf32>, %w2: tensor<3x1xf32>) -> tensor<4x1xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %v = arith.constant dense<[[5.0, 6.0, 7.0]]> : tensor<1x3xf32>
  %y = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<4x1xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<3x1xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}

// -----

// An ungated layer: one GEMM with the activation (and bias) epilogue.
// CHECK-LABEL: func.func @ffn_gelu_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[W1:.*]]: tensor<16x64xf32>, %[[W2:.*]]: tensor<64x16xf32>, %[[B1:.*]]: tensor<64xf32>)
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x64xf32>
// CHECK: %[[H:.*]] = ffn.activated_matmul gelu ins(%[[X]], %[[W1]], %[[B1]] : tensor<?x16xf32>, tensor<16x64xf32>, tensor<64xf32>) outs(%[[E]] : tensor<?x64xf32>) -> tensor<?x64xf32>
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<?x64xf32>, tensor<64x16xf32>)
// CHECK: return %[[Y]]
// REPORT: remark: ffn-fuse: fused FFN_GELU [M=?, d_model=16, d_ff=64] into one GEMM with an activation epilogue; removes 512 B of intermediate memory traffic per row
func.func @ffn_gelu_bias(%x: tensor<?x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %b1: tensor<64xf32>) -> tensor<?x16xf32> {
  %y = ffn.ffn gelu %x, %w1, %w2 b1(%b1) : (tensor<?x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
