// RUN: glu-opt %s --split-input-file --glu-tie-in-place-results | FileCheck %s --check-prefix=TIE
// RUN: glu-opt %s --split-input-file --pass-pipeline='builtin.module(glu-tie-in-place-results,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},glu-drop-in-place-results)' | FileCheck %s --check-prefix=DROP

// A decoder step writes one row of its cache: the cache result is the cache
// argument updated in place, so it leaves the signature and nothing copies
// the whole cache; the row argument stays read-only.

// TIE-LABEL: func.func @step(
// TIE-SAME: {bufferization.writable = true, ffn.name = "cache"}
// TIE-SAME: {bufferization.writable = false, ffn.name = "row"}
// TIE-SAME: %{{.*}}: index {ffn.name = "pos"}
// TIE-SAME: attributes {ffn.tied_results = array<i64: -1, 0>}

// DROP-LABEL: func.func @step(
// DROP-SAME: %[[CACHE:.*]]: memref<4x8xf32> {ffn.name = "cache"}, %[[ROW:.*]]: memref<1x8xf32> {ffn.name = "row"}
// DROP-SAME: -> (memref<8xf32> {ffn.name = "out"})
// DROP-SAME: attributes {ffn.in_place_results = array<i64: -1, 0>}
// DROP: %[[SLOT:.*]] = memref.subview %[[CACHE]]
// DROP-NEXT: memref.copy %[[ROW]], %[[SLOT]]
// DROP-NOT: memref.copy
// DROP: return %{{.*}} : memref<8xf32>
func.func @step(%cache: tensor<4x8xf32> {ffn.name = "cache"},
                %row: tensor<1x8xf32> {ffn.name = "row"},
                %pos: index {ffn.name = "pos"})
    -> (tensor<8xf32> {ffn.name = "out"}, tensor<4x8xf32> {ffn.name = "cache"}) {
  %c = tensor.insert_slice %row into %cache[%pos, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  %r = tensor.collapse_shape %row [[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  return %r, %c : tensor<8xf32>, tensor<4x8xf32>
}

// -----

// An optimizer's update, vectorized in a loop over the parameter: the loop
// carries the parameter's buffer, so its result is the argument updated in
// place and leaves the signature.

// DROP-LABEL: func.func @update(
// DROP-SAME: %[[P:.*]]: memref<32xf32> {ffn.name = "p"}, %[[G:.*]]: memref<32xf32> {ffn.name = "g"})
// DROP-SAME: attributes {ffn.in_place_results = array<i64: 0>}
// DROP: scf.for {{.*}} iter_args(%{{.*}} = %[[P]]) -> (memref<32xf32>)
// DROP-NOT: memref.copy
// DROP: return{{$}}
func.func @update(%p: tensor<32xf32> {ffn.name = "p"},
                  %g: tensor<32xf32> {ffn.name = "g"})
    -> (tensor<32xf32> {ffn.name = "p"}) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %pad = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %c32 step %c16 iter_args(%acc = %p) -> (tensor<32xf32>) {
    %gv = vector.transfer_read %g[%i], %pad {in_bounds = [true]} : tensor<32xf32>, vector<16xf32>
    %pv = vector.transfer_read %acc[%i], %pad {in_bounds = [true]} : tensor<32xf32>, vector<16xf32>
    %nv = arith.subf %pv, %gv : vector<16xf32>
    %w = vector.transfer_write %nv, %acc[%i] {in_bounds = [true]} : vector<16xf32>, tensor<32xf32>
    scf.yield %w : tensor<32xf32>
  }
  return %r : tensor<32xf32>
}

// -----

// Without the tie the argument is read-only: one-shot-bufferize copies it
// before the insert, and the cache result is a new buffer.

// TIE-LABEL: func.func @untied(
// TIE-SAME: {bufferization.writable = false, ffn.name = "cache"}
// TIE-NOT: ffn.tied_results
// TIE: return

// DROP-LABEL: func.func @untied(
// DROP-SAME: %[[CACHE:.*]]: memref<4x8xf32> {ffn.name = "cache"}
// DROP-SAME: -> (memref<4x8xf32> {ffn.name = "next"})
// DROP-NOT: ffn.in_place_results
// DROP: %[[COPY:.*]] = memref.alloc
// DROP: memref.copy %[[CACHE]], %[[COPY]]
// DROP: return %[[COPY]]
func.func @untied(%cache: tensor<4x8xf32> {ffn.name = "cache"},
                  %row: tensor<1x8xf32> {ffn.name = "row"}, %pos: index)
    -> (tensor<4x8xf32> {ffn.name = "next"}) {
  %c = tensor.insert_slice %row into %cache[%pos, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// A tied result the bufferization makes a new buffer stays a result. The
// argument was writable, and the insert wrote it: the function works on a
// copy, so that the caller's buffer is not changed.

// DROP-LABEL: func.func @transposed(
// DROP-SAME: %[[W:.*]]: memref<4x4xf32> {ffn.name = "w"}
// DROP-SAME: -> (memref<4x4xf32> {ffn.name = "w"})
// DROP-NOT: ffn.in_place_results
// DROP-NEXT: %[[COPY:.*]] = memref.alloc() : memref<4x4xf32>
// DROP-NEXT: memref.copy %[[W]], %[[COPY]]
// DROP-NOT: %[[W]]
// DROP: memref.store %{{.*}}, %[[COPY]]
// DROP: linalg.transpose ins(%[[COPY]]
func.func @transposed(%w: tensor<4x4xf32> {ffn.name = "w"})
    -> (tensor<4x4xf32> {ffn.name = "w"}) {
  %one = arith.constant 1.0 : f32
  %i = arith.constant 0 : index
  %w1 = tensor.insert %one into %w[%i, %i] : tensor<4x4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %t = linalg.transpose ins(%w1 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>)
      permutation = [1, 0]
  return %t : tensor<4x4xf32>
}

// -----

// The same, reading the argument only: no copy.

// DROP-LABEL: func.func @read_only(
// DROP-SAME: %[[W:.*]]: memref<4x4xf32> {ffn.name = "w"}
// DROP-NOT: memref.copy
// DROP: linalg.transpose ins(%[[W]]
func.func @read_only(%w: tensor<4x4xf32> {ffn.name = "w"})
    -> (tensor<4x4xf32> {ffn.name = "w"}) {
  %e = tensor.empty() : tensor<4x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>)
      permutation = [1, 0]
  return %t : tensor<4x4xf32>
}

// -----

// No tie: a name two arguments share, a result of another type, a private
// function. Every argument of the entry point is read-only.

// TIE-LABEL: func.func @ambiguous(
// TIE-SAME: {bufferization.writable = false, ffn.name = "s"}
// TIE-SAME: {bufferization.writable = false, ffn.name = "s"}
// TIE-SAME: {bufferization.writable = false, ffn.name = "t"}
// TIE-NOT: ffn.tied_results
// TIE-LABEL: func.func private @helper(
// TIE-NOT: bufferization.writable
// TIE-NOT: ffn.tied_results
func.func @ambiguous(%a: tensor<4xf32> {ffn.name = "s"},
                     %b: tensor<4xf32> {ffn.name = "s"},
                     %c: tensor<4xf32> {ffn.name = "t"})
    -> (tensor<4xf32> {ffn.name = "s"}, tensor<2xf32> {ffn.name = "t"}) {
  %h = tensor.extract_slice %c[0] [2] [1] : tensor<4xf32> to tensor<2xf32>
  return %a, %h : tensor<4xf32>, tensor<2xf32>
}
func.func private @helper(%x: tensor<4xf32> {ffn.name = "x"})
    -> (tensor<4xf32> {ffn.name = "x"}) {
  return %x : tensor<4xf32>
}
