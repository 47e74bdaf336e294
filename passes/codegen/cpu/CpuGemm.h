//===- CpuGemm.h - generated CPU GEMMs --------------------------*- C++ -*-===//
//
// The tiling of glu-cpu-gemm's GEMMs (the one place its defaults are
// written: the pass options and glu-cpu-pipeline's take them from here) and
// the pass's patterns, for compilers that want the generated GEMMs without
// the pass.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_CPUGEMM_H
#define GLU_PASSES_CODEGEN_CPU_CPUGEMM_H

#include "dialect/FFNFusedOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>

namespace mlir {
class RewritePatternSet;

namespace ffn {

/// The loop nest's tile sizes (see glu-cpu-gemm's options).
struct CpuGemmTiles {
  /// Rows per parallel tile (rounded up to a multiple of microRows). Each
  /// row tile packs the tile's weight panels again: 128 rather than 64
  /// halves that (SwiGLU forward on 2 Zen 4 cores: LLaMA-7B width at
  /// M = 128 218 -> 186 ms, T5-base at M = 2048 98 -> 95 ms; AVX2 code
  /// at M = 2048 109 -> 102 ms).
  int64_t rows = 128;
  /// Output columns per parallel tile (gated: at least one packed block).
  int64_t cols = 128;
  /// Output columns per parallel tile of a one-row GEMM (decoding, M = 1),
  /// which streams the weight; 0: the columns divided evenly among the
  /// OpenMP threads at run time (omp_get_max_threads), one tile a thread.
  int64_t streamCols = 0;
  /// Reduction depth per K block.
  int64_t k = 256;
  /// Rows of the register micro-tile.
  int64_t microRows = 6;
  /// f32 lanes of a vector register (CpuTarget.h): 16, 8 or 4.
  int64_t lanes = 16;
  /// Vector registers the micro-kernel may fill.
  int64_t registers = 32;
  /// Copy each tile's K block of the weight into contiguous, zero-padded
  /// per-thread panels (one per micro-column) before the micro-kernels read
  /// them.
  bool packB = true;
};

/// Checks that `tiles` can be generated (positive sizes; 4, 8 or 16 lanes;
/// 1 <= microRows <= getMaxMicroRows(registers): two accumulators a row,
/// two weight vectors and a broadcast in the registers), reporting through
/// `emitError` otherwise.
LogicalResult verifyCpuGemmTiles(const CpuGemmTiles &tiles,
                                 function_ref<InFlightDiagnostic()> emitError);

/// Adds the patterns that rewrite every f32 GEMM that describeGemm takes
/// (ffn.gated_matmul, ffn.activated_matmul, ffn.dgate_matmul,
/// ffn.dactivation_matmul, linalg.matmul plain or with a transposed
/// operand) on tensors into the tiled, vectorized loop nest of glu-cpu-gemm,
/// and the data-movement patterns below. `tiles` must be valid.
void populateCpuGemmPatterns(RewritePatternSet &patterns,
                             const CpuGemmTiles &tiles);

/// Whether an f32 GEMM that glu-cpu-gemm generates reads the operands of
/// `pack` directly (the gate and linear weights, unpacked) instead of its
/// result: a gated GEMM of the pack's block size, or a GEMM of few rows
/// reading the pack transposed (dx = [da | db] [W | V]^T). The pack is
/// then left for the GEMMs to read through, and materialized only for its
/// other users.
bool isReadThroughByGemm(PackGatedOp pack);

/// Whether the f32 GEMM that glu-cpu-gemm generates for the producer of
/// `unpack`'s operand stores its result unpacked, into `unpack`'s results
/// (a weight gradient x^T [da | db]): the unpack then goes with the GEMM.
bool isStoredUnpackedByGemm(UnpackGatedOp unpack);

/// Adds the patterns that rewrite f32 ffn.apply_gate, ffn.pack_gated,
/// ffn.unpack_gated, column sums (describeColumnSum) and row sums and
/// maxima (describeRowReduction) on tensors into parallel loop nests of
/// `lanes`-lane vectors.
void populateCpuDataMovementPatterns(RewritePatternSet &patterns,
                                     int64_t lanes);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_CPU_CPUGEMM_H
