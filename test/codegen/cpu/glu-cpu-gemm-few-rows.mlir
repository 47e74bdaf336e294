// RUN: glu-opt %s --glu-cpu-gemm -split-input-file | FileCheck %s
// RUN: glu-opt %s --glu-cpu-gemm="vector-lanes=8 vector-registers=16" -split-input-file | FileCheck %s --check-prefix=AVX2

// The backward of a layer at few tokens (M <= 128, static) in glu-cpu-gemm.
// A GEMM whose right operand is transposed (dh = dy W2^T, dx = [da | db]
// [W | V]^T) reads it as given, one weight row per output column, by dot
// products: no transposed copy of the weight, and a packed weight's
// ffn.pack_gated read through (the gate and the linear weight, block by
// block). Each dot product's lanes are summed by a fixed tree of shuffles
// into one vector of 8 column sums (AVX-512: 8 columns x 3 rows of
// accumulators; with AVX2, 8 x 1), stored to the scratch tile, where the epilogue
// reads them. The weight gradient x^T [da | db] stores its columns unpacked
// into dW and dV: no ffn.unpack_gated pass over it.

// CHECK-LABEL: func.func @dgate_few_rows
// CHECK-SAME:    (%[[DY:.*]]: tensor<5x130xf32>, %[[W2:.*]]: tensor<100x130xf32>, %[[AB:.*]]: tensor<5x200xf32>)
// CHECK:         %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK-NEXT:    %[[W2B:.*]] = bufferization.to_buffer %[[W2]] read_only
// CHECK-NOT:     memref.alloc() {{.*}} : memref<130x100xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5x200xf32>
// CHECK:         scf.parallel
// CHECK:           %[[SCRATCH:.*]] = memref.alloca() : memref<6x132x32xf32>
// CHECK-NOT:       memref.alloca
// CHECK:           scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-3:     vector.load %[[DYB]]
// CHECK-COUNT-8:     vector.load %[[W2B]]
// CHECK-COUNT-24:    vector.fma
// CHECK:           vector.create_mask
// CHECK:           vector.maskedload %[[W2B]]
// CHECK:           vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK:           %[[SUMS:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK:           vector.store %[[SUMS]], %[[SCRATCH]]
// CHECK:           vector.load %[[SCRATCH]]
// CHECK:           math.erf
// CHECK:           vector.maskedstore %[[OUT]]

// AVX2-LABEL: func.func @dgate_few_rows
// AVX2-NOT:     memref<130x100xf32>
// AVX2:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2-COUNT-9:   vector.load
// AVX2-COUNT-8:   vector.fma
// AVX2:         arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// AVX2:         vector.store %{{.*}} : memref<{{.*}}x16xf32>, vector<8xf32>
func.func @dgate_few_rows(%dy: tensor<5x130xf32>, %w2: tensor<100x130xf32>, %ab: tensor<5x200xf32>) -> tensor<5x200xf32> {
  %empty = tensor.empty() : tensor<5x200xf32>
  %r = ffn.dgate_matmul gelu block_size(48) ins(%dy, %w2, %ab : tensor<5x130xf32>, tensor<100x130xf32>, tensor<5x200xf32>) outs(%empty : tensor<5x200xf32>) -> tensor<5x200xf32>
  return %r : tensor<5x200xf32>
}

// -----

// dx = [da | db] [W | V]^T through the pack: the a columns of each block
// against W's, the b columns against V's.

// CHECK-LABEL: func.func @dx_through_pack
// CHECK-SAME:    (%[[DAB:.*]]: tensor<5x200xf32>, %[[W:.*]]: tensor<70x100xf32>, %[[V:.*]]: tensor<70x100xf32>)
// CHECK-NOT:     ffn.pack_gated
// CHECK:         %[[DABB:.*]] = bufferization.to_buffer %[[DAB]] read_only
// CHECK-NEXT:    %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK-NEXT:    %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK-NOT:     memref.alloc() {{.*}} : memref<70x200xf32>
// CHECK-NOT:     memref.alloc() {{.*}} : memref<200x70xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5x70xf32>
// CHECK:         scf.for %[[J:.*]] = %c0 to %c3 step %c1
// CHECK:           %[[FIRST:.*]] = arith.muli %[[J]], %c48
// CHECK:           %[[BASE:.*]] = arith.muli %[[FIRST]], %c2
// CHECK:           scf.for %[[T:[a-z0-9]*]] =
// CHECK:             %[[ACOL:.*]] = arith.addi %[[BASE]], %[[T]]
// CHECK-NEXT:        %[[WCOL:.*]] = arith.addi %[[FIRST]], %[[T]]
// CHECK-NEXT:        vector.load %[[DABB]][%{{.*}}, %[[ACOL]]]
// CHECK:             vector.load %[[WB]][%{{.*}}, %[[WCOL]]]
// CHECK:           scf.for %{{[a-z0-9]*}} =
// CHECK:             vector.load %[[VB]]
// CHECK:         vector.maskedstore %[[OUT]]
// CHECK-NOT:     ffn.pack_gated
func.func @dx_through_pack(%dab: tensor<5x200xf32>, %w: tensor<70x100xf32>, %v: tensor<70x100xf32>) -> tensor<5x70xf32> {
  %p = ffn.pack_gated %w, %v block_size(48) : tensor<70x100xf32>, tensor<70x100xf32> -> tensor<70x200xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<5x70xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<5x70xf32>) -> tensor<5x70xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%dab, %p : tensor<5x200xf32>, tensor<70x200xf32>) outs(%init : tensor<5x70xf32>) -> tensor<5x70xf32>
  return %r : tensor<5x70xf32>
}

// -----

// 129 rows: the transposed weight is copied to [K, N] first (the GEMM's
// O(MKN) then pays for the O(KN) copy), a whole 32 x 32 tile as four
// 16 x 16 blocks, each 16 row vectors transposed in registers by 4 stages
// of 16 two-source shuffles (8 x 8 blocks in 3 stages for AVX2), an edge
// tile element by element; then the register-tiled GEMM, no dot products.

// CHECK-LABEL: func.func @many_rows
// CHECK-SAME:    (%{{.*}}: tensor<129x130xf32>, %[[W:.*]]: tensor<100x130xf32>)
// CHECK:         %[[WB:.*]] = bufferization.to_buffer %[[W]]
// CHECK:         %[[WT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<130x100xf32>
// CHECK:         scf.parallel
// CHECK:           scf.if
// CHECK-COUNT-16:    vector.load %[[WB]]{{.*}} vector<16xf32>
// CHECK-COUNT-64:    vector.shuffle
// CHECK-COUNT-16:    vector.store %{{.*}}, %[[WT]]
// CHECK:           } else {
// CHECK:               memref.load %[[WB]]
// CHECK-NEXT:          memref.store %{{.*}}, %[[WT]]
// CHECK:         scf.parallel
// CHECK-NOT:     vector.shuffle
// CHECK:         return

// AVX2-LABEL: func.func @many_rows
// AVX2:         scf.if
// AVX2-COUNT-8:   vector.load {{.*}} vector<8xf32>
// AVX2-COUNT-24:  vector.shuffle
// AVX2-COUNT-8:   vector.store
func.func @many_rows(%x: tensor<129x130xf32>, %w: tensor<100x130xf32>) -> tensor<129x100xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<129x100xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<129x100xf32>) -> tensor<129x100xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<129x130xf32>, tensor<100x130xf32>) outs(%init : tensor<129x100xf32>) -> tensor<129x100xf32>
  return %r : tensor<129x100xf32>
}

// -----

// The weight gradient x^T [da | db], unpacked: each micro-column's a vector
// to dW and its b vector to dV, at the same column of the block.

// CHECK-LABEL: func.func @weight_gradient_unpacked
// CHECK-NOT:     ffn.unpack_gated
// CHECK:         %[[DW:.*]] = memref.alloc() {alignment = 64 : i64} : memref<70x100xf32>
// CHECK-NEXT:    %[[DV:.*]] = memref.alloc() {alignment = 64 : i64} : memref<70x100xf32>
// CHECK-NOT:     memref<70x200xf32>
// CHECK:         vector.maskedstore %[[DW]][%[[ROW:.*]], %[[COL:.*]]], %[[MASK:.*]], %{{.*}}#0
// CHECK-NEXT:    vector.maskedstore %[[DV]][%[[ROW]], %[[COL]]], %[[MASK]], %{{.*}}#1
// CHECK:         %[[GT:.*]] = bufferization.to_tensor %[[DW]] restrict writable
// CHECK-NEXT:    %[[LT:.*]] = bufferization.to_tensor %[[DV]] restrict writable
// CHECK:         return %[[GT]], %[[LT]]
func.func @weight_gradient_unpacked(%x: tensor<5x70xf32>, %dab: tensor<5x200xf32>) -> (tensor<70x100xf32>, tensor<70x100xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<70x200xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<70x200xf32>) -> tensor<70x200xf32>
  %d = linalg.matmul indexing_maps = [affine_map<(i, j, r) -> (r, i)>, affine_map<(i, j, r) -> (r, j)>, affine_map<(i, j, r) -> (i, j)>] ins(%x, %dab : tensor<5x70xf32>, tensor<5x200xf32>) outs(%init : tensor<70x200xf32>) -> tensor<70x200xf32>
  %g, %l = ffn.unpack_gated %d block_size(48) : tensor<70x200xf32> -> tensor<70x100xf32>, tensor<70x100xf32>
  return %g, %l : tensor<70x100xf32>, tensor<70x100xf32>
}

// -----

// Dynamic sizes: dW and dV are sized from the GEMM's destination, [M, 2 N]
// halved (the unpack's results come after the GEMM, and are gone with it).

// CHECK-LABEL: func.func @weight_gradient_unpacked_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<?x?xf32>, %[[DAB:.*]]: tensor<?x?xf32>)
// CHECK:         %[[INIT:.*]] = linalg.fill
// CHECK:         %[[ROWS:.*]] = tensor.dim %[[INIT]], %c0
// CHECK:         %[[COLS:.*]] = tensor.dim %[[INIT]], %c1
// CHECK:         %[[HALF:.*]] = arith.divui %[[COLS]], %c2
// CHECK:         %[[DW:.*]] = memref.alloc(%[[ROWS]], %[[HALF]]) {alignment = 64 : i64} : memref<?x?xf32>
// CHECK-NEXT:    %[[DV:.*]] = memref.alloc(%[[ROWS]], %[[HALF]]) {alignment = 64 : i64} : memref<?x?xf32>
// CHECK-NOT:     ffn.unpack_gated
func.func @weight_gradient_unpacked_dynamic(%x: tensor<?x?xf32>, %dab: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %k = tensor.dim %x, %c1 : tensor<?x?xf32>
  %n = tensor.dim %dab, %c1 : tensor<?x?xf32>
  %empty = tensor.empty(%k, %n) : tensor<?x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x?xf32>) -> tensor<?x?xf32>
  %d = linalg.matmul indexing_maps = [affine_map<(i, j, r) -> (r, i)>, affine_map<(i, j, r) -> (r, j)>, affine_map<(i, j, r) -> (i, j)>] ins(%x, %dab : tensor<?x?xf32>, tensor<?x?xf32>) outs(%init : tensor<?x?xf32>) -> tensor<?x?xf32>
  %g, %l = ffn.unpack_gated %d block_size(48) : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?x?xf32>
  return %g, %l : tensor<?x?xf32>, tensor<?x?xf32>
}
