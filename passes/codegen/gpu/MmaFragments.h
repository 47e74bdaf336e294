//===- MmaFragments.h - which lane holds what in an mma.sync ----*- C++ -*-===//
//
// The warp-level tensor-core operation mma.sync.m16n8k16 with 16-bit
// operands (bf16, f16) and f32 accumulators: which elements of the A
// (16 x 16, m x k), B (16 x 8, k x n) and C (16 x 8, m x n) tiles each lane
// of a warp holds, and which shared-memory rows each lane addresses so that
// one ldmatrix.x4 delivers an A fragment or two B fragments. The tensor-core
// GEMM kernels build their index arithmetic from these maps (affine.apply on
// the lane id), and the unit tests check them on the CPU against PTX's
// description of the instructions, so that the kernels' data movement is
// checked without a GPU.
//
// Each map has one dimension, the lane (0..31), and two results.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_MMAFRAGMENTS_H
#define GLU_PASSES_CODEGEN_GPU_MMAFRAGMENTS_H

#include "mlir/IR/AffineMap.h"

namespace mlir::ffn {

/// The shape of one mma.sync and the size of a warp.
inline constexpr int64_t kMmaM = 16, kMmaN = 8, kMmaK = 16, kWarpSize = 32;

/// The registers of a lane: 8 A elements (4 x 32 bits), 4 B elements
/// (2 x 32 bits) and 4 f32 accumulators. Element i of a 16-bit operand is
/// half i % 2 of 32-bit register i / 2.
inline constexpr unsigned kMmaAElements = 8, kMmaBElements = 4,
                          kMmaCElements = 4;

/// lane -> (m, k) of A element `i` (< kMmaAElements) of the lane.
AffineMap mmaAElement(MLIRContext *context, unsigned i);
/// lane -> (k, n) of B element `i` (< kMmaBElements) of the lane.
AffineMap mmaBElement(MLIRContext *context, unsigned i);
/// lane -> (m, n) of accumulator `i` (< kMmaCElements) of the lane.
AffineMap mmaCElement(MLIRContext *context, unsigned i);

/// The mma operand an ldmatrix.x4 loads.
enum class MmaOperand {
  /// One A fragment: the 16 x 16 tile of rows m and columns k.
  A,
  /// Two B fragments side by side: the 16 x 16 tile of rows k and columns
  /// n, its registers 0 and 1 the fragment of columns 0..7 and registers 2
  /// and 3 that of columns 8..15.
  B,
};

/// Whether ldmatrix transposes: the operand's tile is stored with k
/// contiguous (A row-major [m][k], B as [n][k]: no transpose) or with k the
/// outer index (A as [k][m], B row-major [k][n]: ldmatrix.trans).
bool ldmatrixTransposes(MmaOperand operand, bool kContiguous);

/// lane -> (row, column), in the stored tile's own coordinates (row the
/// outer index of the stored layout), of the first of the 8 consecutive
/// elements whose address the lane passes to an ldmatrix.x4 that loads
/// `operand` from a 16 x 16 tile stored as `kContiguous` says.
AffineMap ldmatrixRowAddress(MLIRContext *context, MmaOperand operand,
                             bool kContiguous);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_MMAFRAGMENTS_H
