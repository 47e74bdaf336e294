// general GLU with biases: (sigmoid(x W + b) * (x V + c)) W2 + b2
// TOSA in the form torch-mlir's TorchToTosa (convert-torch-to-tosa) emits for a
// PyTorch module with nn.Linear layers (weights [out, in]) on x : [batch, seq, d_model].
// batch=2 seq=3 d_model=8 d_ff=12. Args: x, w, v, w2, b, c, b2.
//
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise --canonicalize | FileCheck %s
// RUN: glu-opt %s --tosa-to-linalg-pipeline --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func.func @layer
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: linalg.generic
// CHECK: %[[Y:.*]] = ffn.glu sigmoid %arg0, %[[W:.*]], %[[V:.*]], %[[W2:.*]] b(%arg4) c(%arg5) b2(%arg6) :
// CHECK-SAME: -> tensor<2x3x8xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x3x8xf32>

// REPORT: remark: ffn-raise: raised FFN_GLU (sigmoid)
// REPORT: remark: ffn-raise: @layer: raised 1 layer (FFN_GLU), rejected 0 near-misses

func.func @layer(%arg0: tensor<2x3x8xf32>, %arg1: tensor<12x8xf32>, %arg2: tensor<12x8xf32>, %arg3: tensor<8x12xf32>, %arg4: tensor<12xf32>, %arg5: tensor<12xf32>, %arg6: tensor<8xf32>) -> tensor<2x3x8xf32> {
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
  %13 = tosa.const_shape  {values = dense<[1, 1, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %14 = tosa.reshape %arg4, %13 : (tensor<12xf32>, !tosa.shape<3>) -> tensor<1x1x12xf32>
  %15 = tosa.add %12, %14 : (tensor<2x3x12xf32>, tensor<1x1x12xf32>) -> tensor<2x3x12xf32>
  %16 = tosa.sigmoid %15 : (tensor<2x3x12xf32>) -> tensor<2x3x12xf32>
  %17 = tosa.transpose %arg2 {perms = array<i32: 1, 0>} : (tensor<12x8xf32>) -> tensor<8x12xf32>
  %18 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %19 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %20 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %21 = tosa.reshape %17, %20 : (tensor<8x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %22 = tosa.const_shape  {values = dense<[1, 6, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %23 = tosa.reshape %arg0, %22 : (tensor<2x3x8xf32>, !tosa.shape<3>) -> tensor<1x6x8xf32>
  %24 = tosa.transpose %21 {perms = array<i32: 1, 0, 2>} : (tensor<1x8x12xf32>) -> tensor<8x1x12xf32>
  %25 = tosa.const_shape  {values = dense<[1, 8, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %26 = tosa.reshape %24, %25 : (tensor<8x1x12xf32>, !tosa.shape<3>) -> tensor<1x8x12xf32>
  %27 = tosa.matmul %23, %26, %18, %19 : (tensor<1x6x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x12xf32>
  %28 = tosa.const_shape  {values = dense<[2, 3, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %29 = tosa.reshape %27, %28 : (tensor<1x6x12xf32>, !tosa.shape<3>) -> tensor<2x3x12xf32>
  %30 = tosa.const_shape  {values = dense<[1, 1, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %31 = tosa.reshape %arg5, %30 : (tensor<12xf32>, !tosa.shape<3>) -> tensor<1x1x12xf32>
  %32 = tosa.add %29, %31 : (tensor<2x3x12xf32>, tensor<1x1x12xf32>) -> tensor<2x3x12xf32>
  %33 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %34 = tosa.mul %16, %32, %33 : (tensor<2x3x12xf32>, tensor<2x3x12xf32>, tensor<1xi8>) -> tensor<2x3x12xf32>
  %35 = tosa.transpose %arg3 {perms = array<i32: 1, 0>} : (tensor<8x12xf32>) -> tensor<12x8xf32>
  %36 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %37 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
  %38 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %39 = tosa.reshape %35, %38 : (tensor<12x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %40 = tosa.const_shape  {values = dense<[1, 6, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %41 = tosa.reshape %34, %40 : (tensor<2x3x12xf32>, !tosa.shape<3>) -> tensor<1x6x12xf32>
  %42 = tosa.transpose %39 {perms = array<i32: 1, 0, 2>} : (tensor<1x12x8xf32>) -> tensor<12x1x8xf32>
  %43 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %44 = tosa.reshape %42, %43 : (tensor<12x1x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
  %45 = tosa.matmul %41, %44, %36, %37 : (tensor<1x6x12xf32>, tensor<1x12x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8xf32>
  %46 = tosa.const_shape  {values = dense<[2, 3, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %47 = tosa.reshape %45, %46 : (tensor<1x6x8xf32>, !tosa.shape<3>) -> tensor<2x3x8xf32>
  %48 = tosa.const_shape  {values = dense<[1, 1, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %49 = tosa.reshape %arg6, %48 : (tensor<8xf32>, !tosa.shape<3>) -> tensor<1x1x8xf32>
  %50 = tosa.add %47, %49 : (tensor<2x3x8xf32>, tensor<1x1x8xf32>) -> tensor<2x3x8xf32>
  return %50 : tensor<2x3x8xf32>
}
