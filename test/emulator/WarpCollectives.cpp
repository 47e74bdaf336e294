//===- WarpCollectives.cpp - ldmatrix and mma.sync as PTX defines ---------===//

#include "WarpCollectives.h"
#include "ScalarSemantics.h"

#include <cstring>

namespace glu::emulator {

std::array<LdmatrixRegisters, kWarpLanes>
ldmatrix(const std::array<LdmatrixRow, kWarpLanes> &rows, unsigned numTiles,
         bool transpose, unsigned elementBits) {
  std::array<LdmatrixRegisters, kWarpLanes> result{};
  if (elementBits == 32) {
    for (unsigned lane = 0; lane < kWarpLanes; ++lane)
      for (unsigned matrix = 0; matrix < numTiles; ++matrix)
        result[lane][matrix] = rows[8 * matrix + lane / 4][lane % 4];
    return result;
  }
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

namespace {
/// The m16 x n8 product of one mma.sync: A (16 x K), B (K x 8), C and D
/// (16 x 8) as the warp holds them, K up to 16.
struct WarpProduct {
  double a[16][16], b[16][8], c[16][8];

  void setC(const std::array<MmaLaneOperands, kWarpLanes> &lanes) {
    // c0,c1 at (group, 2t..2t+1); c2,c3 at (group + 8, ...).
    for (unsigned lane = 0; lane < kWarpLanes; ++lane)
      for (unsigned i = 0; i < 4; ++i)
        c[lane / 4 + 8 * (i / 2)][2 * (lane % 4) + i % 2] = lanes[lane].c[i];
  }

  /// D = A B + C over `k`, distributed like C; the products are exact in
  /// double and each sum is rounded once to f32.
  std::array<std::array<float, 4>, kWarpLanes> multiply(unsigned k) const {
    std::array<std::array<float, 4>, kWarpLanes> d{};
    for (unsigned lane = 0; lane < kWarpLanes; ++lane)
      for (unsigned i = 0; i < 4; ++i) {
        unsigned row = lane / 4 + 8 * (i / 2), column = 2 * (lane % 4) + i % 2;
        double sum = c[row][column];
        for (unsigned j = 0; j < k; ++j)
          sum += a[row][j] * b[j][column];
        d[lane][i] = float(sum);
      }
    return d;
  }
};
} // namespace

std::array<std::array<float, 4>, kWarpLanes>
mmaSyncM16N8K16(mlir::Type elementType,
                const std::array<MmaLaneOperands, kWarpLanes> &lanes) {
  WarpProduct p;
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    unsigned group = lane / 4, inGroup = lane % 4;
    // A: a0,a1 (group, 2t..2t+1); a2,a3 (group + 8, ...); a4..a7 the same
    // rows at columns + 8.
    for (unsigned i = 0; i < 8; ++i) {
      unsigned row = group + 8 * ((i / 2) % 2);
      unsigned column = 2 * inGroup + i % 2 + 8 * (i / 4);
      p.a[row][column] = decodeScalar(elementType, lanes[lane].a[i]);
    }
    // B: b0,b1 (rows 2t..2t+1, column group); b2,b3 rows + 8.
    for (unsigned i = 0; i < 4; ++i)
      p.b[2 * inGroup + i % 2 + 8 * (i / 2)][group] =
          decodeScalar(elementType, lanes[lane].b[i]);
  }
  p.setC(lanes);
  return p.multiply(16);
}

std::array<std::array<float, 4>, kWarpLanes>
mmaSyncM16N8K8Tf32(const std::array<MmaLaneOperands, kWarpLanes> &lanes) {
  auto tf32 = [](uint64_t bits) {
    uint32_t word = uint32_t(bits) & ~uint32_t(0x1fff);
    float f;
    std::memcpy(&f, &word, sizeof(f));
    return double(f);
  };
  WarpProduct p;
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    unsigned group = lane / 4, inGroup = lane % 4;
    for (unsigned i = 0; i < 4; ++i)
      p.a[group + 8 * (i % 2)][inGroup + 4 * (i / 2)] = tf32(lanes[lane].a[i]);
    for (unsigned i = 0; i < 2; ++i)
      p.b[inGroup + 4 * i][group] = tf32(lanes[lane].b[i]);
  }
  p.setC(lanes);
  return p.multiply(8);
}

} // namespace glu::emulator
