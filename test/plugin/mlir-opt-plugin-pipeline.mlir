// The named pipeline runs inside stock mlir-opt too, and its output runs on
// mlir-runner: the whole reference path without glu-opt.
// RUN: mlir-opt %s --load-dialect-plugin=%glu_plugin --load-pass-plugin=%glu_plugin --pass-pipeline="builtin.module(glu-reference-pipeline)" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s

// x = [[1, 2]], W1 = [[1, -1, 2], [1, 1, -3]], W2 = I-like [3 x 2]:
// x W1 = [3, 1, -4]; relu -> [3, 1, 0]; times W2 = [[1, 0], [0, 1], [5, 5]]
// gives [3, 1]. Every value is exact in f32.
// CHECK: data =
// CHECK-NEXT: {{\[}}[3,   1]]
func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %w1 = arith.constant dense<[[1.0, -1.0, 2.0], [1.0, 1.0, -3.0]]> : tensor<2x3xf32>
  %w2 = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]> : tensor<3x2xf32>
  %y = ffn.ffn relu %x, %w1, %w2 : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %m = bufferization.to_buffer %y : tensor<1x2xf32> to memref<1x2xf32>
  %u = memref.cast %m : memref<1x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
