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
