// RUN: glu-opt %s --glu-drop-in-place-results -verify-diagnostics

// expected-error @below {{'ffn.tied_results' has 2 entries for 1 results}}
func.func @step(%c: memref<4xf32>) -> memref<4xf32>
    attributes {ffn.tied_results = array<i64: -1, 0>} {
  return %c : memref<4xf32>
}
