// RUN: glu-opt %s --glu-cpu-vectorize="approximate-math=false" --canonicalize -split-input-file | FileCheck %s
// RUN: glu-opt %s --glu-cpu-vectorize -split-input-file | FileCheck %s --check-prefix=MATH
// RUN: glu-opt %s --glu-cpu-vectorize="vectorize=false approximate-erf=true" -split-input-file | FileCheck %s --check-prefix=ERF

// An elementwise generic of 4 x 20 becomes rows of one 16-lane vector tile
// and a peeled, static 4-lane tail; the body runs on vectors. With
// approximate-math (the default) math.exp becomes a polynomial; math.erf
// stays for libm unless approximate-erf.

// CHECK-LABEL: func.func @swish
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<4x20xf32>) {
// CHECK:           %[[IN:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 16] [1, 1] : tensor<4x20xf32> to tensor<1x16xf32>
// CHECK:           %[[V:.*]] = vector.transfer_read %[[IN]]{{.*}} : tensor<1x16xf32>, vector<16xf32>
// CHECK:           %[[E:.*]] = math.exp %{{.*}} : vector<16xf32>
// CHECK:           vector.transfer_write %{{.*}} : vector<16xf32>, tensor<1x16xf32>
// CHECK:           tensor.extract_slice %{{.*}}[%[[I]], 16] [1, 4] [1, 1] : tensor<4x20xf32> to tensor<1x4xf32>
// CHECK:           math.exp %{{.*}} : vector<4xf32>
// CHECK:           vector.transfer_write %{{.*}} : vector<4xf32>, tensor<1x4xf32>
// CHECK-NOT:     linalg.generic

// MATH-LABEL: func.func @swish
// MATH-NOT:     math.exp
// MATH:         math.fma {{.*}} : vector<16xf32>
func.func @swish(%a: tensor<4x20xf32>) -> tensor<4x20xf32> {
  %e = tensor.empty() : tensor<4x20xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x20xf32>) outs(%e : tensor<4x20xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %y = arith.mulf %x, %ex : f32
    linalg.yield %y : f32
  } -> tensor<4x20xf32>
  return %r : tensor<4x20xf32>
}

// -----

// Dynamic sizes are left to the scalar loops of convert-linalg-to-loops.

// CHECK-LABEL: func.func @dynamic
// CHECK:         linalg.generic
// CHECK-NOT:     vector.transfer_read
func.func @dynamic(%a: tensor<?x20xf32>, %e: tensor<?x20xf32>) -> tensor<?x20xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<?x20xf32>) outs(%e : tensor<?x20xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<?x20xf32>
  return %r : tensor<?x20xf32>
}

// -----

// ERF-LABEL: func.func @erf
// ERF-NOT:     math.erf
// ERF:         return
// MATH-LABEL:  func.func @erf
// MATH:          math.erf %{{.*}} : vector<16xf32>
func.func @erf(%x: vector<16xf32>) -> vector<16xf32> {
  %r = math.erf %x : vector<16xf32>
  return %r : vector<16xf32>
}

// -----

// An elementwise op of 2^14 elements or more runs its rows in parallel: an
// scf.forall over the rows (OpenMP after bufferization), the columns
// vectorized inside; a smaller one stays serial.
#row = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @rows_in_parallel
// CHECK: scf.forall (%{{.*}}) in (256)
// CHECK: scf.for
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK-LABEL: func.func @small_stays_serial
// CHECK-NOT: scf.forall
// CHECK: scf.for
func.func @rows_in_parallel(%x: tensor<256x128xf32>) -> tensor<256x128xf32> {
  %e = tensor.empty() : tensor<256x128xf32>
  %r = linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<256x128xf32>) outs(%e : tensor<256x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<256x128xf32>
  return %r : tensor<256x128xf32>
}
func.func @small_stays_serial(%x: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %e = tensor.empty() : tensor<16x128xf32>
  %r = linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<16x128xf32>) outs(%e : tensor<16x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// Ops the vectorizer leaves alone still run their rows on the threads when
// they have 2^14 elements or more: a transpose (attention's heads) over its
// leading loops, a reduction over its leading parallel loops (the summed
// one stays whole inside), a gather through tensor.extract. A reduction
// whose first loop is summed, and a small transpose, stay serial.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @transpose_rows
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (16, 4, 128)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x1x1x64xf32>)
func.func @transpose_rows(%x: tensor<16x128x4x64xf32>) -> tensor<16x4x128x64xf32> {
  %e = tensor.empty() : tensor<16x4x128x64xf32>
  %t = linalg.transpose ins(%x : tensor<16x128x4x64xf32>) outs(%e : tensor<16x4x128x64xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<16x4x128x64xf32>
}
// CHECK-LABEL: func.func @reduce_rows
// CHECK: scf.forall (%{{.*}}) in (256)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<1x128xf32>)
func.func @reduce_rows(%x: tensor<256x128xf32>, %init: tensor<256xf32>) -> tensor<256xf32> {
  %r = linalg.reduce ins(%x : tensor<256x128xf32>) outs(%init : tensor<256xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.mulf %a, %b : f32
      linalg.yield %s : f32
    }
  return %r : tensor<256xf32>
}
// CHECK-LABEL: func.func @gather_rows
// CHECK: scf.forall (%{{.*}}) in (512)
// CHECK: tensor.extract
func.func @gather_rows(%table: tensor<1000x64xf32>, %ids: tensor<512xi32>) -> tensor<512x64xf32> {
  %e = tensor.empty() : tensor<512x64xf32>
  %g = linalg.generic {indexing_maps = [#row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<512xi32>) outs(%e : tensor<512x64xf32>) {
  ^bb0(%id: i32, %o: f32):
    %r = arith.index_cast %id : i32 to index
    %c = linalg.index 1 : index
    %v = tensor.extract %table[%r, %c] : tensor<1000x64xf32>
    linalg.yield %v : f32
  } -> tensor<512x64xf32>
  return %g : tensor<512x64xf32>
}
// CHECK-LABEL: func.func @summed_first_stays_serial
// CHECK-NOT: scf.forall
// CHECK: linalg.reduce
func.func @summed_first_stays_serial(%x: tensor<256x128xf32>, %init: tensor<128xf32>) -> tensor<128xf32> {
  %r = linalg.reduce ins(%x : tensor<256x128xf32>) outs(%init : tensor<128xf32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %s = arith.mulf %a, %b : f32
      linalg.yield %s : f32
    }
  return %r : tensor<128xf32>
}
// CHECK-LABEL: func.func @small_transpose_stays_serial
// CHECK-NOT: scf.forall
// CHECK: linalg.transpose
func.func @small_transpose_stays_serial(%x: tensor<8x64xf32>) -> tensor<64x8xf32> {
  %e = tensor.empty() : tensor<64x8xf32>
  %t = linalg.transpose ins(%x : tensor<8x64xf32>) outs(%e : tensor<64x8xf32>) permutation = [1, 0]
  return %t : tensor<64x8xf32>
}

// -----

// A transpose that moves the last dimension goes to the threads in
// 32 x 32 blocks (each block reads and writes whole cache lines).
// CHECK-LABEL: func.func @transpose_blocks
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (256, 8192) step (32, 32)
// CHECK: tensor.extract_slice %{{.*}}[%[[J]], %[[I]]] [32, 32] [1, 1] : tensor<8192x256xf32> to tensor<32x32xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<32x32xf32>)
func.func @transpose_blocks(%x: tensor<8192x256xf32>) -> tensor<256x8192xf32> {
  %e = tensor.empty() : tensor<256x8192xf32>
  %t = linalg.transpose ins(%x : tensor<8192x256xf32>) outs(%e : tensor<256x8192xf32>) permutation = [1, 0]
  return %t : tensor<256x8192xf32>
}
