// FFN_ReGLU: (relu(x W) * x V) W2
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu relu %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_ReGLU (relu)
// REPORT: remark: ffn-raise: @layer: raised 1 layer (FFN_ReGLU), rejected 0 near-misses

func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<12x8xf32>, %arg2: tensor<12x8xf32>, %arg3: tensor<8x12xf32>) -> tensor<2x3x8xf32> {
  %0 = tosa.transpose %arg1 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %3 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %4 = tosa.reshape %0, %3 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %5 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %6 = tosa.reshape %arg0, %5 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %7 = tosa.transpose %4 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %8 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %9 = tosa.reshape %7, %8 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %10 = tosa.matmul %6, %9, %1, %2 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %11 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %12 = tosa.reshape %10, %11 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %13 = tosa.clamp %12 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32} : (tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %14 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %15 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %16 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %17 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %18 = tosa.reshape %14, %17 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %19 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %20 = tosa.reshape %arg0, %19 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %21 = tosa.transpose %18 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %22 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %23 = tosa.reshape %21, %22 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %24 = tosa.matmul %20, %23, %15, %16 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %25 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %26 = tosa.reshape %24, %25 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %27 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %28 = tosa.mul %13, %26, %27 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %29 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %30 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %31 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %32 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %33 = tosa.reshape %29, %32 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %34 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %35 = tosa.reshape %28, %34 : (tensor<2x3x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %36 = tosa.transpose %33 {perms = array<i32: 1, 0, 2>} : (tensor<1x12x8xf32>) -> tensor<12x1x8xf32>
  %37 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %38 = tosa.reshape %36, %37 : (tensor<12x1x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %39 = tosa.matmul %35, %38, %30, %31 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %40 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %41 = tosa.reshape %39, %40 : (tensor<1x6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %41 : tensor<2x3x8xf32>
}
