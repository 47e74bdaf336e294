// RUN: glu-opt %s --glu-cpu-pipeline | FileCheck %s

// glu-cpu-pipeline gives each parallel loop of a function (here the
// elementwise exp's rows and the transpose's 32 x 32 blocks) a function of
// its own before convert-scf-to-openmp: the public function calls two
// internal functions, each with one omp.parallel, so OpenMPIRBuilder
// outlines each region out of a small function. The polynomial exp's
// constant vectors are the outlined function's own.

// CHECK-LABEL: llvm.func @two(
// CHECK-NOT:     omp.parallel
// CHECK:         llvm.call @two_parallel_0(
// CHECK-NOT:     omp.parallel
// CHECK:         llvm.call @two_parallel_1(
// CHECK-NOT:     omp.parallel
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_two(
// CHECK-LABEL: llvm.func internal @two_parallel_0(
// CHECK:         llvm.mlir.constant(dense<1.000000e+00> : vector<16xf32>)
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop {
// CHECK:             llvm.load {{.*}} -> vector<16xf32>
// CHECK:           omp.terminator
// CHECK-NOT:     omp.parallel
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func internal @two_parallel_1(
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop {
// CHECK:             omp.loop_nest ({{.*}}) : i64 = {{.*}} collapse(2) {
// CHECK:           omp.terminator
// CHECK-NOT:     omp.parallel
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @glu_entry_two(
func.func @two(%x: tensor<256x128xf32>) -> (tensor<256x128xf32>, tensor<128x256xf32>) {
  %e = tensor.empty() : tensor<256x128xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<256x128xf32>) outs(%e : tensor<256x128xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = math.exp %in : f32
    linalg.yield %s : f32
  } -> tensor<256x128xf32>
  %et = tensor.empty() : tensor<128x256xf32>
  %t = linalg.transpose ins(%a : tensor<256x128xf32>) outs(%et : tensor<128x256xf32>) permutation = [1, 0]
  return %a, %t : tensor<256x128xf32>, tensor<128x256xf32>
}
