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

// Host code that needs a value from device memory cannot be fixed.

func.func @host_read(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{reads device memory on the host}}
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}
