// FFN_GEGLU with nn.GELU(approximate='tanh') (T5 v1.1)
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu gelu_tanh %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_GEGLU (gelu_tanh)
// REPORT: remark: ffn-raise: @layer: raised 1 layer (FFN_GEGLU), rejected 0 near-misses

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
  %13 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<2x3x12xf32>}> : () -> tensor<2x3x12xf32>
  %14 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x3x12xf32>}> : () -> tensor<2x3x12xf32>
  %15 = "tosa.const"() <{values = dense<3.000000e+00> : tensor<2x3x12xf32>}> : () -> tensor<2x3x12xf32>
  %16 = "tosa.const"() <{values = dense<4.471500e-02> : tensor<2x3x12xf32>}> : () -> tensor<2x3x12xf32>
  %17 = "tosa.const"() <{values = dense<0.636619746> : tensor<2x3x12xf32>}> : () -> tensor<2x3x12xf32>
  %18 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %19 = tosa.mul %13, %12, %18 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %20 = tosa.pow %17, %13 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %21 = tosa.pow %12, %15 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %22 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %23 = tosa.mul %16, %21, %22 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %24 = tosa.add %12, %23 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %25 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %26 = tosa.mul %20, %24, %25 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %27 = tosa.tanh %26 : (tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %28 = tosa.add %14, %27 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %29 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %30 = tosa.mul %19, %28, %29 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %31 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %32 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %33 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %34 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %35 = tosa.reshape %31, %34 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %36 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %37 = tosa.reshape %arg0, %36 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %38 = tosa.transpose %35 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %39 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %40 = tosa.reshape %38, %39 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %41 = tosa.matmul %37, %40, %32, %33 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %42 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %43 = tosa.reshape %41, %42 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %44 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %45 = tosa.mul %30, %43, %44 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %46 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %47 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %48 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %49 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %50 = tosa.reshape %46, %49 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %51 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %52 = tosa.reshape %45, %51 : (tensor<2x3x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %53 = tosa.transpose %50 {perms = array<i32: 1, 0, 2>} : (tensor<1x12x8xf32>) -> tensor<12x1x8xf32>
  %54 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %55 = tosa.reshape %53, %54 : (tensor<12x1x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %56 = tosa.matmul %52, %55, %47, %48 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %57 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %58 = tosa.reshape %56, %57 : (tensor<1x6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %58 : tensor<2x3x8xf32>
}
