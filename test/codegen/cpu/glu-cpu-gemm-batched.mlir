// RUN: glu-opt %s --glu-cpu-gemm -split-input-file | FileCheck %s

// linalg.batch_matmul, as attention's QK^T and PV are exported: the batch
// is the outermost dimension of the tiles' scf.parallel, and each
// iteration runs the generated GEMM on the rank-reduced [batch] slices of
// the operands and the result.

// CHECK-LABEL: func.func @batched
// CHECK-SAME:    (%[[A:.*]]: tensor<3x67x130xf32>, %[[B:.*]]: tensor<3x130x40xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK:         %[[AB:.*]] = bufferization.to_buffer %[[A]] read_only : tensor<3x67x130xf32> to memref<3x67x130xf32, strided<[?, ?, 1], offset: ?>>
// CHECK:         %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x67x40xf32>
// CHECK:         scf.parallel (%[[BATCH:.*]], %{{.*}}, %{{.*}}) = (%[[C0]], %[[C0]], %[[C0]]) to (%[[C3]], %{{.*}}, %{{.*}}) step (%[[C1]], %{{.*}}, %{{.*}}) {
// CHECK-NEXT:      %[[AS:.*]] = memref.subview %[[AB]][%[[BATCH]], 0, 0] [1, 67, 130] [1, 1, 1] : memref<3x67x130xf32, strided<[?, ?, 1], offset: ?>> to memref<67x130xf32, strided<[?, 1], offset: ?>>
// CHECK-NEXT:      %[[BS:.*]] = memref.subview %[[BB]][%[[BATCH]], 0, 0] [1, 130, 40] [1, 1, 1]
// CHECK-NEXT:      %[[OS:.*]] = memref.subview %[[OUT]][%[[BATCH]], 0, 0] [1, 67, 40] [1, 1, 1] : memref<3x67x40xf32> to memref<67x40xf32, strided<[40, 1], offset: ?>>
// CHECK:           vector.load %[[BS]][
// CHECK:           memref.load %[[AS]][
// CHECK:           vector.fma
// CHECK:           vector.maskedstore %[[OS]][
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable : memref<3x67x40xf32>
// CHECK-NOT:     linalg.batch_matmul
func.func @batched(%a: tensor<3x67x130xf32>, %b: tensor<3x130x40xf32>) -> tensor<3x67x40xf32> {
  %e = tensor.empty() : tensor<3x67x40xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x67x40xf32>) -> tensor<3x67x40xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<3x67x130xf32>, tensor<3x130x40xf32>) outs(%f : tensor<3x67x40xf32>) -> tensor<3x67x40xf32>
  return %r : tensor<3x67x40xf32>
}

// -----

// QK^T with the keys read transposed ([B, N, K]), more than 128 queries: the
// keys are first copied to [B, K, N] by a parallel nest over the batch and
// 32 x 32 tiles (fewer queries, no more than K, read them by dot products:
// @batched_transposed_rhs_dot_products).

// CHECK-LABEL: func.func @batched_transposed_rhs
// CHECK-SAME:    (%{{.*}}: tensor<2x130x33xf32>, %[[K:.*]]: tensor<2x17x33xf32>)
// CHECK:         %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK:         %[[KT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x33x17xf32>
// CHECK:         scf.parallel (%[[TB:.*]], %{{.*}}, %{{.*}}) =
// CHECK:               %[[X:.*]] = memref.load %[[KB]][%[[TB]], %[[J:[a-z0-9]+]], %[[I:[a-z0-9]+]]]
// CHECK-NEXT:          memref.store %[[X]], %[[KT]][%[[TB]], %[[I]], %[[J]]]
// CHECK:         scf.parallel (%[[BATCH:.*]], %{{.*}}, %{{.*}}) =
// CHECK:           memref.subview %[[KT]][%[[BATCH]], 0, 0] [1, 33, 17] [1, 1, 1]
// CHECK-NOT:     linalg.batch_matmul
func.func @batched_transposed_rhs(%q: tensor<2x130x33xf32>, %k: tensor<2x17x33xf32>) -> tensor<2x130x17xf32> {
  %e = tensor.empty() : tensor<2x130x17xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x130x17xf32>) -> tensor<2x130x17xf32>
  %r = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<2x130x33xf32>, tensor<2x17x33xf32>) outs(%f : tensor<2x130x17xf32>) -> tensor<2x130x17xf32>
  return %r : tensor<2x130x17xf32>
}

// -----

// More queries (40) than the depth (33), though at most 128: each output's
// horizontal sum would cost more than copying the keys (O(M N) against
// O(N K)), so they are copied to [B, K, N] and the GEMM is register-tiled,
// as attention's scores at d_kv = 64 over 128 queries.

// CHECK-LABEL: func.func @batched_transposed_rhs_deeper_than_rows
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<2x33x17xf32>
// CHECK:         scf.parallel
// CHECK:         scf.parallel
// CHECK-NOT:       vector.shuffle
// CHECK:           vector.fma
// CHECK-NOT:       vector.shuffle
// CHECK:         return
func.func @batched_transposed_rhs_deeper_than_rows(%q: tensor<2x40x33xf32>, %k: tensor<2x17x33xf32>) -> tensor<2x40x17xf32> {
  %e = tensor.empty() : tensor<2x40x17xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x40x17xf32>) -> tensor<2x40x17xf32>
  %r = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<2x40x33xf32>, tensor<2x17x33xf32>) outs(%f : tensor<2x40x17xf32>) -> tensor<2x40x17xf32>
  return %r : tensor<2x40x17xf32>
}

// -----

// Fewer queries (30) than the depth (33): the keys are read as given, by
// dot products summed by shuffles, and never copied.

// CHECK-LABEL: func.func @batched_transposed_rhs_dot_products
// CHECK-SAME:    (%{{.*}}: tensor<2x30x33xf32>, %[[K:.*]]: tensor<2x17x33xf32>)
// CHECK:         %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK-NOT:     memref<2x33x17xf32>
// CHECK:         scf.parallel (%[[BATCH:.*]], %{{.*}}, %{{.*}}) =
// CHECK:           memref.subview %[[KB]][%[[BATCH]], 0, 0] [1, 17, 33] [1, 1, 1]
// CHECK:           vector.fma
// CHECK:           vector.shuffle
func.func @batched_transposed_rhs_dot_products(%q: tensor<2x30x33xf32>, %k: tensor<2x17x33xf32>) -> tensor<2x30x17xf32> {
  %e = tensor.empty() : tensor<2x30x17xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x30x17xf32>) -> tensor<2x30x17xf32>
  %r = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<2x30x33xf32>, tensor<2x17x33xf32>) outs(%f : tensor<2x30x17xf32>) -> tensor<2x30x17xf32>
  return %r : tensor<2x30x17xf32>
}
