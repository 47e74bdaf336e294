// RUN: glu-opt %s --glu-cpu-gemm="tile-rows=64" -split-input-file | FileCheck %s
// (64-row tiles, not the default 128, as in glu-cpu-gemm.mlir.)

// The fused backward's ops in glu-cpu-gemm: ffn.dgate_matmul and
// ffn.dactivation_matmul are the register-tiled GEMM dy x W2^T (W2 copied
// transposed once by a parallel loop nest) with their epilogue on the
// accumulators inside the tile, before the masked stores; ffn.apply_gate,
// ffn.pack_gated and ffn.unpack_gated are parallel loop nests of 16-lane
// vectors over rows x packed blocks. No linalg (and so no scalar epilogue
// loop) is left.

// dgate, block 48 of d_ff 100 (two full blocks, a ragged one of 4), 130
// rows (fewer read W2 by dot products, glu-cpu-gemm-few-rows.mlir): per
// micro-column two dh vectors of one block; a and b are read from [a | b]
// at the a columns and `width` further, da and db stored there.

// CHECK-LABEL: func.func @dgate_gelu
// CHECK-SAME:    (%[[DY:.*]]: tensor<130x130xf32>, %[[W2:.*]]: tensor<100x130xf32>, %[[AB:.*]]: tensor<130x200xf32>)
// CHECK:         %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK:         %[[W2B:.*]] = bufferization.to_buffer %[[W2]] read_only
// CHECK:         %[[W2T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x100xf32>
// CHECK:         scf.parallel
// CHECK:           memref.load %[[W2B]]
// CHECK:           memref.store %{{.*}}, %[[W2T]]
// CHECK:         %[[ABB:.*]] = bufferization.to_buffer %[[AB]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x200xf32>
// CHECK:         scf.parallel
// CHECK:           memref.alloca_scope {
// CHECK:             %[[SCRATCH:.*]] = memref.alloca() : memref<6x66x32xf32>
// CHECK:             %[[PACK:.*]] = memref.alloca() {alignment = 64 : i64} : memref<6x256x32xf32>
// CHECK:             %[[PACKED:.*]] = arith.cmpi sge, %{{.*}}, %c6 : index
// CHECK:             scf.for %[[KC:.*]] = %c0 to
// CHECK:               scf.if %[[PACKED]] {
// CHECK-NEXT:            scf.for %[[PK:.*]] = %[[KC]] to %{{.*}} step %c1 {
// CHECK-NEXT:              %[[PKK:.*]] = arith.subi %[[PK]], %[[KC]] : index
// CHECK:                   scf.for %[[PC:.*]] = %c0 to %{{.*}} step %c32 {
// CHECK:                     %[[PSUB:.*]] = arith.divui %[[PC]], %c32 : index
// CHECK-NEXT:                %[[PSLOT:.*]] = arith.addi %{{.*}}, %[[PSUB]] : index
// CHECK:                     %[[W:.*]]:2 = scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                  vector.load %[[W2T]][%[[PK]], %{{.*}}]
// CHECK-NEXT:                  vector.load %[[W2T]][%[[PK]], %{{.*}}]
// CHECK:                     } else {
// CHECK:                       vector.maskedload %[[W2T]][%[[PK]], %{{.*}}]
// CHECK:                       vector.maskedload %[[W2T]][%[[PK]], %{{.*}}]
// CHECK:                     }
// CHECK-NEXT:                vector.store %[[W]]#0, %[[PACK]][%[[PSLOT]], %[[PKK]], %c0]
// CHECK-NEXT:                vector.store %[[W]]#1, %[[PACK]][%[[PSLOT]], %[[PKK]], %c16]
// CHECK:               scf.for %[[J:.*]] = %{{.*}} to
// CHECK:                 %[[FIRST:.*]] = arith.muli %[[J]], %c48
// CHECK:                 %[[WIDTH:.*]] = arith.minsi
// CHECK:                 %[[BASE:.*]] = arith.muli %[[FIRST]], %c2
// CHECK:                 scf.for %[[C:.*]] = %c0 to %[[WIDTH]] step %c32
// CHECK:                   %[[ACOL:.*]] = arith.addi %[[BASE]], %[[C]]
// CHECK:                   %[[SUB:.*]] = arith.divui %[[C]], %c32 : index
// CHECK-NEXT:              %[[SLOT:.*]] = arith.addi %{{.*}}, %[[SUB]] : index
// CHECK-NEXT:              %[[MASK:.*]] = vector.create_mask
// CHECK-NEXT:              %[[MASK1:.*]] = vector.create_mask
// CHECK:                   %[[ACC:.*]]:12 = scf.for %[[K:.*]] = %[[KC]] to
// CHECK-NEXT:                %[[KK:.*]] = arith.subi %[[K]], %[[KC]] : index
// CHECK-NEXT:                vector.load %[[PACK]][%[[SLOT]], %[[KK]], %c0]
// CHECK-NEXT:                vector.load %[[PACK]][%[[SLOT]], %[[KK]], %c16]
// CHECK:                     memref.load %[[DYB]][%{{.*}}, %[[K]]]
// CHECK:                     vector.fma
// CHECK:                   scf.if %{{.*}} {
// CHECK:                     %[[BCOL:.*]] = arith.addi %[[ACOL]], %[[WIDTH]]
// CHECK:                     %[[A:.*]] = vector.maskedload %[[ABB]][%{{.*}}, %[[ACOL]]], %[[MASK]]
// CHECK:                     %[[B:.*]] = vector.maskedload %[[ABB]][%{{.*}}, %[[BCOL]]], %[[MASK]]
// CHECK:                     %[[DHB:.*]] = arith.mulf %[[ACC]]#0, %[[B]] : vector<16xf32>
// CHECK:                     math.erf %{{.*}} : vector<16xf32>
// CHECK:                     math.exp %{{.*}} : vector<16xf32>
// CHECK:                     %[[DA:.*]] = arith.mulf %[[DHB]], %{{.*}} : vector<16xf32>
// CHECK:                     %[[DB:.*]] = arith.mulf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// CHECK:                     vector.maskedstore %[[OUT]][%{{.*}}, %[[ACOL]]], %[[MASK]], %[[DA]]
// CHECK:                     vector.maskedstore %[[OUT]][%{{.*}}, %[[BCOL]]], %[[MASK]], %[[DB]]
// CHECK:                   } else {
// CHECK:                     vector.store %[[ACC]]#0, %[[SCRATCH]][%[[SLOT]], %{{.*}}, %c0]
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         return %[[R]]
// CHECK-NOT:     linalg.
// CHECK-NOT:     ffn.
func.func @dgate_gelu(%dy: tensor<130x130xf32>, %w2: tensor<100x130xf32>, %ab: tensor<130x200xf32>) -> tensor<130x200xf32> {
  %init = tensor.empty() : tensor<130x200xf32>
  %r = ffn.dgate_matmul gelu block_size(48) ins(%dy, %w2, %ab : tensor<130x130xf32>, tensor<100x130xf32>, tensor<130x200xf32>) outs(%init : tensor<130x200xf32>) -> tensor<130x200xf32>
  return %r : tensor<130x200xf32>
}

// -----

// dactivation: da = dh * swish'(a), a read at the output's columns.

// CHECK-LABEL: func.func @dactivation_swish
// CHECK-SAME:    (%{{.*}}: tensor<130x130xf32>, %{{.*}}: tensor<100x130xf32>, %[[A:.*]]: tensor<130x100xf32>)
// CHECK:         %[[AB:.*]] = bufferization.to_buffer %[[A]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x100xf32>
// CHECK:         scf.parallel
// CHECK:           %[[ACC:.*]]:12 = scf.for
// CHECK:             vector.fma
// CHECK:           scf.if %{{.*}} {
// CHECK:             %[[PRE:.*]] = vector.maskedload %[[AB]][%[[ROW:.*]], %[[COL:.*]]], %[[MASK:.*]], %{{.*}}
// CHECK:             math.exp %{{.*}} : vector<16xf32>
// CHECK:             %[[DA:.*]] = arith.mulf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// CHECK:             vector.maskedstore %[[OUT]][%[[ROW]], %[[COL]]], %[[MASK]], %[[DA]]
// CHECK-NOT:     linalg.
// CHECK-NOT:     ffn.
func.func @dactivation_swish(%dy: tensor<130x130xf32>, %w2: tensor<100x130xf32>, %a: tensor<130x100xf32>) -> tensor<130x100xf32> {
  %init = tensor.empty() : tensor<130x100xf32>
  %r = ffn.dactivation_matmul swish ins(%dy, %w2, %a : tensor<130x130xf32>, tensor<100x130xf32>, tensor<130x100xf32>) outs(%init : tensor<130x100xf32>) -> tensor<130x100xf32>
  return %r : tensor<130x100xf32>
}

// -----

// apply_gate: rows x blocks in parallel, 16 lanes of a and b a step.

// CHECK-LABEL: func.func @apply_gate_gelu
// CHECK-SAME:    (%[[AB:.*]]: tensor<67x200xf32>)
// CHECK:         %[[ABB:.*]] = bufferization.to_buffer %[[AB]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<67x100xf32>
// CHECK:         scf.parallel (%[[ROW:.*]], %[[J:.*]]) = (%c0, %c0) to (%c67, %c3) step (%c1, %c1) {
// CHECK:           %[[FIRST:.*]] = arith.muli %[[J]], %c48
// CHECK:           %[[WIDTH:.*]] = arith.minsi
// CHECK:           scf.for %[[C:.*]] = %c0 to %[[WIDTH]] step %c16 {
// CHECK:             %[[MASK:.*]] = vector.create_mask
// CHECK:             %[[A:.*]] = vector.maskedload %[[ABB]][%[[ROW]], %{{.*}}], %[[MASK]]
// CHECK:             %[[B:.*]] = vector.maskedload %[[ABB]][%[[ROW]], %{{.*}}], %[[MASK]]
// CHECK:             math.erf %{{.*}} : vector<16xf32>
// CHECK:             %[[H:.*]] = arith.mulf %{{.*}}, %[[B]] : vector<16xf32>
// CHECK:             vector.maskedstore %[[OUT]][%[[ROW]], %{{.*}}], %[[MASK]], %[[H]]
// CHECK-NOT:     linalg.
// CHECK-NOT:     ffn.
func.func @apply_gate_gelu(%ab: tensor<67x200xf32>) -> tensor<67x100xf32> {
  %h = ffn.apply_gate gelu block_size(48) %ab : tensor<67x200xf32> -> tensor<67x100xf32>
  return %h : tensor<67x100xf32>
}

// -----

// pack_gated and unpack_gated: 16-lane vector copies of each block's gate
// and linear columns; a packed bias (rank 1) has no row loop.

// CHECK-LABEL: func.func @pack_unpack
// CHECK:         %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x200xf32>
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c130, %c3)
// CHECK:           scf.for
// CHECK:             vector.maskedload
// CHECK:             vector.maskedstore %[[P]]
// CHECK:             vector.maskedload
// CHECK:             vector.maskedstore %[[P]]
// CHECK:         %[[G:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x100xf32>
// CHECK:         %[[L:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x100xf32>
// CHECK:         scf.parallel
// CHECK:             vector.maskedstore %[[G]]
// CHECK:             vector.maskedstore %[[L]]
// CHECK:         %[[PB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<200xf32>
// CHECK:         scf.parallel (%{{.*}}) = (%c0) to (%c3)
// CHECK:             vector.maskedstore %[[PB]]
// CHECK-NOT:     linalg.
// CHECK-NOT:     ffn.
func.func @pack_unpack(%w: tensor<130x100xf32>, %v: tensor<130x100xf32>, %p: tensor<130x200xf32>, %bw: tensor<100xf32>, %bv: tensor<100xf32>) -> (tensor<130x200xf32>, tensor<130x100xf32>, tensor<130x100xf32>, tensor<200xf32>) {
  %r = ffn.pack_gated %w, %v block_size(48) : tensor<130x100xf32>, tensor<130x100xf32> -> tensor<130x200xf32>
  %g, %l = ffn.unpack_gated %p block_size(48) : tensor<130x200xf32> -> tensor<130x100xf32>, tensor<130x100xf32>
  %b = ffn.pack_gated %bw, %bv block_size(48) : tensor<100xf32>, tensor<100xf32> -> tensor<200xf32>
  return %r, %g, %l, %b : tensor<130x200xf32>, tensor<130x100xf32>, tensor<130x100xf32>, tensor<200xf32>
}

// -----

// Column sums (the bias gradients): a parallel nest over stripes of 4 x 16
// columns, the rows summed into 4 vector accumulators started from the init.

// CHECK-LABEL: func.func @column_sums
// CHECK-SAME:    (%[[M:.*]]: tensor<67x130xf32>)
// CHECK:         %[[MB:.*]] = bufferization.to_buffer %[[M]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130xf32>
// CHECK:         scf.parallel (%{{.*}}) = (%c0) to (%c130) step (%c64) {
// CHECK:           %[[S:.*]]:4 = scf.for %[[R:.*]] = %c0 to %c67 step %c1 iter_args(
// CHECK-COUNT-4:     vector.maskedload %[[MB]][%[[R]], %{{.*}}]
// CHECK:           }
// CHECK-COUNT-4:   vector.maskedstore %[[OUT]]
// CHECK-NOT:     linalg.reduce
func.func @column_sums(%m: tensor<67x130xf32>) -> tensor<130xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<130xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<130xf32>) -> tensor<130xf32>
  %r = linalg.reduce ins(%m : tensor<67x130xf32>) outs(%i : tensor<130xf32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  return %r : tensor<130xf32>
}
