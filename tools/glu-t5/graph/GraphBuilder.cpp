//===- GraphBuilder.cpp - linalg on tensors, one line a step --------------===//

#include "GraphBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace glu::t5;

MapOperand::MapOperand(Value value) : value(value) {
  unsigned rank = cast<RankedTensorType>(value.getType()).getRank();
  dims.resize(rank);
  std::iota(dims.begin(), dims.end(), 0u);
}

ArrayRef<int64_t> GraphBuilder::shape(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

Value GraphBuilder::empty(ArrayRef<int64_t> shape, Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

Value GraphBuilder::zeros(ArrayRef<int64_t> shape, Type element) {
  if (!element)
    element = f32();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  return linalg::FillOp::create(b, loc, zero, empty(shape, element))
      .getResult(0);
}

Value GraphBuilder::splat(ArrayRef<int64_t> shape, double value) {
  Value v = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  return linalg::FillOp::create(b, loc, v, empty(shape, f32())).getResult(0);
}

Value GraphBuilder::scalar(OpBuilder &nb, Location l, double value, Type type) {
  if (!type)
    type = nb.getF32Type();
  if (isa<IntegerType>(type))
    return arith::ConstantOp::create(
        nb, l, nb.getIntegerAttr(type, static_cast<int64_t>(value)));
  return arith::ConstantOp::create(nb, l, nb.getFloatAttr(type, value));
}

Value GraphBuilder::constantI32(ArrayRef<int64_t> shape,
                                ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get(shape, i32());
  return arith::ConstantOp::create(b, loc,
                                   DenseIntElementsAttr::get(type, values));
}

Value GraphBuilder::map(ArrayRef<int64_t> shape, ArrayRef<MapOperand> operands,
                        const MapBody &body, Type element, bool withIndices) {
  if (!element)
    element = f32();
  return buildMap(empty(shape, element), /*readInit=*/false, operands, body,
                  withIndices);
}

Value GraphBuilder::mapInto(Value into, ArrayRef<MapOperand> operands,
                            const MapBody &body) {
  return buildMap(into, /*readInit=*/true, operands, body,
                  /*withIndices=*/false);
}

Value GraphBuilder::buildMap(Value init, bool readInit,
                             ArrayRef<MapOperand> operands, const MapBody &body,
                             bool withIndices) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(init);
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (const MapOperand &operand : operands) {
    inputs.push_back(operand.value);
    SmallVector<AffineExpr> exprs;
    for (unsigned d : operand.dims)
      exprs.push_back(getAffineDimExpr(d, ctx));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             iterators, "", "",
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> in(readInit ? args : args.drop_back());
               if (withIndices)
                 for (unsigned d = 0; d < rank; ++d)
                   in.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, in));
             })
      .getResult(0);
}

Value GraphBuilder::add(Value x, Value y) {
  return map(shape(x), {x, y}, [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::AddFOp::create(nb, l, a[0], a[1]).getResult();
  });
}

Value GraphBuilder::sub(Value x, Value y) {
  return map(shape(x), {x, y}, [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::SubFOp::create(nb, l, a[0], a[1]).getResult();
  });
}

Value GraphBuilder::mul(Value x, Value y) {
  return map(shape(x), {x, y}, [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
  });
}

Value GraphBuilder::scale(Value x, double factor) {
  return map(shape(x), {x}, [&](OpBuilder &nb, Location l, ValueRange a) {
    return arith::MulFOp::create(nb, l, a[0], scalar(nb, l, factor))
        .getResult();
  });
}

Value GraphBuilder::sum(ArrayRef<Value> terms) {
  Value total;
  for (Value term : terms)
    if (term)
      total = total ? add(total, term) : term;
  return total;
}

Value GraphBuilder::reduceLast(Value x, Reduction kind) {
  ArrayRef<int64_t> in = shape(x);
  SmallVector<int64_t> out(in.drop_back());
  Value init = kind == Reduction::Sum
                   ? zeros(out, f32())
                   : splat(out, -std::numeric_limits<float>::infinity());
  return linalg::ReduceOp::create(
             b, loc, ValueRange{x}, ValueRange{init},
             ArrayRef<int64_t>{static_cast<int64_t>(in.size() - 1)},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value r =
                   kind == Reduction::Sum
                       ? arith::AddFOp::create(nb, l, a[0], a[1]).getResult()
                       : arith::MaximumFOp::create(nb, l, a[0], a[1])
                             .getResult();
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

Value GraphBuilder::rowSums(Value x) {
  ArrayRef<int64_t> in = shape(x);
  MLIRContext *ctx = b.getContext();
  AffineExpr r = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {r, c}, ctx),
                                 AffineMap::get(2, 0, {r}, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{RankedTensorType::get({in[0]}, f32())},
             ValueRange{x}, ValueRange{zeros({in[0]})}, maps,
             {utils::IteratorType::parallel, utils::IteratorType::reduction},
             "", "",
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
             })
      .getResult(0);
}

Value GraphBuilder::columnSums(Value x) {
  ArrayRef<int64_t> in = shape(x);
  return linalg::ReduceOp::create(
             b, loc, ValueRange{x}, ValueRange{zeros({in[1]})},
             ArrayRef<int64_t>{0},
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
             })
      .getResult(0);
}

// The back ends run a sum along the last dimension of a matrix (a row
// reduction) and a sum over its rows (a column sum) on the threads,
// vectorized; other reductions are scalar loops. So the kept dimensions
// leading the summed ones become a row reduction, the summed ones leading
// the kept ones a column sum, and a sum of everything the column sum of a
// matrix's row sums.
Value GraphBuilder::sumAllBut(Value x, ArrayRef<unsigned> keep) {
  ArrayRef<int64_t> in = shape(x);
  SmallVector<int64_t> out;
  SmallVector<int64_t> reduced;
  int64_t keptCount = 1, reducedCount = 1;
  for (unsigned d = 0; d < in.size(); ++d) {
    if (llvm::is_contained(keep, d)) {
      out.push_back(in[d]);
      keptCount *= in[d];
    } else {
      reduced.push_back(d);
      reducedCount *= in[d];
    }
  }
  if (reduced.empty())
    return x;
  bool keptFirst = llvm::all_of(
      keep, [&](unsigned d) { return d < unsigned(reduced.front()); });
  bool keptLast = llvm::all_of(
      keep, [&](unsigned d) { return d > unsigned(reduced.back()); });
  if (!keep.empty() && keptFirst)
    return reshape(rowSums(reshape(x, {keptCount, reducedCount})), out);
  if (!keep.empty() && keptLast)
    return reshape(columnSums(reshape(x, {reducedCount, keptCount})), out);
  if (keep.empty()) {
    // Rows of at least 64 elements, as many as divide the count (up to 256).
    int64_t rows = 1;
    for (int64_t r = 256; r > 1; --r)
      if (reducedCount % r == 0 && reducedCount / r >= 64) {
        rows = r;
        break;
      }
    if (rows > 1) {
      Value partial = rowSums(reshape(x, {rows, reducedCount / rows}));
      return reshape(columnSums(reshape(partial, {rows, 1})), {});
    }
  }
  return linalg::ReduceOp::create(
             b, loc, ValueRange{x}, ValueRange{zeros(out, f32())}, reduced,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[0], a[1]).getResult());
             })
      .getResult(0);
}

Value GraphBuilder::reshape(Value x, ArrayRef<int64_t> to) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getShape() == to)
    return x;
  if (to.empty()) // one element, every dimension a unit one
    return tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({}, type.getElementType()), x,
        SmallVector<ReassociationIndices>{});
  // Through one dimension: a collapse and an expand, both views.
  auto flatType =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  auto allDims = [](size_t rank) {
    ReassociationIndices group;
    for (size_t d = 0; d < rank; ++d)
      group.push_back(d);
    return SmallVector<ReassociationIndices>{group};
  };
  Value flat = x;
  if (type.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc, flatType, x,
        type.getRank() == 0 ? SmallVector<ReassociationIndices>{}
                            : allDims(type.getRank()));
  if (to.size() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(to, type.getElementType()), flat,
      to.empty() ? SmallVector<ReassociationIndices>{} : allDims(to.size()));
}

Value GraphBuilder::transpose(Value x, ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> out;
  for (int64_t p : permutation)
    out.push_back(type.getShape()[p]);
  return linalg::TransposeOp::create(
             b, loc, x, empty(out, type.getElementType()), permutation)
      .getResult()[0];
}

Value GraphBuilder::matmul(Value lhs, Value rhs, ffn::MatmulForm form) {
  using ffn::MatmulForm;
  ArrayRef<int64_t> a = shape(lhs), c = shape(rhs);
  int64_t m = form == MatmulForm::TransposedLhs ? a[1] : a[0];
  int64_t n = form == MatmulForm::TransposedRhs ? c[0] : c[1];
  Value init = zeros({m, n}, f32());
  auto op = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{lhs, rhs}, ValueRange{init});
  if (form != MatmulForm::Plain)
    op.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        ffn::getMatmulIndexingMaps(b.getContext(), form)));
  return op.getResult(0);
}

Value GraphBuilder::batchMatmul(Value lhs, Value rhs, ffn::MatmulForm form) {
  using ffn::MatmulForm;
  ArrayRef<int64_t> a = shape(lhs), c = shape(rhs);
  int64_t m = form == MatmulForm::TransposedLhs ? a[2] : a[1];
  int64_t n = form == MatmulForm::TransposedRhs ? c[1] : c[2];
  Value init = zeros({a[0], m, n}, f32());
  auto op =
      linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                    ValueRange{lhs, rhs}, ValueRange{init});
  if (form != MatmulForm::Plain)
    op.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        ffn::getMatmulIndexingMaps(b.getContext(), form, /*batched=*/true)));
  return op.getResult(0);
}

Value GraphBuilder::clampedIndex(OpBuilder &nb, Location l, Value id,
                                 int64_t rows) {
  Value lo = arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(0));
  Value hi = arith::ConstantOp::create(
      nb, l, nb.getI32IntegerAttr(static_cast<int32_t>(rows - 1)));
  Value clamped =
      arith::MinSIOp::create(nb, l, arith::MaxSIOp::create(nb, l, id, lo), hi);
  return arith::IndexCastOp::create(nb, l, nb.getIndexType(), clamped);
}

Value GraphBuilder::gatherRows(Value table, Value ids) {
  ArrayRef<int64_t> t = shape(table);
  int64_t n = shape(ids)[0];
  return map(
      {n, t[1]}, {MapOperand(ids, {0})},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value row = clampedIndex(nb, l, a[0], t[0]);
        return tensor::ExtractOp::create(nb, l, table, ValueRange{row, a[2]})
            .getResult();
      },
      f32(), /*withIndices=*/true);
}

Value GraphBuilder::scatterAddRows(Value rows, Value ids, int64_t tableRows) {
  int64_t n = shape(rows)[0], d = shape(rows)[1];
  Value init = zeros({tableRows, d}, f32());
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, n);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto rowType = RankedTensorType::get({1, d}, f32());
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{init},
      [&](OpBuilder &nb, Location l, Value i, ValueRange iter) {
        Value id = tensor::ExtractOp::create(nb, l, ids, ValueRange{i});
        Value row = clampedIndex(nb, l, id, tableRows);
        SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(1),
                                           nb.getIndexAttr(d)};
        SmallVector<OpFoldResult> ones = {nb.getIndexAttr(1),
                                          nb.getIndexAttr(1)};
        SmallVector<OpFoldResult> at = {row, nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> from = {i, nb.getIndexAttr(0)};
        Value current = tensor::ExtractSliceOp::create(nb, l, rowType, iter[0],
                                                       at, sizes, ones);
        Value delta = tensor::ExtractSliceOp::create(nb, l, rowType, rows, from,
                                                     sizes, ones);
        Value sum = linalg::AddOp::create(nb, l, ValueRange{current, delta},
                                          ValueRange{current})
                        .getResult(0);
        Value updated =
            tensor::InsertSliceOp::create(nb, l, sum, iter[0], at, sizes, ones);
        scf::YieldOp::create(nb, l, updated);
      });
  return loop.getResult(0);
}
