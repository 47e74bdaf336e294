//===- WarpCollectives.cpp - ldmatrix and mma.sync as PTX defines ---------===//

#include "WarpCollectives.h"
#include "ScalarSemantics.h"

namespace glu::emulator {

std::array<LdmatrixRegisters, kWarpLanes>
ldmatrix(const std::array<LdmatrixRow, kWarpLanes> &rows, unsigned numTiles,
         bool transpose) {
  std::array<LdmatrixRegisters, kWarpLanes> result{};
  for (unsigned lane = 0; lane < kWarpLanes; ++lane)
    for (unsigned matrix = 0; matrix < numTiles; ++matrix)
      for (unsigned half = 0; half < 2; ++half) {
        unsigned row = lane / 4, column = 2 * (lane % 4) + half;
        if (transpose)
          std::swap(row, column);
        result[lane][2 * matrix + half] = rows[8 * matrix + row][column];
      }
  return result;
}

std::array<std::array<float, 4>, kWarpLanes>
mmaSyncM16N8K16(mlir::Type elementType,
                const std::array<MmaLaneOperands, kWarpLanes> &lanes) {
  double a[16][16], b[16][8], c[16][8];
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    unsigned group = lane / 4, inGroup = lane % 4;
    // A: a0,a1 (group, 2t..2t+1); a2,a3 (group + 8, ...); a4..a7 the same
    // rows at columns + 8.
    for (unsigned i = 0; i < 8; ++i) {
      unsigned row = group + 8 * ((i / 2) % 2);
      unsigned column = 2 * inGroup + i % 2 + 8 * (i / 4);
      a[row][column] = decodeScalar(elementType, lanes[lane].a[i]);
    }
    // B: b0,b1 (rows 2t..2t+1, column group); b2,b3 rows + 8.
    for (unsigned i = 0; i < 4; ++i)
      b[2 * inGroup + i % 2 + 8 * (i / 2)][group] =
          decodeScalar(elementType, lanes[lane].b[i]);
    // C: c0,c1 (group, 2t..2t+1); c2,c3 (group + 8, ...).
    for (unsigned i = 0; i < 4; ++i)
      c[group + 8 * (i / 2)][2 * inGroup + i % 2] = lanes[lane].c[i];
  }
  std::array<std::array<float, 4>, kWarpLanes> d{};
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    unsigned group = lane / 4, inGroup = lane % 4;
    for (unsigned i = 0; i < 4; ++i) {
      unsigned row = group + 8 * (i / 2), column = 2 * inGroup + i % 2;
      double sum = c[row][column];
      for (unsigned k = 0; k < 16; ++k)
        sum += a[row][k] * b[k][column];
      d[lane][i] = float(sum);
    }
  }
  return d;
}

} // namespace glu::emulator
