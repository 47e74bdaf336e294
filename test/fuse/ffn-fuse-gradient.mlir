// RUN: glu-opt %s -split-input-file --ffn-fuse=block-size=4 --canonicalize --cse --mlir-print-local-scope | FileCheck %s
// RUN: glu-opt %s -split-input-file --ffn-fuse="block-size=4 report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// The backward of a gated layer: h and [a | b] recomputed by ONE gated GEMM
// over the packed weights that also returns the pre-activations it gates
// (the bias packed as [b | 0]), the dh GEMM with the dgate
// epilogue producing packed [da | db], ONE GEMM for dx against the packed
// weights (K = 2 d_ff, the packed operand read transposed), ONE GEMM for
// the packed weight gradient, unpacked only at the end, and dW2 from h.
// CHECK-LABEL: func.func @swiglu_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>, %[[DY:.*]]: tensor<2x3x8xf32>, %[[B:.*]]: tensor<12xf32>)
// CHECK-DAG: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK-DAG: %[[P:.*]] = ffn.pack_gated %[[W]], %[[V]] block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x24xf32>
// CHECK-DAG: %[[PB:.*]] = ffn.pack_gated %[[B]], %{{.*}} block_size(4) : tensor<12xf32>, tensor<12xf32> -> tensor<24xf32>
// CHECK: %[[H:.*]], %[[AB:.*]] = ffn.gated_matmul swish block_size(4) ins(%[[ROWS]], %[[P]], %[[PB]] : tensor<6x8xf32>, tensor<8x24xf32>, tensor<24xf32>) outs(%{{.*}} : tensor<6x12xf32>) preactivations(%{{.*}} : tensor<6x24xf32>) -> tensor<6x12xf32>, tensor<6x24xf32>
// CHECK-NOT: ffn.apply_gate
// CHECK: %[[DYROWS:.*]] = tensor.collapse_shape %[[DY]] {{\[}}[0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[DAB:.*]] = ffn.dgate_matmul swish block_size(4) ins(%[[DYROWS]], %[[W2]], %[[AB]] : tensor<6x8xf32>, tensor<12x8xf32>, tensor<6x24xf32>)
// CHECK: %[[DX:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[DAB]], %[[P]] : tensor<6x24xf32>, tensor<8x24xf32>)
// CHECK: %[[DWV:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[ROWS]], %[[DAB]] : tensor<6x8xf32>, tensor<6x24xf32>)
// CHECK: %[[DW:.*]], %[[DV:.*]] = ffn.unpack_gated %[[DWV]] block_size(4) : tensor<8x24xf32> -> tensor<8x12xf32>, tensor<8x12xf32>
// CHECK: %[[DW2:.*]] = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%[[H]], %[[DYROWS]] : tensor<6x12xf32>, tensor<6x8xf32>)
// CHECK: %[[DX3:.*]] = tensor.expand_shape %[[DX]] {{\[}}[0, 1], [2]] output_shape [2, 3, 8]
// CHECK: %[[SUMS:.*]] = linalg.reduce ins(%[[DAB]] : tensor<6x24xf32>)
// CHECK: %[[DB:.*]], %{{.*}} = ffn.unpack_gated %[[SUMS]] block_size(4) : tensor<24xf32> -> tensor<12xf32>, tensor<12xf32>
// CHECK: return %[[DX3]], %[[DW]], %[[DV]], %[[DW2]], %[[DB]]
// CHECK-NOT: ffn.glu_grad
// REPORT: remark: ffn-fuse: fused the gradient of FFN_SwiGLU [M=6, d_model=8, d_ff=12] into the dh GEMM with the dgate epilogue, ONE dx GEMM over packed [8, 24] weights (K = 24) and ONE packed weight-gradient GEMM (block 4); recomputes [a | b] with one GEMM (2304 FLOPs), saving 576 B of activation memory
func.func @swiglu_grad(%x: tensor<2x3x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %dy: tensor<2x3x8xf32>, %b: tensor<12xf32>) -> (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>) {
  %dx, %dw, %dv, %dw2, %db = ffn.glu_grad swish %x, %w, %v, %w2, %dy b(%b) : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<2x3x8xf32>, tensor<12xf32>) -> (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>)
  return %dx, %dw, %dv, %dw2, %db : tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<12xf32>
}

// -----

// The backward of an ungated layer: h = act(a) and a recomputed by ONE
// activated GEMM, the dh GEMM with the activation-derivative epilogue, dx
// and dW1 from da, dW2 from h.
// CHECK-LABEL: func.func @relu_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W1:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>, %[[DY:.*]]: tensor<4x8xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK: %[[H:.*]], %[[A:.*]] = ffn.activated_matmul relu ins(%[[X]], %[[W1]] : tensor<4x8xf32>, tensor<8x12xf32>) outs(%{{.*}} : tensor<4x12xf32>) preactivations(%{{.*}} : tensor<4x12xf32>) -> tensor<4x12xf32>, tensor<4x12xf32>
// CHECK: %[[DA:.*]] = ffn.dactivation_matmul relu ins(%[[DY]], %[[W2]], %[[A]] : tensor<4x8xf32>, tensor<12x8xf32>, tensor<4x12xf32>)
// CHECK: %[[DX:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[DA]], %[[W1]] : tensor<4x12xf32>, tensor<8x12xf32>)
// CHECK: %[[DW1:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[X]], %[[DA]] : tensor<4x8xf32>, tensor<4x12xf32>)
// CHECK: %[[DW2:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[H]], %[[DY]] : tensor<4x12xf32>, tensor<4x8xf32>)
// CHECK: %[[DB2:.*]] = linalg.reduce ins(%[[DY]] : tensor<4x8xf32>)
// CHECK: return %[[DX]], %[[DW1]], %[[DW2]], %[[DB2]]
// REPORT: remark: ffn-fuse: fused the gradient of FFN_ReLU [M=4, d_model=8, d_ff=12] into the dh GEMM with the activation-derivative epilogue; recomputes a with one GEMM (768 FLOPs), saving 192 B of activation memory
func.func @relu_grad(%x: tensor<4x8xf32>, %w1: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %dy: tensor<4x8xf32>, %b2: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<8xf32>) {
  %dx, %dw1, %dw2, %db2 = ffn.ffn_grad relu %x, %w1, %w2, %dy b2(%b2) : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<8xf32>)
  return %dx, %dw1, %dw2, %db2 : tensor<4x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<8xf32>
}

// -----

// A train step holds the forward and the backward of one layer. By default
// the backward recomputes h and [a | b] with a second gated GEMM; with
// keep-activations=true the forward is ONE gated GEMM that also returns
// the [a | b] it gates, and the backward reads both: one GEMM over the
// packed weights in all, against two, and no ffn.apply_gate.
// RUN: glu-opt %s -split-input-file --ffn-fuse="block-size=4 keep-activations=true" --canonicalize --cse | FileCheck %s --check-prefix=KEEP
// RUN: glu-opt %s -split-input-file --ffn-fuse="block-size=4 keep-activations=true report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=KEEP-REPORT
// KEEP-LABEL: func.func @train_step
// KEEP-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>, %[[W2:.*]]: tensor<12x8xf32>
// KEEP: %[[P:.*]] = ffn.pack_gated %[[W]], %[[V]] block_size(4)
// KEEP-NOT: ffn.pack_gated
// KEEP: %[[H:.*]], %[[AB:.*]] = ffn.gated_matmul gelu block_size(4) ins(%[[X]], %[[P]] : tensor<4x8xf32>, tensor<8x24xf32>) outs(%{{.*}} : tensor<4x12xf32>) preactivations(%{{.*}} : tensor<4x24xf32>)
// KEEP-NOT: ins(%[[X]], %[[P]]
// KEEP: linalg.matmul ins(%[[H]], %[[W2]]
// KEEP: ffn.dgate_matmul gelu block_size(4) ins(%{{.*}}, %[[W2]], %[[AB]] :
// KEEP-NOT: ffn.gated_matmul
// KEEP-NOT: ffn.apply_gate
// KEEP-NOT: ffn.glu
// KEEP-REPORT: remark: ffn-fuse: fused the gradient of FFN_GEGLU [M=4, d_model=8, d_ff=12] into the dh GEMM with the dgate epilogue, ONE dx GEMM over packed [8, 24] weights (K = 24) and ONE packed weight-gradient GEMM (block 4); keeps [a | b] from the forward (384 B held until the backward), saving one GEMM (1536 FLOPs)
// REPORT: remark: ffn-fuse: fused the gradient of FFN_GEGLU [M=4, d_model=8, d_ff=12] {{.*}}; recomputes [a | b] with one GEMM (1536 FLOPs), saving 384 B of activation memory
// CHECK-LABEL: func.func @train_step
// CHECK: %[[P:.*]] = ffn.pack_gated
// CHECK-NOT: ffn.pack_gated
// CHECK: ffn.gated_matmul gelu block_size(4) ins(%{{.*}}, %[[P]] : {{.*}}) outs(%{{.*}} : tensor<4x12xf32>) -> tensor<4x12xf32>
// CHECK: %{{.*}}, %[[AB:.*]] = ffn.gated_matmul gelu block_size(4) ins(%{{.*}}, %[[P]] : {{.*}}) preactivations(%{{.*}} : tensor<4x24xf32>)
// CHECK: ffn.dgate_matmul gelu block_size(4) ins(%{{.*}}, %{{.*}}, %[[AB]] :
func.func @train_step(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %v: tensor<8x12xf32>, %w2: tensor<12x8xf32>, %target: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) {
  %y = ffn.glu gelu %x, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %dy = linalg.sub ins(%y, %target : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %dx, %dw, %dv, %dw2 = ffn.glu_grad gelu %x, %w, %v, %w2, %dy : (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<4x8xf32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>
}
