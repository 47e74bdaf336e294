// RUN: glu-opt %s -split-input-file --glu-outline-parallel-loops | FileCheck %s
// RUN: glu-opt %s -split-input-file --glu-outline-parallel-loops="min-loops=1" | FileCheck %s --check-prefix=ONE

// Three top-level parallel loops: each moves into a private function of its
// own, called in its place. The memrefs, the scalar and the dynamic bound
// they use from above become arguments (in the order of first use), the
// constants are cloned into each function (and leave the caller, which no
// longer uses them), the loop nested in the second
// goes with it, and the third's reduction is the function's result. The
// caller's stack buffer stays in the caller and is passed.

// CHECK-LABEL: func.func @step(
// CHECK-SAME:      %[[X:.*]]: memref<64xf32>, %[[Y:.*]]: memref<64x8xf32>, %[[S:.*]]: f32, %[[N:.*]]: index)
// CHECK-NOT:     arith.constant
// CHECK:         %[[BUF:.*]] = memref.alloca() : memref<64xf32>
// CHECK-NOT:     scf.parallel
// CHECK:         call @step_parallel_0(%[[X]], %[[S]], %[[BUF]]) : (memref<64xf32>, f32, memref<64xf32>) -> ()
// CHECK:         call @step_parallel_1(%[[BUF]], %[[Y]]) : (memref<64xf32>, memref<64x8xf32>) -> ()
// CHECK:         %[[SUM:.*]] = call @step_parallel_2(%[[N]], %[[Y]]) : (index, memref<64x8xf32>) -> f32
// CHECK:         return %[[SUM]] : f32

// CHECK-LABEL: func.func private @step_parallel_0(
// CHECK-SAME:      %[[X:.*]]: memref<64xf32>, %[[S:.*]]: f32, %[[BUF:.*]]: memref<64xf32>) {
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         scf.parallel (%[[I:.*]]) = (%[[C0]]) to (%[[C64]]) step (%[[C1]]) {
// CHECK:           %[[V:.*]] = memref.load %[[X]][%[[I]]]
// CHECK:           %[[W:.*]] = arith.mulf %[[V]], %[[S]] : f32
// CHECK:           memref.store %[[W]], %[[BUF]][%[[I]]]
// CHECK:         return

// CHECK-LABEL: func.func private @step_parallel_1(
// CHECK-SAME:      %[[BUF:.*]]: memref<64xf32>, %[[Y:.*]]: memref<64x8xf32>) {
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[SPLAT:.*]] = arith.constant dense<2.000000e+00> : vector<8xf32>
// CHECK:         scf.parallel
// CHECK:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C8]])
// CHECK:             memref.load %[[BUF]]
// CHECK:           vector.transfer_read %[[Y]]
// CHECK:           arith.mulf %{{.*}}, %[[SPLAT]] : vector<8xf32>
// CHECK:         return
// CHECK-NOT:   func.func private @step_parallel_1_

// CHECK-LABEL: func.func private @step_parallel_2(
// CHECK-SAME:      %[[N:.*]]: index, %[[Y:.*]]: memref<64x8xf32>) -> f32 {
// CHECK:         %[[R:.*]] = scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) {{.*}} init (%{{.*}}) -> f32 {
// CHECK:           scf.reduce(%{{.*}} : f32) {
// CHECK:         return %[[R]] : f32

// ONE-LABEL: func.func @step(
// ONE:         call @step_parallel_0(
// ONE:         call @step_parallel_1(
// ONE:         call @step_parallel_2(
func.func @step(%x: memref<64xf32>, %y: memref<64x8xf32>, %s: f32, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %two = arith.constant dense<2.0> : vector<8xf32>
  %buf = memref.alloca() : memref<64xf32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.mulf %v, %s : f32
    memref.store %w, %buf[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      %b = memref.load %buf[%i] : memref<64xf32>
      memref.store %b, %y[%i, %j] : memref<64x8xf32>
      scf.reduce
    }
    %r = vector.transfer_read %y[%i, %c0], %zero : memref<64x8xf32>, vector<8xf32>
    %d = arith.mulf %r, %two : vector<8xf32>
    vector.transfer_write %d, %y[%i, %c0] : vector<8xf32>, memref<64x8xf32>
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %v = memref.load %y[%i, %c0] : memref<64x8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %t = arith.addf %a, %b : f32
      scf.reduce.return %t : f32
    }
  }
  return %sum : f32
}

// -----

// A loop inside a serial loop is called there, the serial loop's induction
// variable passed. A name another function has is uniqued.

// CHECK-LABEL: func.func @in_loop(
// CHECK-SAME:      %[[X:.*]]: memref<4x64xf32>)
// CHECK:         scf.for %[[K:.*]] =
// CHECK:           call @in_loop_parallel_0_0(%[[X]], %[[K]]) : (memref<4x64xf32>, index) -> ()
// CHECK:         call @in_loop_parallel_1(%[[X]]) : (memref<4x64xf32>) -> ()
// CHECK-LABEL: func.func private @in_loop_parallel_0_0(
// CHECK-SAME:      %{{.*}}: memref<4x64xf32>, %{{.*}}: index) {
// CHECK-LABEL: func.func private @in_loop_parallel_1(
// CHECK-SAME:      %{{.*}}: memref<4x64xf32>) {
// CHECK-LABEL: func.func private @in_loop_parallel_0()
// CHECK-NEXT:    return
func.func @in_loop(%x: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.for %k = %c0 to %c4 step %c1 {
    scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
      memref.store %one, %x[%k, %i] : memref<4x64xf32>
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %x[%c0, %i] : memref<4x64xf32>
    scf.reduce
  }
  return
}
func.func private @in_loop_parallel_0() {
  return
}

// -----

// One parallel loop: kept in place unless min-loops=1. A loop that reads a
// tensor (no function argument in the LLVM dialect) is always kept.

// CHECK-LABEL: func.func @single(
// CHECK:         scf.parallel
// CHECK-NOT:   func.func private @single_parallel_0
// ONE-LABEL:   func.func @single(
// ONE-NOT:       scf.parallel
// ONE:           call @single_parallel_0(%{{.*}}) : (memref<64xf32>) -> ()
// ONE-LABEL:   func.func private @single_parallel_0(
// ONE:           scf.parallel
func.func @single(%x: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %x[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// CHECK-LABEL: func.func @tensor_user(
// CHECK:         scf.parallel
// CHECK:           tensor.extract
// CHECK:         call @tensor_user_parallel_1(
// CHECK-NOT:   func.func private @tensor_user_parallel_0
// CHECK-LABEL: func.func private @tensor_user_parallel_1(
func.func @tensor_user(%t: tensor<64xf32>, %x: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = tensor.extract %t[%i] : tensor<64xf32>
    memref.store %v, %x[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<64xf32>
    scf.reduce
  }
  return
}
