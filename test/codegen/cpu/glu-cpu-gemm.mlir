// RUN: glu-opt %s --glu-cpu-gemm="tile-rows=64" -split-input-file | FileCheck %s
// RUN: glu-opt %s --glu-cpu-gemm="tile-rows=32 tile-cols=64 tile-k=128 micro-rows=4" -split-input-file | FileCheck %s --check-prefix=TILES
// (64-row tiles in the first run, not the default 128, so that a 67-row
// GEMM spans two row tiles, the second of one row.)

// The gated GEMM: operands enter as read-only strided buffers, the result
// is a fresh allocation; an scf.parallel over packed blocks x row tiles
// (column tiles outer, so that row tiles running one after another read the
// same weight columns). Per tile and K block, the tile's weight columns are
// first packed, row by row, into one KC x 32 panel per micro-column (its a
// vector, then its b vector; plain loads, masked loads with zeros past a
// ragged edge), then each micro-column's micro-rows carry their
// accumulators through the k loop of unmasked loads of its panel,
// broadcasts of x and vector.fma; partial sums between K blocks go to the
// micro-column's scratch slot. The epilogue (bias, swish, product) runs on
// the accumulators inside the tile, before the masked store of h.

// CHECK-LABEL: func.func @gated_swish_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<67x130xf32>, %[[P:.*]]: tensor<130x260xf32>, %[[BIAS:.*]]: tensor<260xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C66:.*]] = arith.constant 66 : index
// CHECK-DAG:     %[[C67:.*]] = arith.constant 67 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<67x130xf32> to memref<67x130xf32, strided<[?, 1], offset: ?>>
// CHECK:         %[[PB:.*]] = bufferization.to_buffer %[[P]] read_only
// CHECK:         %[[BB:.*]] = bufferization.to_buffer %[[BIAS]] read_only : tensor<260xf32> to memref<260xf32, strided<[1], offset: ?>>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<67x130xf32>
// CHECK:         scf.parallel (%[[J0:.*]], %[[I0:.*]]) = (%[[C0]], %[[C0]]) to (%[[C3]], %[[C67]]) step (%[[C2]], %[[C66]]) {
// CHECK:           memref.alloca_scope {
// CHECK:             %[[SCRATCH:.*]] = memref.alloca() : memref<8x66x32xf32>
// CHECK:             %[[PACK:.*]] = memref.alloca() {alignment = 64 : i64} : memref<8x256x32xf32>
// CHECK:             %[[PACKED:.*]] = arith.cmpi sge, %{{.*}}, %c6 : index
// CHECK:             scf.for %[[KC:.*]] = %[[C0]] to
// CHECK:               scf.if %[[PACKED]] {
// CHECK-NEXT:            scf.for %[[PK:.*]] = %[[KC]] to %{{.*}} step %[[C1]] {
// CHECK-NEXT:              %[[PKK:.*]] = arith.subi %[[PK]], %[[KC]] : index
// CHECK:                   scf.for %[[PJ:.*]] = %[[J0]] to
// CHECK:                     %[[PBLOCKSLOT:.*]] = arith.muli %{{.*}}, %[[C4]] : index
// CHECK:                     scf.for %[[PC:.*]] = %[[C0]] to %[[PWIDTH:.*]] step %[[C16]] {
// CHECK-NEXT:                  %[[PACOL:.*]] = arith.addi %{{.*}}, %[[PC]] : index
// CHECK-NEXT:                  %[[PBCOL:.*]] = arith.addi %[[PACOL]], %[[PWIDTH]] : index
// CHECK-NEXT:                  %[[PLANES:.*]] = arith.subi %[[PWIDTH]], %[[PC]] : index
// CHECK-NEXT:                  %[[PSUB:.*]] = arith.divui %[[PC]], %[[C16]] : index
// CHECK-NEXT:                  %[[PSLOT:.*]] = arith.addi %[[PBLOCKSLOT]], %[[PSUB]] : index
// CHECK-NEXT:                  %[[WHOLE:.*]] = arith.cmpi sge, %[[PLANES]], %[[C16]] : index
// CHECK-NEXT:                  %[[W:.*]]:2 = scf.if %[[WHOLE]] -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    %[[WA:.*]] = vector.load %[[PB]][%[[PK]], %[[PACOL]]]
// CHECK-NEXT:                    %[[WB:.*]] = vector.load %[[PB]][%[[PK]], %[[PBCOL]]]
// CHECK-NEXT:                    scf.yield %[[WA]], %[[WB]]
// CHECK-NEXT:                  } else {
// CHECK-NEXT:                    %[[PMASK:.*]] = vector.create_mask %[[PLANES]] : vector<16xi1>
// CHECK-NEXT:                    %[[MA:.*]] = vector.maskedload %[[PB]][%[[PK]], %[[PACOL]]], %[[PMASK]], %[[ZERO:.*]] :
// CHECK-NEXT:                    %[[MB:.*]] = vector.maskedload %[[PB]][%[[PK]], %[[PBCOL]]], %[[PMASK]], %[[ZERO]] :
// CHECK-NEXT:                    scf.yield %[[MA]], %[[MB]]
// CHECK-NEXT:                  }
// CHECK-NEXT:                  vector.store %[[W]]#0, %[[PACK]][%[[PSLOT]], %[[PKK]], %[[C0]]] : memref<8x256x32xf32>, vector<16xf32>
// CHECK-NEXT:                  vector.store %[[W]]#1, %[[PACK]][%[[PSLOT]], %[[PKK]], %[[C16]]] : memref<8x256x32xf32>, vector<16xf32>
// CHECK-NEXT:                }
// CHECK-NEXT:              }
// CHECK-NEXT:            }
// CHECK-NEXT:          }
// CHECK:               scf.for %[[J:.*]] = %[[J0]] to
// CHECK:                 scf.for %[[C:.*]] = %[[C0]] to %[[WIDTH:.*]] step %[[C16]] {
// CHECK-NEXT:              %[[ACOL:.*]] = arith.addi %{{.*}}, %[[C]] : index
// CHECK-NEXT:              %[[BCOL:.*]] = arith.addi %[[ACOL]], %[[WIDTH]] : index
// CHECK:                   %[[SUB:.*]] = arith.divui %[[C]], %[[C16]] : index
// CHECK-NEXT:              %[[SLOT:.*]] = arith.addi %{{.*}}, %[[SUB]] : index
// CHECK-NEXT:              %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:                   scf.for %[[R0:.*]] = %[[I0]] to
// CHECK:                     %[[INIT:.*]]:12 = scf.if
// CHECK:                       vector.load %[[SCRATCH]][%[[SLOT]], %{{.*}}, %[[C0]]] : memref<8x66x32xf32>
// CHECK:                     %[[ACC:.*]]:12 = scf.for %[[K:.*]] = %[[KC]] to %{{.*}} step %[[C1]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>,
// CHECK-NEXT:                  %[[KK:.*]] = arith.subi %[[K]], %[[KC]] : index
// CHECK-NEXT:                  %[[PA:.*]] = vector.load %[[PACK]][%[[SLOT]], %[[KK]], %[[C0]]] : memref<8x256x32xf32>, vector<16xf32>
// CHECK-NEXT:                  %[[PL:.*]] = vector.load %[[PACK]][%[[SLOT]], %[[KK]], %[[C16]]] : memref<8x256x32xf32>, vector<16xf32>
// CHECK:                       %[[XS:.*]] = memref.load %[[XB]][%{{.*}}, %[[K]]]
// CHECK:                       %[[XV:.*]] = vector.broadcast %[[XS]] : f32 to vector<16xf32>
// CHECK:                       vector.fma %[[XV]], %[[PA]], %{{.*}} : vector<16xf32>
// CHECK:                       vector.fma %[[XV]], %[[PL]], %{{.*}} : vector<16xf32>
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
// CHECK:                       vector.store %[[ACC]]#0, %[[SCRATCH]][%[[SLOT]], %{{.*}}, %[[C0]]]
// The rows left after whole micro-tiles (here 1 of 67): one kernel of
// exactly that many rows (scf.index_switch on the count), reading the
// packed panel, or the weight when the tile has no whole micro-tile (and
// so packed nothing). Too few accumulators to cover the FMA latency: the
// one-row kernel carries 4 sets over k, k + 1, k + 2, k + 3, a tail loop
// into the first, and sums them in order.
// CHECK:                   scf.if %[[PACKED]] {
// CHECK-NEXT:                %[[LEFT:.*]] = arith.subi %[[ROWEND:.*]], %[[FULLEND:.*]] : index
// CHECK-NEXT:                scf.index_switch %[[LEFT]]
// CHECK-NEXT:                case 1 {
// CHECK:                       %[[MAINEND:.*]] = arith.addi %[[KC]], %{{.*}} : index
// CHECK:                       %[[SETS:.*]]:8 = scf.for %[[K1:.*]] = %[[KC]] to %[[MAINEND]] step %[[C4]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    %[[KK1:.*]] = arith.subi %[[K1]], %[[KC]] : index
// CHECK-NEXT:                    vector.load %[[PACK]][%[[SLOT]], %[[KK1]], %[[C0]]]
// CHECK-NEXT:                    vector.load %[[PACK]][%[[SLOT]], %[[KK1]], %[[C16]]]
// CHECK:                       %[[TAIL:.*]]:2 = scf.for %{{.*}} = %[[MAINEND]] to %{{.*}} step %[[C1]] iter_args(%{{.*}} = %[[SETS]]#0, %{{.*}} = %[[SETS]]#1)
// CHECK:                       %[[S1:.*]] = arith.addf %[[TAIL]]#0, %[[SETS]]#2 : vector<16xf32>
// CHECK-NEXT:                  %[[S2:.*]] = arith.addf %[[S1]], %[[SETS]]#4 : vector<16xf32>
// CHECK-NEXT:                  %[[S3:.*]] = arith.addf %[[S2]], %[[SETS]]#6 : vector<16xf32>
// CHECK:                       vector.store %{{.*}}, %[[SCRATCH]][%[[SLOT]], %{{.*}}, %[[C16]]] : memref<8x66x32xf32>
// CHECK:                     case 5 {
// CHECK:                       scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:                     default {
// A tile without a whole micro-tile packs nothing: 2 .. 5 rows run the
// kernel on the weight itself (masked loads)...
// CHECK:                   } else {
// CHECK-NEXT:                scf.if %[[SEVERAL:.*]] {
// CHECK-NEXT:                  %[[LEFT2:.*]] = arith.subi %[[ROWEND]], %[[FULLEND]] : index
// CHECK-NEXT:                  scf.index_switch %[[LEFT2]]
// CHECK-NEXT:                  case 1 {
// CHECK:                         scf.for %[[K2:.*]] = %[[KC]] to %{{.*}} step %[[C4]] iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                      vector.maskedload %[[PB]][%[[K2]], %[[ACOL]]], %[[MASK]]
// CHECK-NEXT:                      vector.maskedload %[[PB]][%[[K2]], %[[BCOL]]], %[[MASK]]
// ... and one row (decoding) streams the weight: for each group of 4
// rows k .. k + 3, the row's x values are broadcast once, then the tile's
// weight columns of those rows are read in order (4 streams in flight), and
// the row's sums of every micro-column, kept in the scratch tile, take 4
// FMAs per load and store; the rows left after the groups go one at a time.
// The first K block starts the sums (here from zeros), the last one runs
// the epilogue on them.
// CHECK:                 %[[ONE:.*]] = arith.cmpi eq, %{{.*}}, %[[C1]] : index
// CHECK-NEXT:            scf.if %[[ONE]] {
// CHECK-NEXT:              scf.if %[[FIRST:.*]] {
// CHECK:                     vector.store %[[ZERO]], %[[SCRATCH]][
// CHECK:                   scf.for %[[SK:.*]] = %[[KC]] to %{{.*}} step %[[C4]] {
// CHECK-NEXT:                %[[SX:.*]] = memref.load %[[XB]][%[[SROW:.*]], %[[SK]]]
// CHECK-NEXT:                %[[SXV:.*]] = vector.broadcast %[[SX]]
// CHECK-NEXT:                %[[SK1:.*]] = arith.addi %[[SK]], %[[C1]]
// CHECK-NEXT:                memref.load %[[XB]][%[[SROW]], %[[SK1]]]
// CHECK:                     scf.for
// CHECK:                       %[[SW0:.*]]:2 = scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    vector.load %[[PB]][%[[SK]], %{{.*}}]
// CHECK:                       %[[SW1:.*]]:2 = scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:                    vector.load %[[PB]][%[[SK1]], %{{.*}}]
// CHECK:                       %[[SW2:.*]]:2 = scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>) {
// CHECK:                       %[[SACC:.*]] = vector.load %[[SCRATCH]][%{{.*}}, %{{.*}}, %[[C0]]]
// CHECK-NEXT:                  %[[S0:.*]] = vector.fma %[[SXV]], %[[SW0]]#0, %[[SACC]]
// CHECK-NEXT:                  %[[S1:.*]] = vector.fma %{{.*}}, %[[SW1]]#0, %[[S0]]
// CHECK-NEXT:                  %[[S2:.*]] = vector.fma %{{.*}}, %[[SW2]]#0, %[[S1]]
// CHECK-NEXT:                  %[[S3:.*]] = vector.fma %{{.*}}, %{{.*}}#0, %[[S2]]
// CHECK:                       vector.store %[[S3]], %[[SCRATCH]][%{{.*}}, %{{.*}}, %[[C0]]]
// CHECK:                   scf.for %[[SKR:.*]] = %{{.*}} to %{{.*}} step %[[C1]] {
// CHECK:                       vector.fma
// CHECK-NOT:                   vector.fma
// CHECK:                       vector.store
// CHECK:                   scf.if %[[LAST:.*]] {
// CHECK:                     math.exp
// CHECK:                     vector.maskedstore %[[OUT]]
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<67x130xf32> to tensor<67x130xf32>
// CHECK:         return %[[R]]
// CHECK-NOT:     ffn.gated_matmul

// TILES-LABEL: func.func @gated_swish_bias
// TILES:         scf.parallel {{.*}} step (%c1, %c32)
// TILES:           memref.alloca() : memref<4x32x32xf32>
// TILES:           memref.alloca() {alignment = 64 : i64} : memref<4x128x32xf32>
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
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<4x256x32xf32>
// CHECK:           vector.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %c16] : memref<4x256x32xf32>
// CHECK:           scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %c32
// CHECK:             %[[C16:.*]] = arith.addi %[[C]], %c16 : index
// CHECK:             scf.yield %[[ZERO]], %[[ZERO]] : vector<16xf32>, vector<16xf32>
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

// The backward's transposed forms: a transposed rhs [N, K] of a GEMM of
// more than 128 rows is copied to [K, N] once (a parallel copy over 32 x 32
// tiles; fewer rows read it by dot products, glu-cpu-gemm-few-rows.mlir); a
// transposed lhs [K, M] is read in place, x[k, row]. A non-fill init is read
// as the accumulators' start.

// CHECK-LABEL: func.func @matmul_transposed_rhs
// CHECK-SAME:    (%{{.*}}: tensor<130x130xf32>, %[[B:.*]]: tensor<5x130xf32>,
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
func.func @matmul_transposed_rhs(%a: tensor<130x130xf32>, %b: tensor<5x130xf32>, %c: tensor<130x5xf32>) -> tensor<130x5xf32> {
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<130x130xf32>, tensor<5x130xf32>) outs(%c : tensor<130x5xf32>) -> tensor<130x5xf32>
  return %r : tensor<130x5xf32>
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

// -----

// A gated GEMM whose packed weight is an ffn.pack_gated of non-constant
// weights (a train step's arguments) reads the gate and linear weights
// themselves: the micro-column's a vector from column first + c of %w, its
// b vector from the same column of %v; the pack is never materialized.

// CHECK-LABEL: func.func @gated_reads_through_pack
// CHECK-SAME:    (%{{.*}}: tensor<67x130xf32>, %[[W:.*]]: tensor<130x100xf32>, %[[V:.*]]: tensor<130x100xf32>)
// CHECK-NOT:     ffn.pack_gated
// CHECK:         %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK:         %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK:         scf.parallel
// CHECK:           scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %c16 {
// CHECK:             %[[COL:.*]] = arith.addi %[[FIRST:.*]], %[[C]] : index
// CHECK:             vector.load %[[WB]][%{{.*}}, %[[COL]]]
// CHECK-NEXT:        vector.load %[[VB]][%{{.*}}, %[[COL]]]
// CHECK-NOT:     ffn.pack_gated
func.func @gated_reads_through_pack(%x: tensor<67x130xf32>, %w: tensor<130x100xf32>, %v: tensor<130x100xf32>) -> tensor<67x100xf32> {
  %p = ffn.pack_gated %w, %v block_size(64) : tensor<130x100xf32>, tensor<130x100xf32> -> tensor<130x200xf32>
  %e = tensor.empty() : tensor<67x100xf32>
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %p : tensor<67x130xf32>, tensor<130x200xf32>)
      outs(%e : tensor<67x100xf32>) -> tensor<67x100xf32>
  return %h : tensor<67x100xf32>
}

// -----

// When the pack has another user (the backward's dx GEMM reads it
// transposed), the gated GEMM still reads through it, and the pack is
// generated for that user alone.

// CHECK-LABEL: func.func @pack_with_another_user
// CHECK-SAME:    (%[[X:.*]]: tensor<67x130xf32>, %[[W:.*]]: tensor<130x100xf32>, %[[V:.*]]: tensor<130x100xf32>)
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<130x200xf32>
// CHECK:         bufferization.to_buffer %[[X]] read_only
// CHECK-NEXT:    %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK-NEXT:    %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK:         vector.load %[[VB]]
// CHECK:         return
// CHECK-NOT:     ffn.
func.func @pack_with_another_user(%x: tensor<67x130xf32>, %w: tensor<130x100xf32>, %v: tensor<130x100xf32>) -> (tensor<67x100xf32>, tensor<130x200xf32>) {
  %p = ffn.pack_gated %w, %v block_size(64) : tensor<130x100xf32>, tensor<130x100xf32> -> tensor<130x200xf32>
  %e = tensor.empty() : tensor<67x100xf32>
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %p : tensor<67x130xf32>, tensor<130x200xf32>)
      outs(%e : tensor<67x100xf32>) -> tensor<67x100xf32>
  return %h, %p : tensor<67x100xf32>, tensor<130x200xf32>
}

// -----

// Reading through the pack, one row (decoding) streams the gate weight's
// rows of the block into the a sums, then the linear weight's into the b
// sums: 4 row streams in flight at a time, not 4 of each interleaved. Its
// column tiles divide the blocks among the OpenMP threads (one tile a
// thread, at most the 8 x 66 micro-columns the scratch slots hold: 132
// blocks), and its sums lie slot after slot in the scratch tile.

// CHECK:       func.func private @omp_get_max_threads() -> i32
// CHECK-LABEL: func.func @gated_one_row_streams_each_weight
// CHECK-SAME:    (%{{.*}}: tensor<1x130xf32>, %[[W:.*]]: tensor<130x100xf32>, %[[V:.*]]: tensor<130x100xf32>)
// CHECK:         %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK:         %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK:         %[[THREADS:.*]] = call @omp_get_max_threads() : () -> i32
// CHECK-NEXT:    %[[T:.*]] = arith.index_castui %[[THREADS]] : i32 to index
// CHECK-NEXT:    %[[PER:.*]] = arith.ceildivui %c2, %[[T]] : index
// CHECK-NEXT:    %[[ATLEAST:.*]] = arith.maxui %[[PER]], %c1 : index
// CHECK-NEXT:    %[[STEP:.*]] = arith.minsi %[[ATLEAST]], %c132 : index
// CHECK-NEXT:    scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c2, %c1) step (%[[STEP]], %c66) {
// CHECK:           memref.alloca() : memref<8x66x32xf32>
// CHECK:         %[[ONE:.*]] = arith.cmpi eq, %{{.*}}, %c1 : index
// CHECK-NEXT:    scf.if %[[ONE]] {
// CHECK:           scf.for %[[KA:.*]] = %{{.*}} to %{{.*}} step %c4 {
// CHECK:             %[[A0:.*]] = scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK-NEXT:          vector.load %[[WB]][%[[KA]], %{{.*}}]
// CHECK-NOT:         vector.load %[[VB]]
// CHECK:             scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK-NEXT:          vector.load %[[WB]]
// CHECK:             scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK-NEXT:          vector.load %[[WB]]
// CHECK:             scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK-NEXT:          vector.load %[[WB]]
// CHECK:               vector.fma %{{.*}}, %[[A0]], %{{.*}}
// CHECK-COUNT-3:       vector.fma
// CHECK:               %[[SLOTA:.*]] = arith.divui %[[SA:.*]], %c66 : index
// CHECK-NEXT:          %[[ROWA:.*]] = arith.remui %[[SA]], %c66 : index
// CHECK-NEXT:          vector.store %{{.*}}, %{{.*}}[%[[SLOTA]], %[[ROWA]], %c0]
// CHECK:           scf.for %{{.*}} step %c1 {
// CHECK:             vector.load %[[WB]]
// CHECK-NOT:         vector.load %[[VB]]
// CHECK:           scf.for %[[KB:.*]] = %{{.*}} to %{{.*}} step %c4 {
// CHECK:             scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK-NEXT:          vector.load %[[VB]][%[[KB]], %{{.*}}]
// CHECK-NOT:         vector.load %[[WB]]
// CHECK:               vector.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %c16]
// CHECK:           scf.for %{{.*}} step %c1 {
// CHECK:             vector.load %[[VB]]
// CHECK:           math.exp
func.func @gated_one_row_streams_each_weight(%x: tensor<1x130xf32>, %w: tensor<130x100xf32>, %v: tensor<130x100xf32>) -> tensor<1x100xf32> {
  %p = ffn.pack_gated %w, %v block_size(64) : tensor<130x100xf32>, tensor<130x100xf32> -> tensor<130x200xf32>
  %e = tensor.empty() : tensor<1x100xf32>
  %h = ffn.gated_matmul swish block_size(64) ins(%x, %p : tensor<1x130xf32>, tensor<130x200xf32>)
      outs(%e : tensor<1x100xf32>) -> tensor<1x100xf32>
  return %h : tensor<1x100xf32>
}

// -----

// With M known only at run time, the column step is the stream's when M is
// 1, the balanced one (the widest of 1 .. 4 units of 32 columns that gives
// the busiest thread the fewest) when M fits one row tile, and the tile's
// (128 columns) otherwise. One call reads the thread count.

// CHECK-LABEL: func.func @dynamic_rows_choose_the_step
// CHECK:         memref.alloc(
// CHECK-NEXT:    %[[M:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x300xf32>
// CHECK-NEXT:    %[[THREADS:.*]] = call @omp_get_max_threads()
// CHECK-NEXT:    %[[T:.*]] = arith.index_castui %[[THREADS]] : i32 to index
// 10 units: 3 tiles of 4, 4 of 3, 5 of 2, 10 of 1.
// CHECK-NEXT:    %[[PER4:.*]] = arith.ceildivui %c3, %[[T]] : index
// CHECK-NEXT:    %[[LOAD4:.*]] = arith.muli %[[PER4]], %c4 : index
// CHECK-NEXT:    %[[PER3:.*]] = arith.ceildivui %c4, %[[T]] : index
// CHECK-NEXT:    %[[LOAD3:.*]] = arith.muli %[[PER3]], %c3 : index
// CHECK-NEXT:    %[[LESS3:.*]] = arith.cmpi ult, %[[LOAD3]], %[[LOAD4]] : index
// CHECK-NEXT:    %[[BEST3:.*]] = arith.select %[[LESS3]], %c3, %c4 : index
// CHECK-NEXT:    %[[MIN3:.*]] = arith.minui %[[LOAD3]], %[[LOAD4]] : index
// CHECK:         %[[BEST:.*]] = arith.select %{{.*}}, %c1, %{{.*}} : index
// CHECK-NEXT:    %[[BALANCED:.*]] = arith.muli %[[BEST]], %c32 : index
// CHECK-NEXT:    %[[FITS:.*]] = arith.cmpi sle, %[[M]], %c66 : index
// CHECK-NEXT:    %[[TILESTEP:.*]] = arith.select %[[FITS]], %[[BALANCED]], %c128 : index
// CHECK-NOT:     call @omp_get_max_threads
// CHECK:         %[[STREAM:.*]] = arith.minsi %{{.*}}, %c8448 : index
// CHECK-NEXT:    %[[ONE:.*]] = arith.cmpi eq, %[[M]], %c1 : index
// CHECK-NEXT:    %[[STEP:.*]] = arith.select %[[ONE]], %[[STREAM]], %[[TILESTEP]] : index
// CHECK-NEXT:    scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c300, %[[M]]) step (%[[STEP]], %c66) {
func.func @dynamic_rows_choose_the_step(%x: tensor<?x64xf32>, %w: tensor<64x300xf32>) -> tensor<?x300xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x300xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x300xf32>) -> tensor<?x300xf32>
  %r = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x300xf32>) outs(%init : tensor<?x300xf32>) -> tensor<?x300xf32>
  return %r : tensor<?x300xf32>
}
