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

/// The `lanes` rows `rows` (a lanes x lanes block) transposed in registers:
/// log2(lanes) stages of two-source shuffles, stage b exchanging bit b of
/// the row index with bit b of the column index, so that element (i, j)
/// ends at (j, i). lanes * log2(lanes) shuffles, each one instruction on
/// AVX-512 (vpermt2ps), AVX2 and NEON.
static SmallVector<Value> transposeInRegisters(OpBuilder &b, Location loc,
                                               SmallVector<Value> rows) {
  int64_t lanes = rows.size();
  for (int64_t bit = 1; bit < lanes; bit <<= 1) {
    SmallVector<int64_t> low, high;
    for (int64_t j = 0; j < lanes; ++j) {
      // Row i (bit clear) keeps its columns with the bit clear and takes
      // row i + bit's columns j ^ bit for the others; row i + bit the
      // mirror image. Mask indices >= lanes select the second operand.
      low.push_back((j & bit) ? lanes + (j ^ bit) : j);
      high.push_back((j & bit) ? lanes + j : (j ^ bit));
    }
    for (int64_t i = 0; i < lanes; ++i) {
      if (i & bit)
        continue;
      Value first = rows[i], second = rows[i + bit];
      rows[i] = vector::ShuffleOp::create(b, loc, first, second, low);
      rows[i + bit] = vector::ShuffleOp::create(b, loc, first, second, high);
    }
  }
  return rows;
}

Value mlir::ffn::emitParallelTranspose(OpBuilder &b, Location loc, Value src,
                                       int64_t lanes) {
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
  constexpr int64_t kTile = 32;
  Value tile = c(kTile), zero = c(0), one = c(1);
  SmallVector<Value> lower = {zero, zero}, upper = {cols, rows},
                     steps = {tile, tile};
  if (first == 1) {
    lower.insert(lower.begin(), zero);
    upper.insert(upper.begin(), sizes[0]);
    steps.insert(steps.begin(), one);
  }
  auto vecType = VectorType::get({lanes}, b.getF32Type());
  scf::ParallelOp::create(
      b, loc, lower, upper, steps,
      [&](OpBuilder &nb, Location l, ValueRange ivs) {
        SmallVector<Value> batch(ivs.take_front(first));
        ivs = ivs.drop_front(first);
        Value iNext = arith::AddIOp::create(nb, l, ivs[0], tile);
        Value jNext = arith::AddIOp::create(nb, l, ivs[1], tile);
        Value iEnd = arith::MinSIOp::create(nb, l, iNext, cols);
        Value jEnd = arith::MinSIOp::create(nb, l, jNext, rows);
        auto at = [&](Value x, Value y) {
          SmallVector<Value> indices(batch);
          indices.append({x, y});
          return indices;
        };
        Value whole = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, iEnd, iNext),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, jEnd,
                                  jNext));
        scf::IfOp::create(
            nb, l, whole,
            [&](OpBuilder &tb, Location tl) {
              // A whole tile: (kTile / lanes)^2 blocks of lanes x lanes,
              // each read as `lanes` row vectors, transposed in registers
              // and written as `lanes` row vectors.
              for (int64_t bi = 0; bi < kTile; bi += lanes) {
                for (int64_t bj = 0; bj < kTile; bj += lanes) {
                  Value i0 = arith::AddIOp::create(
                      tb, tl, ivs[0],
                      arith::ConstantIndexOp::create(tb, tl, bi));
                  SmallVector<Value> block;
                  for (int64_t r = 0; r < lanes; ++r) {
                    Value j = arith::AddIOp::create(
                        tb, tl, ivs[1],
                        arith::ConstantIndexOp::create(tb, tl, bj + r));
                    block.push_back(vector::LoadOp::create(tb, tl, vecType, src,
                                                           at(j, i0)));
                  }
                  block = transposeInRegisters(tb, tl, block);
                  Value j0 = arith::AddIOp::create(
                      tb, tl, ivs[1],
                      arith::ConstantIndexOp::create(tb, tl, bj));
                  for (int64_t r = 0; r < lanes; ++r) {
                    Value i = arith::AddIOp::create(
                        tb, tl, i0, arith::ConstantIndexOp::create(tb, tl, r));
                    vector::StoreOp::create(tb, tl, block[r], dst, at(i, j0));
                  }
                }
              }
              scf::YieldOp::create(tb, tl);
            },
            [&](OpBuilder &eb, Location el) {
              // An edge tile, element by element.
              scf::ForOp::create(
                  eb, el, ivs[0], iEnd, one, ValueRange{},
                  [&](OpBuilder &ib, Location il, Value i, ValueRange) {
                    scf::ForOp::create(
                        ib, il, ivs[1], jEnd, one, ValueRange{},
                        [&](OpBuilder &jb, Location jl, Value j, ValueRange) {
                          Value x =
                              memref::LoadOp::create(jb, jl, src, at(j, i));
                          memref::StoreOp::create(jb, jl, x, dst, at(i, j));
                          scf::YieldOp::create(jb, jl);
                        });
                    scf::YieldOp::create(ib, il);
                  });
              scf::YieldOp::create(eb, el);
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
