// RUN: glu-opt %s --glu-reference-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: glu-opt %s --glu-reference-pipeline \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s

// Everything ends in the LLVM dialect, erf and tanh as libm calls.
// LLVM-NOT: ffn.
// LLVM-NOT: linalg.
// LLVM-NOT: bufferization.
// LLVM-DAG: llvm.func @erff(f32) -> f32
// LLVM-DAG: llvm.func @tanhf(f32) -> f32
// LLVM-DAG: llvm.func @main()

func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }

// A function that returns its argument: deallocation clones the buffer.
func.func @identity(%t: tensor<1x2xf32>) -> tensor<1x2xf32> {
  return %t : tensor<1x2xf32>
}

// Exact values: gelu(0) = gelu_tanh(0) = 0 and relu keeps positives.
func.func @layers(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %w = arith.constant dense<[[1.0, -1.0], [0.0, 0.0]]> : tensor<2x2xf32>
  %i = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %g = ffn.glu gelu %x, %w, %i, %i : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %t = ffn.ffn gelu_tanh %x, %i, %i : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %g, %t : tensor<1x2xf32>, tensor<1x2xf32>
}

// CHECK: data =
// CHECK-NEXT: {{\[}}[3,   -4]]
// CHECK: data =
// CHECK-NEXT: {{\[}}[0,   0]]
// CHECK: data =
// CHECK-NEXT: {{\[}}[0,   0]]
func.func @main() {
  %x = arith.constant dense<[[3.0, -4.0]]> : tensor<1x2xf32>
  %y = call @identity(%x) : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %ym = bufferization.to_buffer %y : tensor<1x2xf32> to memref<1x2xf32>
  %yu = memref.cast %ym : memref<1x2xf32> to memref<*xf32>
  call @printMemrefF32(%yu) : (memref<*xf32>) -> ()
  %z = arith.constant dense<[[0.0, 0.0]]> : tensor<1x2xf32>
  %g, %t = call @layers(%z) : (tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
  %gm = bufferization.to_buffer %g : tensor<1x2xf32> to memref<1x2xf32>
  %gu = memref.cast %gm : memref<1x2xf32> to memref<*xf32>
  call @printMemrefF32(%gu) : (memref<*xf32>) -> ()
  %tm = bufferization.to_buffer %t : tensor<1x2xf32> to memref<1x2xf32>
  %tu = memref.cast %tm : memref<1x2xf32> to memref<*xf32>
  call @printMemrefF32(%tu) : (memref<*xf32>) -> ()
  return
}
