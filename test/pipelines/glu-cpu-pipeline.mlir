// RUN: glu-opt %s --glu-cpu-pipeline | FileCheck %s
// RUN: glu-opt %s --glu-cpu-pipeline="gemm=reference" | FileCheck %s --check-prefix=REFERENCE

// glu-cpu-pipeline takes the fused gated GEMM to the LLVM dialect: the
// parallel tile loop becomes an OpenMP work-sharing loop over both tile
// dimensions (140 rows: two 132-row tiles), with a stack save/restore around each tile's scratch; the
// micro-kernel's vector<16xf32> masked loads, FMAs and masked stores survive
// as LLVM intrinsics; the result became a caller-allocated out-parameter,
// and the public function has its C interface wrapper and the artifact's
// entry point. gemm=reference keeps the scalar reference loops, no OpenMP.

// CHECK-LABEL: llvm.func @gated(
// CHECK-NOT:     llvm.call @malloc
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop {
// CHECK:             omp.loop_nest (%{{.*}}, %{{.*}}) : i64 = {{.*}} collapse(2) {
// CHECK:               llvm.intr.stacksave
// CHECK:               llvm.intr.masked.load {{.*}} -> vector<16xf32>
// CHECK:               llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK:               llvm.intr.masked.store {{.*}} : vector<16xf32>, vector<16xi1> into !llvm.ptr
// CHECK:               llvm.intr.stackrestore
// CHECK:           omp.terminator
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_gated(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         llvm.call @gated(
// CHECK-LABEL: llvm.func @glu_entry_gated(%{{.*}}: !llvm.ptr)
// CHECK:         llvm.call @_mlir_ciface_gated(

// REFERENCE-LABEL: llvm.func @gated(
// REFERENCE-NOT:   omp.parallel
// REFERENCE-NOT:   vector<16xf32>
// REFERENCE-LABEL: llvm.func @_mlir_ciface_gated(
// REFERENCE-LABEL: llvm.func @glu_entry_gated(
func.func @gated(%x: tensor<140x130xf32>, %p: tensor<130x260xf32>) -> tensor<140x130xf32> {
  %e = tensor.empty() : tensor<140x130xf32>
  %h = ffn.gated_matmul gelu_tanh block_size(64)
      ins(%x, %p : tensor<140x130xf32>, tensor<130x260xf32>)
      outs(%e : tensor<140x130xf32>) -> tensor<140x130xf32>
  return %h : tensor<140x130xf32>
}
