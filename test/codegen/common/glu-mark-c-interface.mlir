// RUN: glu-opt %s --glu-mark-c-interface | FileCheck %s

// Every public function definition gets llvm.emit_c_interface; private
// functions and declarations keep their attributes.

// CHECK-LABEL: func.func @entry
// CHECK-SAME:    attributes {llvm.emit_c_interface}
func.func @entry(%m: memref<4xf32>) {
  return
}

// CHECK-LABEL: func.func private @helper
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-SAME:    {
func.func private @helper(%m: memref<4xf32>) {
  return
}

// CHECK: func.func private @external(memref<4xf32>){{$}}
func.func private @external(memref<4xf32>)
