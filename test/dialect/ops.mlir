// RUN: glu-opt %s -split-input-file | FileCheck %s
// Round trip through the generic form, then the pretty form again.
// RUN: glu-opt %s -split-input-file --mlir-print-op-generic | glu-opt -split-input-file | FileCheck %s
// The generic form spells the attribute and the operand segments out.
// RUN: glu-opt %s -split-input-file --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @ffn_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W1:.*]]: tensor<16x64xf32>, %[[W2:.*]]: tensor<64x16xf32>)
// CHECK: %[[Y:.*]] = ffn.ffn relu %[[X]], %[[W1]], %[[W2]] : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
// CHECK: return %[[Y]]
// GENERIC-LABEL: sym_name = "ffn_relu"
// GENERIC: "ffn.ffn"(%{{.*}}, %{{.*}}, %{{.*}}) <{activation = #ffn.activation<relu>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}>
func.func @ffn_relu(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @ffn_gelu_both_forms
// CHECK: ffn.ffn gelu %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: ffn.ffn gelu_tanh %{{.*}}, %{{.*}}, %{{.*}} :
func.func @ffn_gelu_both_forms(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %a = ffn.ffn gelu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  %b = ffn.ffn gelu_tanh %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>
  return %a, %b : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Biases are optional and independent; a 3-D input keeps its batch dims and
// d_out may differ from d_model.
// CHECK-LABEL: func.func @ffn_swish_biases
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<64xf32>, %[[B2:[a-z0-9]+]]: tensor<8xf32>
// CHECK: ffn.ffn swish %{{.*}}, %{{.*}}, %{{.*}} b1(%[[B1]]) b2(%[[B2]]) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<64xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
// CHECK: ffn.ffn swish %{{.*}}, %{{.*}}, %{{.*}} b2(%[[B2]]) :
// GENERIC-LABEL: sym_name = "ffn_swish_biases"
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>
func.func @ffn_swish_biases(%x: tensor<2x5x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x8xf32>, %b1: tensor<64xf32>, %b2: tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  %a = ffn.ffn swish %x, %w1, %w2 b1(%b1) b2(%b2) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<64xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %b = ffn.ffn swish %x, %w1, %w2 b2(%b2) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  return %a, %b : tensor<2x5x8xf32>, tensor<2x5x8xf32>
}

// -----

// The five gated variants of the paper.
// CHECK-LABEL: func.func @glu_variants
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x16xf32>, %[[W:.*]]: tensor<16x40xf32>, %[[V:.*]]: tensor<16x40xf32>, %[[W2:.*]]: tensor<40x16xf32>)
// CHECK: ffn.glu sigmoid %[[X]], %[[W]], %[[V]], %[[W2]] : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
// CHECK: ffn.glu identity %[[X]], %[[W]], %[[V]], %[[W2]] :
// CHECK: ffn.glu relu %[[X]], %[[W]], %[[V]], %[[W2]] :
// CHECK: ffn.glu gelu %[[X]], %[[W]], %[[V]], %[[W2]] :
// CHECK: ffn.glu gelu_tanh %[[X]], %[[W]], %[[V]], %[[W2]] :
// CHECK: ffn.glu swish %[[X]], %[[W]], %[[V]], %[[W2]] :
// GENERIC-LABEL: sym_name = "glu_variants"
// GENERIC: activation = #ffn.activation<sigmoid>
// GENERIC: activation = #ffn.activation<identity>
// GENERIC: activation = #ffn.activation<relu>
// GENERIC: activation = #ffn.activation<gelu>
// GENERIC: activation = #ffn.activation<gelu_tanh>
// GENERIC: activation = #ffn.activation<swish>
func.func @glu_variants(%x: tensor<2x3x16xf32>, %w: tensor<16x40xf32>, %v: tensor<16x40xf32>, %w2: tensor<40x16xf32>) {
  %0 = ffn.glu sigmoid %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  %1 = ffn.glu identity %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  %2 = ffn.glu relu %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  %3 = ffn.glu gelu %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  %4 = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  %5 = ffn.glu swish %x, %w, %v, %w2 : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>) -> tensor<2x3x16xf32>
  return
}

// -----

// The paper's general GLU with biases b and c, and a swish with beta.
// CHECK-LABEL: func.func @glu_general
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<40xf32>, %[[C:[a-z0-9]+]]: tensor<40xf32>, %[[B2:[a-z0-9]+]]: tensor<16xf32>
// CHECK: ffn.glu swish(beta = 2.000000e+00) %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} b(%[[B]]) c(%[[C]]) b2(%[[B2]]) :
// CHECK: ffn.glu sigmoid %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} c(%[[C]]) :
// GENERIC-LABEL: sym_name = "glu_general"
// GENERIC: activation = #ffn.activation<swish(beta = 2.000000e+00)>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1>
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0>
func.func @glu_general(%x: tensor<4x16xf32>, %w: tensor<16x40xf32>, %v: tensor<16x40xf32>, %w2: tensor<40x16xf32>, %b: tensor<40xf32>, %c: tensor<40xf32>, %b2: tensor<16xf32>) {
  %0 = ffn.glu swish(beta = 2.0) %x, %w, %v, %w2 b(%b) c(%c) b2(%b2) : (tensor<4x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<40xf32>, tensor<40xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %1 = ffn.glu sigmoid %x, %w, %v, %w2 c(%c) : (tensor<4x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<40xf32>) -> tensor<4x16xf32>
  return
}

// -----

// Dynamic dimensions and every supported element type.
// CHECK-LABEL: func.func @dynamic_and_types
// CHECK: ffn.glu gelu_tanh %{{.*}} : (tensor<?x?x512xbf16>, tensor<512x?xbf16>, tensor<512x?xbf16>, tensor<?x512xbf16>) -> tensor<?x?x512xbf16>
// CHECK: ffn.ffn relu %{{.*}} : (tensor<8x32xf16>, tensor<32x64xf16>, tensor<64x32xf16>) -> tensor<8x32xf16>
// CHECK: ffn.ffn relu %{{.*}} : (tensor<8x32xf64>, tensor<32x64xf64>, tensor<64x32xf64>) -> tensor<8x32xf64>
func.func @dynamic_and_types(%x: tensor<?x?x512xbf16>, %w: tensor<512x?xbf16>, %v: tensor<512x?xbf16>, %w2: tensor<?x512xbf16>,
                             %h: tensor<8x32xf16>, %h1: tensor<32x64xf16>, %h2: tensor<64x32xf16>,
                             %d: tensor<8x32xf64>, %d1: tensor<32x64xf64>, %d2: tensor<64x32xf64>) {
  %0 = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<?x?x512xbf16>, tensor<512x?xbf16>, tensor<512x?xbf16>, tensor<?x512xbf16>) -> tensor<?x?x512xbf16>
  %1 = ffn.ffn relu %h, %h1, %h2 : (tensor<8x32xf16>, tensor<32x64xf16>, tensor<64x32xf16>) -> tensor<8x32xf16>
  %2 = ffn.ffn relu %d, %d1, %d2 : (tensor<8x32xf64>, tensor<32x64xf64>, tensor<64x32xf64>) -> tensor<8x32xf64>
  return
}

// -----

// The gradient of an ungated layer: one result per operand but dy, named
// after it in the printed form.
// CHECK-LABEL: func.func @ffn_grad_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W1:.*]]: tensor<16x64xf32>, %[[W2:.*]]: tensor<64x16xf32>, %[[DY:.*]]: tensor<4x16xf32>)
// CHECK: %[[DX:dx]], %[[DW1:dw1]], %[[DW2:dw2]] = ffn.ffn_grad relu %[[X]], %[[W1]], %[[W2]], %[[DY]] : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
// CHECK: return %[[DX]], %[[DW1]], %[[DW2]]
// GENERIC-LABEL: sym_name = "ffn_grad_relu"
// GENERIC: "ffn.ffn_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{activation = #ffn.activation<relu>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>}>
func.func @ffn_grad_relu(%x: tensor<4x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>) {
  %dx, %dw1, %dw2 = ffn.ffn_grad relu %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>)
  return %dx, %dw1, %dw2 : tensor<4x16xf32>, tensor<16x64xf32>, tensor<64x16xf32>
}

// -----

// Each present bias adds its gradient, in operand order; 3-D input, d_out
// different from d_model.
// CHECK-LABEL: func.func @ffn_grad_biases
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<64xf32>, %[[B2:[a-z0-9]+]]: tensor<8xf32>
// CHECK: %dx, %dw1, %dw2, %db1, %db2 = ffn.ffn_grad swish(beta = 2.000000e+00) %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} b1(%[[B1]]) b2(%[[B2]]) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<2x5x8xf32>, tensor<64xf32>, tensor<8xf32>) -> (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<64xf32>, tensor<8xf32>)
// CHECK: %dx_0, %dw1_1, %dw2_2, %db2_3 = ffn.ffn_grad gelu_tanh %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} b2(%[[B2]]) :
// GENERIC-LABEL: sym_name = "ffn_grad_biases"
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1>
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1>
func.func @ffn_grad_biases(%x: tensor<2x5x16xf32>, %w1: tensor<16x64xf32>, %w2: tensor<64x8xf32>, %dy: tensor<2x5x8xf32>, %b1: tensor<64xf32>, %b2: tensor<8xf32>) {
  %0:5 = ffn.ffn_grad swish(beta = 2.0) %x, %w1, %w2, %dy b1(%b1) b2(%b2) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<2x5x8xf32>, tensor<64xf32>, tensor<8xf32>) -> (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<64xf32>, tensor<8xf32>)
  %1:4 = ffn.ffn_grad gelu_tanh %x, %w1, %w2, %dy b2(%b2) : (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<2x5x8xf32>, tensor<8xf32>) -> (tensor<2x5x16xf32>, tensor<16x64xf32>, tensor<64x8xf32>, tensor<8xf32>)
  return
}

// -----

// The gradient of a gated layer, without and with biases.
// CHECK-LABEL: func.func @glu_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x16xf32>, %[[W:.*]]: tensor<16x40xf32>, %[[V:.*]]: tensor<16x40xf32>, %[[W2:.*]]: tensor<40x16xf32>, %[[DY:.*]]: tensor<2x3x16xf32>, %[[B:.*]]: tensor<40xf32>, %[[C:.*]]: tensor<40xf32>, %[[B2:.*]]: tensor<16xf32>)
// CHECK: %dx, %dw, %dv, %dw2 = ffn.glu_grad gelu_tanh %[[X]], %[[W]], %[[V]], %[[W2]], %[[DY]] : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<2x3x16xf32>) -> (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>)
// CHECK: %dx_0, %dw_1, %dv_2, %dw2_3, %db, %dc, %db2 = ffn.glu_grad swish(beta = 2.000000e+00) %[[X]], %[[W]], %[[V]], %[[W2]], %[[DY]] b(%[[B]]) c(%[[C]]) b2(%[[B2]]) : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<2x3x16xf32>, tensor<40xf32>, tensor<40xf32>, tensor<16xf32>) -> (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<40xf32>, tensor<40xf32>, tensor<16xf32>)
// CHECK: %dx_4, %dw_5, %dv_6, %dw2_7, %dc_8 = ffn.glu_grad identity %[[X]], %[[W]], %[[V]], %[[W2]], %[[DY]] c(%[[C]]) :
// GENERIC-LABEL: sym_name = "glu_grad"
// GENERIC: "ffn.glu_grad"({{.*}}) <{activation = #ffn.activation<gelu_tanh>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0>}>
// GENERIC: activation = #ffn.activation<swish(beta = 2.000000e+00)>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>
// GENERIC: activation = #ffn.activation<identity>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 1, 0>
func.func @glu_grad(%x: tensor<2x3x16xf32>, %w: tensor<16x40xf32>, %v: tensor<16x40xf32>, %w2: tensor<40x16xf32>, %dy: tensor<2x3x16xf32>, %b: tensor<40xf32>, %c: tensor<40xf32>, %b2: tensor<16xf32>) {
  %0:4 = ffn.glu_grad gelu_tanh %x, %w, %v, %w2, %dy : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<2x3x16xf32>) -> (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>)
  %1:7 = ffn.glu_grad swish(beta = 2.0) %x, %w, %v, %w2, %dy b(%b) c(%c) b2(%b2) : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<2x3x16xf32>, tensor<40xf32>, tensor<40xf32>, tensor<16xf32>) -> (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<40xf32>, tensor<40xf32>, tensor<16xf32>)
  %2:5 = ffn.glu_grad identity %x, %w, %v, %w2, %dy c(%c) : (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<2x3x16xf32>, tensor<40xf32>) -> (tensor<2x3x16xf32>, tensor<16x40xf32>, tensor<16x40xf32>, tensor<40x16xf32>, tensor<40xf32>)
  return
}

// -----

// Dynamic dimensions and f64; each gradient has its operand's type.
// CHECK-LABEL: func.func @grad_dynamic_f64
// CHECK: ffn.glu_grad sigmoid %{{.*}} : (tensor<?x?x8xf64>, tensor<8x?xf64>, tensor<8x?xf64>, tensor<?x8xf64>, tensor<?x?x8xf64>) -> (tensor<?x?x8xf64>, tensor<8x?xf64>, tensor<8x?xf64>, tensor<?x8xf64>)
func.func @grad_dynamic_f64(%x: tensor<?x?x8xf64>, %w: tensor<8x?xf64>, %v: tensor<8x?xf64>, %w2: tensor<?x8xf64>, %dy: tensor<?x?x8xf64>) {
  %0:4 = ffn.glu_grad sigmoid %x, %w, %v, %w2, %dy : (tensor<?x?x8xf64>, tensor<8x?xf64>, tensor<8x?xf64>, tensor<?x8xf64>, tensor<?x?x8xf64>) -> (tensor<?x?x8xf64>, tensor<8x?xf64>, tensor<8x?xf64>, tensor<?x8xf64>)
  return
}
