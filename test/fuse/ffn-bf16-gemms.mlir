// RUN: glu-opt %s --ffn-bf16-gemms -split-input-file | FileCheck %s
// RUN: glu-opt %s --ffn-bf16-gemms=matmuls=false -split-input-file | FileCheck %s --check-prefix=NOMM
// RUN: glu-opt %s --glu-frontend-pipeline=bf16-gemms=true -split-input-file | FileCheck %s --check-prefix=FUSED

// A gated layer with biases in f32: every operand is read through a bf16
// copy (the bias used twice is copied once), the layer runs in bf16 and
// its result is widened back; the function keeps its f32 signature.
// glu-frontend-pipeline then fuses the bf16 layer.

// CHECK-LABEL: func.func @glu(
//  CHECK-SAME:     %[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x24xf32>, %[[V:.*]]: tensor<16x24xf32>, %[[W2:.*]]: tensor<24x16xf32>, %[[B:.*]]: tensor<24xf32>) -> tensor<8x16xf32>
//       CHECK:   %[[XB:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<8x16xf32>)
//       CHECK:     arith.truncf %{{.*}} : f32 to bf16
//       CHECK:   %[[WB:.*]] = linalg.generic {{.*}} ins(%[[W]] : tensor<16x24xf32>)
//       CHECK:   %[[VB:.*]] = linalg.generic {{.*}} ins(%[[V]] : tensor<16x24xf32>)
//       CHECK:   %[[W2B:.*]] = linalg.generic {{.*}} ins(%[[W2]] : tensor<24x16xf32>)
//       CHECK:   %[[BB:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<24xf32>)
//   CHECK-NOT:   linalg.generic {{.*}} ins(%[[B]]
//       CHECK:   %[[Y:.*]] = ffn.glu swish %[[XB]], %[[WB]], %[[VB]], %[[W2B]] b(%[[BB]]) c(%[[BB]]) : ({{.*}}) -> tensor<8x16xbf16>
//       CHECK:   %[[YF:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<8x16xbf16>)
//       CHECK:     arith.extf %{{.*}} : bf16 to f32
//       CHECK:   return %[[YF]] : tensor<8x16xf32>

// FUSED-LABEL: func.func @glu(
//       FUSED:   ffn.pack_gated {{.*}} -> tensor<16x48xbf16>
//       FUSED:   ffn.gated_matmul swish {{.*}} -> tensor<8x24xbf16>
//       FUSED:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x24xbf16>, tensor<24x16xbf16>) outs(%{{.*}} : tensor<8x16xf32>)
//       FUSED:   return %{{.*}} : tensor<8x16xf32>
func.func @glu(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %v: tensor<16x24xf32>, %w2: tensor<24x16xf32>, %b: tensor<24xf32>) -> tensor<8x16xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 b(%b) c(%b) : (tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>, tensor<24xf32>, tensor<24xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// The gradient: four results, each widened to f32 (the optimizer's
// master weights receive f32 gradients).

// CHECK-LABEL: func.func @glu_grad(
//       CHECK:   %[[GX:.*]], %[[GW:.*]], %[[GV:.*]], %[[GW2:.*]] = ffn.glu_grad gelu {{.*}} -> (tensor<8x16xbf16>, tensor<16x24xbf16>, tensor<16x24xbf16>, tensor<24x16xbf16>)
//       CHECK:   %[[DX:.*]] = linalg.generic {{.*}} ins(%[[GX]] : tensor<8x16xbf16>) outs(%{{.*}} : tensor<8x16xf32>)
//       CHECK:   %[[DW:.*]] = linalg.generic {{.*}} ins(%[[GW]] : tensor<16x24xbf16>) outs(%{{.*}} : tensor<16x24xf32>)
//       CHECK:   %[[DV:.*]] = linalg.generic {{.*}} ins(%[[GV]] : tensor<16x24xbf16>) outs(%{{.*}} : tensor<16x24xf32>)
//       CHECK:   %[[DW2:.*]] = linalg.generic {{.*}} ins(%[[GW2]] : tensor<24x16xbf16>) outs(%{{.*}} : tensor<24x16xf32>)
//       CHECK:   return %[[DX]], %[[DW]], %[[DV]], %[[DW2]]
func.func @glu_grad(%x: tensor<8x16xf32>, %w: tensor<16x24xf32>, %v: tensor<16x24xf32>, %w2: tensor<24x16xf32>, %dy: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad gelu %x, %w, %v, %w2, %dy : (tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<8x16xf32>, tensor<16x24xf32>, tensor<16x24xf32>, tensor<24x16xf32>
}

// -----

// A matmul (here B stored transposed, as attention's projections are)
// reads bf16 copies and keeps its f32 accumulator and its maps; with
// matmuls=false it is left alone.

// CHECK-LABEL: func.func @matmul
//       CHECK:   %[[AB:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xbf16>)
//       CHECK:   %[[BB:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xbf16>)
//       CHECK:   linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[AB]], %[[BB]] : tensor<8x16xbf16>, tensor<4x16xbf16>) outs(%{{.*}} : tensor<8x4xf32>) -> tensor<8x4xf32>

// NOMM-LABEL: func.func @matmul
//   NOMM-NOT:   arith.truncf
//       NOMM:   linalg.matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<4x16xf32>)
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<4x16xf32>, %c: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<8x16xf32>, tensor<4x16xf32>) outs(%c : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// Layers that are not f32 are left alone.

// CHECK-LABEL: func.func @already_bf16
//   CHECK-NOT:   linalg.generic
//       CHECK:   ffn.ffn relu
func.func @already_bf16(%x: tensor<8x16xbf16>, %w1: tensor<16x24xbf16>, %w2: tensor<24x16xbf16>) -> tensor<8x16xbf16> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<8x16xbf16>, tensor<16x24xbf16>, tensor<24x16xbf16>) -> tensor<8x16xbf16>
  return %y : tensor<8x16xbf16>
}
