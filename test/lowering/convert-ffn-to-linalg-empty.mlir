// RUN: glu-opt %s -split-input-file --convert-ffn-to-linalg | FileCheck %s
// Packing a weight with a size-0 dimension moves nothing: the result is an
// empty tensor (a slice at offset 0 of a size-0 dimension would not verify:
// "offset 0 is out-of-bounds: 0 >= 0").

// CHECK-LABEL: func.func @empty_pack
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<0x48xf32>
// CHECK-NEXT: return %[[E]]
func.func @empty_pack(%w: tensor<0x24xf32>, %v: tensor<0x24xf32>) -> tensor<0x48xf32> {
  %p = ffn.pack_gated %w, %v block_size(128) : tensor<0x24xf32>, tensor<0x24xf32> -> tensor<0x48xf32>
  return %p : tensor<0x48xf32>
}

// -----

// CHECK-LABEL: func.func @empty_unpack
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<0x24xf32>
// CHECK-NEXT: return %[[E]], %[[E]]
func.func @empty_unpack(%p: tensor<0x48xf32>) -> (tensor<0x24xf32>, tensor<0x24xf32>) {
  %w, %v = ffn.unpack_gated %p block_size(8) : tensor<0x48xf32> -> tensor<0x24xf32>, tensor<0x24xf32>
  return %w, %v : tensor<0x24xf32>, tensor<0x24xf32>
}

