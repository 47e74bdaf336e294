// RUN: glu-opt %s -split-input-file --convert-ffn-to-linalg --mlir-print-local-scope | FileCheck %s
// The same through stock mlir-opt and the plugin is in test/plugin.

// CHECK-LABEL: func.func @ffn_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W1:.*]]: tensor<16x32xf32>, %[[W2:.*]]: tensor<32x16xf32>)
// CHECK-NOT: ffn.
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x32xf32>
// CHECK: %[[Z1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F1:.*]] = linalg.fill ins(%[[Z1]] : f32) outs(%[[E1]] : tensor<4x32xf32>)
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[X]], %[[W1]] : tensor<4x16xf32>, tensor<16x32xf32>) outs(%[[F1]] : tensor<4x32xf32>)
// CHECK: %[[H:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[A]] : tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[R:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:   linalg.yield %[[R]] : f32
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<4x32xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: return %[[Y]]
func.func @ffn_relu(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// GELU, exact: 0.5 x (1 + erf(x / sqrt(2))).
// CHECK-LABEL: func.func @ffn_gelu
// CHECK: %[[A:.*]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[A]] : tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK-NEXT:   %[[S:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK-NEXT:   %[[ERF:.*]] = math.erf %[[S]] : f32
// CHECK-NEXT:   %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[HX:.*]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[P:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-NEXT:   %[[G:.*]] = arith.mulf %[[HX]], %[[P]] : f32
// CHECK-NEXT:   linalg.yield %[[G]] : f32
// CHECK: linalg.matmul
func.func @ffn_gelu(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn gelu %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @ffn_gelu_tanh
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT:   %[[CUBE:.*]] = arith.mulf %[[SQ]], %[[IN]] : f32
// CHECK-NEXT:   %[[K:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-NEXT:   %[[KC:.*]] = arith.mulf %[[K]], %[[CUBE]] : f32
// CHECK-NEXT:   %[[INNER:.*]] = arith.addf %[[IN]], %[[KC]] : f32
// CHECK-NEXT:   %[[C:.*]] = arith.constant 0.797884583 : f32
// CHECK-NEXT:   %[[ARG:.*]] = arith.mulf %[[C]], %[[INNER]] : f32
// CHECK-NEXT:   %[[T:.*]] = math.tanh %[[ARG]] : f32
// CHECK:        linalg.yield
func.func @ffn_gelu_tanh(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn gelu_tanh %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Swish_1: x * sigmoid(x), with the sigmoid as 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @ffn_swish
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:   %[[ONE2:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[SIG:.*]] = arith.divf %[[ONE2]], %[[DEN]] : f32
// CHECK-NEXT:   %[[S:.*]] = arith.mulf %[[IN]], %[[SIG]] : f32
// CHECK-NEXT:   linalg.yield %[[S]] : f32
func.func @ffn_swish(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn swish %x, %w1, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// FFN_GLU: sigmoid(x W) * (x V); both projections read the same input and
// one generic computes the gate and the product.
// CHECK-LABEL: func.func @glu_sigmoid
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[V:.*]]: tensor<16x32xf32>, %[[W2:.*]]: tensor<32x16xf32>)
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[X]], %[[W]] :
// CHECK: %[[B:.*]] = linalg.matmul ins(%[[X]], %[[V]] :
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<4x32xf32>, tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IA:.*]]: f32, %[[IB:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[IA]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK:        %[[SIG:.*]] = arith.divf
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[SIG]], %[[IB]] : f32
// CHECK-NEXT:   linalg.yield %[[P]] : f32
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[H]], %[[W2]] :
// CHECK: return %[[Y]]
func.func @glu_sigmoid(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.glu sigmoid %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// FFN_Bilinear: the gate is the identity, so the body is the product alone.
// CHECK-LABEL: func.func @glu_bilinear
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IA:.*]]: f32, %[[IB:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[IA]], %[[IB]] : f32
// CHECK-NEXT:   linalg.yield %[[P]] : f32
func.func @glu_bilinear(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.glu identity %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// FFN_ReGLU: max(x W, 0) * (x V).
// CHECK-LABEL: func.func @glu_relu
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IA:.*]]: f32, %[[IB:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[R:.*]] = arith.maximumf %[[IA]], %[[ZERO]] : f32
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[R]], %[[IB]] : f32
// CHECK-NEXT:   linalg.yield %[[P]] : f32
func.func @glu_relu(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.glu relu %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// FFN_GEGLU in both GELU forms.
// CHECK-LABEL: func.func @glu_gelu
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IA:.*]]: f32, %[[IB:.*]]: f32, %{{.*}}: f32):
// CHECK:        math.erf
// CHECK:        %[[OP:.*]] = arith.addf
// CHECK-NEXT:   %[[G:.*]] = arith.mulf %{{.*}}, %[[OP]] : f32
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[G]], %[[IB]] : f32
// CHECK-NEXT:   linalg.yield %[[P]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IA2:.*]]: f32, %[[IB2:.*]]: f32, %{{.*}}: f32):
// CHECK:        math.tanh
// CHECK:        %[[OP2:.*]] = arith.addf
// CHECK-NEXT:   %[[G2:.*]] = arith.mulf %{{.*}}, %[[OP2]] : f32
// CHECK-NEXT:   %[[P2:.*]] = arith.mulf %[[G2]], %[[IB2]] : f32
// CHECK-NEXT:   linalg.yield %[[P2]] : f32
func.func @glu_gelu(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = ffn.glu gelu %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  %1 = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// FFN_SwiGLU with beta = 2, on a 3-D input with every bias: the batch dims
// are collapsed around the matmuls, biases b and c are broadcast along the
// rows inside the gating generic, and b2 gets its own generic.
// CHECK-LABEL: func.func @glu_swish_general
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x16xf32>, %[[W:.*]]: tensor<16x24xf32>, %[[V:.*]]: tensor<16x24xf32>, %[[W2:.*]]: tensor<24x8xf32>, %[[BB:.*]]: tensor<24xf32>, %[[BC:.*]]: tensor<24xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x16xf32> into tensor<6x16xf32>
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<6x16xf32>, tensor<16x24xf32>)
// CHECK: %[[B:.*]] = linalg.matmul ins(%[[ROWS]], %[[V]] : tensor<6x16xf32>, tensor<16x24xf32>)
// CHECK: %[[H:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]], %[[BB]], %[[BC]] : tensor<6x24xf32>, tensor<6x24xf32>, tensor<24xf32>, tensor<24xf32>)
// CHECK-NEXT: ^bb0(%[[IA:.*]]: f32, %[[IB:.*]]: f32, %[[IBB:.*]]: f32, %[[IBC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[GA:.*]] = arith.addf %[[IA]], %[[IBB]] : f32
// CHECK-NEXT:   %[[LB:.*]] = arith.addf %[[IB]], %[[IBC]] : f32
// CHECK-NEXT:   %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:   %[[BX:.*]] = arith.mulf %[[BETA]], %[[GA]] : f32
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[BX]] : f32
// CHECK:        %[[SIG:.*]] = arith.divf
// CHECK-NEXT:   %[[SW:.*]] = arith.mulf %[[GA]], %[[SIG]] : f32
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[SW]], %[[LB]] : f32
// CHECK-NEXT:   linalg.yield %[[P]] : f32
// CHECK: %[[D:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<6x24xf32>, tensor<24x8xf32>)
// CHECK: %[[DB:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], {{.*}}} ins(%[[D]], %[[B2]] : tensor<6x8xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[DB]] {{\[}}[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
// CHECK: return %[[Y]]
func.func @glu_swish_general(%x: tensor<2x3x16xf32>, %w: tensor<16x24xf32>, %v: tensor<16x24xf32>, %w2: tensor<24x8xf32>, %b: tensor<24xf32>, %c: tensor<24xf32>, %b2: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %y = ffn.glu swish(beta = 2.0) %x, %w, %v, %w2 b(%b) c(%c) b2(%b2) : (tensor<2x3x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<24xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// An ungated layer with b1: the bias is added before the activation.
// CHECK-LABEL: func.func @ffn_hidden_bias
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<32xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[B1]] : tensor<4x32xf32>, tensor<32xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[IBIAS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[PRE:.*]] = arith.addf %[[IN]], %[[IBIAS]] : f32
// CHECK-NEXT:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[R:.*]] = arith.maximumf %[[PRE]], %[[ZERO]] : f32
func.func @ffn_hidden_bias(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %b1: tensor<32xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 b1(%b1) : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Dynamic batch and sequence: sizes come from tensor.dim and the expand
// names its output shape. A bf16 layer accumulates its matmuls in f32 and
// rounds each result to bf16 once; the gating is computed in f32 too.
// CHECK-LABEL: func.func @dynamic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x16xbf16>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x?x16xbf16> into tensor<?x16xbf16>
// CHECK: %[[M:.*]] = tensor.dim %[[ROWS]], %{{.*}} : tensor<?x16xbf16>
// CHECK: tensor.empty(%[[M]]) : tensor<?x32xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<?x16xbf16>, tensor<16x32xbf16>) outs(%[[ACC]] : tensor<?x32xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[A]] : tensor<?x32xf32>) outs(%{{.*}} : tensor<?x32xbf16>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: bf16):
// CHECK-NEXT: arith.truncf %[[IN]] : f32 to bf16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: math.tanh %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: linalg.matmul ins(%{{.*}} : tensor<?x32xbf16>, tensor<32x16xbf16>) outs(%{{.*}} : tensor<?x16xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: %[[D0:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x?x16xbf16>
// CHECK: %[[D1:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x?x16xbf16>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [%[[D0]], %[[D1]], 16] : tensor<?x16xbf16> into tensor<?x?x16xbf16>
func.func @dynamic_batch(%x: tensor<?x?x16xbf16>, %w: tensor<16x32xbf16>, %v: tensor<16x32xbf16>, %w2: tensor<32x16xbf16>) -> tensor<?x?x16xbf16> {
  %y = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<?x?x16xbf16>, tensor<16x32xbf16>, tensor<16x32xbf16>, tensor<32x16xbf16>) -> tensor<?x?x16xbf16>
  return %y : tensor<?x?x16xbf16>
}

// -----

// A result type more static than what the input implies gets a tensor.cast.
// CHECK-LABEL: func.func @static_result_of_dynamic_input
// CHECK: %[[Y:.*]] = linalg.matmul {{.*}} -> tensor<?x16xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[Y]] : tensor<?x16xf32> to tensor<4x16xf32>
// CHECK: return %[[C]]
func.func @static_result_of_dynamic_input(%x: tensor<?x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<4x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<?x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The gradient of an ungated layer (3-D input, swish with beta = 2, both
// biases): the forward pieces are recomputed, dh = dy W2^T, the derivative
// generic gives da = dh * act'(a + b1), and the gradients are matmuls that
// read one operand transposed through indexing_maps, and column sums.
// CHECK-LABEL: func.func @ffn_grad_swish
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x16xf32>, %[[W1:.*]]: tensor<16x24xf32>, %[[W2:.*]]: tensor<24x8xf32>, %[[DY:.*]]: tensor<2x3x8xf32>, %[[B1:.*]]: tensor<24xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK-NOT: ffn.
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x16xf32> into tensor<6x16xf32>
// CHECK: %[[DYROWS:.*]] = tensor.collapse_shape %[[DY]] {{\[}}[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[ROWS]], %[[W1]] : tensor<6x16xf32>, tensor<16x24xf32>)
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B1]] : tensor<6x24xf32>, tensor<24xf32>)
// CHECK: math.exp
// CHECK: linalg.yield
// CHECK: %[[DH:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[DYROWS]], %[[W2]] : tensor<6x8xf32>, tensor<24x8xf32>) outs(%{{.*}} : tensor<6x24xf32>)
// CHECK: %[[DA:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[DH]], %[[A]], %[[B1]] : tensor<6x24xf32>, tensor<6x24xf32>, tensor<24xf32>)
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %[[IB:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[PRE:.*]] = arith.addf %[[IA]], %[[IB]] : f32
// CHECK-NEXT:   %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:   %[[BX:.*]] = arith.mulf %[[BETA]], %[[PRE]] : f32
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[BX]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:   %[[ONE2:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[S:.*]] = arith.divf %[[ONE2]], %[[DEN]] : f32
// CHECK-NEXT:   %[[ONE3:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[OMS:.*]] = arith.subf %[[ONE3]], %[[S]] : f32
// CHECK-NEXT:   %[[SS:.*]] = arith.mulf %[[S]], %[[OMS]] : f32
// CHECK-NEXT:   %[[BXSS:.*]] = arith.mulf %[[BX]], %[[SS]] : f32
// CHECK-NEXT:   %[[SLOPE:.*]] = arith.addf %[[S]], %[[BXSS]] : f32
// CHECK-NEXT:   %[[G:.*]] = arith.mulf %[[IDH]], %[[SLOPE]] : f32
// CHECK-NEXT:   linalg.yield %[[G]] : f32
// CHECK: %[[DXROWS:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[DA]], %[[W1]] : tensor<6x24xf32>, tensor<16x24xf32>) outs(%{{.*}} : tensor<6x16xf32>)
// CHECK: %[[DX:.*]] = tensor.expand_shape %[[DXROWS]] {{\[}}[0, 1], [2]] output_shape [2, 3, 16] : tensor<6x16xf32> into tensor<2x3x16xf32>
// CHECK: %[[DW1:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[ROWS]], %[[DA]] : tensor<6x16xf32>, tensor<6x24xf32>) outs(%{{.*}} : tensor<16x24xf32>)
// CHECK: %[[DW2:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[H]], %[[DYROWS]] : tensor<6x24xf32>, tensor<6x8xf32>) outs(%{{.*}} : tensor<24x8xf32>)
// CHECK: %[[DB1:.*]] = linalg.reduce ins(%[[DA]] : tensor<6x24xf32>) outs(%{{.*}} : tensor<24xf32>) dimensions = [0]
// CHECK: arith.addf
// CHECK: %[[DB2:.*]] = linalg.reduce ins(%[[DYROWS]] : tensor<6x8xf32>) outs(%{{.*}} : tensor<8xf32>) dimensions = [0]
// CHECK: return %[[DX]], %[[DW1]], %[[DW2]], %[[DB1]], %[[DB2]]
func.func @ffn_grad_swish(%x: tensor<2x3x16xf32>, %w1: tensor<16x24xf32>, %w2: tensor<24x8xf32>, %dy: tensor<2x3x8xf32>, %b1: tensor<24xf32>, %b2: tensor<8xf32>) -> (tensor<2x3x16xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<8xf32>) {
  %dx, %dw1, %dw2, %db1, %db2 = ffn.ffn_grad swish(beta = 2.0) %x, %w1, %w2, %dy b1(%b1) b2(%b2) : (tensor<2x3x16xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<2x3x8xf32>, tensor<24xf32>, tensor<8xf32>) -> (tensor<2x3x16xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<8xf32>)
  return %dx, %dw1, %dw2, %db1, %db2 : tensor<2x3x16xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<8xf32>
}

// -----

// The gradient of a gated layer (GEGLU, tanh form, with the linear bias c):
// one generic computes both dgate products, da = dh * l * gelu_tanh'(a) and
// dl = dh * gelu_tanh(a); dx accumulates da W^T and dl V^T in one buffer.
// CHECK-LABEL: func.func @glu_grad_gelu_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[V:.*]]: tensor<16x32xf32>, %[[W2:.*]]: tensor<32x16xf32>, %[[DY:.*]]: tensor<4x16xf32>, %[[C:.*]]: tensor<32xf32>)
// CHECK: %[[A:.*]] = linalg.matmul ins(%[[X]], %[[W]] :
// CHECK: %[[L:.*]] = linalg.matmul ins(%[[X]], %[[V]] :
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[L]], %[[C]] :
// CHECK: math.tanh
// CHECK: linalg.yield
// CHECK: %[[DH:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[DY]], %[[W2]] : tensor<4x16xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<4x32xf32>)
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4x32xf32>
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x32xf32>
// CHECK: %[[D:.*]]:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[DH]], %[[A]], %[[L]], %[[C]] : tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>, tensor<32xf32>) outs(%[[E0]], %[[E1]] : tensor<4x32xf32>, tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %[[IL:.*]]: f32, %[[IC:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[LIN:.*]] = arith.addf %[[IL]], %[[IC]] : f32
// CHECK-NEXT:   %[[DHL:.*]] = arith.mulf %[[IDH]], %[[LIN]] : f32
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[IA]], %[[IA]] : f32
// CHECK-NEXT:   %[[CUBE:.*]] = arith.mulf %[[SQ]], %[[IA]] : f32
// CHECK-NEXT:   %[[K:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-NEXT:   %[[KC:.*]] = arith.mulf %[[K]], %[[CUBE]] : f32
// CHECK-NEXT:   %[[INNER:.*]] = arith.addf %[[IA]], %[[KC]] : f32
// CHECK-NEXT:   %[[SQRT:.*]] = arith.constant 0.797884583 : f32
// CHECK-NEXT:   %[[ARG:.*]] = arith.mulf %[[SQRT]], %[[INNER]] : f32
// CHECK-NEXT:   %[[T:.*]] = math.tanh %[[ARG]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[OPT:.*]] = arith.addf %[[ONE]], %[[T]] : f32
// CHECK-NEXT:   %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[LEFT:.*]] = arith.mulf %[[HALF]], %[[OPT]] : f32
// CHECK-NEXT:   %[[T2:.*]] = arith.mulf %[[T]], %[[T]] : f32
// CHECK-NEXT:   %[[ONE2:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[SECH2:.*]] = arith.subf %[[ONE2]], %[[T2]] : f32
// CHECK-NEXT:   %[[K3:.*]] = arith.constant 1.341450e-01 : f32
// CHECK-NEXT:   %[[K3SQ:.*]] = arith.mulf %[[K3]], %[[SQ]] : f32
// CHECK-NEXT:   %[[ONE3:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[DINNER:.*]] = arith.addf %[[ONE3]], %[[K3SQ]] : f32
// CHECK-NEXT:   %[[SQRT2:.*]] = arith.constant 0.797884583 : f32
// CHECK-NEXT:   %[[DARG:.*]] = arith.mulf %[[SQRT2]], %[[DINNER]] : f32
// CHECK-NEXT:   %[[HALF2:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[HX:.*]] = arith.mulf %[[HALF2]], %[[IA]] : f32
// CHECK-NEXT:   %[[HXS:.*]] = arith.mulf %[[HX]], %[[SECH2]] : f32
// CHECK-NEXT:   %[[RIGHT:.*]] = arith.mulf %[[HXS]], %[[DARG]] : f32
// CHECK-NEXT:   %[[SLOPE:.*]] = arith.addf %[[LEFT]], %[[RIGHT]] : f32
// CHECK-NEXT:   %[[DA:.*]] = arith.mulf %[[DHL]], %[[SLOPE]] : f32
// CHECK:        %[[T3:.*]] = math.tanh
// CHECK-NEXT:   %[[HALF3:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[HX3:.*]] = arith.mulf %[[HALF3]], %[[IA]] : f32
// CHECK-NEXT:   %[[ONE4:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[OPT3:.*]] = arith.addf %[[ONE4]], %[[T3]] : f32
// CHECK-NEXT:   %[[GATE:.*]] = arith.mulf %[[HX3]], %[[OPT3]] : f32
// CHECK-NEXT:   %[[DL:.*]] = arith.mulf %[[IDH]], %[[GATE]] : f32
// CHECK-NEXT:   linalg.yield %[[DA]], %[[DL]] : f32, f32
// CHECK: %[[DXW:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[D]]#0, %[[W]] : tensor<4x32xf32>, tensor<16x32xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK-NEXT: %[[DX:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[D]]#1, %[[V]] : tensor<4x32xf32>, tensor<16x32xf32>) outs(%[[DXW]] : tensor<4x16xf32>)
// CHECK: %[[DW:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[X]], %[[D]]#0 : tensor<4x16xf32>, tensor<4x32xf32>) outs(%{{.*}} : tensor<16x32xf32>)
// CHECK: %[[DV:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[X]], %[[D]]#1 : tensor<4x16xf32>, tensor<4x32xf32>) outs(%{{.*}} : tensor<16x32xf32>)
// CHECK: %[[DW2:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[H]], %[[DY]] : tensor<4x32xf32>, tensor<4x16xf32>) outs(%{{.*}} : tensor<32x16xf32>)
// CHECK: %[[DC:.*]] = linalg.reduce ins(%[[D]]#1 : tensor<4x32xf32>) outs(%{{.*}} : tensor<32xf32>) dimensions = [0]
// CHECK: return %[[DX]], %[[DW]], %[[DV]], %[[DW2]], %[[DC]]
func.func @glu_grad_gelu_tanh(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<4x16xf32>, %c: tensor<32xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>) {
  %dx, %dw, %dv, %dw2, %dc = ffn.glu_grad gelu_tanh %x, %w, %v, %w2, %dy c(%c) : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<4x16xf32>, tensor<32xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>)
  return %dx, %dw, %dv, %dw2, %dc : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<32xf32>
}

// -----

// relu's derivative: x > 0 ? 1 : 0 (0 at the kink).
// CHECK-LABEL: func.func @ffn_grad_relu
// CHECK: %[[DH:.*]] = linalg.matmul indexing_maps
// CHECK: linalg.generic {{.*}} ins(%[[DH]], %{{.*}} : tensor<4x32xf32>, tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[POS:.*]] = arith.cmpf ogt, %[[IA]], %[[ZERO]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[NONE:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[SLOPE:.*]] = arith.select %[[POS]], %[[ONE]], %[[NONE]] : f32
// CHECK-NEXT:   %[[G:.*]] = arith.mulf %[[IDH]], %[[SLOPE]] : f32
// CHECK-NEXT:   linalg.yield %[[G]] : f32
func.func @ffn_grad_relu(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) {
  %dx, %dw1, %dw2 = ffn.ffn_grad relu %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>)
  return %dx, %dw1, %dw2 : tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>
}

// -----

// GELU (erf) derivative: Phi(x) + x phi(x).
// CHECK-LABEL: func.func @ffn_grad_gelu
// CHECK: %[[DH:.*]] = linalg.matmul indexing_maps
// CHECK: linalg.generic {{.*}} ins(%[[DH]], %{{.*}} : tensor<4x32xf32>, tensor<4x32xf32>)
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[RSQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK-NEXT:   %[[S:.*]] = arith.mulf %[[IA]], %[[RSQRT2]] : f32
// CHECK-NEXT:   %[[ERF:.*]] = math.erf %[[S]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[OPE:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-NEXT:   %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[CDF:.*]] = arith.mulf %[[HALF]], %[[OPE]] : f32
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[IA]], %[[IA]] : f32
// CHECK-NEXT:   %[[NHALF:.*]] = arith.constant -5.000000e-01 : f32
// CHECK-NEXT:   %[[EXPO:.*]] = arith.mulf %[[NHALF]], %[[SQ]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[EXPO]] : f32
// CHECK-NEXT:   %[[RSQRT2PI:.*]] = arith.constant 0.398942292 : f32
// CHECK-NEXT:   %[[PDF:.*]] = arith.mulf %[[EXP]], %[[RSQRT2PI]] : f32
// CHECK-NEXT:   %[[XPDF:.*]] = arith.mulf %[[IA]], %[[PDF]] : f32
// CHECK-NEXT:   %[[SLOPE:.*]] = arith.addf %[[CDF]], %[[XPDF]] : f32
// CHECK-NEXT:   %[[G:.*]] = arith.mulf %[[IDH]], %[[SLOPE]] : f32
// CHECK-NEXT:   linalg.yield %[[G]] : f32
func.func @ffn_grad_gelu(%x: tensor<4x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) {
  %dx, %dw1, %dw2 = ffn.ffn_grad gelu %x, %w1, %w2, %dy : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>)
  return %dx, %dw1, %dw2 : tensor<4x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>
}

// -----

// FFN_GLU: sigmoid's derivative s (1 - s).
// CHECK-LABEL: func.func @glu_grad_sigmoid
// CHECK: %[[D:.*]]:2 = linalg.generic
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %[[IL:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[DHL:.*]] = arith.mulf %[[IDH]], %[[IL]] : f32
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[IA]] : f32
// CHECK:        %[[S:.*]] = arith.divf
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[OMS:.*]] = arith.subf %[[ONE]], %[[S]] : f32
// CHECK-NEXT:   %[[SLOPE:.*]] = arith.mulf %[[S]], %[[OMS]] : f32
// CHECK-NEXT:   %[[DA:.*]] = arith.mulf %[[DHL]], %[[SLOPE]] : f32
// CHECK:        %[[GATE:.*]] = arith.divf
// CHECK-NEXT:   %[[DL:.*]] = arith.mulf %[[IDH]], %[[GATE]] : f32
// CHECK-NEXT:   linalg.yield %[[DA]], %[[DL]] : f32, f32
func.func @glu_grad_sigmoid(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad sigmoid %x, %w, %v, %w2, %dy : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>
}

// -----

// FFN_Bilinear: the identity gate's products need no derivative.
// CHECK-LABEL: func.func @glu_grad_identity
// CHECK: linalg.generic
// CHECK: %[[D:.*]]:2 = linalg.generic
// CHECK-NEXT: ^bb0(%[[IDH:.*]]: f32, %[[IA:.*]]: f32, %[[IL:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT:   %[[DA:.*]] = arith.mulf %[[IDH]], %[[IL]] : f32
// CHECK-NEXT:   %[[DL:.*]] = arith.mulf %[[IDH]], %[[IA]] : f32
// CHECK-NEXT:   linalg.yield %[[DA]], %[[DL]] : f32, f32
func.func @glu_grad_identity(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad identity %x, %w, %v, %w2, %dy : (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>
}

// -----

// Dynamic batch dims: sizes come from tensor.dim and dx expands like x.
// CHECK-LABEL: func.func @grad_dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x?x16xf32>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x?x16xf32> into tensor<?x16xf32>
// CHECK: %[[D0:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x?x16xf32>
// CHECK: %[[D1:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x?x16xf32>
// CHECK: %[[DX:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [%[[D0]], %[[D1]], 16] : tensor<?x16xf32> into tensor<?x?x16xf32>
// CHECK: return %[[DX]]
func.func @grad_dynamic(%x: tensor<?x?x16xf32>, %w: tensor<16x?xf32>, %v: tensor<16x?xf32>, %w2: tensor<?x16xf32>, %dy: tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16x?xf32>, tensor<?x16xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad relu %x, %w, %v, %w2, %dy : (tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16x?xf32>, tensor<?x16xf32>, tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16x?xf32>, tensor<?x16xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16x?xf32>, tensor<?x16xf32>
}

// -----

// A gradient computed with another static shape than its operand's type
// gets a tensor.cast to that type.
// CHECK-LABEL: func.func @grad_cast
// CHECK: %[[DXROWS:.*]] = linalg.matmul {{.*}} -> tensor<?x16xf32>
// CHECK: %[[DW1:.*]] = linalg.matmul {{.*}} -> tensor<?x24xf32>
// CHECK: %[[DW2:.*]] = linalg.matmul {{.*}} -> tensor<24x8xf32>
// CHECK: %[[DX:.*]] = tensor.cast %[[DXROWS]] : tensor<?x16xf32> to tensor<?x?xf32>
// CHECK: %[[DW1C:.*]] = tensor.cast %[[DW1]] : tensor<?x24xf32> to tensor<16x24xf32>
// CHECK: return %[[DX]], %[[DW1C]], %[[DW2]]
func.func @grad_cast(%x: tensor<?x?xf32>, %w1: tensor<16x24xf32>, %w2: tensor<24x8xf32>, %dy: tensor<?x8xf32>) -> (tensor<?x?xf32>, tensor<16x24xf32>, tensor<24x8xf32>) {
  %dx, %dw1, %dw2 = ffn.ffn_grad relu %x, %w1, %w2, %dy : (tensor<?x?xf32>, tensor<16x24xf32>, tensor<24x8xf32>, tensor<?x8xf32>) -> (tensor<?x?xf32>, tensor<16x24xf32>, tensor<24x8xf32>)
  return %dx, %dw1, %dw2 : tensor<?x?xf32>, tensor<16x24xf32>, tensor<24x8xf32>
}
