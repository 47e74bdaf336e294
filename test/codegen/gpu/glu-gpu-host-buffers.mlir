// RUN: glu-opt %s -split-input-file -verify-diagnostics --glu-gpu-host-buffers | FileCheck %s

// Allocations and contiguous copies go through the gpu dialect; a buffer
// that does not escape is freed at the end of its block; a strided copy
// becomes a copy kernel; kernels are left alone; the function gets a C
// interface.

// CHECK-LABEL: func.func @buffers
//  CHECK-SAME:   (%[[A:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x8xf32>) {
//       CHECK:   %[[T:.*]] = gpu.alloc () : memref<4x8xf32>
//       CHECK:   gpu.memcpy %[[T]], %[[A]] : memref<4x8xf32>, memref<4x8xf32>
//       CHECK:   gpu.launch
//       CHECK:     memref.load %[[T]]
//       CHECK:     gpu.terminator
//       CHECK:   %[[SRC:.*]] = memref.subview %[[T]]
//       CHECK:   %[[DST:.*]] = memref.subview %[[OUT]]
//       CHECK:   gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
//       CHECK:     %[[V:.*]] = memref.load %[[SRC]]
//       CHECK:     memref.store %[[V]], %[[DST]]
//       CHECK:   gpu.dealloc %[[T]] : memref<4x8xf32>
//  CHECK-NEXT:   return
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   memref.copy
func.func @buffers(%a: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %t = memref.alloc() : memref<4x8xf32>
  memref.copy %a, %t : memref<4x8xf32> to memref<4x8xf32>
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %t[%tx, %ty] : memref<4x8xf32>
    memref.store %v, %out[%tx, %ty] : memref<4x8xf32>
    gpu.terminator
  }
  %src = memref.subview %t[0, 0] [4, 3] [1, 1] : memref<4x8xf32> to memref<4x3xf32, strided<[8, 1]>>
  %dst = memref.subview %out[0, 5] [4, 3] [1, 1] : memref<4x8xf32> to memref<4x3xf32, strided<[8, 1], offset: 5>>
  memref.copy %src, %dst : memref<4x3xf32, strided<[8, 1]>> to memref<4x3xf32, strided<[8, 1], offset: 5>>
  return
}

// -----

// A loop left on the host that writes device memory runs in a one-thread
// kernel; an existing dealloc is kept (as gpu.dealloc), not doubled.

// CHECK-LABEL: func.func @host_loop
//       CHECK:   %[[B:.*]] = gpu.alloc () : memref<16xf32>
//       CHECK:   gpu.launch blocks(%{{.*}}) in (%{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}) threads(%{{.*}}) in (%{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}})
//  CHECK-NEXT:     scf.for
//  CHECK-NEXT:       memref.store %{{.*}}, %[[B]]
//       CHECK:     gpu.terminator
//       CHECK:   gpu.dealloc %[[B]]
//   CHECK-NOT:   gpu.dealloc
//       CHECK:   return
func.func @host_loop(%x: f32) {
  %b = memref.alloc() : memref<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    memref.store %x, %b[%i] : memref<16xf32>
  }
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// A host constant is copied to a device buffer that is freed on return.

memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @constant
//       CHECK:   %[[G:.*]] = memref.get_global @table
//       CHECK:   %[[D:.*]] = gpu.alloc () : memref<4xf32>
//       CHECK:   gpu.memcpy %[[D]], %[[G]]
//       CHECK:   gpu.memcpy %{{.*}}, %[[D]]
//       CHECK:   gpu.dealloc %[[D]]
//  CHECK-NEXT:   return
func.func @constant(%out: memref<4xf32>) {
  %g = memref.get_global @table : memref<4xf32>
  memref.copy %g, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Scalar code on device memory (a rank-0 linalg op lowered to loops):
// the loads, what computes on them and the stores run in one one-thread
// kernel, placed at the last of them; the constant stays outside.

// CHECK-LABEL: func.func @scalar_code
//       CHECK:   gpu.launch blocks(%{{.*}}) in (%{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}) threads(%{{.*}}) in (%{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}}, %{{[^ ]*}} = %c1{{[_0-9]*}})
//  CHECK-NEXT:     %[[A:.*]] = memref.load %arg0[]
//  CHECK-NEXT:     %[[B:.*]] = memref.load %arg1[]
//  CHECK-NEXT:     %[[S:.*]] = arith.addf %[[A]], %[[B]]
//  CHECK-NEXT:     %[[H:.*]] = arith.mulf %[[S]], %cst
//  CHECK-NEXT:     memref.store %[[H]], %arg2[]
//  CHECK-NEXT:     gpu.terminator
//   CHECK-NOT:   memref.load
//       CHECK:   return
func.func @scalar_code(%a: memref<f32>, %b: memref<f32>, %out: memref<f32>) {
  %x = memref.load %a[] : memref<f32>
  %half = arith.constant 0.5 : f32
  %y = memref.load %b[] : memref<f32>
  %s = arith.addf %x, %y : f32
  %h = arith.mulf %s, %half : f32
  memref.store %h, %out[] : memref<f32>
  return
}

// -----

// A loaded value host code needs (an offset into a buffer) is read from a
// host copy of its buffer.

// CHECK-LABEL: func.func @host_offset
//       CHECK:   %[[H:.*]] = memref.alloca() : memref<i32>
//       CHECK:   gpu.memcpy %[[H]], %arg0 : memref<i32>, memref<i32>
//       CHECK:   %[[P:.*]] = memref.load %[[H]][]
//       CHECK:   %[[I:.*]] = arith.index_cast %[[P]]
//       CHECK:   memref.subview %arg1[%[[I]]] [4] [1]
func.func @host_offset(%pos: memref<i32>, %cache: memref<32xf32>, %row: memref<4xf32>) {
  %p = memref.load %pos[] : memref<i32>
  %i = arith.index_cast %p : i32 to index
  %view = memref.subview %cache[%i] [4] [1] : memref<32xf32> to memref<4xf32, strided<[1], offset: ?>>
  memref.copy %row, %view : memref<4xf32> to memref<4xf32, strided<[1], offset: ?>>
  return
}

// -----

// A host loop that reads device memory and launches kernels (a scatter of
// rows, say) runs in a one-thread kernel, and the kernels it launched run
// inside it as loops over their blocks and threads.

// CHECK-LABEL: func.func @loop_of_launches
//       CHECK:   gpu.launch
//       CHECK:     scf.for %[[N:.*]] =
//       CHECK:       %[[ID:.*]] = memref.load %arg0[%[[N]]]
//       CHECK:       scf.for %[[BZ:.*]] = %{{.*}} to %c1
//       CHECK:         scf.for %[[BY:.*]] = %{{.*}} to %c1
//       CHECK:           scf.for %[[BX:.*]] = %{{.*}} to %c1
//       CHECK:             scf.for %[[TZ:.*]] = %{{.*}} to %c1
//       CHECK:               scf.for %[[TY:.*]] = %{{.*}} to %c1
//       CHECK:                 scf.for %[[TX:.*]] = %{{.*}} to %c4
//       CHECK:                   memref.load %arg1[%[[N]], %[[TX]]]
//       CHECK:                   memref.store %{{.*}}, %arg2[%{{.*}}, %[[TX]]]
//   CHECK-NOT:   gpu.launch
//       CHECK:   return
func.func @loop_of_launches(%ids: memref<3xindex>, %rows: memref<3x4xf32>, %table: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %n = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%n] : memref<3xindex>
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
      %r = memref.load %rows[%n, %tx] : memref<3x4xf32>
      %t = memref.load %table[%id, %tx] : memref<8x4xf32>
      %s = arith.addf %r, %t : f32
      memref.store %s, %table[%id, %tx] : memref<8x4xf32>
      gpu.terminator
    }
  }
  return
}

// -----

// A value host code needs from a buffer of dynamic shape cannot be read.

func.func @host_read(%a: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{reads device memory on the host; glu-gpu-host-buffers cannot move it into a kernel, and copies back only buffers of static shape, identity layout and at most 1024 elements, not 'memref<?xf32>'}}
  %v = memref.load %a[%c0] : memref<?xf32>
  return %v : f32
}

// -----

// A kernel whose threads synchronize cannot run inside a one-thread one.

func.func @loop_of_barriers(%ids: memref<3xindex>, %table: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %n = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%n] : memref<3xindex>
    // expected-error @below {{is launched from host code on device memory that runs in a one-thread kernel, and its threads synchronize or share memory}}
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      gpu.barrier
      %t = memref.load %table[%id] : memref<8xf32>
      memref.store %t, %table[%id] : memref<8xf32>
      gpu.terminator
    }
  }
  return
}
