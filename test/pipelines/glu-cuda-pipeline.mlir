// RUN: glu-opt %s --ffn-fuse=block-size=4 --glu-cuda-pipeline | FileCheck %s
// RUN: glu-opt %s --ffn-fuse=block-size=4 --glu-cuda-pipeline=chip=sm_90a | FileCheck %s --check-prefix=SM90
// RUN: glu-opt %s --ffn-fuse=block-size=4 --glu-cuda-pipeline | FileCheck %s --check-prefix=BAR
// RUN: glu-opt %s --glu-cuda-pipeline=gemm=reference | FileCheck %s --check-prefix=REF
// RUN: glu-opt %s --ffn-fuse=block-size=4 --glu-cuda-pipeline | mlir-translate -mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// A fused SwiGLU layer all the way to the LLVM dialect: host code that only
// allocates, launches and frees through mgpu* calls, kernels embedded as PTX
// (the gated GEMM with its barriers), and the artifact's entry point.

// CHECK-LABEL: llvm.func @layer(
//   CHECK-NOT:   llvm.load
//       CHECK:   llvm.call @mgpuStreamCreate
//       CHECK:   llvm.call @mgpuMemAlloc
//       CHECK:   gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel{{.*}} blocks in
//       CHECK:   llvm.call @mgpuMemFree
//       CHECK:   llvm.call @mgpuStreamSynchronize
//       CHECK:   llvm.call @mgpuStreamDestroy
//       CHECK:   llvm.return
//       CHECK: llvm.func @_mlir_ciface_layer
//       CHECK: gpu.binary @layer_kernel{{.*}} [#gpu.object<#nvvm.target<chip = "sm_80"
//  CHECK-SAME:   assembly = "{{.*}}.target sm_80
//       CHECK: llvm.func @glu_entry_layer(%{{.*}}: !llvm.ptr)
//   CHECK-NOT: func.func
//   CHECK-NOT: memref.

// SM90: gpu.binary @layer_kernel{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90a"
// SM90-SAME:   assembly = "{{.*}}.target sm_90a

// The generated GEMMs are the only kernels with barriers.
// BAR: gpu.binary {{.*}}bar.sync
// REF-LABEL: llvm.func @layer(
// REF:       gpu.launch_func
// REF-NOT:   bar.sync
// REF:       llvm.func @glu_entry_layer

// LLVM-DAG: call ptr @mgpuModuleLoadJIT(
// LLVM-DAG: call void @mgpuLaunchKernel(
// LLVM-DAG: define void @glu_entry_layer(ptr
// LLVM-DAG: define i32 @glu_abi_version()

func.func @layer(%x: tensor<5x12xf32>, %w: tensor<12x10xf32>, %v: tensor<12x10xf32>, %w2: tensor<10x12xf32>) -> tensor<5x12xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<5x12xf32>, tensor<12x10xf32>, tensor<12x10xf32>, tensor<10x12xf32>) -> tensor<5x12xf32>
  return %y : tensor<5x12xf32>
}
