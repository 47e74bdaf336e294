//===- GpuKernelSupport.cpp - what the GPU kernel emitters share ----------===//

#include "passes/codegen/gpu/GpuKernelSupport.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ffn;

/// Returns memref[i, j] if `inBounds`, else 0.0.
Value mlir::ffn::guardedLoad(OpBuilder &b, Location loc, Value inBounds,
                             Value memref, Value i, Value j) {
  Type f32 = b.getF32Type();
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, inBounds,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = memref::LoadOp::create(b, loc, memref, ValueRange{i, j});
    scf::YieldOp::create(b, loc, v);
    b.setInsertionPointToStart(ifOp.elseBlock());
    Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
    scf::YieldOp::create(b, loc, zero);
  }
  return ifOp.getResult(0);
}

/// The packed gate and linear columns of h column `col` (< N; any value for
/// columns beyond N, whose loads and stores are masked).
std::pair<Value, Value> mlir::ffn::packedColumns(IndexMath &im, Value col,
                                                 Value n, int64_t blockSize) {
  Value block = im.c(blockSize);
  Value start = im.mul(im.div(col, block), block);
  Value within = im.rem(col, block);
  Value rest = arith::SubIOp::create(im.b, im.loc, n, im.min(start, n));
  Value width = im.min(block, rest);
  Value gateCol = im.add(im.add(start, start), within);
  return {gateCol, im.add(gateCol, width)};
}

Value mlir::ffn::allocMatrix(OpBuilder &b, Location loc, RankedTensorType type,
                             Value rows, Value cols) {
  SmallVector<Value> dynamicSizes;
  if (type.isDynamicDim(0))
    dynamicSizes.push_back(rows);
  if (type.isDynamicDim(1))
    dynamicSizes.push_back(cols);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      dynamicSizes);
}
