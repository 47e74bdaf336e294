// RUN: glu-opt %s -split-input-file --glu-gpu-gemm | FileCheck %s
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm=matmuls=false | FileCheck %s --check-prefix=GATED-ONLY

// The gated GEMM: one kernel, both halves of each packed block staged in
// workgroup memory, the K loop between two barriers, and the gating
// epilogue (bias, swish, product) on registers right before the only store
// of h. [a | b] has no buffer.

// CHECK-LABEL: func.func @gated
//  CHECK-SAME:   %[[X:[^:]+]]: tensor<5x12xf32>, %[[P:[^:]+]]: tensor<12x20xf32>, %[[BIAS:[^:]+]]: tensor<20xf32>
//       CHECK:   %[[XM:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<5x12xf32> to memref<5x12xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[PM:.*]] = bufferization.to_buffer %[[P]] read_only
//       CHECK:   %[[BM:.*]] = bufferization.to_buffer %[[BIAS]] read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<5x10xf32>
//   CHECK-NOT:   memref.alloc
//       CHECK:   gpu.launch blocks
//  CHECK-SAME:     threads(%{{.*}}) in (%{{[^ ]*}} = %c256,
//  CHECK-SAME:     workgroup(%[[AS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %[[BS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %[[VS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>)
//       CHECK:     %[[ACC:.*]]:32 = scf.for %{{.*}} = %c0{{.*}} to %c12{{.*}} step %c16
//       CHECK:       memref.load %[[XM]]
//       CHECK:       memref.store %{{.*}}, %[[AS]]
//       CHECK:       memref.load %[[PM]]
//       CHECK:       memref.store %{{.*}}, %[[BS]]
//       CHECK:       memref.load %[[PM]]
//       CHECK:       memref.store %{{.*}}, %[[VS]]
//       CHECK:       gpu.barrier
//   CHECK-NOT:       memref.store
//       CHECK:       math.fma
//   CHECK-NOT:       memref.store
//       CHECK:       gpu.barrier
//  CHECK-NEXT:       scf.yield
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//       CHECK:       memref.load %[[BM]]
//       CHECK:       arith.addf %[[ACC]]#0,
//       CHECK:       memref.load %[[BM]]
//       CHECK:       arith.addf %[[ACC]]#16,
//       CHECK:       math.exp
//       CHECK:       arith.mulf
//       CHECK:       memref.store %{{.*}}, %[[OUT]]
//       CHECK:     gpu.terminator
//       CHECK:   %[[H:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[H]]

// GATED-ONLY-LABEL: func.func @gated
//       GATED-ONLY:   gpu.launch
func.func @gated(%x: tensor<5x12xf32>, %p: tensor<12x20xf32>, %bias: tensor<20xf32>) -> tensor<5x10xf32> {
  %e = tensor.empty() : tensor<5x10xf32>
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p, %bias : tensor<5x12xf32>, tensor<12x20xf32>, tensor<20xf32>) outs(%e : tensor<5x10xf32>) -> tensor<5x10xf32>
  return %h : tensor<5x10xf32>
}

// -----

// A plain matmul into zeros: two workgroup tiles, no read of the init.

// CHECK-LABEL: func.func @matmul
//       CHECK:   %[[A:.*]] = bufferization.to_buffer %arg0 read_only
//       CHECK:   %[[B:.*]] = bufferization.to_buffer %arg1 read_only
//   CHECK-NOT:   bufferization.to_buffer
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<70x33xf32>
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%[[AS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %[[BS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>) {
//       CHECK:     %[[ACC:.*]]:16 = scf.for
//       CHECK:       gpu.barrier
//       CHECK:       math.fma
//       CHECK:       gpu.barrier
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//  CHECK-NEXT:       memref.store %[[ACC]]#0, %[[OUT]]
//       CHECK:   bufferization.to_tensor %[[OUT]] restrict writable

// GATED-ONLY-LABEL: func.func @matmul
//   GATED-ONLY-NOT:   gpu.launch
//       GATED-ONLY:   linalg.matmul
func.func @matmul(%a: tensor<70x40xf32>, %b: tensor<40x33xf32>) -> tensor<70x33xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<70x33xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<70x33xf32>) -> tensor<70x33xf32>
  %c = linalg.matmul ins(%a, %b : tensor<70x40xf32>, tensor<40x33xf32>) outs(%z : tensor<70x33xf32>) -> tensor<70x33xf32>
  return %c : tensor<70x33xf32>
}

// -----

// Transposed operands (the forms of LinalgBuilders.cpp) and an init that
// is not zero: the epilogue adds it.

// CHECK-LABEL: func.func @transposed_rhs
//       CHECK:   %[[INIT:.*]] = bufferization.to_buffer %arg2 read_only
//       CHECK:   gpu.launch
//       CHECK:     scf.for %{{.*}} = %c0{{.*}} to %c40{{.*}} step %c16
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//  CHECK-NEXT:       %[[C:.*]] = memref.load %[[INIT]]
//  CHECK-NEXT:       arith.addf %{{.*}}, %[[C]]
func.func @transposed_rhs(%a: tensor<7x40xf32>, %b: tensor<9x40xf32>, %init: tensor<7x9xf32>) -> tensor<7x9xf32> {
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<7x40xf32>, tensor<9x40xf32>) outs(%init : tensor<7x9xf32>) -> tensor<7x9xf32>
  return %c : tensor<7x9xf32>
}

// CHECK-LABEL: func.func @transposed_lhs
//       CHECK:   gpu.launch
//       CHECK:     scf.for %{{.*}} = %c0{{.*}} to %c40{{.*}} step %c16
func.func @transposed_lhs(%a: tensor<40x7xf32>, %b: tensor<40x9xf32>, %init: tensor<7x9xf32>) -> tensor<7x9xf32> {
  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<40x7xf32>, tensor<40x9xf32>) outs(%init : tensor<7x9xf32>) -> tensor<7x9xf32>
  return %c : tensor<7x9xf32>
}

// -----

// Neither f32 nor 16-bit float operands: left alone (bf16 and f16 GEMMs
// are glu-gpu-gemm-mma.mlir's).

// CHECK-LABEL: func.func @i32
//   CHECK-NOT:   gpu.launch
//       CHECK:   linalg.matmul
func.func @i32(%a: tensor<4x4xi32>, %b: tensor<4x4xi32>, %c: tensor<4x4xi32>) -> tensor<4x4xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x4xi32>, tensor<4x4xi32>) outs(%c : tensor<4x4xi32>) -> tensor<4x4xi32>
  return %r : tensor<4x4xi32>
}
