// RUN: glu-opt %s -split-input-file --glu-cpu-pipeline | FileCheck %s --check-prefixes=LLVM,CPU
// RUN: glu-opt %s -split-input-file --glu-reference-pipeline | FileCheck %s --check-prefixes=LLVM,REF
// RUN: glu-opt %s -split-input-file --glu-cuda-pipeline | FileCheck %s --check-prefixes=LLVM,CUDA
// RUN: glu-opt %s -split-input-file --glu-frontend-pipeline --glu-cpu-pipeline | FileCheck %s --check-prefixes=LLVM,CPU
// RUN: glu-opt %s -split-input-file --glu-frontend-pipeline --glu-cuda-pipeline | FileCheck %s --check-prefixes=LLVM,CUDA
// RUN: glu-opt %s -split-input-file --glu-reference-pipeline -o /dev/null \
// RUN:   --mlir-print-ir-after=glu-lower-multi-dynamic-expand-shapes --mlir-print-local-scope 2>&1 \
// RUN:   | FileCheck %s --check-prefix=VIEW

// Layers and gradients on inputs with two and three dynamic batch
// dimensions, through every pipeline (and through the front end's raise and
// fuse first, as glu-compile runs them). The layer computes on rows: the
// batch dimensions are collapsed ([0, 1], [2]) and the result expanded back
// with `output_shape [%d0, %d1, d_out]`, which bufferizes to a
// memref.expand_shape with several dynamic sizes in one group. LLVM 22's
// expand-strided-metadata crashes on that (see
// test/lowering/upstream-expand-strided-metadata-crash.mlir);
// glu-lower-multi-dynamic-expand-shapes makes it a memref.reinterpret_cast
// first (VIEW), and every function reaches the LLVM dialect.

// The reference pipeline returns the [d0, d1, 16] descriptor; the others
// write it to the caller's out-parameter.
// LLVM-LABEL: llvm.func @glu_2d(
//   REF-SAME:   -> !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//    CPU-NOT:   llvm.call @memrefCopy
//       CUDA:   gpu.launch_func
//       LLVM:   llvm.return
//   REF-SAME:     %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>
//        CPU: llvm.func @_mlir_ciface_glu_2d(
//        CPU: llvm.func @glu_entry_glu_2d(
//       CUDA: llvm.func @glu_entry_glu_2d(

// The rows [d0 * d1, 16] viewed as [d0, d1, 16]: strides [d1 * 16, 16, 1].
// VIEW-LABEL: func.func @glu_2d(
//   VIEW-SAME:   %[[X:[^:]+]]: memref<?x?x16xf32>
//       VIEW:   %[[D0:.*]] = memref.dim %[[X]], %c0
//       VIEW:   %[[D1:.*]] = memref.dim %[[X]], %c1
//       VIEW:   %[[BASE:[^,]+]], %{{.*}} = memref.extract_strided_metadata
//       VIEW:   %[[S0:.*]] = affine.apply affine_map<()[s0] -> (s0 * 16)>()[%[[D1]]]
//       VIEW:   %[[Y:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[D0]], %[[D1]], 16], strides: [%[[S0]], 16, 1] : memref<f32> to memref<?x?x16xf32>
//   VIEW-NOT:   memref.expand_shape
//       VIEW:   return %[[Y]]
func.func @glu_2d(%x: tensor<?x?x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<?x?x16xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<?x?x16xf32>
  return %y : tensor<?x?x16xf32>
}

// -----

// LLVM-LABEL: llvm.func @glu_3d(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_glu_3d(
//       CUDA: llvm.func @glu_entry_glu_3d(

// Three dynamic dimensions in one group, d_out 8: strides
// [d1 * d2 * 8, d2 * 8, 8, 1].
// VIEW-LABEL: func.func @glu_3d(
//   VIEW-SAME:   %[[X:[^:]+]]: memref<?x?x?x16xf32>
//       VIEW:   %[[D0:.*]] = memref.dim %[[X]], %c0
//       VIEW:   %[[D1:.*]] = memref.dim %[[X]], %c1
//       VIEW:   %[[D2:.*]] = memref.dim %[[X]], %c2
//       VIEW:   %[[BASE:[^,]+]], %{{.*}} = memref.extract_strided_metadata
//       VIEW:   %[[S1:.*]] = affine.apply affine_map<()[s0] -> (s0 * 8)>()[%[[D2]]]
//       VIEW:   %[[S0:.*]] = affine.apply affine_map<()[s0, s1] -> ((s0 * s1) * 8)>()[%[[D1]], %[[D2]]]
//       VIEW:   memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[D0]], %[[D1]], %[[D2]], 8], strides: [%[[S0]], %[[S1]], 8, 1] : memref<f32> to memref<?x?x?x8xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @glu_3d(%x: tensor<?x?x?x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x8xf32>, %b: tensor<32xf32>, %c: tensor<32xf32>, %b2: tensor<8xf32>) -> tensor<?x?x?x8xf32> {
  %y = ffn.glu gelu %x, %w, %v, %w2 b(%b) c(%c) b2(%b2) : (tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x8xf32>, tensor<32xf32>, tensor<32xf32>, tensor<8xf32>) -> tensor<?x?x?x8xf32>
  return %y : tensor<?x?x?x8xf32>
}

// -----

// LLVM-LABEL: llvm.func @ffn_2d(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_ffn_2d(
//       CUDA: llvm.func @glu_entry_ffn_2d(
// VIEW-LABEL: func.func @ffn_2d(
//       VIEW:   memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%{{.*}}, %{{.*}}, 16], strides: [%{{.*}}, 16, 1] : memref<f32> to memref<?x?x16xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @ffn_2d(%x: tensor<?x?x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<?x?x16xf32> {
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<?x?x16xf32>
  return %y : tensor<?x?x16xf32>
}

// -----

// LLVM-LABEL: llvm.func @ffn_3d(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_ffn_3d(
//       CUDA: llvm.func @glu_entry_ffn_3d(
// VIEW-LABEL: func.func @ffn_3d(
//       VIEW:   memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%{{.*}}, %{{.*}}, %{{.*}}, 16], strides: [%{{.*}}, %{{.*}}, 16, 1] : memref<f32> to memref<?x?x?x16xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @ffn_3d(%x: tensor<?x?x?x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<?x?x?x16xf32> {
  %y = ffn.ffn gelu_tanh %x, %w1, %w2 : (tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<?x?x?x16xf32>
  return %y : tensor<?x?x?x16xf32>
}

// -----

// Every dimension dynamic, d_out too: the inner batch stride is the rows'
// stride read at run time.
// LLVM-LABEL: llvm.func @ffn_all_dynamic(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_ffn_all_dynamic(
//       CUDA: llvm.func @glu_entry_ffn_all_dynamic(
// VIEW-LABEL: func.func @ffn_all_dynamic(
//       VIEW:   %[[BASE:[^,]+]], %{{[^,]+}}, %{{[^,]+}}, %[[STRIDES:[^ ]+]]:2 = memref.extract_strided_metadata
//       VIEW:   %[[S0:.*]] = affine.apply affine_map<()[s0, s1] -> (s0 * s1)>()[%[[STRIDES]]#0, %[[D1:.*]]]
//       VIEW:   memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%{{.*}}, %[[D1]], %{{.*}}], strides: [%[[S0]], %[[STRIDES]]#0, 1] : memref<f32> to memref<?x?x?xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @ffn_all_dynamic(%x: tensor<?x?x?xf32>, %w1: tensor<?x?xf32>, %w2: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %y = ffn.ffn swish %x, %w1, %w2 : (tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

// Gradients: dx is expanded back from rows like the forward result.
// LLVM-LABEL: llvm.func @glu_grad_2d(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_glu_grad_2d(
//       CUDA: llvm.func @glu_entry_glu_grad_2d(
// VIEW-LABEL: func.func @glu_grad_2d(
//       VIEW:   memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%{{.*}}, %{{.*}}, 16], strides: [%{{.*}}, 16, 1] : memref<f32> to memref<?x?x16xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @glu_grad_2d(%x: tensor<?x?x16xf32>, %w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %w2: tensor<32x16xf32>, %dy: tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>) {
  %dx, %dw, %dv, %dw2 = ffn.glu_grad swish %x, %w, %v, %w2, %dy : (tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>)
  return %dx, %dw, %dv, %dw2 : tensor<?x?x16xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x16xf32>
}

// -----

// LLVM-LABEL: llvm.func @ffn_grad_3d(
//   LLVM-NOT:   memref.
//   LLVM-NOT:   ffn.
//       LLVM:   llvm.return
//        CPU: llvm.func @glu_entry_ffn_grad_3d(
//       CUDA: llvm.func @glu_entry_ffn_grad_3d(
// VIEW-LABEL: func.func @ffn_grad_3d(
//       VIEW:   memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%{{.*}}, %{{.*}}, %{{.*}}, 16], strides: [%{{.*}}, %{{.*}}, 16, 1] : memref<f32> to memref<?x?x?x16xf32>
//   VIEW-NOT:   memref.expand_shape
func.func @ffn_grad_3d(%x: tensor<?x?x?x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x8xf32>, %dy: tensor<?x?x?x8xf32>, %b1: tensor<32xf32>, %b2: tensor<8xf32>) -> (tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<32x8xf32>, tensor<32xf32>, tensor<8xf32>) {
  %dx, %dw1, %dw2, %db1, %db2 = ffn.ffn_grad swish %x, %w1, %w2, %dy b1(%b1) b2(%b2) : (tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<32x8xf32>, tensor<?x?x?x8xf32>, tensor<32xf32>, tensor<8xf32>) -> (tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<32x8xf32>, tensor<32xf32>, tensor<8xf32>)
  return %dx, %dw1, %dw2, %db1, %db2 : tensor<?x?x?x16xf32>, tensor<16x32xf32>, tensor<32x8xf32>, tensor<32xf32>, tensor<8xf32>
}
