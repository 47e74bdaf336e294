// A SwiGLU layer small enough to read, run through the reference pipeline:
//
//   glu-opt docs/examples/swiglu-run.mlir --glu-reference-pipeline \
//     | mlir-runner -e main -entry-point-result=void \
//         -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so
//
// x is [2 tokens, d_model 4], d_ff 3. Expected output (PyTorch:
// (F.silu(x @ W) * (x @ V)) @ W2):
//   [[0.731059, 1.46212, 0.731059, 0],
//    [0, 0, 0, 7.04638]]
func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }

func.func @main() {
  %x = arith.constant dense<[[1.0, 0.0, 0.0, 0.0],
                             [0.0, 1.0, 1.0, 0.0]]> : tensor<2x4xf32>
  %w = arith.constant dense<[[1.0, 0.0, 0.0],
                             [0.0, 1.0, 0.0],
                             [0.0, 1.0, 0.0],
                             [0.0, 0.0, 1.0]]> : tensor<4x3xf32>
  %v = arith.constant dense<[[1.0, 0.0, 0.0],
                             [0.0, 2.0, 0.0],
                             [0.0, 2.0, 0.0],
                             [0.0, 0.0, 1.0]]> : tensor<4x3xf32>
  %w2 = arith.constant dense<[[1.0, 2.0, 1.0, 0.0],
                              [0.0, 0.0, 0.0, 1.0],
                              [1.0, 1.0, 1.0, 1.0]]> : tensor<3x4xf32>
  %y = ffn.glu swish %x, %w, %v, %w2
      : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<3x4xf32>)
        -> tensor<2x4xf32>
  %m = bufferization.to_buffer %y : tensor<2x4xf32> to memref<2x4xf32>
  %u = memref.cast %m : memref<2x4xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
