// RUN: glu-opt %s -split-input-file --glu-gpu-gemm | FileCheck %s
// RUN: glu-opt %s -split-input-file --glu-gpu-gemm=matmuls=false | FileCheck %s --check-prefix=GATED-ONLY

// The fused ops besides ffn.gated_matmul: the backward GEMMs and the
// activated GEMM become the tiled GEMM kernel (64 x 64 tile, 256 threads,
// K staged in workgroup memory between two barriers) with their epilogue on
// registers right before the only stores; ffn.apply_gate becomes one
// elementwise kernel of 32 x 8 threads.

// dgate: dh = dy W2^T (W2 read transposed), then for each dh column c in
// packed block j = c / B at i = c % B (width w = min(B, F - jB)): a and b are
// read at the packed columns 2jB + i and 2jB + i + w, and da, db are stored
// there. dh and [a | b]'s gradient halves never get their own buffer.

// CHECK-LABEL: func.func @dgate
//  CHECK-SAME:   %[[DY:[^:]+]]: tensor<5x12xf32>, %[[W2:[^:]+]]: tensor<10x12xf32>, %[[AB:[^:]+]]: tensor<5x20xf32>
//       CHECK:   %[[DYM:.*]] = bufferization.to_buffer %[[DY]] read_only
//       CHECK:   %[[W2M:.*]] = bufferization.to_buffer %[[W2]] read_only
//       CHECK:   %[[ABM:.*]] = bufferization.to_buffer %[[AB]] read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<5x20xf32>
//   CHECK-NOT:   memref.alloc
//       CHECK:   gpu.launch blocks
//  CHECK-SAME:     threads(%{{.*}}) in (%{{[^ ]*}} = %c256,
//  CHECK-SAME:     workgroup(%[[AS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %[[BS:[^ ]*]] : memref<16x65xf32, #gpu.address_space<workgroup>>) {
//       CHECK:     %[[ACC:.*]]:16 = scf.for %{{.*}} = %c0{{.*}} to %c12{{.*}} step %c16
//       CHECK:       memref.load %[[DYM]]
//       CHECK:       memref.store %{{.*}}, %[[AS]]
//       CHECK:       memref.load %[[W2M]]
//       CHECK:       memref.store %{{.*}}, %[[BS]]
//       CHECK:       gpu.barrier
//   CHECK-NOT:       memref.store
//       CHECK:       math.fma
//   CHECK-NOT:       memref.store
//       CHECK:       gpu.barrier
//  CHECK-NEXT:       scf.yield
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//       CHECK:       %[[J:.*]] = arith.divui %[[COL:[0-9a-z_]+]], %c4
//       CHECK:       %[[START:.*]] = arith.muli %[[J]], %c4
//       CHECK:       %[[I:.*]] = arith.remui %[[COL]], %c4
//       CHECK:       %[[CLAMPED:.*]] = arith.minui %[[START]], %c10
//       CHECK:       %[[REST:.*]] = arith.subi %c10, %[[CLAMPED]]
//       CHECK:       %[[WIDTH:.*]] = arith.minui %c4, %[[REST]]
//       CHECK:       %[[TWICE:.*]] = arith.addi %[[START]], %[[START]]
//       CHECK:       %[[GC:.*]] = arith.addi %[[TWICE]], %[[I]]
//       CHECK:       %[[LC:.*]] = arith.addi %[[GC]], %[[WIDTH]]
//       CHECK:       %[[A:.*]] = memref.load %[[ABM]][%[[ROW:[0-9a-z_]+]], %[[GC]]]
//       CHECK:       %[[B:.*]] = memref.load %[[ABM]][%[[ROW]], %[[LC]]]
//       CHECK:       arith.mulf %[[ACC]]#0, %[[B]]
//       CHECK:       math.exp
//       CHECK:       memref.store %{{.*}}, %[[OUT]][%[[ROW]], %[[GC]]]
//  CHECK-NEXT:       memref.store %{{.*}}, %[[OUT]][%[[ROW]], %[[LC]]]
//  CHECK-NEXT:     }
//       CHECK:     gpu.terminator
//       CHECK:   %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]

// GATED-ONLY-LABEL: func.func @dgate
//       GATED-ONLY:   gpu.launch
func.func @dgate(%dy: tensor<5x12xf32>, %w2: tensor<10x12xf32>, %ab: tensor<5x20xf32>) -> tensor<5x20xf32> {
  %e = tensor.empty() : tensor<5x20xf32>
  %r = ffn.dgate_matmul swish block_size(4) ins(%dy, %w2, %ab : tensor<5x12xf32>, tensor<10x12xf32>, tensor<5x20xf32>) outs(%e : tensor<5x20xf32>) -> tensor<5x20xf32>
  return %r : tensor<5x20xf32>
}

// -----

// dactivation: dh = dy W2^T times gelu'(a), a read at the output's place.

// CHECK-LABEL: func.func @dactivation
//       CHECK:   %[[A:.*]] = bufferization.to_buffer %arg2 read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<5x10xf32>
//   CHECK-NOT:   memref.alloc
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%{{[^ ]*}} : memref<16x65xf32, #gpu.address_space<workgroup>>, %{{[^ ]*}} : memref<16x65xf32, #gpu.address_space<workgroup>>) {
//       CHECK:     %[[ACC:.*]]:16 = scf.for
//       CHECK:       gpu.barrier
//       CHECK:       gpu.barrier
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//  CHECK-NEXT:       %[[PRE:.*]] = memref.load %[[A]][%[[ROW:[0-9a-z_]+]], %[[COL:[0-9a-z_]+]]]
//       CHECK:       math.erf
//       CHECK:       math.exp
//       CHECK:       %[[DA:.*]] = arith.mulf %[[ACC]]#0, %{{.*}}
//  CHECK-NEXT:       memref.store %[[DA]], %[[OUT]][%[[ROW]], %[[COL]]]
//  CHECK-NEXT:     }
func.func @dactivation(%dy: tensor<5x12xf32>, %w2: tensor<10x12xf32>, %a: tensor<5x10xf32>) -> tensor<5x10xf32> {
  %e = tensor.empty() : tensor<5x10xf32>
  %r = ffn.dactivation_matmul gelu ins(%dy, %w2, %a : tensor<5x12xf32>, tensor<10x12xf32>, tensor<5x10xf32>) outs(%e : tensor<5x10xf32>) -> tensor<5x10xf32>
  return %r : tensor<5x10xf32>
}

// -----

// activated: relu(x W + bias), the bias read at the output's column.

// CHECK-LABEL: func.func @activated
//       CHECK:   %[[BIAS:.*]] = bufferization.to_buffer %arg2 read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<5x10xf32>
//   CHECK-NOT:   memref.alloc
//       CHECK:   gpu.launch
//       CHECK:     %[[ACC:.*]]:16 = scf.for
//       CHECK:       gpu.barrier
//       CHECK:       gpu.barrier
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//  CHECK-NEXT:       %[[B:.*]] = memref.load %[[BIAS]][%[[COL:[0-9a-z_]+]]]
//  CHECK-NEXT:       %[[PRE:.*]] = arith.addf %[[ACC]]#0, %[[B]]
//  CHECK-NEXT:       %[[H:.*]] = arith.maximumf %[[PRE]], %{{.*}}
//  CHECK-NEXT:       memref.store %[[H]], %[[OUT]][%{{.*}}, %[[COL]]]
//  CHECK-NEXT:     }
func.func @activated(%x: tensor<5x12xf32>, %w: tensor<12x10xf32>, %b: tensor<10xf32>) -> tensor<5x10xf32> {
  %e = tensor.empty() : tensor<5x10xf32>
  %r = ffn.activated_matmul relu ins(%x, %w, %b : tensor<5x12xf32>, tensor<12x10xf32>, tensor<10xf32>) outs(%e : tensor<5x10xf32>) -> tensor<5x10xf32>
  return %r : tensor<5x10xf32>
}

// -----

// apply_gate: one thread per h element, x along the columns (32 x 8
// threads, no workgroup memory, no barrier), rows walked grid-stride.

// CHECK-LABEL: func.func @apply_gate
//       CHECK:   %[[AB:.*]] = bufferization.to_buffer %arg0 read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<5x10xf32>
//       CHECK:   %[[GY:.*]] = arith.minui %{{.*}}, %c65535
//       CHECK:   gpu.launch blocks(%[[BX:[^,]*]], %[[BY:[^,]*]], %{{[^)]*}}) in (%{{[^ ]*}} = %{{[^,]*}}, %[[NBY:[^ ]*]] = %[[GY]], %{{[^)]*}}) threads(%[[TX:[^,]*]], %[[TY:[^,]*]], %{{[^)]*}}) in (%{{[^ ]*}} = %c32, %{{[^ ]*}} = %c8, %{{[^ ]*}} = %c1) {
//   CHECK-NOT:     gpu.barrier
//       CHECK:     %[[X0:.*]] = arith.muli %[[BX]], %c32
//       CHECK:     %[[COL:.*]] = arith.addi %[[X0]], %[[TX]]
//       CHECK:     %[[Y0:.*]] = arith.muli %[[BY]], %c8
//       CHECK:     %[[ROW0:.*]] = arith.addi %[[Y0]], %[[TY]]
//       CHECK:     %[[STRIDE:.*]] = arith.muli %[[NBY]], %c8
//       CHECK:     %[[OK:.*]] = arith.cmpi ult, %[[COL]], %c10
//       CHECK:     scf.if %[[OK]] {
//  CHECK-NEXT:       %[[J:.*]] = arith.divui %[[COL]], %c4
//  CHECK-NEXT:       %[[START:.*]] = arith.muli %[[J]], %c4
//  CHECK-NEXT:       %[[I:.*]] = arith.remui %[[COL]], %c4
//  CHECK-NEXT:       %[[CLAMPED:.*]] = arith.minui %[[START]], %c10
//  CHECK-NEXT:       %[[REST:.*]] = arith.subi %c10, %[[CLAMPED]]
//  CHECK-NEXT:       %[[WIDTH:.*]] = arith.minui %c4, %[[REST]]
//  CHECK-NEXT:       %[[TWICE:.*]] = arith.addi %[[START]], %[[START]]
//  CHECK-NEXT:       %[[GC:.*]] = arith.addi %[[TWICE]], %[[I]]
//  CHECK-NEXT:       %[[LC:.*]] = arith.addi %[[GC]], %[[WIDTH]]
//  CHECK-NEXT:       scf.for %[[ROW:[0-9a-z_]+]] = %[[ROW0]] to %c5 step %[[STRIDE]] {
//       CHECK:         %[[A:.*]] = memref.load %[[AB]][%[[ROW]], %[[GC]]]
//       CHECK:         %[[B:.*]] = memref.load %[[AB]][%[[ROW]], %[[LC]]]
//       CHECK:         math.exp
//       CHECK:         arith.mulf %{{.*}}, %[[B]]
//       CHECK:         memref.store %{{.*}}, %[[OUT]][%[[ROW]], %[[COL]]]
//   CHECK-NOT:     gpu.barrier
//       CHECK:     gpu.terminator
//       CHECK:   bufferization.to_tensor %[[OUT]] restrict writable
func.func @apply_gate(%ab: tensor<5x20xf32>) -> tensor<5x10xf32> {
  %h = ffn.apply_gate sigmoid block_size(4) %ab : tensor<5x20xf32> -> tensor<5x10xf32>
  return %h : tensor<5x10xf32>
}

// -----

// A gated GEMM that keeps its pre-activations (ffn-fuse's decision for a
// train step): ONE gated kernel stores the biased accumulators as the
// packed [a | b] at the gate and linear columns, then h.

// CHECK-LABEL: func.func @kept_preactivations
//       CHECK:   %[[BIAS:.*]] = bufferization.to_buffer %arg2 read_only
//       CHECK:   %[[H:.*]] = memref.alloc() : memref<5x10xf32>
//       CHECK:   %[[AB:.*]] = memref.alloc() : memref<5x20xf32>
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%{{[^ ]*}} : memref<16x65xf32, #gpu.address_space<workgroup>>, %{{[^ ]*}} : memref<16x65xf32, #gpu.address_space<workgroup>>, %{{[^ ]*}} : memref<16x65xf32, #gpu.address_space<workgroup>>) {
//       CHECK:     %[[ACC:.*]]:32 = scf.for
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//       CHECK:       %[[TWICE:.*]] = arith.addi %[[START:.*]], %[[START]] : index
//  CHECK-NEXT:       %[[GC:.*]] = arith.addi %[[TWICE]], %{{.*}} : index
//  CHECK-NEXT:       %[[LC:.*]] = arith.addi %[[GC]], %{{.*}} : index
//       CHECK:       %[[BA:.*]] = memref.load %[[BIAS]][%[[GC]]]
//       CHECK:       %[[A:.*]] = arith.addf %[[ACC]]#0, %[[BA]]
//       CHECK:       %[[BB:.*]] = memref.load %[[BIAS]][%[[LC]]]
//       CHECK:       %[[B:.*]] = arith.addf %[[ACC]]#16, %[[BB]]
//       CHECK:       memref.store %[[A]], %[[AB]][%[[ROW:[0-9a-z_]+]], %[[GC]]]
//  CHECK-NEXT:       memref.store %[[B]], %[[AB]][%[[ROW]], %[[LC]]]
//       CHECK:       math.exp
//       CHECK:       memref.store %{{.*}}, %[[H]][%[[ROW]], %{{.*}}]
//  CHECK-NEXT:     }
//       CHECK:     gpu.terminator
//   CHECK-NOT:   gpu.launch
//       CHECK:   %[[HT:.*]] = bufferization.to_tensor %[[H]]
//       CHECK:   %[[ABT:.*]] = bufferization.to_tensor %[[AB]]
//       CHECK:   return %[[HT]], %[[ABT]]

// GATED-ONLY-LABEL: func.func @kept_preactivations
//       GATED-ONLY:   gpu.launch
func.func @kept_preactivations(%x: tensor<5x12xf32>, %p: tensor<12x20xf32>, %bias: tensor<20xf32>) -> (tensor<5x10xf32>, tensor<5x20xf32>) {
  %h_init = tensor.empty() : tensor<5x10xf32>
  %ab_init = tensor.empty() : tensor<5x20xf32>
  %h, %ab = ffn.gated_matmul swish block_size(4) ins(%x, %p, %bias : tensor<5x12xf32>, tensor<12x20xf32>, tensor<20xf32>) outs(%h_init : tensor<5x10xf32>) preactivations(%ab_init : tensor<5x20xf32>) -> tensor<5x10xf32>, tensor<5x20xf32>
  return %h, %ab : tensor<5x10xf32>, tensor<5x20xf32>
}

// -----

// The ungated counterpart: one activated kernel stores a = x W and act(a).

// CHECK-LABEL: func.func @kept_activated
//       CHECK:   %[[H:.*]] = memref.alloc() : memref<5x10xf32>
//       CHECK:   %[[A:.*]] = memref.alloc() : memref<5x10xf32>
//       CHECK:   gpu.launch
//       CHECK:     %[[ACC:.*]]:16 = scf.for
//       CHECK:     scf.if %{{[0-9a-z_]+}} {
//  CHECK-NEXT:       memref.store %[[ACC]]#0, %[[A]][%[[ROW:[0-9a-z_]+]], %[[COL:[0-9a-z_]+]]]
//  CHECK-NEXT:       %[[R:.*]] = arith.maximumf %[[ACC]]#0, %{{.*}}
//  CHECK-NEXT:       memref.store %[[R]], %[[H]][%[[ROW]], %[[COL]]]
//   CHECK-NOT:   gpu.launch
//       CHECK:   return
func.func @kept_activated(%x: tensor<5x12xf32>, %w: tensor<12x10xf32>) -> (tensor<5x10xf32>, tensor<5x10xf32>) {
  %h_init = tensor.empty() : tensor<5x10xf32>
  %a_init = tensor.empty() : tensor<5x10xf32>
  %h, %a = ffn.activated_matmul relu ins(%x, %w : tensor<5x12xf32>, tensor<12x10xf32>) outs(%h_init : tensor<5x10xf32>) preactivations(%a_init : tensor<5x10xf32>) -> tensor<5x10xf32>, tensor<5x10xf32>
  return %h, %a : tensor<5x10xf32>, tensor<5x10xf32>
}

// -----

// Products are not shared here: the same x P computed by a gated GEMM and
// by a matmul stays two kernels (ffn-fuse, not code generation, decides
// what a train step shares).

// CHECK-LABEL: func.func @not_shared_in_codegen
// CHECK-COUNT-2: gpu.launch
//     CHECK-NOT: gpu.launch
func.func @not_shared_in_codegen(%x: tensor<5x12xf32>, %p: tensor<12x20xf32>) -> (tensor<5x10xf32>, tensor<5x20xf32>) {
  %h_init = tensor.empty() : tensor<5x10xf32>
  %h = ffn.gated_matmul swish block_size(4) ins(%x, %p : tensor<5x12xf32>, tensor<12x20xf32>) outs(%h_init : tensor<5x10xf32>) -> tensor<5x10xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x20xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<5x20xf32>) -> tensor<5x20xf32>
  %ab = linalg.matmul ins(%x, %p : tensor<5x12xf32>, tensor<12x20xf32>) outs(%z : tensor<5x20xf32>) -> tensor<5x20xf32>
  return %h, %ab : tensor<5x10xf32>, tensor<5x20xf32>
}

// -----

// Column sums (bias gradients): one kernel, 32 x 32 threads, each thread
// summing its column over rows ty, ty + 32, ... inside the kernel; the 32
// partial sums of a column meet in workgroup memory after one barrier
// outside every condition, and thread ty = 0 adds them to the init.

// CHECK-LABEL: func.func @column_sum
//       CHECK:   %[[IN:.*]] = bufferization.to_buffer %arg0 read_only
//       CHECK:   %[[INIT:.*]] = bufferization.to_buffer %arg1 read_only
//       CHECK:   %[[OUT:.*]] = memref.alloc() : memref<90xf32>
//       CHECK:   gpu.launch blocks(%[[BX:[^,]*]], %{{[^)]*}}) in (%{{[^ ]*}} = %{{[^,]*}}, %{{[^ ]*}} = %c1, %{{[^)]*}}) threads(%[[TX:[^,]*]], %[[TY:[^,]*]], %{{[^)]*}}) in (%{{[^ ]*}} = %c32, %{{[^ ]*}} = %c32, %{{[^ ]*}} = %c1) workgroup(%[[PART:[^ ]*]] : memref<32x33xf32, #gpu.address_space<workgroup>>) {
//       CHECK:     %[[C0:.*]] = arith.muli %[[BX]], %c32
//       CHECK:     %[[COL:.*]] = arith.addi %[[C0]], %[[TX]]
//       CHECK:     %[[OK:.*]] = arith.cmpi ult, %[[COL]], %c90
//       CHECK:     %[[SUM:.*]] = scf.if %[[OK]] -> (f32) {
//       CHECK:       scf.for %[[ROW:[0-9a-z_]+]] = %[[TY]] to %c67 step %c32 iter_args(%[[ACC:[0-9a-z_]+]] = %{{.*}}) -> (f32) {
//       CHECK:         %[[V:.*]] = memref.load %[[IN]][%[[ROW]], %[[COL]]]
//       CHECK:         arith.addf %[[ACC]], %[[V]]
//       CHECK:     memref.store %[[SUM]], %[[PART]][%[[TY]], %[[TX]]]
//  CHECK-NEXT:     gpu.barrier
//   CHECK-NOT:     gpu.barrier
//       CHECK:     scf.if
//       CHECK:       memref.load %[[INIT]][%[[COL]]]
//       CHECK:       memref.load %[[PART]][%c31, %[[TX]]]
//       CHECK:       memref.store %{{.*}}, %[[OUT]][%[[COL]]]
//   CHECK-NOT:     gpu.barrier
//       CHECK:     gpu.terminator

// GATED-ONLY-LABEL: func.func @column_sum
//       GATED-ONLY:   linalg.reduce
func.func @column_sum(%a: tensor<67x90xf32>, %init: tensor<90xf32>) -> tensor<90xf32> {
  %r = linalg.reduce ins(%a : tensor<67x90xf32>) outs(%init : tensor<90xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<90xf32>
}

// -----

// Other combiners stay linalg.

// CHECK-LABEL: func.func @column_max
//   CHECK-NOT:   gpu.launch
//       CHECK:   linalg.reduce
func.func @column_max(%a: tensor<67x90xf32>, %init: tensor<90xf32>) -> tensor<90xf32> {
  %r = linalg.reduce ins(%a : tensor<67x90xf32>) outs(%init : tensor<90xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.maximumf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<90xf32>
}
