// RUN: glu-opt %s -split-input-file -finalize-memref-to-llvm -convert-func-to-llvm -reconcile-unrealized-casts -glu-emit-entry-points -verify-diagnostics | FileCheck %s
// RUN: glu-opt %s -split-input-file -finalize-memref-to-llvm -convert-func-to-llvm -reconcile-unrealized-casts -glu-emit-entry-points -verify-diagnostics | FileCheck %s --check-prefix=LINK

// Every operand of the C interface is read from args[i]: memref descriptors
// as the pointer itself, scalars loaded through it. Private functions and
// functions without a C interface get no entry point.

// CHECK-LABEL: llvm.func @glu_entry_forward(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[ARGS]][1]
// CHECK: %[[P1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[V1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> f32
// CHECK: %[[S2:.*]] = llvm.getelementptr %[[ARGS]][2]
// CHECK: %[[D2:.*]] = llvm.load %[[S2]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_forward(%[[D0]], %[[V1]], %[[D2]])
// CHECK-NEXT: llvm.return
// CHECK-LABEL: llvm.func @glu_abi_version() -> i32
// CHECK: llvm.mlir.constant(3 : i32)
// CHECK-NOT: glu_entry_helper
// CHECK-NOT: glu_entry_internal
// CHECK-NOT: glu_entry_local
func.func @forward(%x: memref<4xf32>, %s: f32, %out: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}
func.func @helper(%x: memref<4xf32>) {
  return
}
func.func private @internal(%x: memref<4xf32>) attributes {llvm.emit_c_interface}
// A private function with a body becomes internal; a public one keeps its
// linkage, and so does the wrapper func-to-llvm writes for an external
// declaration with a C interface (already private).
// LINK-DAG: llvm.func internal @local(
// LINK-DAG: llvm.func @helper(
// LINK-DAG: llvm.func private @internal(
func.func private @local(%x: memref<4xf32>) {
  return
}

// -----

// expected-error @+1 {{entry point 'scalar' returns a value; glu entry points return their results through out-parameters}}
func.func @scalar(%x: f32) -> f32 attributes {llvm.emit_c_interface} {
  return %x : f32
}

// -----

// Names the artifact ABI reserves: a public function named glu_abi_version
// (the loader would call it for the ABI version) ...

// expected-error @+1 {{function 'glu_abi_version' uses a name reserved by the glu artifact ABI ('glu_abi_version', 'glu_entry_<entry point>' and 'glu_signature_<entry point>'); rename it}}
func.func @glu_abi_version(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}

// -----

// ... and @glu_entry_x beside @x, whose entry point would be the same symbol.

func.func @x(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}
// expected-error @+1 {{function 'glu_entry_x' uses a name reserved by the glu artifact ABI ('glu_abi_version', 'glu_entry_<entry point>' and 'glu_signature_<entry point>'); rename it}}
func.func @glu_entry_x(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}

// -----

// ... and @glu_signature_x, the name of the signature glu-compile embeds for
// @x, even in the shape of an entry point.

func.func @x(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}
// expected-error @+1 {{function 'glu_signature_x' uses a name reserved by the glu artifact ABI}}
llvm.func @glu_signature_x(%args: !llvm.ptr) {
  llvm.return
}

// -----

// A private function of a reserved name is refused as well.

func.func @y(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}
// expected-error @+1 {{function 'glu_entry_y' uses a name reserved by the glu artifact ABI}}
func.func private @glu_entry_y(%x: memref<4xf32>) {
  return
}
