//===- LinalgBuilders.cpp - small linalg-on-tensors builders --------------===//

#include "passes/utils/LinalgBuilders.h"
#include "dialect/FFNAttrs.h"
#include "passes/utils/ActivationMath.h"
#include "passes/utils/MatmulForms.h"

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

/// lhs * rhs with either operand read transposed, into zeros.
static Value buildTransposedMatmul(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, bool transposeLhs, Value init) {
  MLIRContext *ctx = b.getContext();
  if (!init) {
    Type element = getElementTypeOrSelf(lhs.getType());
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(b, loc, lhs, transposeLhs ? 1 : 0),
        tensor::getMixedSize(b, loc, rhs, transposeLhs ? 1 : 0)};
    Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
    Value zero = arith::ConstantOp::create(b, loc, element,
                                           b.getFloatAttr(element, 0.0));
    init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  SmallVector<AffineMap> maps =
      getMatmulIndexingMaps(ctx, transposeLhs ? MatmulForm::TransposedLhs
                                              : MatmulForm::TransposedRhs);
  auto matmul =
      linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                               ValueRange{lhs, rhs}, ValueRange{init});
  matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
  return matmul.getResult(0);
}

Value mlir::ffn::buildMatmulTransposedRhs(OpBuilder &b, Location loc, Value lhs,
                                          Value rhs, Value init) {
  return buildTransposedMatmul(b, loc, lhs, rhs, /*transposeLhs=*/false, init);
}

Value mlir::ffn::buildMatmulTransposedLhs(OpBuilder &b, Location loc, Value lhs,
                                          Value rhs, Value init) {
  return buildTransposedMatmul(b, loc, lhs, rhs, /*transposeLhs=*/true, init);
}

Value mlir::ffn::buildColumnSums(OpBuilder &b, Location loc, Value matrix) {
  Type element = getElementTypeOrSelf(matrix.getType());
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, matrix, 1)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  Value zero =
      arith::ConstantOp::create(b, loc, element, b.getFloatAttr(element, 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  return linalg::ReduceOp::create(
             b, loc, ValueRange{matrix}, ValueRange{init}, ArrayRef<int64_t>{0},
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value sum = arith::AddFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

Value mlir::ffn::buildActivation(OpBuilder &b, Location loc,
                                 Attribute activation, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Value init = tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, x),
                                       type.getElementType());
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto act = cast<ActivationAttr>(activation);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             SmallVector<AffineMap>{identity, identity}, iterators, /*doc=*/"",
             /*libraryCall=*/"",
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l,
                                       emitActivation(nb, l, act, args[0]));
             })
      .getResult(0);
}

Value mlir::ffn::buildRowBroadcast(OpBuilder &b, Location loc, Value bias,
                                   OpFoldResult rows) {
  SmallVector<OpFoldResult> sizes = {rows,
                                     tensor::getMixedSize(b, loc, bias, 0)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes,
                                        getElementTypeOrSelf(bias.getType()));
  return linalg::BroadcastOp::create(b, loc, bias, empty, ArrayRef<int64_t>{0})
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
  return tensor::CollapseShapeOp::create(b, loc, value, rowsThenColumns(rank));
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
  auto type =
      RankedTensorType::get(staticShape, getElementTypeOrSelf(rows.getType()));
  return tensor::ExpandShapeOp::create(b, loc, type, rows,
                                       rowsThenColumns(rank), shape);
}

Value mlir::ffn::buildBiasedMatmul(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, Value bias) {
  Value init;
  if (bias)
    init =
        buildRowBroadcast(b, loc, bias, tensor::getMixedSize(b, loc, lhs, 0));
  return buildMatmul(b, loc, lhs, rhs, init);
}

Value mlir::ffn::castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}
