// RUN: glu-opt %s --glu-cpu-vectorize="approximate-math=false distribute-scalar-ops=false" | FileCheck %s

// distribute-scalar-ops=false (glu-cpu-pipeline's gemm=reference) leaves
// large transposes and reductions serial; elementwise rows still go to the
// threads.

// CHECK-LABEL: func.func @serial
// CHECK-NOT: scf.forall
// CHECK: linalg.transpose
// CHECK-NOT: scf.forall
// CHECK: linalg.reduce
// CHECK: scf.forall (%{{.*}}) in (256)
func.func @serial(%x: tensor<8192x256xf32>, %y: tensor<256x128xf32>, %init: tensor<256xf32>) -> (tensor<256x8192xf32>, tensor<256xf32>, tensor<256x128xf32>) {
  %e = tensor.empty() : tensor<256x8192xf32>
  %t = linalg.transpose ins(%x : tensor<8192x256xf32>) outs(%e : tensor<256x8192xf32>) permutation = [1, 0]
  %r = linalg.reduce ins(%y : tensor<256x128xf32>) outs(%init : tensor<256xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %e2 = tensor.empty() : tensor<256x128xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<256x128xf32>) outs(%e2 : tensor<256x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<256x128xf32>
  return %t, %r, %d : tensor<256x8192xf32>, tensor<256xf32>, tensor<256x128xf32>
}
