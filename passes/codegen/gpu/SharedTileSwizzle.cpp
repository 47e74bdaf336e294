//===- SharedTileSwizzle.cpp - bank-conflict-free shared tiles ------------===//

#include "passes/codegen/gpu/SharedTileSwizzle.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cassert>

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// The two constants of the swizzle of a tile of `chunksPerRow` chunks.
struct Swizzle {
  explicit Swizzle(int64_t chunksPerRow)
      : rowsPerWindow(std::max<int64_t>(1, 8 / chunksPerRow)),
        period(std::min<int64_t>(chunksPerRow, 8)) {
    assert(chunksPerRow >= 2 && llvm::isPowerOf2_64(chunksPerRow) &&
           "a swizzled tile has a power of two of chunks a row");
  }
  int64_t rowsPerWindow, period;
};
} // namespace

int64_t mlir::ffn::swizzledChunk(int64_t row, int64_t chunk,
                                 int64_t chunksPerRow) {
  Swizzle s(chunksPerRow);
  return chunk ^ ((row / s.rowsPerWindow) % s.period);
}

Value mlir::ffn::emitSwizzledChunk(OpBuilder &b, Location loc, Value row,
                                   Value chunk, int64_t chunksPerRow) {
  Swizzle s(chunksPerRow);
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value window = arith::DivUIOp::create(b, loc, row, c(s.rowsPerWindow));
  Value mask = arith::RemUIOp::create(b, loc, window, c(s.period));
  return arith::XOrIOp::create(b, loc, chunk, mask);
}
