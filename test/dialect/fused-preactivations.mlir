// RUN: glu-opt %s -split-input-file | glu-opt -split-input-file | FileCheck %s
// RUN: glu-opt %s -split-input-file --convert-ffn-to-linalg --canonicalize --cse | FileCheck %s --check-prefix=LOWERED

// The fused forward GEMMs optionally return the pre-activations they gate
// (or activate): a second destination, a second result.

// CHECK-LABEL: func.func @gated
// CHECK: %{{.*}}, %{{.*}} = ffn.gated_matmul swish block_size(4) ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<3x8xf32>, tensor<8x12xf32>, tensor<12xf32>) outs(%{{.*}} : tensor<3x6xf32>) preactivations(%{{.*}} : tensor<3x12xf32>) -> tensor<3x6xf32>, tensor<3x12xf32>
// The reference semantics: [a | b] = x P + bias is the returned value, and
// h gates it (the bias is not added twice).
// LOWERED-LABEL: func.func @gated
// LOWERED: %[[BIAS:.*]] = linalg.broadcast ins(%{{.*}} : tensor<12xf32>)
// LOWERED: %[[AB:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x8xf32>, tensor<8x12xf32>) outs(%[[BIAS]] : tensor<3x12xf32>)
// LOWERED-NOT: linalg.broadcast
// LOWERED: return %{{.*}}, %[[AB]]
func.func @gated(%x: tensor<3x8xf32>, %p: tensor<8x12xf32>, %b: tensor<12xf32>) -> (tensor<3x6xf32>, tensor<3x12xf32>) {
  %h_init = tensor.empty() : tensor<3x6xf32>
  %ab_init = tensor.empty() : tensor<3x12xf32>
  %h, %ab = ffn.gated_matmul swish block_size(4) ins(%x, %p, %b : tensor<3x8xf32>, tensor<8x12xf32>, tensor<12xf32>) outs(%h_init : tensor<3x6xf32>) preactivations(%ab_init : tensor<3x12xf32>) -> tensor<3x6xf32>, tensor<3x12xf32>
  return %h, %ab : tensor<3x6xf32>, tensor<3x12xf32>
}

// -----

// CHECK-LABEL: func.func @activated
// CHECK: %{{.*}}, %{{.*}} = ffn.activated_matmul gelu ins(%{{.*}}, %{{.*}} : tensor<3x8xf32>, tensor<8x6xf32>) outs(%{{.*}} : tensor<3x6xf32>) preactivations(%{{.*}} : tensor<3x6xf32>) -> tensor<3x6xf32>, tensor<3x6xf32>
// LOWERED-LABEL: func.func @activated
// LOWERED: %[[A:.*]] = linalg.matmul
// LOWERED: %[[H:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<3x6xf32>)
// LOWERED: return %[[H]], %[[A]]
func.func @activated(%x: tensor<3x8xf32>, %w: tensor<8x6xf32>) -> (tensor<3x6xf32>, tensor<3x6xf32>) {
  %h_init = tensor.empty() : tensor<3x6xf32>
  %a_init = tensor.empty() : tensor<3x6xf32>
  %h, %a = ffn.activated_matmul gelu ins(%x, %w : tensor<3x8xf32>, tensor<8x6xf32>) outs(%h_init : tensor<3x6xf32>) preactivations(%a_init : tensor<3x6xf32>) -> tensor<3x6xf32>, tensor<3x6xf32>
  return %h, %a : tensor<3x6xf32>, tensor<3x6xf32>
}
