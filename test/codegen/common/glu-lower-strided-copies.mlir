// RUN: glu-opt %s -glu-lower-strided-copies | FileCheck %s

// A copy out of or into a subview becomes linalg.copy; a copy between two
// contiguous buffers stays a memref.copy (a memcpy).

// CHECK-LABEL: func.func @strided
// CHECK: %[[SV:.*]] = memref.subview
// CHECK: linalg.copy ins(%[[SV]] : memref<4x2xf32, strided<[8, 1], offset: 2>>) outs(%{{.*}} : memref<4x2xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<4x8xf32>, %b: memref<4x2xf32>) {
  %s = memref.subview %a[0, 2] [4, 2] [1, 1] : memref<4x8xf32> to memref<4x2xf32, strided<[8, 1], offset: 2>>
  memref.copy %s, %b : memref<4x2xf32, strided<[8, 1], offset: 2>> to memref<4x2xf32>
  return
}

// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x8xf32> to memref<4x8xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}
