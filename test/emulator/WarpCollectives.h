//===- WarpCollectives.h - ldmatrix and mma.sync as PTX defines -*- C++ -*-===//
//
// The warp-wide instructions of the tensor-core kernels, written from the
// PTX ISA's description (sections "ldmatrix" and "Matrix fragments for
// mma.m16n8k16 with floating point type"), independently of glu's own
// fragment maps (passes/codegen/gpu/MmaFragments.h) so that a mistake in
// those maps shows up as a wrong result in the emulator.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TEST_EMULATOR_WARPCOLLECTIVES_H
#define GLU_TEST_EMULATOR_WARPCOLLECTIVES_H

#include "mlir/IR/Types.h"

#include <array>
#include <cstdint>

namespace glu::emulator {

inline constexpr unsigned kWarpLanes = 32;

/// One 16-byte row of a matrix as ldmatrix reads it: 8 16-bit elements
/// (or the first 4 slots: 4 32-bit ones).
using LdmatrixRow = std::array<uint64_t, 8>;
/// What ldmatrix.x4 gives a lane: with 16-bit elements register j holds
/// halves 2j and 2j + 1; with 32-bit ones slot j is register j.
using LdmatrixRegisters = std::array<uint64_t, 8>;

/// ldmatrix.sync.aligned.m8n8.x{numTiles}[.trans].b16: lanes 8j..8j+7
/// address the rows of matrix j; rows[l] are the elements lane l's address
/// points at. Without .trans lane l receives, from each matrix, row l / 4,
/// columns 2 (l % 4) and 2 (l % 4) + 1; with .trans the same positions of
/// the transposed matrix. With `elementBits` 32 (tf32 fragments) each row
/// is 4 elements, a b16 pair is one element, and lane l receives element
/// l % 4 of row l / 4 (no .trans).
std::array<LdmatrixRegisters, kWarpLanes>
ldmatrix(const std::array<LdmatrixRow, kWarpLanes> &rows, unsigned numTiles,
         bool transpose, unsigned elementBits = 16);

/// A lane's operands of mma.sync.aligned.m16n8k16.row.col.f32 with 16-bit
/// A and B (elements a0..a7, b0..b3 in PTX's numbering; element 2j and
/// 2j + 1 are the low and high halves of register j) and f32 C.
struct MmaLaneOperands {
  std::array<uint64_t, 8> a;
  std::array<uint64_t, 4> b;
  std::array<float, 4> c;
};

/// D = A B + C for one warp, A and B read as `elementType` (bf16 or f16):
/// the products are exact and the sum is rounded once to f32.
std::array<std::array<float, 4>, kWarpLanes>
mmaSyncM16N8K16(mlir::Type elementType,
                const std::array<MmaLaneOperands, kWarpLanes> &lanes);

/// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32: a lane's a0..a3 and
/// b0, b1 are f32 bits (g = lane / 4, t = lane % 4: a_i at (g + 8 (i % 2),
/// t + 4 (i / 2)), b_i at (t + 4 i, g)), read as tf32: the 13 low mantissa
/// bits are dropped. The products are exact and the sum is rounded once.
std::array<std::array<float, 4>, kWarpLanes>
mmaSyncM16N8K8Tf32(const std::array<MmaLaneOperands, kWarpLanes> &lanes);

} // namespace glu::emulator

#endif // GLU_TEST_EMULATOR_WARPCOLLECTIVES_H
