// RUN: glu-opt %s --transform-interpreter --canonicalize --cse | FileCheck %s
// RUN: glu-opt %s --transform-interpreter --canonicalize --convert-ffn-to-linalg --canonicalize --cse | FileCheck %s --check-prefix=LOWERED

// ffn.gated_matmul tiles through TilingInterface with upstream's
// tile_using_for. Its iteration domain is rows x packed blocks, so a tile
// always holds whole blocks: a tile of one block (64 output columns) reads
// the 128 packed columns that hold the matching W and V columns, and the
// whole GEMM + gating epilogue happens inside the tile.

// CHECK-LABEL: func.func @tile_gated_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<32x16xf32>, %[[P:.*]]: tensor<16x512xf32>, %[[INIT:.*]]: tensor<32x256xf32>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC2:.*]] = %[[ACC]])
// CHECK-DAG:  %[[XT:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [8, 16] [1, 1] : tensor<32x16xf32> to tensor<8x16xf32>
// CHECK-DAG:  %[[COL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK-DAG:  %[[PCOL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK-DAG:  %[[PT:.*]] = tensor.extract_slice %[[P]][0, %[[PCOL]]] [16, 128] [1, 1] : tensor<16x512xf32> to tensor<16x128xf32>
// CHECK-DAG:  %[[OT:.*]] = tensor.extract_slice %[[ACC2]][%[[I]], %[[COL]]] [8, 64] [1, 1]
// CHECK:      %[[H:.*]] = ffn.gated_matmul swish block_size(64) ins(%[[XT]], %[[PT]] : tensor<8x16xf32>, tensor<16x128xf32>) outs(%[[OT]] : tensor<8x64xf32>) -> tensor<8x64xf32>
// CHECK:      tensor.insert_slice %[[H]] into %[[ACC2]][%[[I]], %[[COL]]] [8, 64] [1, 1]

// Lowered, each tile is a [8 x 16] x [16 x 128] matmul followed by the
// epilogue over its own 8 x 64 outputs: [a | b] never leaves the tile.
// LOWERED-LABEL: func.func @tile_gated_matmul
// LOWERED: scf.for
// LOWERED:   scf.for
// LOWERED:     %[[AB:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16x128xf32>) outs(%{{.*}} : tensor<8x128xf32>) -> tensor<8x128xf32>
// LOWERED:     %[[HALVES:.*]] = tensor.expand_shape %[[AB]] {{\[}}[0], [1, 2, 3]] output_shape [8, 1, 2, 64] : tensor<8x128xf32> into tensor<8x1x2x64xf32>
// LOWERED:     linalg.generic {{.*}} ins(%[[HALVES]], %[[HALVES]] : tensor<8x1x2x64xf32>, tensor<8x1x2x64xf32>)
// LOWERED:       math.exp
// LOWERED:       arith.mulf
// LOWERED:     tensor.insert_slice
// LOWERED:     scf.yield
func.func @tile_gated_matmul(%x: tensor<32x16xf32>, %packed: tensor<16x512xf32>, %init: tensor<32x256xf32>) -> tensor<32x256xf32> {
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %packed : tensor<32x16xf32>, tensor<16x512xf32>) outs(%init : tensor<32x256xf32>) -> tensor<32x256xf32>
  return %h : tensor<32x256xf32>
}

// d_ff = 160 is two blocks and a ragged 32: tiles of two blocks cover 128
// columns, the last tile the remaining 32, and its packed slice the 64
// packed columns of that ragged block.
// CHECK-LABEL: func.func @tile_ragged
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:   %[[COLS:.*]] = affine.min #{{.*}}(%{{.*}}, %[[J]])
// CHECK:   %[[PCOLS:.*]] = affine.apply #{{.*}}(%[[COLS]])
// CHECK:   %[[PT:.*]] = tensor.extract_slice %{{.*}}[0, %{{.*}}] [16, %[[PCOLS]]] [1, 1] : tensor<16x320xf32> to tensor<16x?xf32>
// CHECK:   ffn.gated_matmul relu block_size(64) ins(%{{.*}}, %[[PT]] : tensor<32x16xf32>, tensor<16x?xf32>) outs(%{{.*}} : tensor<32x?xf32>)
func.func @tile_ragged(%x: tensor<32x16xf32>, %packed: tensor<16x320xf32>, %init: tensor<32x160xf32>) -> tensor<32x160xf32> {
  %h = ffn.gated_matmul relu block_size(64) ins(%x, %packed : tensor<32x16xf32>, tensor<16x320xf32>) outs(%init : tensor<32x160xf32>) -> tensor<32x160xf32>
  return %h : tensor<32x160xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %first, %second = transform.split_handle %funcs : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %op = transform.structured.match ops{["ffn.gated_matmul"]} in %first : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [8, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %ragged = transform.structured.match ops{["ffn.gated_matmul"]} in %second : (!transform.any_op) -> !transform.any_op
    %tiled2, %loop2 = transform.structured.tile_using_for %ragged tile_sizes [0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
