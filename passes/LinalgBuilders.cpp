//===- LinalgBuilders.cpp - small linalg-on-tensors builders --------------===//

#include "passes/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ffn;

Value mlir::ffn::buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             Value init) {
  if (!init) {
    Type element = getElementTypeOrSelf(lhs.getType());
    SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, lhs, 0),
                                       tensor::getMixedSize(b, loc, rhs, 1)};
    Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
    Value zero = arith::ConstantOp::create(b, loc, element,
                                           b.getFloatAttr(element, 0.0));
    init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                  ValueRange{init})
      .getResult(0);
}

Value mlir::ffn::buildRowBroadcast(OpBuilder &b, Location loc, Value bias,
                                   OpFoldResult rows) {
  SmallVector<OpFoldResult> sizes = {rows,
                                     tensor::getMixedSize(b, loc, bias, 0)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes,
                                        getElementTypeOrSelf(bias.getType()));
  return linalg::BroadcastOp::create(b, loc, bias, empty,
                                     ArrayRef<int64_t>{0})
      ->getResult(0);
}

/// [[0, ..., rank - 2], [rank - 1]].
static SmallVector<ReassociationIndices> rowsThenColumns(int64_t rank) {
  ReassociationIndices rows;
  for (int64_t i = 0; i < rank - 1; ++i)
    rows.push_back(i);
  return {rows, {rank - 1}};
}

Value mlir::ffn::collapseToRows(OpBuilder &b, Location loc, Value value) {
  int64_t rank = cast<ShapedType>(value.getType()).getRank();
  if (rank <= 2)
    return value;
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         rowsThenColumns(rank));
}

Value mlir::ffn::expandRowsLike(OpBuilder &b, Location loc, Value rows,
                                Value like) {
  auto likeType = cast<RankedTensorType>(like.getType());
  int64_t rank = likeType.getRank();
  if (rank <= 2)
    return rows;
  SmallVector<OpFoldResult> shape;
  SmallVector<int64_t> staticShape(likeType.getShape().drop_back());
  for (int64_t i = 0; i < rank - 1; ++i)
    shape.push_back(tensor::getMixedSize(b, loc, like, i));
  shape.push_back(tensor::getMixedSize(b, loc, rows, 1));
  staticShape.push_back(cast<ShapedType>(rows.getType()).getShape().back());
  auto type = RankedTensorType::get(staticShape,
                                    getElementTypeOrSelf(rows.getType()));
  return tensor::ExpandShapeOp::create(b, loc, type, rows,
                                       rowsThenColumns(rank), shape);
}
