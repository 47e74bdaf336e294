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
  /// first (the micro-kernels load weight rows as vectors), unless
  /// `rhsRows`.
  Value rhs;
  /// Whether `rhs` is a transposed right operand as given, [columns, K],
  /// read by dot products (readsRhsByDotProducts).
  bool rhsRows = false;
  /// Or null: the linear weight when the GEMM reads an ffn.pack_gated's
  /// operands unpacked (`rhs` is then the gate weight). Gated: [K, N]; the
  /// packed columns' blocks map to their columns, and the packed bias and
  /// kept pre-activations keep their packed layout. With `rhsRows`:
  /// [columns, d_ff] of a packed right operand [columns, 2 d_ff] read
  /// transposed; the K range walks the packed blocks of `packBlockSize`
  /// columns.
  Value rhsLinear;
  int64_t packBlockSize = 0;
  /// Accumulate: the initial value, a buffer like `out` or a scalar.
  Value init, initScalar;
  /// The description's bias and pre-activations (read), or null.
  Value bias, preactivations;
  /// The result, and the kept pre-activations (written), or null.
  Value out, preactivationsOut;
  /// Accumulate only, or null: the result's packed columns [a | b] in
  /// blocks of `outBlockSize` are stored unpacked, the a columns to `out`
  /// and the b columns to `outLinear` (each [M, d_ff]), as the
  /// ffn.unpack_gated of a weight gradient d[W | V] = x^T [da | db] would
  /// copy them. The initial value must be `initScalar`.
  Value outLinear;
  int64_t outBlockSize = 0;
};

/// The most rows (static M) for which a GEMM whose right operand is
/// transposed ([N, K], as dx = dy W^T and the backward's dh = dy W2^T
/// read their weights) computes each output as a dot product of an lhs row
/// and a weight row, reading the weight once, in order, instead of first
/// copying it transposed (two more passes over it). SwiGLU's T5-base train
/// step on 2 Zen 4 cores: 11.1 -> 1.8 ms at M = 1, 29 -> 22 ms at M = 128;
/// at M = 256 the copy is amortized and the register-tiled GEMM is faster
/// (48 against 51 ms).
inline constexpr int64_t kMaxDotProductRows = 128;

/// Whether `gemm` reads its right operand by dot products: transposed, lhs
/// not transposed, and at most kMaxDotProductRows rows (static) and no more
/// rows than its depth K (or K not static). Each output's dot product ends
/// in a horizontal sum of its vectors, a cost that grows with M x N; the
/// copy it saves grows with N x K. Attention's scores Q K^T at d_kv = 64,
/// 64 batches on 2 Zen 4 cores: 128 x 128 outputs 1.33 ms by dot products,
/// 0.97 ms copied and register-tiled; 32 x 128 outputs 0.25 against
/// 0.37 ms.
bool readsRhsByDotProducts(const GemmDescription &gemm);

/// Emits the parallel loop nest computing `gemm` into `buffers.out` (and
/// `buffers.preactivationsOut` when kept) at the builder's insertion point.
/// A batched `gemm` runs its batches as the outermost parallel dimension,
/// each on the [batch] slices of its buffers.
void emitCpuGemm(OpBuilder &b, Location loc, const GemmDescription &gemm,
                 const CpuGemmBuffers &buffers, const CpuGemmTiles &tiles);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_CPU_CPUGEMMEMITTER_H
