// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm,glu-declare-dynamic-shared-memory))' | FileCheck %s
// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm,glu-declare-dynamic-shared-memory{alignment=128}))' | FileCheck %s --check-prefix=A128
// RUN: not glu-opt %s --pass-pipeline='builtin.module(gpu.module(glu-declare-dynamic-shared-memory{alignment=100}))' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=UPSTREAM

// convert-gpu-to-nvvm lowers gpu.dynamic_shared_memory to an internal
// zero-length global (which NVPTX prints as a one-byte static variable);
// the pass makes it the external, 1024-byte aligned declaration PTX means
// by dynamic shared memory. Other shared globals (the workgroup tile, the
// mbarriers) are left alone.

// UPSTREAM: llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-DAG: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK-DAG: llvm.mlir.global internal @__wg_tiles_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<64 x f32>
// A128: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 128 : i64}
// BAD: error: glu-declare-dynamic-shared-memory: the alignment must be a power of two, not 100
gpu.module @kernels {
  gpu.func @tiles(%out: memref<64xf32>)
      workgroup(%a : memref<64xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel {
    %c0 = arith.constant 0 : index
    %dynamic = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
    %view = memref.view %dynamic[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
    %v = memref.load %view[%c0] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %v, %a[%c0] : memref<64xf32, #gpu.address_space<workgroup>>
    %w = memref.load %a[%c0] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %w, %out[%c0] : memref<64xf32>
    gpu.return
  }
}
