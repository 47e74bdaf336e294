// A decoder-like step: writes `row` into row `position` of `cache` and
// returns the new cache (updated in place: same name as the argument) and
// the sum of the cache's rows.
func.func @step(%cache: tensor<4x8xf32> {ffn.name = "cache"},
                %row: tensor<1x8xf32> {ffn.name = "row"},
                %position: tensor<i32> {ffn.name = "position"})
    -> (tensor<8xf32> {ffn.name = "sum"}, tensor<4x8xf32> {ffn.name = "cache"}) {
  %p = tensor.extract %position[] : tensor<i32>
  %i = arith.index_cast %p : i32 to index
  %c = tensor.insert_slice %row into %cache[%i, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %s = linalg.reduce ins(%c : tensor<4x8xf32>) outs(%z : tensor<8xf32>)
      dimensions = [0]
      (%a: f32, %b: f32) {
        %t = arith.addf %a, %b : f32
        linalg.yield %t : f32
      }
  return %s, %c : tensor<8xf32>, tensor<4x8xf32>
}
