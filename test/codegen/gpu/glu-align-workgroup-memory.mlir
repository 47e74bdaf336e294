// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(glu-align-workgroup-memory))' | FileCheck %s
// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(glu-align-workgroup-memory{alignment=32}))' | FileCheck %s --check-prefix=A32
// RUN: not glu-opt %s --pass-pipeline='builtin.module(gpu.module(glu-align-workgroup-memory{alignment=12}))' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: glu-opt %s --pass-pipeline='builtin.module(gpu.module(glu-align-workgroup-memory),gpu.module(convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=NVVM

// Every workgroup attribution gets llvm.align (16 bytes: cp.async and
// ldmatrix), except one that already has its own; private attributions are
// left alone. convert-gpu-to-nvvm puts it on the .shared global.

// CHECK-LABEL: gpu.func @tiles
//  CHECK-SAME:   workgroup(%{{.*}} : memref<3x128x32xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
//  CHECK-SAME:   private(%{{.*}} : memref<4xf32, #gpu.address_space<private>>)
// A32-LABEL: gpu.func @tiles
//  A32-SAME:   {llvm.align = 32 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
// BAD: error: glu-align-workgroup-memory: the alignment must be a power of two, not 12
// NVVM: llvm.mlir.global internal @__wg_tiles_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<12288 x bf16>
// NVVM: llvm.mlir.global internal @__wg_tiles_1() {addr_space = 3 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>
gpu.module @kernels {
  gpu.func @tiles(%out: memref<1xf32>)
      workgroup(%a : memref<3x128x32xbf16, #gpu.address_space<workgroup>>,
                %b : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
      private(%p : memref<4xf32, #gpu.address_space<private>>) kernel {
    %c0 = arith.constant 0 : index
    %v = memref.load %b[%c0] : memref<8xf32, #gpu.address_space<workgroup>>
    memref.store %v, %out[%c0] : memref<1xf32>
    gpu.return
  }
}
