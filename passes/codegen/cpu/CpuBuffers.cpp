//===- CpuBuffers.cpp - buffers and vectors of the CPU back end -----------===//

#include "passes/codegen/cpu/CpuBuffers.h"

#include "passes/codegen/common/TensorBuffers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::ffn;

bool mlir::ffn::isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

bool mlir::ffn::hasOnlyF32TensorOperands(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type type) { return isF32Tensor(type); });
}

Value mlir::ffn::readRowsBuffer(OpBuilder &b, Location loc, Value tensor) {
  return readOnlyBufferOf(b, loc, tensor, /*unitInnermostStride=*/true);
}

Value mlir::ffn::allocLike(OpBuilder &b, Location loc, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(type.isDynamicDim(i)
                        ? Value(tensor::DimOp::create(b, loc, like, i))
                        : Value());
  return allocOfType(b, loc, type, sizes);
}

Value mlir::ffn::allocOfType(OpBuilder &b, Location loc, RankedTensorType type,
                             ArrayRef<Value> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(sizes[i]);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), dynamic,
      b.getI64IntegerAttr(64));
}

Value mlir::ffn::loadLanes(OpBuilder &b, Location loc, Value base,
                           ArrayRef<Value> indices, Value mask) {
  auto vecType = VectorType::get(cast<VectorType>(mask.getType()).getShape(),
                                 b.getF32Type());
  Value zeros = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
  return vector::MaskedLoadOp::create(b, loc, vecType, base, indices, mask,
                                      zeros);
}

Value mlir::ffn::emitParallelTranspose(OpBuilder &b, Location loc, Value src) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto srcType = cast<MemRefType>(src.getType());
  // The leading batch dimension, if any, is kept.
  int64_t first = srcType.getRank() - 2;
  SmallVector<int64_t> shape(srcType.getShape());
  std::swap(shape[first], shape[first + 1]);
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < srcType.getRank(); ++i)
    sizes.push_back(memref::DimOp::create(b, loc, src, i));
  Value rows = sizes[first], cols = sizes[first + 1];
  SmallVector<Value> dstSizes(sizes);
  std::swap(dstSizes[first], dstSizes[first + 1]);
  Value dst = allocOfType(b, loc, RankedTensorType::get(shape, b.getF32Type()),
                          dstSizes);
  Value tile = c(32), zero = c(0), one = c(1);
  SmallVector<Value> lower = {zero, zero}, upper = {cols, rows},
                     steps = {tile, tile};
  if (first == 1) {
    lower.insert(lower.begin(), zero);
    upper.insert(upper.begin(), sizes[0]);
    steps.insert(steps.begin(), one);
  }
  scf::ParallelOp::create(
      b, loc, lower, upper, steps,
      [&](OpBuilder &nb, Location l, ValueRange ivs) {
        SmallVector<Value> batch(ivs.take_front(first));
        ivs = ivs.drop_front(first);
        Value iEnd = arith::MinSIOp::create(
            nb, l, arith::AddIOp::create(nb, l, ivs[0], tile), cols);
        Value jEnd = arith::MinSIOp::create(
            nb, l, arith::AddIOp::create(nb, l, ivs[1], tile), rows);
        scf::ForOp::create(
            nb, l, ivs[0], iEnd, one, ValueRange{},
            [&](OpBuilder &ib, Location il, Value i, ValueRange) {
              scf::ForOp::create(
                  ib, il, ivs[1], jEnd, one, ValueRange{},
                  [&](OpBuilder &jb, Location jl, Value j, ValueRange) {
                    SmallVector<Value> from(batch), to(batch);
                    from.append({j, i});
                    to.append({i, j});
                    Value x = memref::LoadOp::create(jb, jl, src, from);
                    memref::StoreOp::create(jb, jl, x, dst, to);
                    scf::YieldOp::create(jb, jl);
                  });
              scf::YieldOp::create(ib, il);
            });
      });
  return dst;
}

Value mlir::ffn::getBatchSlice(OpBuilder &b, Location loc, Value buffer,
                               Value batch) {
  auto type = cast<MemRefType>(buffer.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[0] = batch;
  for (int64_t i = 1; i < rank; ++i)
    sizes.push_back(memref::getMixedSize(b, loc, buffer, i));
  auto sliceType = memref::SubViewOp::inferRankReducedResultType(
      type.getShape().drop_front(), type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, sliceType, buffer, offsets, sizes,
                                   strides);
}
