// FFN_GEGLU: (gelu(x W) * x V) W2, erf form
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu gelu %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_GEGLU (gelu)
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
  %13 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32>
  %14 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<f32>}> : () -> tensor<f32>
  %15 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<f32>}> : () -> tensor<f32>
  %16 = "tosa.const"() <{values = dense<0.707106769> : tensor<f32>}> : () -> tensor<f32>
  %17 = tosa.const_shape  {values = dense<1> : tensor<3xindex>} : () -> !tosa.shape<3>
  %18 = tosa.reshape %13, %17 : (tensor<f32>, !tosa.shape<3>) -> tensor<1x1x1xf32>
  %19 = tosa.const_shape  {values = dense<1> : tensor<3xindex>} : () -> !tosa.shape<3>
  %20 = tosa.reshape %14, %19 : (tensor<f32>, !tosa.shape<3>) -> tensor<1x1x1xf32>
  %21 = tosa.const_shape  {values = dense<1> : tensor<3xindex>} : () -> !tosa.shape<3>
  %22 = tosa.reshape %15, %21 : (tensor<f32>, !tosa.shape<3>) -> tensor<1x1x1xf32>
  %23 = tosa.const_shape  {values = dense<1> : tensor<3xindex>} : () -> !tosa.shape<3>
  %24 = tosa.reshape %16, %23 : (tensor<f32>, !tosa.shape<3>) -> tensor<1x1x1xf32>
  %25 = tosa.sub %12, %18 : (tensor<2x3x12xf32>, tensor<1x1x1xf32>) -> tensor<2x3x12xf32>
  %26 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %27 = tosa.mul %25, %24, %26 : (tensor<2x3x12xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %28 = tosa.erf %27 : (tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %29 = tosa.add %20, %28 : (tensor<1x1x1xf32>, tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %30 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %31 = tosa.mul %22, %29, %30 : (tensor<1x1x1xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %32 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %33 = tosa.mul %12, %31, %32 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %34 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %35 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %36 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %37 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %38 = tosa.reshape %34, %37 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %39 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %40 = tosa.reshape %arg0, %39 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %41 = tosa.transpose %38 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %42 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %43 = tosa.reshape %41, %42 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %44 = tosa.matmul %40, %43, %35, %36 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %45 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %46 = tosa.reshape %44, %45 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %47 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %48 = tosa.mul %33, %46, %47 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %49 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %50 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %51 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %52 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %53 = tosa.reshape %49, %52 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %54 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %55 = tosa.reshape %48, %54 : (tensor<2x3x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %56 = tosa.transpose %53 {perms = array<i32: 1, 0, 2>} : (tensor<1x12x8xf32>) -> tensor<12x1x8xf32>
  %57 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %58 = tosa.reshape %56, %57 : (tensor<12x1x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %59 = tosa.matmul %55, %58, %50, %51 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %60 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %61 = tosa.reshape %59, %60 : (tensor<1x6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %61 : tensor<2x3x8xf32>
}
