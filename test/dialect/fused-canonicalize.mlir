// RUN: glu-opt %s -split-input-file --canonicalize | FileCheck %s

// Packing constants happens at compile time, ragged last block included.
// CHECK-LABEL: func.func @pack_constants
// CHECK: %[[P:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, 1.000000e+01, 1.100000e+01, 2.000000e+00, 3.000000e+00, 1.200000e+01, 1.300000e+01, 4.000000e+00, 1.400000e+01]]> : tensor<1x10xf32>
// CHECK: return %[[P]]
func.func @pack_constants() -> tensor<1x10xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0]]> : tensor<1x5xf32>
  %v = arith.constant dense<[[10.0, 11.0, 12.0, 13.0, 14.0]]> : tensor<1x5xf32>
  %p = ffn.pack_gated %w, %v block_size(2) : tensor<1x5xf32>, tensor<1x5xf32> -> tensor<1x10xf32>
  return %p : tensor<1x10xf32>
}

// -----

// Unpacking a constant inverts it; splats stay splats.
// CHECK-LABEL: func.func @unpack_constants
// CHECK-DAG: %[[G:.*]] = arith.constant dense<{{\[}}0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<5xf32>
// CHECK-DAG: %[[L:.*]] = arith.constant dense<{{\[}}1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01]> : tensor<5xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<7.000000e+00> : tensor<3xf32>
// CHECK: return %[[G]], %[[L]], %[[S]]
func.func @unpack_constants() -> (tensor<5xf32>, tensor<5xf32>, tensor<3xf32>) {
  %p = arith.constant dense<[0.0, 1.0, 10.0, 11.0, 2.0, 3.0, 12.0, 13.0, 4.0, 14.0]> : tensor<10xf32>
  %g, %l = ffn.unpack_gated %p block_size(2) : tensor<10xf32> -> tensor<5xf32>, tensor<5xf32>
  %s = arith.constant dense<7.0> : tensor<6xf32>
  %sg, %sl = ffn.unpack_gated %s block_size(4) : tensor<6xf32> -> tensor<3xf32>, tensor<3xf32>
  return %g, %l, %sl : tensor<5xf32>, tensor<5xf32>, tensor<3xf32>
}

// -----

// unpack_gated(pack_gated(w, v)) is w, v.
// CHECK-LABEL: func.func @unpack_of_pack
// CHECK-SAME: (%[[W:.*]]: tensor<8x12xf32>, %[[V:.*]]: tensor<8x12xf32>)
// CHECK-NOT: ffn.
// CHECK: return %[[V]], %[[W]]
func.func @unpack_of_pack(%w: tensor<8x12xf32>, %v: tensor<8x12xf32>) -> (tensor<8x12xf32>, tensor<8x12xf32>) {
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x24xf32>
  %g, %l = ffn.unpack_gated %p block_size(4) : tensor<8x24xf32> -> tensor<8x12xf32>, tensor<8x12xf32>
  return %l, %g : tensor<8x12xf32>, tensor<8x12xf32>
}

// -----

// A different block size is a different layout: no folding.
// CHECK-LABEL: func.func @unpack_of_pack_other_block
// CHECK: ffn.pack_gated {{.*}} block_size(4)
// CHECK: ffn.unpack_gated {{.*}} block_size(3)
func.func @unpack_of_pack_other_block(%w: tensor<8x12xf32>, %v: tensor<8x12xf32>) -> tensor<8x12xf32> {
  %p = ffn.pack_gated %w, %v block_size(4) : tensor<8x12xf32>, tensor<8x12xf32> -> tensor<8x24xf32>
  %g, %l = ffn.unpack_gated %p block_size(3) : tensor<8x24xf32> -> tensor<8x12xf32>, tensor<8x12xf32>
  return %l : tensor<8x12xf32>
}
