//===- CpuGemmEmitter.h - register-tiled CPU GEMMs --------------*- C++ -*-===//
//
// The loop nest of one generated CPU GEMM, from its GemmDescription and the
// buffers it reads and writes. glu-cpu-gemm's patterns call it; the tiling
// is CpuGemmTiles (CpuGemm.h).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_CPUGEMMEMITTER_H
#define GLU_PASSES_CODEGEN_CPU_CPUGEMMEMITTER_H

#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/cpu/CpuGemm.h"

namespace mlir::ffn {

/// The memrefs one CPU GEMM reads and writes: views of its description's
/// tensors, with rows contiguous.
struct CpuGemmBuffers {
  /// [M, K], or [K, M] when the description's lhs is transposed.
  Value lhs;
  /// [K, columns]: a transposed right operand is copied to this layout
  /// first (the micro-kernels load weight rows as vectors).
  Value rhs;
  /// Gated only, or null: the linear weight [K, N] when the GEMM reads the
  /// ffn.pack_gated operands unpacked (`rhs` is then the gate weight
  /// [K, N]); the packed columns' blocks map to their columns, and the
  /// packed bias and kept pre-activations keep their packed layout.
  Value rhsLinear;
  /// Accumulate: the initial value, a buffer like `out` or a scalar.
  Value init, initScalar;
  /// The description's bias and pre-activations (read), or null.
  Value bias, preactivations;
  /// The result, and the kept pre-activations (written), or null.
  Value out, preactivationsOut;
};

/// Emits the parallel loop nest computing `gemm` into `buffers.out` (and
/// `buffers.preactivationsOut` when kept) at the builder's insertion point.
/// A batched `gemm` runs its batches as the outermost parallel dimension,
/// each on the [batch] slices of its buffers.
void emitCpuGemm(OpBuilder &b, Location loc, const GemmDescription &gemm,
                 const CpuGemmBuffers &buffers, const CpuGemmTiles &tiles);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_CPU_CPUGEMMEMITTER_H
