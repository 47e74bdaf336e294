//===- MmaFragmentsTest.cpp - mma.sync fragments and ldmatrix on the CPU --===//
//
// The maps of MmaFragments.h checked against an emulation of PTX's
// ldmatrix.x4 and mma.sync.m16n8k16 written from the PTX ISA's text: each
// lane's registers after an ldmatrix whose row addresses come from
// ldmatrixRowAddress must hold exactly the fragment elements that mma
// expects, and a warp's whole 16 x 16 x 16 product through those registers
// must equal the plain product of the tiles, for every stored layout.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/MmaFragments.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <utility>

using namespace mlir;
using namespace mlir::ffn;

namespace {

using Coord = std::pair<int64_t, int64_t>;

Coord at(AffineMap map, int64_t lane) {
  SmallVector<int64_t, 2> r = map.compose(ArrayRef<int64_t>{lane});
  return {r[0], r[1]};
}

// PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point type":
// groupID = laneid >> 2, threadID_in_group = laneid % 4.
Coord ptxA(int64_t lane, unsigned i) {
  int64_t group = lane >> 2, thread = lane % 4;
  int64_t row = (i < 2 || (i >= 4 && i < 6)) ? group : group + 8;
  int64_t col = thread * 2 + (i & 1) + (i >= 4 ? 8 : 0);
  return {row, col};
}
Coord ptxB(int64_t lane, unsigned i) {
  int64_t group = lane >> 2, thread = lane % 4;
  return {thread * 2 + (i & 1) + (i >= 2 ? 8 : 0), group};
}
Coord ptxC(int64_t lane, unsigned i) {
  int64_t group = lane >> 2, thread = lane % 4;
  return {i < 2 ? group : group + 8, thread * 2 + (i & 1)};
}

/// A 16 x 16 tile in "shared memory"; element (r, c) at r * 16 + c.
using Tile = std::array<int64_t, 256>;

/// ldmatrix.x4 (PTX ISA, "ldmatrix"): lane 8 j + r passes the address of
/// row r of matrix j; register j of lane L gets two elements of matrix j:
/// row L / 4, columns 2 (L % 4) and + 1 (with .trans: rows 2 (L % 4) and
/// + 1 of column L / 4). Returns each lane's 8 16-bit halves, each as the
/// (row, column) of the stored tile it came from.
std::array<std::array<Coord, 8>, kWarpSize>
ldmatrixX4(const std::array<Coord, kWarpSize> &rowAddress, bool trans) {
  std::array<std::array<Coord, 8>, kWarpSize> regs;
  for (int64_t lane = 0; lane < kWarpSize; ++lane)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t half = 0; half < 2; ++half) {
        int64_t r = trans ? 2 * (lane % 4) + half : lane / 4;
        int64_t c = trans ? lane / 4 : 2 * (lane % 4) + half;
        Coord start = rowAddress[8 * j + r];
        regs[lane][2 * j + half] = {start.first, start.second + c};
      }
  return regs;
}

/// The row addresses every lane passes for `operand` stored as said.
std::array<Coord, kWarpSize>
rowAddresses(MLIRContext *context, MmaOperand operand, bool kContiguous) {
  AffineMap map = ldmatrixRowAddress(context, operand, kContiguous);
  std::array<Coord, kWarpSize> rows;
  std::set<Coord> distinct;
  for (int64_t lane = 0; lane < kWarpSize; ++lane) {
    rows[lane] = at(map, lane);
    EXPECT_GE(rows[lane].first, 0);
    EXPECT_LT(rows[lane].first, 16);
    // A row of 8 16-bit elements starting at column 0 or 8: 16-byte
    // aligned, as ldmatrix requires.
    EXPECT_TRUE(rows[lane].second == 0 || rows[lane].second == 8);
    distinct.insert(rows[lane]);
  }
  EXPECT_EQ(distinct.size(), size_t(kWarpSize)) << "each row loaded once";
  return rows;
}

/// The (m, k) or (k, n) coordinate that stored element `s` is.
Coord logical(Coord s, MmaOperand operand, bool kContiguous) {
  // A stored [m][k] or [k][m]; B stored [n][k] or [k][n].
  bool swap = (operand == MmaOperand::A) != kContiguous;
  return swap ? Coord{s.second, s.first} : s;
}

TEST(MmaFragmentsTest, ElementMapsArePtxFragments) {
  MLIRContext context;
  for (int64_t lane = 0; lane < kWarpSize; ++lane) {
    for (unsigned i = 0; i < kMmaAElements; ++i)
      EXPECT_EQ(at(mmaAElement(&context, i), lane), ptxA(lane, i))
          << "lane " << lane << " a" << i;
    for (unsigned i = 0; i < kMmaBElements; ++i)
      EXPECT_EQ(at(mmaBElement(&context, i), lane), ptxB(lane, i))
          << "lane " << lane << " b" << i;
    for (unsigned i = 0; i < kMmaCElements; ++i)
      EXPECT_EQ(at(mmaCElement(&context, i), lane), ptxC(lane, i))
          << "lane " << lane << " c" << i;
  }
}

// After the ldmatrix, every lane holds exactly its fragment: A's 8
// elements, or for B the fragments of n 0..7 (registers 0, 1) and n 8..15
// (registers 2, 3).
TEST(MmaFragmentsTest, LdmatrixDeliversTheFragments) {
  MLIRContext context;
  for (MmaOperand operand : {MmaOperand::A, MmaOperand::B}) {
    for (bool kContiguous : {true, false}) {
      SCOPED_TRACE(std::string(operand == MmaOperand::A ? "A" : "B") +
                   (kContiguous ? ", k contiguous" : ", k outer"));
      auto regs = ldmatrixX4(rowAddresses(&context, operand, kContiguous),
                             ldmatrixTransposes(operand, kContiguous));
      for (int64_t lane = 0; lane < kWarpSize; ++lane) {
        for (unsigned e = 0; e < 8; ++e) {
          Coord got = logical(regs[lane][e], operand, kContiguous);
          Coord want;
          if (operand == MmaOperand::A) {
            want = ptxA(lane, e);
          } else {
            // (k, n) of element e % 4 of fragment e / 4.
            want = ptxB(lane, e % 4);
            want.second += 8 * (e / 4);
          }
          EXPECT_EQ(got, want) << "lane " << lane << " half " << e;
        }
      }
    }
  }
}

// A warp's D = A B (16 x 16 x 16: two mma.sync of n 8) through ldmatrix
// and PTX's mma semantics, stored through mmaCElement, equals the product.
TEST(MmaFragmentsTest, WarpProductThroughFragments) {
  MLIRContext context;
  for (bool aContiguous : {true, false}) {
    for (bool bContiguous : {true, false}) {
      SCOPED_TRACE(std::to_string(aContiguous) + std::to_string(bContiguous));
      // Logical A (m, k) and B (k, n) with distinct small values.
      auto aValue = [](int64_t m, int64_t k) { return 3 * m - 2 * k + 1; };
      auto bValue = [](int64_t k, int64_t n) { return k * k - 5 * n + 7; };
      Tile aStored, bStored;
      for (int64_t r = 0; r < 16; ++r)
        for (int64_t c = 0; c < 16; ++c) {
          Coord am = logical({r, c}, MmaOperand::A, aContiguous);
          Coord bk = logical({r, c}, MmaOperand::B, bContiguous);
          aStored[r * 16 + c] = aValue(am.first, am.second);
          bStored[r * 16 + c] = bValue(bk.first, bk.second);
        }
      auto aRegs =
          ldmatrixX4(rowAddresses(&context, MmaOperand::A, aContiguous),
                     ldmatrixTransposes(MmaOperand::A, aContiguous));
      auto bRegs =
          ldmatrixX4(rowAddresses(&context, MmaOperand::B, bContiguous),
                     ldmatrixTransposes(MmaOperand::B, bContiguous));
      std::array<int64_t, 256> d{};
      for (int64_t block = 0; block < 2; ++block) {
        // mma.sync: gather the warp's registers into the logical tiles as
        // PTX's fragment tables place them, multiply, scatter D back.
        int64_t a[16][16], b[16][8];
        for (int64_t lane = 0; lane < kWarpSize; ++lane) {
          for (unsigned i = 0; i < 8; ++i) {
            Coord s = aRegs[lane][i];
            Coord f = ptxA(lane, i);
            a[f.first][f.second] = aStored[s.first * 16 + s.second];
          }
          for (unsigned i = 0; i < 4; ++i) {
            Coord s = bRegs[lane][4 * block + i];
            Coord f = ptxB(lane, i);
            b[f.first][f.second] = bStored[s.first * 16 + s.second];
          }
        }
        for (int64_t lane = 0; lane < kWarpSize; ++lane)
          for (unsigned i = 0; i < kMmaCElements; ++i) {
            Coord f = ptxC(lane, i);
            int64_t sum = 0;
            for (int64_t k = 0; k < 16; ++k)
              sum += a[f.first][k] * b[k][f.second];
            // The kernel stores accumulator i where mmaCElement says.
            Coord out = at(mmaCElement(&context, i), lane);
            d[out.first * 16 + 8 * block + out.second] = sum;
          }
      }
      for (int64_t m = 0; m < 16; ++m)
        for (int64_t n = 0; n < 16; ++n) {
          int64_t want = 0;
          for (int64_t k = 0; k < 16; ++k)
            want += aValue(m, k) * bValue(k, n);
          EXPECT_EQ(d[m * 16 + n], want) << "D[" << m << ", " << n << "]";
        }
    }
  }
}

} // namespace
