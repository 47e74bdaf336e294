//===- ProjectionMatch.cpp - recognize x @ W in linalg --------------------===//

#include "passes/raise/ProjectionMatch.h"
#include "passes/raise/ElementwiseExpr.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ffn;

/// `value` with an arith.extf of a body argument looked through: a bf16 or
/// f16 projection accumulating in f32 widens its operands in the body.
static Value stripExtension(Value value) {
  if (auto ext = value.getDefiningOp<arith::ExtFOp>())
    if (isa<BlockArgument>(ext.getIn()))
      return ext.getIn();
  return value;
}

/// True if the body of `op` is out += a * b (either operand order), the
/// operands possibly widened to the accumulator's type first.
static bool hasMultiplyAccumulateBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != body)
    return false;
  Value acc = body->getArgument(2);
  Value product;
  if (add.getLhs() == acc)
    product = add.getRhs();
  else if (add.getRhs() == acc)
    product = add.getLhs();
  else
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || mul->getBlock() != body)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  Value lhs = stripExtension(mul.getLhs()), rhs = stripExtension(mul.getRhs());
  return (lhs == a && rhs == b) || (lhs == b && rhs == a);
}

/// The dimension positions of `map`'s results, if all are plain dims.
static std::optional<SmallVector<unsigned>> getResultDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    dims.push_back(dim.getPosition());
  }
  return dims;
}

/// True if `init` is zero everywhere: linalg.fill of 0 or a zero splat.
static bool isZeroInit(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    std::optional<double> value = getScalarConstant(fill.getInputs()[0]);
    return value && *value == 0.0;
  }
  std::optional<double> value = getScalarConstant(init);
  return value && *value == 0.0;
}

/// Returns the [N] vector that `init` broadcasts along its rows, if any.
static Value getBroadcastBias(Value init) {
  ElementwiseExprBuilder builder;
  const ElementwiseExpr *expr = builder.build(init);
  if (expr && expr->isTensor() && expr->rowBroadcast)
    return expr->tensor;
  return {};
}

std::optional<Projection> mlir::ffn::matchProjection(Value result,
                                                     std::string *whyNot) {
  auto op = result.getDefiningOp<linalg::LinalgOp>();
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      !hasMultiplyAccumulateBody(op))
    return std::nullopt;
  auto fail = [&](const Twine &reason) -> std::optional<Projection> {
    if (whyNot)
      *whyNot = reason.str();
    return std::nullopt;
  };

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  std::optional<SmallVector<unsigned>> aDims = getResultDims(maps[0]);
  std::optional<SmallVector<unsigned>> bDims = getResultDims(maps[1]);
  std::optional<SmallVector<unsigned>> cDims = getResultDims(maps[2]);
  if (!aDims || !bDims || !cDims || cDims->size() < 2 || cDims->size() > 3)
    return std::nullopt;
  bool batched = cDims->size() == 3;
  unsigned m = (*cDims)[cDims->size() - 2], n = cDims->back();
  unsigned k = 0;
  for (unsigned d = 0, e = op.getNumLoops(); d < e; ++d)
    if (op.getIteratorTypesArray()[d] == utils::IteratorType::reduction)
      k = d;

  // The input is read [(b,) m, k].
  SmallVector<unsigned> expectedA;
  if (batched)
    expectedA.push_back((*cDims)[0]);
  expectedA.append({m, k});
  if (*aDims != ArrayRef<unsigned>(expectedA))
    return std::nullopt;

  // The weight is read [(b,) k, n] or [(b,) n, k].
  Projection projection;
  projection.op = op;
  projection.input = op.getDpsInputOperand(0)->get();
  ArrayRef<unsigned> wDims = *bDims;
  bool weightBatched = false;
  if (batched && wDims.size() == 3 && wDims[0] == (*cDims)[0]) {
    weightBatched = true;
    wDims = wDims.drop_front();
  }
  if (wDims.size() != 2)
    return std::nullopt;
  if (wDims[0] == k && wDims[1] == n)
    projection.transposed = false;
  else if (wDims[0] == n && wDims[1] == k)
    projection.transposed = true;
  else
    return std::nullopt;

  Value weight = op.getDpsInputOperand(1)->get();
  if (weightBatched) {
    // One weight for the whole batch: a broadcast of a matrix, or a batch
    // of one (possibly a matrix reshaped to [1, K, N]).
    auto broadcast = weight.getDefiningOp<linalg::BroadcastOp>();
    if (broadcast && broadcast.getDimensions() == ArrayRef<int64_t>{0}) {
      weight = broadcast.getInput();
    } else if (cast<ShapedType>(weight.getType()).getDimSize(0) == 1) {
      Value matrix = stripRowReshapes(weight);
      if (cast<ShapedType>(matrix.getType()).getRank() == 2)
        weight = matrix;
      else
        projection.unitBatch = true;
    } else {
      return fail("the batched weight is not the same matrix for every "
                  "batch");
    }
  }
  projection.weight = weight;

  Value init = op.getDpsInitOperand(0)->get();
  if (!isZeroInit(init)) {
    projection.bias = getBroadcastBias(init);
    if (!projection.bias)
      return fail(Twine(op->getName().getStringRef()) +
                  " accumulates into a tensor that is neither zero nor a "
                  "broadcast bias");
  }
  return projection;
}

Value Projection::materializeWeight(OpBuilder &builder, Location loc) const {
  Value matrix = weight;
  if (unitBatch)
    matrix = tensor::CollapseShapeOp::create(
        builder, loc, matrix, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  if (!transposed)
    return matrix;
  auto type = cast<RankedTensorType>(matrix.getType());
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(builder, loc, matrix, 1),
      tensor::getMixedSize(builder, loc, matrix, 0)};
  Value init =
      tensor::EmptyOp::create(builder, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(builder, loc, matrix, init,
                                     ArrayRef<int64_t>{1, 0})
      ->getResult(0);
}

int64_t Projection::getOutputWidth() const {
  auto type = cast<ShapedType>(weight.getType());
  return transposed ? type.getDimSize(type.getRank() - 2)
                    : type.getDimSize(type.getRank() - 1);
}

bool Projection::isWidened() const {
  return getElementTypeOrSelf(input.getType()) !=
         getElementTypeOrSelf(op->getResult(0).getType());
}
