// RUN: glu-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile-backward-matmuls.mlir --transform-interpreter --canonicalize --cse | FileCheck %s
// The tiled backward GEMMs compute what the untiled ones do:
// RUN: glu-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile-backward-matmuls.mlir --transform-interpreter --canonicalize --glu-reference-pipeline \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --check-prefix=OUT

// ffn.dgate_matmul tiles over rows x packed blocks: a tile of one block of
// 2 hidden columns reads those 2 rows of W2 and the 4 packed columns of
// [a | b] (the ragged last block: 1 row, 2 packed columns), and writes the
// same packed columns of [da | db].
// CHECK-LABEL: func.func @dgate_tiled
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK-DAG: %[[COLS:.*]] = affine.min #{{.*}}(%[[J]])
// CHECK-DAG: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [%[[COLS]], 3] [1, 1] : tensor<5x3xf32> to tensor<?x3xf32>
// CHECK: ffn.dgate_matmul gelu_tanh block_size(2) ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x?xf32>) outs(%{{.*}} : tensor<2x?xf32>)
// CHECK: tensor.insert_slice
// CHECK-LABEL: func.func @dactivation_tiled
// CHECK: scf.for
// CHECK: ffn.dactivation_matmul swish ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<2x2xf32>)

// OUT: data =
// OUT-NEXT: {{^ ?\[}}[[DGATE0:.+]]
// OUT-NEXT: {{^ ?\[}}[[DGATE1:.+]]
// OUT: data =
// OUT-NEXT: {{^ ?\[}}[[DGATE0]]{{$}}
// OUT-NEXT: {{^ ?\[}}[[DGATE1]]{{$}}
// OUT: data =
// OUT-NEXT: {{^ ?\[}}[[DACT0:.+]]
// OUT-NEXT: {{^ ?\[}}[[DACT1:.+]]
// OUT: data =
// OUT-NEXT: {{^ ?\[}}[[DACT0]]{{$}}
// OUT-NEXT: {{^ ?\[}}[[DACT1]]{{$}}

func.func @dgate(%dy: tensor<2x3xf32>, %w2: tensor<5x3xf32>, %ab: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %e = tensor.empty() : tensor<2x10xf32>
  %d = ffn.dgate_matmul gelu_tanh block_size(2) ins(%dy, %w2, %ab : tensor<2x3xf32>, tensor<5x3xf32>, tensor<2x10xf32>) outs(%e : tensor<2x10xf32>) -> tensor<2x10xf32>
  return %d : tensor<2x10xf32>
}
func.func @dgate_tiled(%dy: tensor<2x3xf32>, %w2: tensor<5x3xf32>, %ab: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %e = tensor.empty() : tensor<2x10xf32>
  %d = ffn.dgate_matmul gelu_tanh block_size(2) ins(%dy, %w2, %ab : tensor<2x3xf32>, tensor<5x3xf32>, tensor<2x10xf32>) outs(%e : tensor<2x10xf32>) {tile} -> tensor<2x10xf32>
  return %d : tensor<2x10xf32>
}
func.func @dactivation(%dy: tensor<2x3xf32>, %w2: tensor<4x3xf32>, %a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %d = ffn.dactivation_matmul swish ins(%dy, %w2, %a : tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}
func.func @dactivation_tiled(%dy: tensor<2x3xf32>, %w2: tensor<4x3xf32>, %a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %d = ffn.dactivation_matmul swish ins(%dy, %w2, %a : tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {tile} -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }
func.func @print(%t: tensor<*xf32>) {
  %m = bufferization.to_buffer %t : tensor<*xf32> to memref<*xf32>
  call @printMemrefF32(%m) : (memref<*xf32>) -> ()
  return
}
func.func @main() {
  %dy = arith.constant dense<[[1.0, -0.5, 0.25], [0.5, 2.0, -1.0]]> : tensor<2x3xf32>
  %w2 = arith.constant dense<[[0.1, 0.2, 0.3], [0.2, -0.1, 0.4], [0.3, 0.1, -0.2], [-0.2, 0.3, 0.1], [0.4, -0.3, 0.2]]> : tensor<5x3xf32>
  %ab = arith.constant dense<[[0.5, -1.0, 2.0, 0.1, -0.3, 0.7, 1.5, -2.0, 0.2, 0.9], [1.5, 0.25, -0.5, -1.2, 0.8, 0.05, -0.6, 1.1, -0.4, 0.3]]> : tensor<2x10xf32>
  %d0 = call @dgate(%dy, %w2, %ab) : (tensor<2x3xf32>, tensor<5x3xf32>, tensor<2x10xf32>) -> tensor<2x10xf32>
  %d1 = call @dgate_tiled(%dy, %w2, %ab) : (tensor<2x3xf32>, tensor<5x3xf32>, tensor<2x10xf32>) -> tensor<2x10xf32>
  %u0 = tensor.cast %d0 : tensor<2x10xf32> to tensor<*xf32>
  %u1 = tensor.cast %d1 : tensor<2x10xf32> to tensor<*xf32>
  call @print(%u0) : (tensor<*xf32>) -> ()
  call @print(%u1) : (tensor<*xf32>) -> ()
  %w2b = tensor.extract_slice %w2[0, 0] [4, 3] [1, 1] : tensor<5x3xf32> to tensor<4x3xf32>
  %a = tensor.extract_slice %ab[0, 0] [2, 4] [1, 1] : tensor<2x10xf32> to tensor<2x4xf32>
  %e0 = call @dactivation(%dy, %w2b, %a) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %e1 = call @dactivation_tiled(%dy, %w2b, %a) : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %v0 = tensor.cast %e0 : tensor<2x4xf32> to tensor<*xf32>
  %v1 = tensor.cast %e1 : tensor<2x4xf32> to tensor<*xf32>
  call @print(%v0) : (tensor<*xf32>) -> ()
  call @print(%v1) : (tensor<*xf32>) -> ()
  return
}
