// RUN: glu-opt %s --ffn-raise | FileCheck %s
// RUN: glu-opt %s --ffn-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// An ungated layer with a sigmoid (T5Config(feed_forward_proj="sigmoid"))
// was raised to `ffn.ffn sigmoid`, reported as FFN_Sigmoid. It is not one
// of the paper's variants (its ungated ones are ReLU, GELU and Swish; the
// sigmoid gate is the gated GLU), so it is left as linalg and reported as a
// near-miss that says so; glu-compile still compiles it unfused.

// CHECK-LABEL: func.func @ungated_sigmoid
// CHECK-NOT: ffn.
// CHECK: math.exp
// REPORT: remark: ffn-raise: not raised: an ungated sigmoid layer is not one of the paper's variants (FFN_ReLU, FFN_GELU, FFN_Swish); it is left as linalg
// REPORT: remark: ffn-raise: @ungated_sigmoid: raised 0 layers, rejected 1 near-miss
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @ungated_sigmoid(%x: tensor<4x8xf32>, %w: tensor<8x12xf32>, %w2: tensor<12x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e12 = tensor.empty() : tensor<4x12xf32>
  %z12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %a = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x12xf32>) outs(%z12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x12xf32>) outs(%e12 : tensor<4x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %one, %d : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  %e8 = tensor.empty() : tensor<4x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x12xf32>, tensor<12x8xf32>) outs(%z8 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
