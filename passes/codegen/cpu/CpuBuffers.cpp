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
  Value rows = memref::DimOp::create(b, loc, src, 0);
  Value cols = memref::DimOp::create(b, loc, src, 1);
  auto srcType = cast<MemRefType>(src.getType());
  auto dstType = RankedTensorType::get(
      {srcType.getShape()[1], srcType.getShape()[0]}, b.getF32Type());
  Value dst = allocOfType(b, loc, dstType, {cols, rows});
  Value tile = c(32), zero = c(0), one = c(1);
  scf::ParallelOp::create(
      b, loc, ValueRange{zero, zero}, ValueRange{cols, rows},
      ValueRange{tile, tile}, [&](OpBuilder &nb, Location l, ValueRange ivs) {
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
                    Value x =
                        memref::LoadOp::create(jb, jl, src, ValueRange{j, i});
                    memref::StoreOp::create(jb, jl, x, dst, ValueRange{i, j});
                    scf::YieldOp::create(jb, jl);
                  });
              scf::YieldOp::create(ib, il);
            });
      });
  return dst;
}
