// FFN_ReLU in TOSA, written by hand in the form of torch-mlir's TorchToTosa
// for nn.Linear layers without bias (weights [out, in]): relu(x W1^T) W2^T.
// x 4x8 (reshaped to 1x4x8 for tosa.matmul), d_ff 12; relu as tosa.clamp.
// Checked with --pre-pipeline="--tosa-to-linalg-pipeline --tosa-to-tensor --tosa-to-arith".
func.func @layer(%x: tensor<4x8xf32>, %w1: tensor<12x8xf32>, %w2: tensor<8x12xf32>) -> tensor<4x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %s_x = tosa.const_shape {values = dense<[1, 4, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s_w1 = tosa.const_shape {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s_w2 = tosa.const_shape {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s_h = tosa.const_shape {values = dense<[1, 4, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s_y = tosa.const_shape {values = dense<[4, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %w1t = tosa.transpose %w1 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %x3 = tosa.reshape %x, %s_x : (tensor<4x8xf32>, !tosa.shape<3>) -> tensor<1x4x8xf32>
  %w13 = tosa.reshape %w1t, %s_w1 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %h = tosa.matmul %x3, %w13, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x12xf32>
  %r = tosa.clamp %h {min_val = 0.000000e+00 : f32, max_val = 3.40282347e+38 : f32} : (tensor<1x4x12xf32>) -> tensor<1x4x12xf32>
  %w2t = tosa.transpose %w2 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %w23 = tosa.reshape %w2t, %s_w2 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %y3 = tosa.matmul %r, %w23, %zp, %zp : (tensor<1x4x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  %y = tosa.reshape %y3, %s_y : (tensor<1x4x8xf32>, !tosa.shape<2>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
