// RUN: glu-opt %s -split-input-file --ffn-fuse="pack-arguments=true block-size=4" --canonicalize -verify-diagnostics | FileCheck %s
// The option is the pass ffn-pack-arguments, run first:
// RUN: glu-opt %s -split-input-file --ffn-pack-arguments=block-size=4 --ffn-fuse=block-size=4 --canonicalize -verify-diagnostics | FileCheck %s

// Two layers share one pair of trained weights: the pair becomes one
// packed argument (appended after the kept ones), no packing is left in the
// body, and the function records how the packed argument maps back.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[WO:.*]]: tensor<6x8xf32> {ffn.name = "wo"}, %[[WV:.*]]: tensor<8x12xf32>) -> tensor<4x8xf32>
// CHECK-SAME: attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 2, block_size = 4,
// CHECK-SAME:   gate = <index = 1, name = "wi_0", shape = [8, 6]>,
// CHECK-SAME:   linear = <index = 2, name = "wi_1", shape = [8, 6]>>]}
// CHECK-NOT: ffn.pack_gated
// CHECK-NOT: ffn.unpack_gated
// CHECK: ffn.gated_matmul gelu_tanh block_size(4) ins(%[[X]], %[[WV]] : tensor<4x8xf32>, tensor<8x12xf32>)
// CHECK: ffn.gated_matmul gelu_tanh block_size(4) ins(%{{.*}}, %[[WV]] : tensor<4x8xf32>, tensor<8x12xf32>)
func.func @step(%x: tensor<4x8xf32>, %w: tensor<8x6xf32> {ffn.name = "wi_0"}, %v: tensor<8x6xf32> {ffn.name = "wi_1"}, %w2: tensor<6x8xf32> {ffn.name = "wo"}) -> tensor<4x8xf32> {
  %y = ffn.glu gelu_tanh %x, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  %z = ffn.glu gelu_tanh %y, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// A weight with another use (here returned) stays an argument; unnamed
// arguments are recorded as argN.
// CHECK-LABEL: func.func @shared_weight
// CHECK-SAME: (%{{.*}}: tensor<4x8xf32>, %[[W:.*]]: tensor<8x6xf32>, %[[V:.*]]: tensor<8x6xf32>, %{{.*}}: tensor<6x8xf32>, %{{.*}}: tensor<8x12xf32>)
// CHECK-SAME: ffn.packed_arguments = [#ffn.packed_argument<argument = 4, block_size = 4, gate = <index = 4, name = "arg4", shape = [8, 6]>, linear = <index = 5, name = "arg5", shape = [8, 6]>>]
// CHECK: ffn.pack_gated %[[W]], %[[V]] block_size(4)
func.func @shared_weight(%x: tensor<4x8xf32>, %w: tensor<8x6xf32>, %v: tensor<8x6xf32>, %w2: tensor<6x8xf32>, %w3: tensor<8x6xf32>, %v3: tensor<8x6xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8x6xf32>) {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  %z = ffn.glu relu %x, %w3, %v3, %w2 : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  return %y, %z, %w : tensor<4x8xf32>, tensor<4x8xf32>, tensor<8x6xf32>
}

// -----

// A function called in the module keeps its signature.
// CHECK-LABEL: func.func @callee
// CHECK-SAME: (%{{.*}}: tensor<4x8xf32>, %[[W:.*]]: tensor<8x6xf32>, %[[V:.*]]: tensor<8x6xf32>, %{{.*}}: tensor<6x8xf32>) -> tensor<4x8xf32> {
// CHECK: ffn.pack_gated %[[W]], %[[V]]
// expected-remark @+1 {{ffn-pack-arguments: keeps the signature of @callee: it is called in this module}}
func.func @callee(%x: tensor<4x8xf32>, %w: tensor<8x6xf32>, %v: tensor<8x6xf32>, %w2: tensor<6x8xf32>) -> tensor<4x8xf32> {
  %y = ffn.glu sigmoid %x, %w, %v, %w2 : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @caller(%x: tensor<4x8xf32>, %w: tensor<8x6xf32>, %v: tensor<8x6xf32>, %w2: tensor<6x8xf32>) -> tensor<4x8xf32> {
  %y = func.call @callee(%x, %w, %v, %w2) : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<8x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
