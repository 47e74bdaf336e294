// FFN_Bilinear: (x W * x V) W2
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu identity %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_Bilinear (identity)
// REPORT: remark: ffn-raise: @layer: raised 1 layer (FFN_Bilinear), rejected 0 near-misses

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
  %13 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %14 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %15 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %16 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %17 = tosa.reshape %13, %16 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %18 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %19 = tosa.reshape %arg0, %18 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %20 = tosa.transpose %17 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %21 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %22 = tosa.reshape %20, %21 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %23 = tosa.matmul %19, %22, %14, %15 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %24 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %25 = tosa.reshape %23, %24 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %26 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %27 = tosa.mul %12, %25, %26 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %28 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %29 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %30 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %31 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %32 = tosa.reshape %28, %31 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %33 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %34 = tosa.reshape %27, %33 : (tensor<2x3x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %35 = tosa.transpose %32 {perms = array<i32: 1, 0, 2>} : (tensor<1x12x8xf32>) -> tensor<12x1x8xf32>
  %36 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %37 = tosa.reshape %35, %36 : (tensor<12x1x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %38 = tosa.matmul %34, %37, %29, %30 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %39 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %40 = tosa.reshape %38, %39 : (tensor<1x6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %40 : tensor<2x3x8xf32>
}
