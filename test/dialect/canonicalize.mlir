// RUN: glu-opt %s -split-input-file --canonicalize | FileCheck %s

// Zero biases, which exporters emit for Linear layers without one, are
// dropped; the others stay.
// CHECK-LABEL: func.func @drop_zero_biases
// CHECK-SAME: %[[C:[a-z0-9]+]]: tensor<32xf32>
// CHECK-NOT: arith.constant
// CHECK: ffn.glu swish %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} c(%[[C]]) : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<4x16xf32>
func.func @drop_zero_biases(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %c: tensor<32xf32>) -> tensor<4x16xf32> {
  %zero_b = arith.constant dense<0.0> : tensor<32xf32>
  %zero_b2 = arith.constant dense<-0.0> : tensor<16xf32>
  %y = ffn.glu swish %x, %w, %v, %w2 b(%zero_b) c(%c) b2(%zero_b2) : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @ungated_zero_biases
// CHECK: ffn.ffn gelu %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x16xbf16>, tensor<16x32xbf16>, tensor<32x16xbf16>) -> tensor<4x16xbf16>
func.func @ungated_zero_biases(%x: tensor<4x16xbf16>, %w1: tensor<16x32xbf16>, %w2: tensor<32x16xbf16>) -> tensor<4x16xbf16> {
  %b1 = arith.constant dense<0.0> : tensor<32xbf16>
  %b2 = arith.constant dense<0.0> : tensor<16xbf16>
  %y = ffn.ffn gelu %x, %w1, %w2 b1(%b1) b2(%b2) : (tensor<4x16xbf16>, tensor<16x32xbf16>, tensor<32x16xbf16>, tensor<32xbf16>, tensor<16xbf16>) -> tensor<4x16xbf16>
  return %y : tensor<4x16xbf16>
}

// -----

// A non-zero or non-splat constant bias is kept.
// CHECK-LABEL: func.func @keep_nonzero_biases
// CHECK-DAG: %[[B1:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-DAG: %[[B2:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: ffn.ffn relu %{{.*}}, %{{.*}}, %{{.*}} b1(%[[B1]]) b2(%[[B2]])
func.func @keep_nonzero_biases(%x: tensor<3x2xf32>, %w1: tensor<2x4xf32>, %w2: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %b1 = arith.constant dense<1.0> : tensor<4xf32>
  %b2 = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %y = ffn.ffn relu %x, %w1, %w2 b1(%b1) b2(%b2) : (tensor<3x2xf32>, tensor<2x4xf32>, tensor<4x2xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Unused layers are removed: the ops are Pure.
// CHECK-LABEL: func.func @dead_layer
// CHECK-NOT: ffn.
// CHECK: return
func.func @dead_layer(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return
}
