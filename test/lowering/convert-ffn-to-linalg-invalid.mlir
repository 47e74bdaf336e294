// RUN: glu-opt %s -split-input-file --convert-ffn-to-linalg -verify-diagnostics
// What convert-ffn-to-linalg cannot lower is refused in glu's words, naming
// the op and the reason (not the conversion framework's "failed to
// legalize operation").

func.func @dynamic_pack(%w: tensor<?x24xf32>, %v: tensor<?x24xf32>) -> tensor<?x48xf32> {
  // expected-error @+1 {{convert-ffn-to-linalg cannot lower 'ffn.pack_gated': weights of dynamic shape are packed only by glu-cpu-gemm (glu-cpu-pipeline); give them static shapes, or pack them before compiling (ffn-fuse pack-arguments=true)}}
  %p = ffn.pack_gated %w, %v block_size(8) : tensor<?x24xf32>, tensor<?x24xf32> -> tensor<?x48xf32>
  return %p : tensor<?x48xf32>
}

// -----

func.func @dynamic_unpack(%p: tensor<?x48xf32>) -> (tensor<?x24xf32>, tensor<?x24xf32>) {
  // expected-error @+1 {{convert-ffn-to-linalg cannot lower 'ffn.unpack_gated': weights of dynamic shape}}
  %w, %v = ffn.unpack_gated %p block_size(8) : tensor<?x48xf32> -> tensor<?x24xf32>, tensor<?x24xf32>
  return %w, %v : tensor<?x24xf32>, tensor<?x24xf32>
}
