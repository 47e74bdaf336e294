// RUN: glu-opt %s -split-input-file | FileCheck %s
// Round trip: the printed form parses back to itself.
// RUN: glu-opt %s -split-input-file | glu-opt -split-input-file | FileCheck %s
// The generic form keeps the records as they are.
// RUN: glu-opt %s -split-input-file --mlir-print-op-generic | glu-opt -split-input-file | FileCheck %s
// ffn.packed_arguments, the records of ffn-fuse pack-arguments=true: one
// #ffn.packed_argument per packed argument of the function.

// CHECK-LABEL: func.func @one_pair
// CHECK-SAME: (%{{.*}}: tensor<4x8xf32>, %{{.*}}: tensor<8x12xf32>)
// CHECK-SAME: attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 4, gate = <index = 1, name = "wi_0", shape = [8, 6]>, linear = <index = 2, name = "wi_1", shape = [8, 6]>>]}
func.func @one_pair(%x: tensor<4x8xf32>, %wv: tensor<8x12xf32>) attributes {
  ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 4,
    gate = <index = 1, name = "wi_0", shape = [8, 6]>,
    linear = <index = 2, name = "wi_1", shape = [8, 6]>>]} {
  return
}

// -----

// The parameters come in any order, and the originals may be spelled with
// their own mnemonic; both print in the one canonical form.
// CHECK-LABEL: func.func @spelled_out
// CHECK-SAME: ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 64, gate = <index = 0, name = "w", shape = [16, 64]>, linear = <index = 1, name = "v", shape = [16, 64]>>]
func.func @spelled_out(%wv: tensor<16x128xf32>) attributes {
  ffn.packed_arguments = [#ffn.packed_argument<
    linear = #ffn.original_argument<index = 1, name = "v", shape = [16, 64]>,
    gate = #ffn.original_argument<index = 0, name = "w", shape = [16, 64]>,
    block_size = 64, argument = 0>]} {
  return
}

// -----

// Two packed arguments, a dynamic size (printed `?`), a memref signature
// (after bufferization) and packed biases (rank 1).
// CHECK-LABEL: func.func @two_pairs
// CHECK-SAME: ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 8, gate = <index = 1, name = "arg1", shape = [?, 6]>, linear = <index = 2, name = "arg2", shape = [?, 6]>>, #ffn.packed_argument<argument = 2, block_size = 8, gate = <index = 3, name = "b", shape = [6]>, linear = <index = 4, name = "c", shape = [6]>>]
func.func @two_pairs(%x: memref<4x8xf32>, %wv: memref<?x12xf32>, %bc: memref<12xf32>) attributes {
  ffn.packed_arguments = [
    #ffn.packed_argument<argument = 1, block_size = 8,
      gate = <index = 1, name = "arg1", shape = [?, 6]>,
      linear = <index = 2, name = "arg2", shape = [?, 6]>>,
    #ffn.packed_argument<argument = 2, block_size = 8,
      gate = <index = 3, name = "b", shape = [6]>,
      linear = <index = 4, name = "c", shape = [6]>>]} {
  return
}

// -----

// Once lowered to LLVM the signature is no longer the one the records
// describe (func-to-llvm keeps the attribute): only the records are checked.
// CHECK-LABEL: llvm.func @lowered
// CHECK-SAME: ffn.packed_arguments = [#ffn.packed_argument<argument = 1,
llvm.func @lowered(%x: !llvm.ptr, %wv: !llvm.ptr, %n: i64) attributes {
  ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 4,
    gate = <index = 1, name = "w", shape = [8, 6]>,
    linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  llvm.return
}

// -----

// The dialect checks ffn.packed_arguments only; other ffn.* attributes of an
// op are left alone.
// CHECK-LABEL: func.func @other_attribute
// CHECK-SAME: ffn.something_else = #ffn.activation<relu>
func.func @other_attribute() attributes {ffn.something_else = #ffn.activation<relu>} {
  return
}
