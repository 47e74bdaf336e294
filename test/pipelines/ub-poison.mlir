// RUN: glu-opt %s --glu-cpu-pipeline | FileCheck %s
// RUN: rm -rf %t && glu-compile %s -o %t && glu-run %t --list | FileCheck %s --check-prefix=ARTIFACT
// T5's relative positions (memory position - context position, a row
// broadcast against a column) in a whole T5ForConditionalGeneration
// exported as TOSA: vectorized, the column is read by a transfer that
// vector-to-scf lowers to a loop building a vector lane by lane from
// ub.poison, which nothing converted to LLVM. glu-compile failed with
// "missing LLVMTranslationDialectInterface registration for dialect for op:
// ub.poison". Every pipeline now runs convert-ub-to-llvm.

// CHECK-LABEL: llvm.func @relative_position
// CHECK-NOT: ub.poison
// CHECK: llvm.mlir.poison : vector<3xi64>
// CHECK-NOT: ub.poison
// ARTIFACT: entry relative_position
func.func @relative_position(%memory: tensor<1x3xi64>, %context: tensor<3x1xi64>) -> tensor<3x3xi64> {
  %e = tensor.empty() : tensor<3x3xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%memory, %context : tensor<1x3xi64>, tensor<3x1xi64>) outs(%e : tensor<3x3xi64>) {
  ^bb0(%m: i64, %c: i64, %o: i64):
    %d = arith.subi %m, %c : i64
    linalg.yield %d : i64
  } -> tensor<3x3xi64>
  return %r : tensor<3x3xi64>
}
