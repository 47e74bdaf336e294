// RUN: glu-opt %s --ffn-fold-constant-transposes -split-input-file | FileCheck %s

// A 2 x 3 constant [[1, 2, 3], [4, 5, 6]] transposed at compile time.

// CHECK-LABEL: func.func @dense
// CHECK-NEXT:    %[[T:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT:    return %[[T]]
func.func @dense() -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// torch-mlir's form: the weight is a dense_resource blob (the same six
// floats, after the blob's 4-byte alignment word).

// CHECK-LABEL: func.func @resource
// CHECK-NEXT:    %[[T:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT:    return %[[T]]
func.func @resource() -> tensor<3x2xf32> {
  %w = arith.constant dense_resource<torch_tensor_2_3_torch.float32> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_2_3_torch.float32: "0x040000000000803f0000004000004040000080400000a0400000c040"
    }
  }
#-}

// -----

// Any permutation: [2, 1, 3] [[[0, 1, 2]], [[3, 4, 5]]] by [2, 0, 1] ->
// result[k][i][j] = input[i][j][k].

// CHECK-LABEL: func.func @rank3
// CHECK-NEXT:    arith.constant dense<{{\[}}{{\[}}[0.000000e+00], [3.000000e+00]], {{\[}}[1.000000e+00], [4.000000e+00]], {{\[}}[2.000000e+00], [5.000000e+00]]]> : tensor<3x2x1xf32>
func.func @rank3() -> tensor<3x2x1xf32> {
  %w = arith.constant dense<[[[0.0, 1.0, 2.0]], [[3.0, 4.0, 5.0]]]> : tensor<2x1x3xf32>
  %e = tensor.empty() : tensor<3x2x1xf32>
  %t = linalg.transpose ins(%w : tensor<2x1x3xf32>) outs(%e : tensor<3x2x1xf32>) permutation = [2, 0, 1]
  return %t : tensor<3x2x1xf32>
}

// -----

// The pack ffn-fuse puts on a layer's transposed gate and linear weights
// folds once they are constants: the packed weight is one constant (block
// 2: gate columns 0-1, linear 0-1, gate 2, linear 2).

// CHECK-LABEL: func.func @pack_of_transposes
// CHECK-NEXT:    %[[P:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 1.000000e+01, 2.000000e+01, 3.000000e+00, 3.000000e+01]]> : tensor<1x6xf32>
// CHECK-NEXT:    return %[[P]]
func.func @pack_of_transposes() -> tensor<1x6xf32> {
  %w = arith.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %v = arith.constant dense<[[10.0], [20.0], [30.0]]> : tensor<3x1xf32>
  %e = tensor.empty() : tensor<1x3xf32>
  %wt = linalg.transpose ins(%w : tensor<3x1xf32>) outs(%e : tensor<1x3xf32>) permutation = [1, 0]
  %vt = linalg.transpose ins(%v : tensor<3x1xf32>) outs(%e : tensor<1x3xf32>) permutation = [1, 0]
  %p = ffn.pack_gated %wt, %vt block_size(2) : tensor<1x3xf32>, tensor<1x3xf32> -> tensor<1x6xf32>
  return %p : tensor<1x6xf32>
}

// -----

// Weights that are arguments (a train step) stay transposes.

// CHECK-LABEL: func.func @argument
// CHECK:         linalg.transpose
func.func @argument(%w: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A splat stays a splat; bf16 weights fold byte for byte.

// CHECK-LABEL: func.func @splat_and_bf16
// CHECK-DAG:     arith.constant dense<2.500000e-01> : tensor<3x2xf32>
// CHECK-DAG:     arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xbf16>
// CHECK-NOT:     linalg.transpose
func.func @splat_and_bf16() -> (tensor<3x2xf32>, tensor<2x2xbf16>) {
  %s = arith.constant dense<0.25> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%s : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %h = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xbf16>
  %eh = tensor.empty() : tensor<2x2xbf16>
  %th = linalg.transpose ins(%h : tensor<2x2xbf16>) outs(%eh : tensor<2x2xbf16>) permutation = [1, 0]
  return %t, %th : tensor<3x2xf32>, tensor<2x2xbf16>
}

// -----

// ffn.pack_gated of dense_resource weights (no transpose) folds too.

// CHECK-LABEL: func.func @pack_of_resources
// CHECK-NEXT:    %[[P:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 4.000000e+00, 5.000000e+00, 3.000000e+00, 6.000000e+00]]> : tensor<1x6xf32>
// CHECK-NEXT:    return %[[P]]
func.func @pack_of_resources() -> tensor<1x6xf32> {
  %w = arith.constant dense_resource<gate> : tensor<1x3xf32>
  %v = arith.constant dense_resource<linear> : tensor<1x3xf32>
  %p = ffn.pack_gated %w, %v block_size(2) : tensor<1x3xf32>, tensor<1x3xf32> -> tensor<1x6xf32>
  return %p : tensor<1x6xf32>
}

{-#
  dialect_resources: {
    builtin: {
      gate: "0x040000000000803f0000004000004040",
      linear: "0x04000000000080400000a0400000c040"
    }
  }
#-}
