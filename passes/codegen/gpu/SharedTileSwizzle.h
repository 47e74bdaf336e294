//===- SharedTileSwizzle.h - bank-conflict-free shared tiles ----*- C++ -*-===//
//
// Where a 16-byte chunk of a shared-memory tile lives. The tensor-core
// kernels keep each operand tile in its stored layout (rows of the stored
// matrix, the contiguous dimension along a row) and move it in 16-byte
// chunks: cp.async writes whole chunks, and ldmatrix reads 8 rows of one
// chunk column at a time. Unswizzled, those 8 rows fall on the same banks
// whenever a row is a multiple of 128 bytes apart (up to 8-way conflicts).
// The chunk index is XORed with a function of the row so that any 8
// consecutive rows at one logical chunk column occupy 8 different 16-byte
// slots of a 128-byte bank window:
//
//   C chunks a row, L = max(1, 8 / C) rows a 128-byte window:
//   physical chunk = chunk XOR ((row / L) mod min(C, 8))
//
// A permutation of each row's chunks, so the tile needs no padding.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_SHAREDTILESWIZZLE_H
#define GLU_PASSES_CODEGEN_GPU_SHAREDTILESWIZZLE_H

#include "mlir/IR/Builders.h"

namespace mlir::ffn {

/// The physical chunk of logical chunk `chunk` of row `row` in a tile of
/// `chunksPerRow` chunks a row (a power of two, at least 2).
int64_t swizzledChunk(int64_t row, int64_t chunk, int64_t chunksPerRow);

/// The same, as index arithmetic on `row` and `chunk` (the kernels' form;
/// the unit tests fold it and compare with swizzledChunk).
Value emitSwizzledChunk(OpBuilder &b, Location loc, Value row, Value chunk,
                        int64_t chunksPerRow);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_SHAREDTILESWIZZLE_H
