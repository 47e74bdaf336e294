// RUN: glu-opt %s --glu-cpu-pipeline | FileCheck %s
// RUN: glu-opt %s --glu-cuda-pipeline | FileCheck %s --check-prefix=CUDA
// RUN: glu-opt %s --glu-reference-pipeline | FileCheck %s
// x ** 3 as torch-mlir exports it (gelu_new, gelu_pytorch_tanh, relu2's
// x ** 2): math.fpowi with a constant exponent becomes multiplications on
// every back end. Vectorized, it used to reach math-to-llvm as an invalid
// llvm.intr.powi with a vector exponent.
// CHECK-NOT: powi
// CHECK: llvm.fmul
// CHECK-NOT: powi
// CUDA-NOT: powi
// CUDA: mul.rn.f32 {{.*}}mul.rn.f32
// CUDA-NOT: powi
func.func @cube(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %c3 = arith.constant 3 : i64
  %e = tensor.empty() : tensor<8x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = math.fpowi %in, %c3 : f32, i64
    linalg.yield %p : f32
  } -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
