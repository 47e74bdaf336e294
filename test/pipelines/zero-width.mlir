// RUN: glu-opt %s --glu-frontend-pipeline=target=cuda --glu-cuda-pipeline | FileCheck %s
// RUN: glu-opt %s --glu-frontend-pipeline --glu-cpu-pipeline | FileCheck %s
// RUN: glu-opt %s --glu-reference-pipeline | FileCheck %s
// A layer with d_model 0 lowers on every pipeline; its packed weights are
// empty (convert-ffn-to-linalg-empty.mlir), where the cuda pipeline used to
// fail with "offset 0 is out-of-bounds: 0 >= 0".
// CHECK: llvm.func @zero_width
func.func @zero_width(%x: tensor<8x0xf32>, %w: tensor<0x24xf32>, %v: tensor<0x24xf32>, %w2: tensor<24x0xf32>) -> tensor<8x0xf32> {
  %y = ffn.glu swish %x, %w, %v, %w2 : (tensor<8x0xf32>, tensor<0x24xf32>, tensor<0x24xf32>, tensor<24x0xf32>) -> tensor<8x0xf32>
  return %y : tensor<8x0xf32>
}
