// RUN: glu-opt %s -split-input-file -glu-lower-multi-dynamic-expand-shapes --mlir-print-local-scope | FileCheck %s

// Rows expanded back to two dynamic batch dimensions (what a layer on
// tensor<?x?x16xf32> bufferizes to): a view of the same buffer with the
// sizes of output_shape; the row stride 16 becomes the inner batch stride
// and the outer one is 16 times the inner size.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME: (%[[ROWS:.*]]: memref<?x16xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[BASE:[^,]+]], %[[OFF:[^,]+]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[ROWS]]
// CHECK: %[[S0:.*]] = affine.apply affine_map<()[s0] -> (s0 * 16)>()[%[[S]]]
// CHECK: %[[V:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], %[[S]], 16], strides: [%[[S0]], 16, 1] : memref<f32> to memref<?x?x16xf32>
// CHECK-NOT: memref.expand_shape
// CHECK: return %[[V]]
func.func @two_dynamic(%rows: memref<?x16xf32>, %b: index, %s: index) -> memref<?x?x16xf32> {
  %e = memref.expand_shape %rows [[0, 1], [2]] output_shape [%b, %s, 16] : memref<?x16xf32> into memref<?x?x16xf32>
  return %e : memref<?x?x16xf32>
}

// -----

// Three dynamic dimensions in the group and a static one between them.
// CHECK-LABEL: func.func @three_dynamic
// CHECK-SAME: (%[[ROWS:.*]]: memref<?x8xf32>, %[[A:.*]]: index, %[[B:.*]]: index, %[[C:.*]]: index)
// CHECK: %[[BASE:[^,]+]], %{{.*}}, %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[ROWS]]
// CHECK: %[[SC:.*]] = affine.apply affine_map<()[s0] -> (s0 * 8)>()[%[[C]]]
// CHECK: %[[SB:.*]] = affine.apply affine_map<()[s0] -> (s0 * 24)>()[%[[C]]]
// CHECK: %[[SA:.*]] = affine.apply affine_map<()[s0, s1] -> ((s0 * s1) * 24)>()[%[[B]], %[[C]]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[A]], %[[B]], 3, %[[C]], 8], strides: [%[[SA]], %[[SB]], %[[SC]], 8, 1] : memref<f32> to memref<?x?x3x?x8xf32>
// CHECK-NOT: memref.expand_shape
func.func @three_dynamic(%rows: memref<?x8xf32>, %a: index, %b: index, %c: index) -> memref<?x?x3x?x8xf32> {
  %e = memref.expand_shape %rows [[0, 1, 2, 3], [4]] output_shape [%a, %b, 3, %c, 8] : memref<?x8xf32> into memref<?x?x3x?x8xf32>
  return %e : memref<?x?x3x?x8xf32>
}

// -----

// A strided source (a subview): the view keeps its offset and starts the
// group from its row stride.
// CHECK-LABEL: func.func @strided_source
// CHECK-SAME: (%[[SRC:.*]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[BASE:[^,]+]], %[[OFF:[^,]+]], %{{.*}}:2, %[[STRIDES:[^ ]+]]:2 = memref.extract_strided_metadata %[[SRC]]
// CHECK: %[[S0:.*]] = affine.apply affine_map<()[s0, s1] -> (s0 * s1)>()[%[[STRIDES]]#0, %[[S]]]
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[B]], %[[S]], %{{.*}}], strides: [%[[S0]], %[[STRIDES]]#0, 1] : memref<f32> to memref<?x?x?xf32, strided<[?, ?, 1], offset: ?>>
func.func @strided_source(%src: memref<?x?xf32, strided<[?, 1], offset: ?>>, %b: index, %s: index) -> memref<?x?x?xf32, strided<[?, ?, 1], offset: ?>> {
  %c1 = arith.constant 1 : index
  %n = memref.dim %src, %c1 : memref<?x?xf32, strided<[?, 1], offset: ?>>
  %e = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, %s, %n] : memref<?x?xf32, strided<[?, 1], offset: ?>> into memref<?x?x?xf32, strided<[?, ?, 1], offset: ?>>
  return %e : memref<?x?x?xf32, strided<[?, ?, 1], offset: ?>>
}

// -----

// One dynamic size per group is expand-strided-metadata's case: untouched.
// CHECK-LABEL: func.func @one_dynamic_per_group
// CHECK: memref.expand_shape %{{.*}} {{\[}}[0, 1], [2, 3]] output_shape [%{{.*}}, 4, %{{.*}}, 16]
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic_per_group(%m: memref<?x?xf32>, %a: index, %b: index) -> memref<?x4x?x16xf32> {
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%a, 4, %b, 16] : memref<?x?xf32> into memref<?x4x?x16xf32>
  return %e : memref<?x4x?x16xf32>
}

// -----

// Static shapes: untouched.
// CHECK-LABEL: func.func @static
// CHECK: memref.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [2, 3, 16]
// CHECK-NOT: memref.reinterpret_cast
func.func @static(%m: memref<6x16xf32>) -> memref<2x3x16xf32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [2, 3, 16] : memref<6x16xf32> into memref<2x3x16xf32>
  return %e : memref<2x3x16xf32>
}
