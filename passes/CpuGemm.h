//===- CpuGemm.h - generated CPU GEMMs --------------------------*- C++ -*-===//
//
// The patterns of glu-cpu-gemm, for compilers that want the generated
// AVX-512 GEMMs without the pass.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CPUGEMM_H
#define GLU_PASSES_CPUGEMM_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;

namespace ffn {

/// The loop nest's tile sizes (see glu-cpu-gemm's options).
struct CpuGemmTiles {
  int64_t rows = 64;
  int64_t cols = 128;
  int64_t k = 256;
  int64_t microRows = 6;
  /// Copy each micro-column's K block of the weight into a contiguous,
  /// zero-padded per-thread panel before its micro-kernels read it.
  bool packB = true;
};

/// Adds the patterns that rewrite f32 ffn.gated_matmul, ffn.activated_matmul,
/// ffn.dgate_matmul, ffn.dactivation_matmul and linalg.matmul (plain or with
/// a transposed operand) on tensors into the tiled, vectorized loop nest of
/// glu-cpu-gemm, and ffn.apply_gate, ffn.pack_gated, ffn.unpack_gated and
/// row-summing linalg.reduce ops into vectorized parallel loop nests. `tiles` must be valid
/// (positive; 1 <= microRows <= 14).
void populateCpuGemmPatterns(RewritePatternSet &patterns,
                             const CpuGemmTiles &tiles);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CPUGEMM_H
