//===- MmaFragments.cpp - which lane holds what in an mma.sync ------------===//
//
// With g = lane / 4 (the lane's group) and t = lane % 4 (its place in the
// group), PTX's fragments of mma.m16n8k16 for 16-bit operands are
//
//   A element i: m = g + 8 ((i / 2) % 2),  k = 2 t + i % 2 + 8 (i / 4)
//   B element i: k = 2 t + i % 2 + 8 (i / 2),  n = g
//   C element i: m = g + 8 (i / 2),  n = 2 t + i % 2
//
// ldmatrix.x4 loads four 8 x 8 matrices: lanes 8 j .. 8 j + 7 pass the
// addresses of the rows of matrix j, and register j of lane L receives
// elements (L / 4, 2 (L % 4)) and (L / 4, 2 (L % 4) + 1) of matrix j, or
// with .trans elements (2 (L % 4), L / 4) and (2 (L % 4) + 1, L / 4).
// Matching register j with the fragments above places matrix j of
//
//   A stored [m][k]: rows 8 (j % 2), columns 8 (j / 2)
//   A stored [k][m]: rows 8 (j / 2), columns 8 (j % 2)   (.trans)
//   B stored [n][k]: rows 8 (j / 2), columns 8 (j % 2)
//   B stored [k][n]: rows 8 (j % 2), columns 8 (j / 2)   (.trans)
//
// of the 16 x 16 tile (for B, j / 2 is the fragment, the n block).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/MmaFragments.h"

#include "mlir/IR/AffineExpr.h"

#include <cassert>

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// The lane and the expressions every map is written with.
struct Lane {
  explicit Lane(MLIRContext *context)
      : context(context), lane(getAffineDimExpr(0, context)),
        group(lane.floorDiv(4)), inGroup(lane % 4) {}

  AffineMap map(AffineExpr row, AffineExpr col) const {
    return AffineMap::get(1, 0, {row, col}, context);
  }

  MLIRContext *context;
  AffineExpr lane, group, inGroup;
};
} // namespace

AffineMap mlir::ffn::mmaAElement(MLIRContext *context, unsigned i) {
  assert(i < kMmaAElements && "an A fragment has 8 elements");
  Lane l(context);
  return l.map(l.group + 8 * ((i / 2) % 2),
               l.inGroup * 2 + (i % 2) + 8 * (i / 4));
}

AffineMap mlir::ffn::mmaBElement(MLIRContext *context, unsigned i) {
  assert(i < kMmaBElements && "a B fragment has 4 elements");
  Lane l(context);
  return l.map(l.inGroup * 2 + (i % 2) + 8 * (i / 2), l.group);
}

AffineMap mlir::ffn::mmaCElement(MLIRContext *context, unsigned i) {
  assert(i < kMmaCElements && "an accumulator fragment has 4 elements");
  Lane l(context);
  return l.map(l.group + 8 * (i / 2), l.inGroup * 2 + (i % 2));
}

bool mlir::ffn::ldmatrixTransposes(MmaOperand, bool kContiguous) {
  // Both fragments pair two k-consecutive elements in a register.
  return !kContiguous;
}

AffineMap mlir::ffn::ldmatrixRowAddress(MLIRContext *context,
                                        MmaOperand operand, bool kContiguous) {
  Lane l(context);
  AffineExpr rowInMatrix = l.lane % 8;
  AffineExpr low = 8 * (l.lane.floorDiv(8) % 2); // 8 (j % 2)
  AffineExpr high = 8 * l.lane.floorDiv(16);     // 8 (j / 2)
  // Matrix j's rows start at `low` or `high` (see the file comment).
  bool rowsLow = (operand == MmaOperand::A) == kContiguous;
  return rowsLow ? l.map(rowInMatrix + low, high)
                 : l.map(rowInMatrix + high, low);
}
