// RUN: glu-opt %s --glu-frontend-pipeline | FileCheck %s
// RUN: glu-opt %s --glu-frontend-pipeline --glu-cpu-pipeline | FileCheck %s --check-prefix=CPU
// CPU: llvm.func @mask
// What torch-mlir's TOSA export of a T5 encoder holds and the TOSA profile
// validation refused ("'tosa.const' op is not profile-aligned: element type
// 'f64' is not legal", casts between i64 and f32): glu-frontend-pipeline
// lowers it without tosa-validate, and lowers the constants tosa-to-linalg
// leaves (tosa-to-arith), which bufferization refused ("op was not
// bufferized").
// CHECK-LABEL: func.func @mask
// CHECK-NOT: tosa.
// CHECK: return
func.func @mask(%x: tensor<2x5xf32>, %ids: tensor<2x5xi64>) -> tensor<2x5xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %big = "tosa.const"() <{values = dense<-3.4028234663852886E+38> : tensor<1x1xf64>}> : () -> tensor<1x1xf64>
  %positions = "tosa.const"() <{values = dense<[[0, 1, 2, 3, 4]]> : tensor<1x5xi64>}> : () -> tensor<1x5xi64>
  %m = tosa.cast %big : (tensor<1x1xf64>) -> tensor<1x1xf32>
  %p = tosa.cast %positions : (tensor<1x5xi64>) -> tensor<1x5xf32>
  %i = tosa.cast %ids : (tensor<2x5xi64>) -> tensor<2x5xf32>
  %a = tosa.add %x, %p : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %b = tosa.mul %a, %m, %shift : (tensor<2x5xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x5xf32>
  %c = tosa.add %b, %i : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return %c : tensor<2x5xf32>
}
