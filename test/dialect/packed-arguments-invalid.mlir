// RUN: glu-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of #ffn.original_argument, #ffn.packed_argument
// and the ffn dialect's check of ffn.packed_arguments on a function. An
// invalid #ffn.original_argument also fails the record that holds it.

// expected-error @+1 {{block_size of packed argument #1 must be positive, got 0}}
func.func @zero_block(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 0, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{packed argument index must be non-negative, got -1}}
func.func @negative_argument(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = -1, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+2 {{original argument index must be non-negative, got -2}}
// expected-error @+1 {{failed to parse FFN_PackedArgumentAttr parameter 'gate'}}
func.func @negative_index(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = -2, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+2 {{original argument 'w' must have rank 1 or 2, got shape [2, 8, 6]}}
// expected-error @+1 {{failed to parse FFN_PackedArgumentAttr parameter 'gate'}}
func.func @rank_three(%wv: tensor<2x8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [2, 8, 6]>, linear = <index = 2, name = "v", shape = [2, 8, 6]>>]} {
  return
}

// -----

// expected-error @+2 {{original argument 'w' must have rank 1 or 2, got shape []}}
// expected-error @+1 {{failed to parse FFN_PackedArgumentAttr parameter 'gate'}}
func.func @rank_zero(%wv: tensor<2xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = []>, linear = <index = 2, name = "v", shape = []>>]} {
  return
}

// -----

// expected-error @+2 {{original argument 'w' has a negative size in shape [8, -6]}}
// expected-error @+1 {{failed to parse FFN_PackedArgumentAttr parameter 'gate'}}
func.func @negative_size(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, -6]>, linear = <index = 2, name = "v", shape = [8, -6]>>]} {
  return
}

// -----

// expected-error @+2 {{original argument #1 has an empty name}}
// expected-error @+1 {{failed to parse FFN_PackedArgumentAttr parameter 'gate'}}
func.func @empty_name(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{packed argument #0 packs a gate of shape [8, 6] with a linear weight of shape [8, 7]; both must have one shape}}
func.func @shapes_differ(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 7]>>]} {
  return
}

// -----

// expected-error @+1 {{packed argument #0 packs original argument #1 with itself}}
func.func @packed_with_itself(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 1, name = "w", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' must be an array of #ffn.packed_argument, got 1 : i64}}
func.func @not_an_array(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = 1} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' entry #1 must be a #ffn.packed_argument, got {argument = 0 : i64}}}
func.func @old_dictionary(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>, {argument = 0}]} {
  return
}

// -----

func.func @not_a_function() {
  // expected-error @+1 {{'arith.constant' op has 'ffn.packed_arguments', which only a function (FunctionOpInterface) may carry}}
  %c = arith.constant {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} 0 : i32
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' packs argument #0 twice (entries #0 and #1)}}
func.func @packed_twice(%wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [
    #ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>,
    #ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 3, name = "w3", shape = [8, 6]>, linear = <index = 4, name = "v3", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' records original argument #2 in two packed arguments (entries #0 and #1)}}
func.func @original_twice(%wv: tensor<8x12xf32>, %wv3: tensor<8x12xf32>) attributes {ffn.packed_arguments = [
    #ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>,
    #ffn.packed_argument<argument = 1, block_size = 4, gate = <index = 2, name = "v", shape = [8, 6]>, linear = <index = 3, name = "v3", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' entry #0 packs argument #2, but the function has 2 arguments}}
func.func @argument_out_of_range(%x: tensor<4x8xf32>, %wv: tensor<8x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 2, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' packs argument #1 of type 'f32'; a packed argument is a ranked tensor or memref}}
func.func @scalar_argument(%x: tensor<4x8xf32>, %s: f32) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// The packed argument holds both originals: its last size is twice theirs.
// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' packs argument #1 of type 'tensor<8x6xf32>', but packing 'wi_0' and 'wi_1' (8x6) gives 8x12: the leading sizes of the originals and twice their last}}
func.func @not_doubled(%x: tensor<4x8xf32>, %wv: tensor<8x6xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 1, block_size = 4, gate = <index = 1, name = "wi_0", shape = [8, 6]>, linear = <index = 2, name = "wi_1", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' packs argument #0 of type 'memref<16x12xf32>', but packing 'w' and 'v' (8x6) gives 8x12: the leading sizes of the originals and twice their last}}
func.func @leading_sizes_differ(%wv: memref<16x12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'ffn.packed_arguments' packs argument #0 of type 'tensor<12xf32>', but packing 'w' and 'v' (8x6) gives 8x12: the leading sizes of the originals and twice their last}}
func.func @rank_differs(%wv: tensor<12xf32>) attributes {ffn.packed_arguments = [#ffn.packed_argument<argument = 0, block_size = 4, gate = <index = 1, name = "w", shape = [8, 6]>, linear = <index = 2, name = "v", shape = [8, 6]>>]} {
  return
}
