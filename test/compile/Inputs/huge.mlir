// An entry point whose argument and result need 3.6 TiB each: it compiles,
// and glu-run reports that it cannot allocate them (out-of-memory.test).
func.func @forward(%x: tensor<1000000x1000000xf32>) -> tensor<1000000x1000000xf32> {
  %y = math.tanh %x : tensor<1000000x1000000xf32>
  return %y : tensor<1000000x1000000xf32>
}
