// RUN: glu-opt %s --glu-cpu-gemm -split-input-file | FileCheck %s
// RUN: glu-opt %s --glu-cpu-gemm="tile-rows=32 tile-cols=64 tile-k=128 micro-rows=4" -split-input-file | FileCheck %s --check-prefix=TILES

// The gated GEMM: operands enter as read-only strided buffers, the result
// is a fresh allocation; an scf.parallel over row tiles x packed blocks;
// per micro-column (a columns c.., b columns c + width..) and K block, the
// the weight's a and b vectors of the K block are first packed side by side
// (masked loads, zero past the edge) into a per-thread KC x 32 panel, then
// the micro-rows' accumulators are carried by the k loop of unmasked loads of
// the panel, broadcasts of x and vector.fma; the epilogue (bias, swish, product) runs
// on the accumulators inside the tile, before the masked store of h.

// CHECK-LABEL: func.func @gated_swish_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<67x130xf32>, %[[P:.*]]: tensor<130x260xf32>, %[[BIAS:.*]]: tensor<260xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C66:.*]] = arith.constant 66 : index
// CHECK-DAG:     %[[C67:.*]] = arith.constant 67 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<67x130xf32> to memref<67x130xf32, strided<[?, 1], offset: ?>>
// CHECK:         %[[PB:.*]] = bufferization.to_buffer %[[P]] read_only
// CHECK:         %[[BB:.*]] = bufferization.to_buffer %[[BIAS]] read_only : tensor<260xf32> to memref<260xf32, strided<[1], offset: ?>>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<67x130xf32>
// CHECK:         scf.parallel (%[[I0:.*]], %[[J0:.*]]) = (%[[C0]], %[[C0]]) to (%[[C67]], %[[C3]]) step (%[[C66]], %[[C2]]) {
// CHECK:           memref.alloca_scope {
// CHECK:             memref.alloca() : memref<66x32xf32>
// CHECK:             %[[PACK:.*]] = memref.alloca() {alignment = 64 : i64} : memref<256x32xf32>
// CHECK:             scf.for %[[J:.*]] = %[[J0]] to
// CHECK:               scf.for %[[C:.*]] = %[[C0]] to %[[WIDTH:.*]] step
// CHECK:                 %[[ACOL:.*]] = arith.addi %{{.*}}, %[[C]] : index
// CHECK:                 %[[BCOL:.*]] = arith.addi %[[ACOL]], %[[WIDTH]] : index
// CHECK:                 %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:                 scf.for %[[KC:.*]] = %[[C0]] to
// CHECK:                   %[[PACKED:.*]] = arith.cmpi sge, %{{.*}}, %c6 : index
// CHECK-NEXT:              scf.if %[[PACKED]] {
// CHECK-NEXT:                scf.for %[[PK:.*]] = %[[KC]] to %{{.*}} step %[[C1]] {
// CHECK-NEXT:                  %[[PKK:.*]] = arith.subi %[[PK]], %[[KC]] : index
// CHECK-NEXT:                  %[[PA:.*]] = vector.maskedload %[[PB]][%[[PK]], %[[ACOL]]], %[[MASK]], %[[ZERO:.*]] :
// CHECK-NEXT:                  vector.store %[[PA]], %[[PACK]][%[[PKK]], %[[C0]]] : memref<256x32xf32>, vector<16xf32>
// CHECK-NEXT:                  %[[PL:.*]] = vector.maskedload %[[PB]][%[[PK]], %[[BCOL]]], %[[MASK]], %[[ZERO]] :
// CHECK-NEXT:                  vector.store %[[PL]], %[[PACK]][%[[PKK]], %[[C16:.*]]] : memref<256x32xf32>, vector<16xf32>
// CHECK-NEXT:                }
// CHECK-NEXT:              }
// CHECK:                   scf.for %[[R0:.*]] = %[[I0]] to
// CHECK:                     %[[INIT:.*]]:12 = scf.if
// CHECK:                     %[[ACC:.*]]:12 = scf.for %[[K:.*]] = %[[KC]] to %{{.*}} step %[[C1]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>,
// CHECK-NEXT:                  %[[KK:.*]] = arith.subi %[[K]], %[[KC]] : index
// CHECK-NEXT:                  %[[WA:.*]] = vector.load %[[PACK]][%[[KK]], %[[C0]]] : memref<256x32xf32>, vector<16xf32>
// CHECK-NEXT:                  %[[WB:.*]] = vector.load %[[PACK]][%[[KK]], %[[C16]]] : memref<256x32xf32>, vector<16xf32>
// CHECK:                       %[[XS:.*]] = memref.load %[[XB]][%{{.*}}, %[[K]]]
// CHECK:                       %[[XV:.*]] = vector.broadcast %[[XS]] : f32 to vector<16xf32>
// CHECK:                       vector.fma %[[XV]], %[[WA]], %{{.*}} : vector<16xf32>
// CHECK:                       vector.fma %[[XV]], %[[WB]], %{{.*}} : vector<16xf32>
// CHECK:                       scf.yield
// CHECK:                     scf.if %{{.*}} {
// CHECK:                       %[[BA:.*]] = vector.maskedload %[[BB]][%[[ACOL]]], %[[MASK]]
// CHECK:                       %[[BL:.*]] = vector.maskedload %[[BB]][%[[BCOL]]], %[[MASK]]
// CHECK:                       %[[A:.*]] = arith.addf %[[ACC]]#0, %[[BA]] : vector<16xf32>
// CHECK:                       %[[LIN:.*]] = arith.addf %[[ACC]]#1, %[[BL]] : vector<16xf32>
// CHECK:                       math.exp {{.*}} : vector<16xf32>
// CHECK:                       %[[H:.*]] = arith.mulf %{{.*}}, %[[LIN]] : vector<16xf32>
// CHECK:                       vector.maskedstore %[[OUT]][%{{.*}}, %{{.*}}], %[[MASK]], %[[H]]
// CHECK:                     } else {
// CHECK:                       vector.store %[[ACC]]#0
// The rows left after whole micro-tiles: a one-row kernel, 2 accumulators,
// reading the packed panel, or the weight when the tile has no whole
// micro-tile (and so packed nothing).
// CHECK:                   scf.if %[[PACKED]] {
// CHECK-NEXT:                scf.for %{{.*}} = %[[FULLEND:.*]] to %[[ROWEND:.*]] step %[[C1]] {
// CHECK:                       scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK:                       scf.for %[[K1:.*]] = %[[KC]] to %{{.*}} step %[[C1]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    %[[KK1:.*]] = arith.subi %[[K1]], %[[KC]] : index
// CHECK-NEXT:                    vector.load %[[PACK]][%[[KK1]], %[[C0]]]
// CHECK-NEXT:                    vector.load %[[PACK]][%[[KK1]], %[[C16]]]
// CHECK:                     vector.store %{{.*}}, %{{.*}}[%{{.*}}, %[[C16]]] : memref<66x32xf32>
// CHECK-NEXT:                  }
// CHECK-NEXT:                }
// CHECK-NEXT:              } else {
// CHECK-NEXT:                scf.for %{{.*}} = %[[FULLEND]] to %[[ROWEND]] step %[[C1]] {
// CHECK:                       scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK:                       scf.for %[[K2:.*]] = %[[KC]] to %{{.*}} step %[[C1]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    vector.maskedload %[[PB]][%[[K2]], %[[ACOL]]], %[[MASK]]
// CHECK-NEXT:                    vector.maskedload %[[PB]][%[[K2]], %[[BCOL]]], %[[MASK]]
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<67x130xf32> to tensor<67x130xf32>
// CHECK:         return %[[R]]
// CHECK-NOT:     ffn.gated_matmul

// TILES-LABEL: func.func @gated_swish_bias
// TILES:         scf.parallel {{.*}} step (%c32, %c1)
// TILES:           memref.alloca() : memref<32x32xf32>
// TILES:           scf.for {{.*}} step %c128
// TILES:             scf.for {{.*}} step %c4
// TILES:               scf.if {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
func.func @gated_swish_bias(%x: tensor<67x130xf32>, %p: tensor<130x260xf32>, %bias: tensor<260xf32>) -> tensor<67x130xf32> {
  %e = tensor.empty() : tensor<67x130xf32>
  %h = ffn.gated_matmul swish block_size(64)
      ins(%x, %p, %bias : tensor<67x130xf32>, tensor<130x260xf32>, tensor<260xf32>)
      outs(%e : tensor<67x130xf32>) -> tensor<67x130xf32>
  return %h : tensor<67x130xf32>
}

// -----

// A plain matmul into a zero fill starts its accumulators from the fill's
// value; its two vectors are 16 adjacent columns each, stored as they are.

// CHECK-LABEL: func.func @matmul_fill
// CHECK-SAME:    (%[[A:.*]]: tensor<3x5xf32>, %[[B:.*]]: tensor<5x40xf32>)
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK:         scf.parallel
// CHECK:           scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %c32
// CHECK:             %[[C16:.*]] = arith.addi %[[C]], %c16 : index
// CHECK:             scf.if %{{.*}} -> (vector<16xf32>
// CHECK-NEXT:          scf.yield %[[ZERO]], %[[ZERO]],
// CHECK:             vector.fma
// CHECK:             scf.if
// CHECK:               vector.maskedstore %{{.*}}[%{{.*}}, %[[C]]]
// CHECK:               vector.maskedstore %{{.*}}[%{{.*}}, %[[C16]]]
// CHECK-NOT:     linalg.matmul
// CHECK-NOT:     linalg.fill
func.func @matmul_fill(%a: tensor<3x5xf32>, %b: tensor<5x40xf32>) -> tensor<3x40xf32> {
  %e = tensor.empty() : tensor<3x40xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x40xf32>) -> tensor<3x40xf32>
  %r = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x40xf32>) outs(%f : tensor<3x40xf32>) -> tensor<3x40xf32>
  return %r : tensor<3x40xf32>
}

// -----

// The backward's transposed forms: a transposed rhs [N, K] is copied to
// [K, N] once (a parallel copy over 32 x 32 tiles); a transposed lhs [K, M]
// is read in place, x[k, row]. A non-fill init is read as the accumulators'
// start.

// CHECK-LABEL: func.func @matmul_transposed_rhs
// CHECK-SAME:    (%{{.*}}: tensor<3x130xf32>, %[[B:.*]]: tensor<5x130xf32>,
// CHECK:         %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK:         %[[T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x5xf32>
// CHECK:         scf.parallel (%[[TI:.*]], %[[TJ:.*]]) = {{.*}} step (%c32, %c32) {
// CHECK:           scf.for %[[I:.*]] = %[[TI]] to
// CHECK:             scf.for %[[J:.*]] = %[[TJ]] to
// CHECK:               %[[E:.*]] = memref.load %[[BB]][%[[J]], %[[I]]]
// CHECK:               memref.store %[[E]], %[[T]][%[[I]], %[[J]]]
// CHECK:         scf.parallel
// CHECK:           vector.maskedload %[[T]]
// CHECK-NOT:     linalg.matmul
// CHECK-NOT:     linalg.transpose
func.func @matmul_transposed_rhs(%a: tensor<3x130xf32>, %b: tensor<5x130xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<3x130xf32>, tensor<5x130xf32>) outs(%c : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @matmul_transposed_lhs
// CHECK-SAME:    (%[[A:.*]]: tensor<130x3xf32>, %{{.*}}: tensor<130x5xf32>, %[[C:.*]]: tensor<3x5xf32>)
// CHECK:         %[[AB:.*]] = bufferization.to_buffer %[[A]] read_only
// CHECK:         %[[CB:.*]] = bufferization.to_buffer %[[C]] read_only
// CHECK:         scf.if
// CHECK:           vector.maskedload %[[CB]]
// CHECK:         scf.for %[[K:[a-z0-9]+]] =
// CHECK:           memref.load %[[AB]][%[[K]], %{{.*}}]
// CHECK-NOT:     linalg.transpose
func.func @matmul_transposed_lhs(%a: tensor<130x3xf32>, %b: tensor<130x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<130x3xf32>, tensor<130x5xf32>) outs(%c : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// -----

// ffn.activated_matmul: the activation (and bias) on each accumulator.

// CHECK-LABEL: func.func @activated_gelu
// CHECK:         scf.parallel
// CHECK:           scf.if
// CHECK:             arith.addf {{.*}} : vector<16xf32>
// CHECK:             math.erf {{.*}} : vector<16xf32>
// CHECK:             vector.maskedstore
// CHECK-NOT:     ffn.activated_matmul
func.func @activated_gelu(%x: tensor<8x16xf32>, %w: tensor<16x40xf32>, %b: tensor<40xf32>) -> tensor<8x40xf32> {
  %e = tensor.empty() : tensor<8x40xf32>
  %h = ffn.activated_matmul gelu ins(%x, %w, %b : tensor<8x16xf32>, tensor<16x40xf32>, tensor<40xf32>)
      outs(%e : tensor<8x40xf32>) -> tensor<8x40xf32>
  return %h : tensor<8x40xf32>
}

// -----

// Kept pre-activations: the gated epilogue also stores the biased
// accumulators of the micro-column's a and b vectors to the packed columns
// it read, in the same masked stores' place, then gates them.

// CHECK-LABEL: func.func @gated_kept_preactivations
// CHECK:         %[[H:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x6xf32>
// CHECK:         %[[AB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x12xf32>
// CHECK:         scf.parallel
// CHECK:           scf.if
// CHECK:             %[[A:.*]] = arith.addf {{.*}} : vector<16xf32>
// CHECK:             %[[B:.*]] = arith.addf {{.*}} : vector<16xf32>
// CHECK:             vector.maskedstore %[[AB]][{{.*}}], {{.*}}, %[[A]]
// CHECK:             vector.maskedstore %[[AB]][{{.*}}], {{.*}}, %[[B]]
// CHECK:             vector.maskedstore %[[H]]
// CHECK-NOT:     ffn.gated_matmul
// CHECK:         %[[HT:.*]] = bufferization.to_tensor %[[H]]
// CHECK:         %[[ABT:.*]] = bufferization.to_tensor %[[AB]]
// CHECK:         return %[[HT]], %[[ABT]]
func.func @gated_kept_preactivations(%x: tensor<8x16xf32>, %p: tensor<16x12xf32>, %b: tensor<12xf32>) -> (tensor<8x6xf32>, tensor<8x12xf32>) {
  %e = tensor.empty() : tensor<8x6xf32>
  %e2 = tensor.empty() : tensor<8x12xf32>
  %h, %ab = ffn.gated_matmul swish block_size(4) ins(%x, %p, %b : tensor<8x16xf32>, tensor<16x12xf32>, tensor<12xf32>)
      outs(%e : tensor<8x6xf32>) preactivations(%e2 : tensor<8x12xf32>) -> tensor<8x6xf32>, tensor<8x12xf32>
  return %h, %ab : tensor<8x6xf32>, tensor<8x12xf32>
}

// -----

// Left alone: other element types (convert-ffn-to-linalg lowers them), and
// matmuls on buffers.

// CHECK-LABEL: func.func @f64_left_alone
// CHECK:         ffn.gated_matmul
// CHECK:         linalg.matmul
// CHECK-NOT:     scf.parallel
func.func @f64_left_alone(%x: tensor<4x8xf64>, %p: tensor<8x16xf64>, %a: memref<4x8xf32>, %b: memref<8x8xf32>, %c: memref<4x8xf32>) -> tensor<4x8xf64> {
  %e = tensor.empty() : tensor<4x8xf64>
  %h = ffn.gated_matmul relu block_size(4) ins(%x, %p : tensor<4x8xf64>, tensor<8x16xf64>)
      outs(%e : tensor<4x8xf64>) -> tensor<4x8xf64>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x8xf32>) outs(%c : memref<4x8xf32>)
  return %h : tensor<4x8xf64>
}
