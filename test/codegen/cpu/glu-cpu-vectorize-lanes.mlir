// RUN: glu-opt %s --glu-cpu-vectorize="approximate-math=false vector-lanes=8" --canonicalize | FileCheck %s --check-prefix=AVX2
// RUN: glu-opt %s --glu-cpu-vectorize="approximate-math=false vector-lanes=4" --canonicalize | FileCheck %s --check-prefix=NEON

// Elementwise code is tiled to the target's vector width: 20 columns are
// two 8-lane tiles and a peeled 4-lane one on AVX2, five 4-lane tiles on
// SSE and NEON.

// AVX2-LABEL: func.func @bias_relu
// AVX2:         scf.for {{.*}} step %c8
// AVX2:           arith.maximumf {{.*}} : vector<8xf32>
// AVX2:         arith.maximumf {{.*}} : vector<4xf32>
// AVX2-NOT:     vector<16xf32>

// NEON-LABEL: func.func @bias_relu
// NEON:         scf.for {{.*}} step %c4
// NEON:           arith.maximumf {{.*}} : vector<4xf32>
// NEON-NOT:     vector<8xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @bias_relu(%a: tensor<3x20xf32>, %b: tensor<20xf32>) -> tensor<3x20xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x20xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<3x20xf32>, tensor<20xf32>) outs(%e : tensor<3x20xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<3x20xf32>
  return %r : tensor<3x20xf32>
}
