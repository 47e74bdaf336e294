// RUN: glu-opt %s --glu-cpu-gemm -split-input-file | FileCheck %s

// A sum or a max along the last dimension (RMS norm's mean of squares,
// softmax's max and denominator as torch-mlir exports them, keepdim or
// not) becomes a parallel loop over the rows, each reduced by 4
// accumulators of 16 lanes over the row in steps of 64 (masked past its
// end: zeros for a sum, -inf for a max), then combined, reduced to one lane
// and combined with the init. torch-mlir's softmax max carries an argmax
// index nobody reads: it is dropped. Other reductions (an argmax whose
// index is used, a reduction over another dimension) are left alone.

// CHECK-LABEL: func.func @rms_keepdim
// CHECK-SAME:    (%[[X:.*]]: tensor<2x5x37xf32>)
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x5x1xf32>
// CHECK:         scf.parallel (%[[I:.*]], %[[J:.*]]) = (%c0, %c0) to (%c2, %c5) step (%c1, %c1) {
// CHECK:           %[[ACC:.*]]:4 = scf.for %[[C:.*]] = %c0 to %c37 step %c64 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-4:     vector.maskedload %[[XB]][%[[I]], %[[J]], %{{.*}}]
// CHECK:           }
// CHECK-DAG:       %[[S01:.*]] = arith.addf %[[ACC]]#0, %[[ACC]]#1 : vector<16xf32>
// CHECK-DAG:       %[[S23:.*]] = arith.addf %[[ACC]]#2, %[[ACC]]#3 : vector<16xf32>
// CHECK:           %[[S:.*]] = arith.addf %[[S01]], %[[S23]] : vector<16xf32>
// CHECK:           %[[R:.*]] = vector.reduction <add>, %[[S]] : vector<16xf32> into f32
// CHECK:           %[[SUM:.*]] = arith.addf %{{.*}}, %[[R]] : f32
// CHECK:           memref.store %[[SUM]], %[[OUT]][%[[I]], %[[J]], %c0]
// CHECK-NOT:     linalg.generic
func.func @rms_keepdim(%x: tensor<2x5x37xf32>) -> tensor<2x5x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x1xf32>) -> tensor<2x5x1xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x5x37xf32>) outs(%f : tensor<2x5x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<2x5x1xf32>
  return %r : tensor<2x5x1xf32>
}

// -----

// CHECK-LABEL: func.func @row_sums
// CHECK:         scf.parallel (%[[ROW:.*]]) = (%c0) to (%c3) step (%c1) {
// CHECK:           vector.reduction <add>
// CHECK:           memref.store %{{.*}}, %{{.*}}[%[[ROW]]] : memref<3xf32>
// CHECK-NOT:     linalg.generic
func.func @row_sums(%x: tensor<3x7xf32>, %init: tensor<3xf32>) -> tensor<3xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x7xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @row_max
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK:         scf.parallel
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[NEGINF]], %{{.*}} = %[[NEGINF]], %{{.*}} = %[[NEGINF]], %{{.*}} = %[[NEGINF]])
// CHECK:             %[[L:.*]] = vector.maskedload %{{.*}}, %[[NEGINF]]
// CHECK:             arith.maximumf %{{.*}}, %[[L]] : vector<16xf32>
// CHECK:           %[[R:.*]] = vector.reduction <maximumf>, %{{.*}} : vector<16xf32> into f32
// CHECK:           arith.maximumf %{{.*}}, %[[R]] : f32
// CHECK-NOT:     linalg.generic
func.func @row_max(%x: tensor<3x7xf32>, %init: tensor<3xf32>) -> tensor<3xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x7xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// linalg.reduce, as glu-t5's builders write RMS norm's sum of squares and
// softmax's max and sum over a vocabulary: the same nest.

// CHECK-LABEL: func.func @reduce_op_sum
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8192xf32>)
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         scf.parallel (%[[ROW:.*]]) = (%c0) to (%c4) step (%c1) {
// CHECK:           scf.for %{{.*}} = %c0 to %c8192 step %c64 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-4:     vector.maskedload %[[XB]][%[[ROW]], %{{.*}}]
// CHECK:           vector.reduction <add>
// CHECK-NOT:     linalg.reduce
func.func @reduce_op_sum(%x: tensor<4x8192xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.reduce ins(%x : tensor<4x8192xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  return %r : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_op_max
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// CHECK:           vector.reduction <maximumf>
// CHECK-NOT:     linalg.reduce
func.func @reduce_op_max(%x: tensor<2x4x128x128xf32>, %init: tensor<2x4x128xf32>) -> tensor<2x4x128xf32> {
  %r = linalg.reduce ins(%x : tensor<2x4x128x128xf32>) outs(%init : tensor<2x4x128xf32>) dimensions = [3]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return %r : tensor<2x4x128xf32>
}

// -----

// A linalg.reduce combining by a product is left alone.

// CHECK-LABEL: func.func @reduce_op_product
// CHECK:         linalg.reduce
func.func @reduce_op_product(%x: tensor<3x7xf32>, %init: tensor<3xf32>) -> tensor<3xf32> {
  %r = linalg.reduce ins(%x : tensor<3x7xf32>) outs(%init : tensor<3xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %p = arith.mulf %in, %acc : f32
      linalg.yield %p : f32
    }
  return %r : tensor<3xf32>
}

// -----

// torch-mlir's softmax max: the max with its argmax index, the index unused.

// CHECK-LABEL: func.func @softmax_max_unused_index
// CHECK:         scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// CHECK:           vector.reduction <maximumf>
// CHECK-NOT:     linalg.generic
// CHECK:         return %{{.*}} : tensor<2x3x5xf32>
func.func @softmax_max_unused_index(%x: tensor<2x3x5x7xf32>, %m: tensor<2x3x5xf32>, %i: tensor<2x3x5xi64>) -> tensor<2x3x5xf32> {
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x : tensor<2x3x5x7xf32>) outs(%m, %i : tensor<2x3x5xf32>, tensor<2x3x5xi64>) {
  ^bb0(%in: f32, %out: f32, %idx: i64):
    %k = linalg.index 3 : index
    %ki = arith.index_cast %k : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %sel = arith.select %gt, %ki, %idx : i64
    linalg.yield %max, %sel : f32, i64
  } -> (tensor<2x3x5xf32>, tensor<2x3x5xi64>)
  return %r#0 : tensor<2x3x5xf32>
}

// -----

// The same with its index used: left alone.

// CHECK-LABEL: func.func @argmax_used
// CHECK:         linalg.generic
func.func @argmax_used(%x: tensor<3x7xf32>, %m: tensor<3xf32>, %i: tensor<3xi64>) -> tensor<3xi64> {
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x7xf32>) outs(%m, %i : tensor<3xf32>, tensor<3xi64>) {
  ^bb0(%in: f32, %out: f32, %idx: i64):
    %k = linalg.index 1 : index
    %ki = arith.index_cast %k : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %sel = arith.select %gt, %ki, %idx : i64
    linalg.yield %max, %sel : f32, i64
  } -> (tensor<3xf32>, tensor<3xi64>)
  return %r#1 : tensor<3xi64>
}

// -----

// A reduction over a dimension other than the last one is left alone.

// CHECK-LABEL: func.func @sum_over_first
// CHECK:         linalg.generic
func.func @sum_over_first(%x: tensor<3x7xf32>, %init: tensor<7xf32>) -> tensor<7xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x7xf32>) outs(%init : tensor<7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<7xf32>
  return %r : tensor<7xf32>
}
