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

Type mlir::ffn::getAccumulatorType(Type element) {
  if (element.isBF16() || element.isF16())
    return Float32Type::get(element.getContext());
  return element;
}

Value mlir::ffn::buildElementConversion(OpBuilder &b, Location loc, Value value,
                                        Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  Type from = type.getElementType();
  if (from == element)
    return value;
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, value), element);
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  bool widens = element.getIntOrFloatBitWidth() > from.getIntOrFloatBitWidth();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{value},
             ValueRange{init}, SmallVector<AffineMap>{identity, identity},
             iterators, /*doc=*/"", /*libraryCall=*/"",
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value converted =
                   widens ? arith::ExtFOp::create(nb, l, element, args[0])
                                .getResult()
                          : arith::TruncFOp::create(nb, l, element, args[0])
                                .getResult();
               linalg::YieldOp::create(nb, l, converted);
             })
      .getResult(0);
}

/// A zero-filled tensor of `sizes` and element type `element`.
static Value buildZeros(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Type element) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  Value zero =
      arith::ConstantOp::create(b, loc, element, b.getFloatAttr(element, 0.0));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// lhs * rhs with the operands read as `form` says, into `init` or into
/// zeros of `sizes`, accumulated in getAccumulatorType and rounded back to
/// the operands' element type.
static Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                              Value init, ArrayRef<OpFoldResult> sizes,
                              std::optional<MatmulForm> form) {
  Type element = getElementTypeOrSelf(lhs.getType());
  Type accumulator = getAccumulatorType(element);
  init = init ? buildElementConversion(b, loc, init, accumulator)
              : buildZeros(b, loc, sizes, accumulator);
  auto matmul =
      linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                               ValueRange{lhs, rhs}, ValueRange{init});
  if (form)
    matmul.setIndexingMapsAttr(
        b.getAffineMapArrayAttr(getMatmulIndexingMaps(b.getContext(), *form)));
  return buildElementConversion(b, loc, matmul.getResult(0), element);
}

Value mlir::ffn::buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             Value init) {
  SmallVector<OpFoldResult> sizes;
  if (!init)
    sizes = {tensor::getMixedSize(b, loc, lhs, 0),
             tensor::getMixedSize(b, loc, rhs, 1)};
  return buildContraction(b, loc, lhs, rhs, init, sizes, std::nullopt);
}

/// lhs * rhs with either operand read transposed, into zeros.
static Value buildTransposedMatmul(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, bool transposeLhs, Value init) {
  SmallVector<OpFoldResult> sizes;
  if (!init)
    sizes = {tensor::getMixedSize(b, loc, lhs, transposeLhs ? 1 : 0),
             tensor::getMixedSize(b, loc, rhs, transposeLhs ? 1 : 0)};
  return buildContraction(b, loc, lhs, rhs, init, sizes,
                          transposeLhs ? MatmulForm::TransposedLhs
                                       : MatmulForm::TransposedRhs);
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
  Type accumulator = getAccumulatorType(element);
  Value init = buildZeros(b, loc, {tensor::getMixedSize(b, loc, matrix, 1)},
                          accumulator);
  Value sums =
      linalg::ReduceOp::create(
          b, loc, ValueRange{matrix}, ValueRange{init}, ArrayRef<int64_t>{0},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value value = args[0];
            if (accumulator != element)
              value = arith::ExtFOp::create(nb, l, accumulator, value);
            Value sum = arith::AddFOp::create(nb, l, value, args[1]);
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return buildElementConversion(b, loc, sums, element);
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
