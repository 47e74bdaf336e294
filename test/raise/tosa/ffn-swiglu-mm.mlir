// FFN_SwiGLU, linear decomposed by torch.export (permute + view + mm + view)
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu swish %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_SwiGLU (swish)
// REPORT: remark: ffn-raise: @layer: raised 1 layer (FFN_SwiGLU), rejected 0 near-misses

func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<12x8xf32>, %arg2: tensor<12x8xf32>, %arg3: tensor<8x12xf32>) -> tensor<2x3x8xf32> {
  %0 = tosa.transpose %arg1 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %1 = tosa.const_shape  {values = dense<[6, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.reshape %arg0, %1 : (tensor<2x3x8xf32>, !tosa.shape<2>) -> tensor<6x8xf32>
  %3 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %4 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %5 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %6 = tosa.reshape %2, %5 : (tensor<6x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %7 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %8 = tosa.reshape %0, %7 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %9 = tosa.matmul %6, %8, %3, %4 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %10 = tosa.const_shape  {values = dense<[6, 12]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %11 = tosa.reshape %9, %10 : (tensor<1x6x12xf32>, !tosa.shape<2>) -> tensor<6x12xf32>
  %12 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %13 = tosa.reshape %11, %12 : (tensor<6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %14 = tosa.sigmoid %13 : (tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %15 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %16 = tosa.mul %14, %13, %15 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %17 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %18 = tosa.const_shape  {values = dense<[6, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %19 = tosa.reshape %arg0, %18 : (tensor<2x3x8xf32>, !tosa.shape<2>) -> tensor<6x8xf32>
  %20 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %21 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %22 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %23 = tosa.reshape %19, %22 : (tensor<6x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %24 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %25 = tosa.reshape %17, %24 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %26 = tosa.matmul %23, %25, %20, %21 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %27 = tosa.const_shape  {values = dense<[6, 12]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %28 = tosa.reshape %26, %27 : (tensor<1x6x12xf32>, !tosa.shape<2>) -> tensor<6x12xf32>
  %29 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %30 = tosa.reshape %28, %29 : (tensor<6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %31 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %32 = tosa.mul %16, %30, %31 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %33 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %34 = tosa.const_shape  {values = dense<[6, 12]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %35 = tosa.reshape %32, %34 : (tensor<2x3x12xf32>, !tosa.shape<2>) -> tensor<6x12xf32>
  %36 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %37 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %38 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %39 = tosa.reshape %35, %38 : (tensor<6x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %40 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %41 = tosa.reshape %33, %40 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %42 = tosa.matmul %39, %41, %36, %37 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %43 = tosa.const_shape  {values = dense<[6, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %44 = tosa.reshape %42, %43 : (tensor<1x6x8xf32>, !tosa.shape<2>) -> tensor<6x8xf32>
  %45 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %46 = tosa.reshape %44, %45 : (tensor<6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %46 : tensor<2x3x8xf32>
}
