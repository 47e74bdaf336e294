// RUN: glu-opt %s -split-input-file | FileCheck %s
// RUN: glu-opt %s -split-input-file --mlir-print-op-generic | glu-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @pack_and_unpack
// CHECK-SAME: (%[[W:.*]]: tensor<512x1365xf32>, %[[V:.*]]: tensor<512x1365xf32>, %[[B:.*]]: tensor<1365xf32>)
// CHECK: %[[P:.*]] = ffn.pack_gated %[[W]], %[[V]] block_size(64) : tensor<512x1365xf32>, tensor<512x1365xf32> -> tensor<512x2730xf32>
// CHECK: ffn.pack_gated %[[B]], %[[B]] block_size(64) : tensor<1365xf32>, tensor<1365xf32> -> tensor<2730xf32>
// CHECK: %[[G:.*]], %[[L:.*]] = ffn.unpack_gated %[[P]] block_size(64) : tensor<512x2730xf32> -> tensor<512x1365xf32>, tensor<512x1365xf32>
func.func @pack_and_unpack(%w: tensor<512x1365xf32>, %v: tensor<512x1365xf32>, %b: tensor<1365xf32>) -> (tensor<512x1365xf32>, tensor<2730xf32>) {
  %p = ffn.pack_gated %w, %v block_size(64) : tensor<512x1365xf32>, tensor<512x1365xf32> -> tensor<512x2730xf32>
  %pb = ffn.pack_gated %b, %b block_size(64) : tensor<1365xf32>, tensor<1365xf32> -> tensor<2730xf32>
  %g, %l = ffn.unpack_gated %p block_size(64) : tensor<512x2730xf32> -> tensor<512x1365xf32>, tensor<512x1365xf32>
  return %l, %pb : tensor<512x1365xf32>, tensor<2730xf32>
}

// -----

// CHECK-LABEL: func.func @fused_gemms
// CHECK: ffn.gated_matmul swish(beta = 2.000000e+00) block_size(64) ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<512x2730xf32>, tensor<2730xf32>) outs(%{{.*}} : tensor<?x1365xf32>) -> tensor<?x1365xf32>
// CHECK: ffn.gated_matmul identity block_size(128) ins(%{{.*}}, %{{.*}} : tensor<?x512xf32>, tensor<512x2730xf32>) outs(%{{.*}} : tensor<?x1365xf32>) -> tensor<?x1365xf32>
// CHECK: ffn.activated_matmul gelu_tanh ins(%{{.*}}, %{{.*}} : tensor<?x512xbf16>, tensor<512x1024xbf16>) outs(%{{.*}} : tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
// CHECK: ffn.activated_matmul relu ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x512xbf16>, tensor<512x1024xbf16>, tensor<1024xbf16>) outs(%{{.*}} : tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
func.func @fused_gemms(%x: tensor<?x512xf32>, %p: tensor<512x2730xf32>, %pb: tensor<2730xf32>, %init: tensor<?x1365xf32>,
                       %xh: tensor<?x512xbf16>, %w1: tensor<512x1024xbf16>, %b1: tensor<1024xbf16>, %inith: tensor<?x1024xbf16>) {
  %0 = ffn.gated_matmul swish(beta = 2.0) block_size(64) ins(%x, %p, %pb : tensor<?x512xf32>, tensor<512x2730xf32>, tensor<2730xf32>) outs(%init : tensor<?x1365xf32>) -> tensor<?x1365xf32>
  %1 = ffn.gated_matmul identity block_size(128) ins(%x, %p : tensor<?x512xf32>, tensor<512x2730xf32>) outs(%init : tensor<?x1365xf32>) -> tensor<?x1365xf32>
  %2 = ffn.activated_matmul gelu_tanh ins(%xh, %w1 : tensor<?x512xbf16>, tensor<512x1024xbf16>) outs(%inith : tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
  %3 = ffn.activated_matmul relu ins(%xh, %w1, %b1 : tensor<?x512xbf16>, tensor<512x1024xbf16>, tensor<1024xbf16>) outs(%inith : tensor<?x1024xbf16>) -> tensor<?x1024xbf16>
  return
}

// -----

// CHECK-LABEL: func.func @backward_ops
// CHECK: ffn.apply_gate gelu_tanh block_size(64) %{{.*}} : tensor<256x2730xf32> -> tensor<256x1365xf32>
// CHECK: ffn.dgate_matmul gelu_tanh block_size(64) ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<256x512xf32>, tensor<1365x512xf32>, tensor<256x2730xf32>) outs(%{{.*}} : tensor<256x2730xf32>) -> tensor<256x2730xf32>
// CHECK: ffn.dactivation_matmul swish(beta = 2.000000e+00) ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<256x512xf32>, tensor<1365x512xf32>, tensor<256x1365xf32>) outs(%{{.*}} : tensor<256x1365xf32>) -> tensor<256x1365xf32>
func.func @backward_ops(%ab: tensor<256x2730xf32>, %dy: tensor<256x512xf32>, %w2: tensor<1365x512xf32>, %dabInit: tensor<256x2730xf32>, %a: tensor<256x1365xf32>) {
  %h = ffn.apply_gate gelu_tanh block_size(64) %ab : tensor<256x2730xf32> -> tensor<256x1365xf32>
  %dab = ffn.dgate_matmul gelu_tanh block_size(64) ins(%dy, %w2, %ab : tensor<256x512xf32>, tensor<1365x512xf32>, tensor<256x2730xf32>) outs(%dabInit : tensor<256x2730xf32>) -> tensor<256x2730xf32>
  %da = ffn.dactivation_matmul swish(beta = 2.0) ins(%dy, %w2, %a : tensor<256x512xf32>, tensor<1365x512xf32>, tensor<256x1365xf32>) outs(%a : tensor<256x1365xf32>) -> tensor<256x1365xf32>
  return
}
