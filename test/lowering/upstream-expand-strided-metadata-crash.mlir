// RUN: mlir-opt %s --expand-strided-metadata | FileCheck %s
// XFAIL: *

// Documents an upstream bug, in pure upstream MLIR (stock mlir-opt of
// LLVM 22, no glu): expand-strided-metadata segfaults on a memref.expand_shape
// with more than one dynamic size in one reassociation group.
// getExpandedSizes() assumes at most one dynamic size per group (it rebuilds
// that size as "source size / product of the static sizes"; the assert saying
// so is compiled out of release builds); with two, one size stays a null
// OpFoldResult and memref.reinterpret_cast's builder dereferences it
// (mlir::IntegerAttr::getValue in dispatchIndexOpFoldResult).
// llvm/llvm-project#186830, fixed after LLVM 22 by llvm/llvm-project#187844,
// which reads the sizes from output_shape.
//
// glu meets it with every layer on a tensor with two or more dynamic batch
// dimensions: the layer computes on rows and expands its result back with
// `output_shape [%d0, %d1, d_out]`. glu avoids it with
// glu-lower-multi-dynamic-expand-shapes
// (passes/codegen/common/LowerMultiDynamicExpandShapes.cpp), which every
// pipeline runs before expand-strided-metadata and which turns exactly these
// expand_shapes into a memref.reinterpret_cast with the output_shape sizes
// and row-major strides (test/pipelines/dynamic-batch.mlir).
//
// The CHECK lines are what a fixed expand-strided-metadata produces. When
// this test XPASSes (an LLVM with the fix), drop the XFAIL and consider
// dropping the glu pass.

// CHECK-LABEL: func.func @two_dynamic_sizes_in_one_group
// CHECK-SAME: (%[[M:.*]]: memref<?xf32>, %[[A:.*]]: index, %[[B:.*]]: index)
// CHECK: %[[BASE:[^,]+]], %{{.*}} = memref.extract_strided_metadata %[[M]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[A]], %[[B]]], strides: [%{{.*}}, 1]
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic_sizes_in_one_group(%m: memref<?xf32>, %a: index, %b: index) -> memref<?x?xf32> {
  %e = memref.expand_shape %m [[0, 1]] output_shape [%a, %b] : memref<?xf32> into memref<?x?xf32>
  return %e : memref<?x?xf32>
}
