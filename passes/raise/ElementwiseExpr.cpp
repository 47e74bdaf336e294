//===- ElementwiseExpr.cpp - scalar view of elementwise linalg chains -----===//

#include "passes/raise/ElementwiseExpr.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

void ElementwiseExpr::print(raw_ostream &os) const {
  switch (kind) {
  case Kind::Tensor:
    if (Operation *def = tensor.getDefiningOp())
      os << def->getName();
    else
      os << "arg" << cast<BlockArgument>(tensor).getArgNumber();
    if (rowBroadcast)
      os << "[col]";
    return;
  case Kind::Constant:
    os << constant;
    return;
  case Kind::Op:
    os << op->getName().stripDialect() << "(";
    llvm::interleaveComma(operands, os,
                          [&](const ElementwiseExpr *e) { e->print(os); });
    os << ")";
    return;
  }
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// True if `groups` keeps the last of `expandedRank` dimensions on its own.
static bool keepsLastDimAlone(ArrayRef<ReassociationIndices> groups,
                              int64_t expandedRank) {
  return !groups.empty() && groups.back().size() == 1 &&
         groups.back().front() == expandedRank - 1;
}

/// True if a reshape from `from` to `to` only regroups the leading (row)
/// dimensions: both static, the same last dimension, as many rows.
static bool regroupsRowsOnly(ShapedType from, ShapedType to) {
  if (!from.hasStaticShape() || !to.hasStaticShape() || from.getRank() < 1 ||
      to.getRank() < 1 || from.getShape().back() != to.getShape().back())
    return false;
  auto rows = [](ShapedType type) {
    int64_t count = 1;
    for (int64_t d : type.getShape().drop_back())
      count *= d;
    return count;
  };
  return rows(from) == rows(to);
}

Value mlir::ffn::stripRowReshapes(Value value,
                                  SmallVectorImpl<Operation *> *stripped) {
  while (Operation *def = value.getDefiningOp()) {
    Value source;
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
      if (!keepsLastDimAlone(collapse.getReassociationIndices(),
                             collapse.getSrcType().getRank()))
        break;
      source = collapse.getSrc();
    } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
      if (!keepsLastDimAlone(expand.getReassociationIndices(),
                             expand.getResultType().getRank()))
        break;
      source = expand.getSrc();
    } else if (isa<tosa::ReshapeOp, tensor::ReshapeOp>(def)) {
      // TOSA importers keep tosa.reshape through --tosa-to-linalg-pipeline.
      source = def->getOperand(0);
      auto from = dyn_cast<ShapedType>(source.getType());
      auto to = dyn_cast<ShapedType>(value.getType());
      if (!from || !to || !regroupsRowsOnly(from, to))
        break;
    } else {
      break;
    }
    if (stripped)
      stripped->push_back(def);
    value = source;
  }
  return value;
}

/// `value` rounded to the floating-point type `type` (as arith.truncf /
/// arith.extf of a constant would compute it); `value` for other types.
static double roundToType(double value, Type type) {
  auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(type));
  if (!floatType)
    return value;
  bool losesInfo = false;
  APFloat rounded(value);
  rounded.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
  rounded.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
  return rounded.convertToDouble();
}

double mlir::ffn::getUnitRoundoff(Type type) {
  auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(type));
  if (!floatType)
    return 0.0;
  return std::ldexp(1.0, -static_cast<int>(floatType.getFPMantissaWidth()));
}

Value mlir::ffn::getConversionSource(Operation *op, bool widening) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 1 || linalgOp.getNumDpsInits() != 1 ||
      linalgOp.getNumLoops() != linalgOp.getNumParallelLoops() ||
      !llvm::all_of(linalgOp.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return {};
  Block *body = linalgOp.getBlock();
  if (!body || body->getOperations().size() != 2)
    return {};
  Operation &convert = body->front();
  bool matches =
      widening ? isa<arith::ExtFOp>(convert) : isa<arith::TruncFOp>(convert);
  if (!matches || convert.getOperand(0) != body->getArgument(0) ||
      body->getTerminator()->getOperand(0) != convert.getResult(0))
    return {};
  return linalgOp.getDpsInputOperand(0)->get();
}

Value mlir::ffn::stripWidening(Value value) {
  if (Value source =
          getConversionSource(value.getDefiningOp(), /*widening=*/true))
    return source;
  return value;
}

std::optional<double> mlir::ffn::getScalarConstant(Value value) {
  // Exporters write Python floats as f64 constants and convert them
  // (torch-mlir: arith.truncf of an f64 constant, in the body or hoisted
  // before it); canonicalize does not fold a lossy truncf.
  if (Operation *def = value.getDefiningOp();
      def && isa<arith::TruncFOp, arith::ExtFOp>(def)) {
    std::optional<double> source = getScalarConstant(def->getOperand(0));
    if (!source)
      return std::nullopt;
    return roundToType(*source, value.getType());
  }
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!dense.isSplat())
      return std::nullopt;
    attr = dense.getSplatValue<Attribute>();
  }
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return static_cast<double>(i.getValue().getSExtValue());
  return std::nullopt;
}

/// True if `map` reads an operand of `type` as a vector broadcast along the
/// rows: (d0, ..., dn) -> (dn) on a 1-D operand, or (0, ..., 0, dn) on a
/// [1, ..., 1, N] operand (TOSA's broadcast of a reshaped bias).
static bool isRowBroadcast(AffineMap map, ShapedType type) {
  unsigned results = map.getNumResults();
  if (results == 0 || results != type.getRank() || map.getNumDims() == 0 ||
      map.getResult(results - 1) !=
          getAffineDimExpr(map.getNumDims() - 1, map.getContext()))
    return false;
  for (unsigned i = 0; i + 1 < results; ++i) {
    auto constant = dyn_cast<AffineConstantExpr>(map.getResult(i));
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// True if `map` reads one element of an operand of `type` whatever the
/// iteration: a rank-0 operand, or (0, ..., 0) on a [1, ..., 1] operand.
static bool isScalarRead(AffineMap map, ShapedType type) {
  for (unsigned i = 0; i < map.getNumResults(); ++i) {
    auto constant = dyn_cast<AffineConstantExpr>(map.getResult(i));
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// Evaluates a supported scalar op on constant operands.
static std::optional<double> foldScalarOp(Operation *op,
                                          ArrayRef<double> args) {
  using Result = std::optional<double>;
  if (args.size() == 1) {
    double x = args[0];
    return llvm::TypeSwitch<Operation *, Result>(op)
        .Case([&](arith::NegFOp) { return -x; })
        .Case([&](math::ExpOp) { return std::exp(x); })
        .Case([&](math::ErfOp) { return std::erf(x); })
        .Case([&](math::TanhOp) { return std::tanh(x); })
        .Case([&](math::SqrtOp) { return std::sqrt(x); })
        .Case([&](math::RsqrtOp) { return 1.0 / std::sqrt(x); })
        .Default([](Operation *) { return std::nullopt; });
  }
  if (args.size() != 2)
    return std::nullopt;
  double x = args[0], y = args[1];
  return llvm::TypeSwitch<Operation *, Result>(op)
      .Case([&](arith::AddFOp) { return x + y; })
      .Case([&](arith::SubFOp) { return x - y; })
      .Case([&](arith::MulFOp) { return x * y; })
      .Case([&](arith::DivFOp) { return x / y; })
      .Case<math::PowFOp, math::FPowIOp>(
          [&](Operation *) { return std::pow(x, y); })
      .Default([](Operation *) { return std::nullopt; });
}

/// The scalar ops an elementwise chain of an FFN layer may contain.
static bool isSupportedScalarOp(Operation *op) {
  return isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
             arith::NegFOp, arith::MaximumFOp, arith::MaxNumFOp,
             arith::MinimumFOp, arith::MinNumFOp, arith::CmpFOp,
             arith::SelectOp, math::ExpOp, math::ErfOp, math::TanhOp,
             math::PowFOp, math::FPowIOp, math::SqrtOp, math::RsqrtOp>(op);
}

/// addf, mulf, and the max / min ops: their operands may come in either
/// order.
static bool isCommutative(Operation *op) {
  return op->hasTrait<OpTrait::IsCommutative>();
}

static bool approximatelyEqual(double a, double b) {
  if (a == b)
    return true;
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

//===----------------------------------------------------------------------===//
// ElementwiseExprBuilder
//===----------------------------------------------------------------------===//

const ElementwiseExpr *ElementwiseExprBuilder::fail(const Twine &reason) {
  failureReason = reason.str();
  return nullptr;
}

const ElementwiseExpr *ElementwiseExprBuilder::makeLeaf(Value tensor,
                                                        bool rowBroadcast) {
  ElementwiseExpr &node = nodes.emplace_back();
  node.kind = ElementwiseExpr::Kind::Tensor;
  node.tensor = tensor;
  node.rowBroadcast = rowBroadcast;
  return &node;
}

const ElementwiseExpr *ElementwiseExprBuilder::makeConstant(double value,
                                                            double roundoff) {
  ElementwiseExpr &node = nodes.emplace_back();
  node.kind = ElementwiseExpr::Kind::Constant;
  node.constant = value;
  node.roundoff = roundoff;
  return &node;
}

const ElementwiseExpr *ElementwiseExprBuilder::build(Value value) {
  failureReason.clear();
  return buildTensor(value);
}

/// Returns the vector that `value` broadcasts along its rows, if `value` is
/// a linalg.broadcast of a 1-D tensor over every leading dimension.
static Value getBroadcastVector(Value value) {
  auto broadcast = value.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast)
    return {};
  auto inputType = dyn_cast<RankedTensorType>(broadcast.getInput().getType());
  int64_t rank = cast<ShapedType>(value.getType()).getRank();
  if (!inputType || inputType.getRank() != 1)
    return {};
  ArrayRef<int64_t> dims = broadcast.getDimensions();
  for (int64_t i = 0; i < rank - 1; ++i)
    if (static_cast<int64_t>(dims.size()) != rank - 1 || dims[i] != i)
      return {};
  return broadcast.getInput();
}

const ElementwiseExpr *ElementwiseExprBuilder::buildTensor(Value value) {
  SmallVector<Operation *> reshapes;
  Value stripped = stripRowReshapes(value, &reshapes);
  visitedOps.insert(reshapes.begin(), reshapes.end());
  if (const ElementwiseExpr *known = tensorExprs.lookup(stripped))
    return known;

  const ElementwiseExpr *result = nullptr;
  if (std::optional<double> constant = getScalarConstant(stripped)) {
    result = makeConstant(*constant, getUnitRoundoff(stripped.getType()));
  } else if (Value vector = getBroadcastVector(stripped)) {
    result = makeLeaf(vector, /*rowBroadcast=*/true);
  } else {
    auto linalgOp = stripped.getDefiningOp<linalg::LinalgOp>();
    bool elementwise =
        linalgOp && linalgOp.hasPureTensorSemantics() &&
        linalgOp->getNumResults() == 1 && linalgOp.getNumDpsInits() == 1 &&
        linalgOp.getNumLoops() == linalgOp.getNumParallelLoops() &&
        linalgOp.getMatchingIndexingMap(linalgOp.getDpsInitOperand(0))
            .isIdentity();
    // A permutation (a transpose) is data movement, not arithmetic: a leaf.
    if (elementwise)
      for (OpOperand *input : linalgOp.getDpsInputOperands()) {
        AffineMap map = linalgOp.getMatchingIndexingMap(input);
        if (map.isPermutation() && !map.isIdentity())
          elementwise = false;
      }
    if (!elementwise) {
      result = makeLeaf(stripped, /*rowBroadcast=*/false);
    } else {
      SmallVector<const ElementwiseExpr *> inputs;
      for (OpOperand *input : linalgOp.getDpsInputOperands()) {
        AffineMap map = linalgOp.getMatchingIndexingMap(input);
        Value operand = input->get();
        const ElementwiseExpr *expr = nullptr;
        auto operandType = dyn_cast<ShapedType>(operand.getType());
        if (!operandType || isScalarRead(map, operandType)) {
          std::optional<double> constant = getScalarConstant(operand);
          if (!constant)
            return fail(Twine(linalgOp->getName().getStringRef()) +
                        " reads a scalar that is not a constant");
          expr = makeConstant(*constant, getUnitRoundoff(operand.getType()));
        } else if (map.isIdentity()) {
          expr = buildTensor(operand);
        } else if (isRowBroadcast(map, operandType)) {
          std::optional<double> constant = getScalarConstant(operand);
          expr = constant ? makeConstant(*constant,
                                         getUnitRoundoff(operand.getType()))
                          : makeLeaf(stripRowReshapes(operand),
                                     /*rowBroadcast=*/true);
        } else {
          std::string text;
          llvm::raw_string_ostream os(text);
          os << linalgOp->getName() << " reads operand #"
             << input->getOperandNumber() << " with indexing map " << map
             << ", which is neither elementwise nor a broadcast along the "
                "rows";
          return fail(text);
        }
        if (!expr)
          return nullptr;
        inputs.push_back(expr);
      }
      Block *body = linalgOp.getBlock();
      result =
          buildScalar(body->getTerminator()->getOperand(0), linalgOp, inputs);
      if (!result)
        return nullptr;
      visitedOps.insert(linalgOp);
    }
  }
  tensorExprs[stripped] = result;
  return result;
}

const ElementwiseExpr *
ElementwiseExprBuilder::buildScalar(Value scalar, Operation *linalgOp,
                                    ArrayRef<const ElementwiseExpr *> inputs) {
  Block *body = cast<linalg::LinalgOp>(linalgOp).getBlock();
  if (auto arg = dyn_cast<BlockArgument>(scalar)) {
    if (arg.getOwner() == body) {
      if (arg.getArgNumber() < inputs.size())
        return inputs[arg.getArgNumber()];
      return fail(Twine(linalgOp->getName().getStringRef()) +
                  " reads its output operand");
    }
  }
  if (const ElementwiseExpr *known = scalarExprs.lookup(scalar))
    return known;
  if (std::optional<double> constant = getScalarConstant(scalar))
    return makeConstant(*constant, getUnitRoundoff(scalar.getType()));
  Operation *op = scalar.getDefiningOp();
  if (!op || op->getBlock() != body)
    return fail(Twine(linalgOp->getName().getStringRef()) +
                " uses a value computed outside its body");
  // Precision changes around the math (bf16 models compute in f32 between
  // arith.extf and arith.truncf) do not change which activation it is.
  if (isa<arith::ExtFOp, arith::TruncFOp>(op)) {
    const ElementwiseExpr *source =
        buildScalar(op->getOperand(0), linalgOp, inputs);
    if (!source)
      return nullptr;
    if (source->isConstant())
      source = makeConstant(
          roundToType(source->constant, scalar.getType()),
          std::max(source->roundoff, getUnitRoundoff(scalar.getType())));
    scalarExprs[scalar] = source;
    return source;
  }
  if (!isSupportedScalarOp(op))
    return fail(Twine(linalgOp->getName().getStringRef()) + " contains " +
                op->getName().getStringRef() + ", which no activation uses");
  SmallVector<const ElementwiseExpr *, 3> operands;
  SmallVector<double> constants;
  double roundoff = 0.0;
  for (Value operand : op->getOperands()) {
    const ElementwiseExpr *expr = buildScalar(operand, linalgOp, inputs);
    if (!expr)
      return nullptr;
    operands.push_back(expr);
    if (expr->isConstant()) {
      constants.push_back(expr->constant);
      roundoff += expr->roundoff;
    }
  }
  // Exporters leave constant arithmetic (sqrt(2 / pi) as powf(0.6366, 0.5))
  // for run time; fold it so that matchers see one constant.
  if (constants.size() == operands.size())
    if (std::optional<double> folded = foldScalarOp(op, constants)) {
      const ElementwiseExpr *constant =
          makeConstant(*folded, roundoff + getUnitRoundoff(scalar.getType()));
      scalarExprs[scalar] = constant;
      return constant;
    }
  ElementwiseExpr &node = nodes.emplace_back();
  node.kind = ElementwiseExpr::Kind::Op;
  node.op = op;
  node.operands = std::move(operands);
  scalarExprs[scalar] = &node;
  return &node;
}

bool ElementwiseExprBuilder::isSame(const ElementwiseExpr *a,
                                    const ElementwiseExpr *b) {
  if (a == b)
    return true;
  if (!a || !b || a->kind != b->kind)
    return false;
  switch (a->kind) {
  case ElementwiseExpr::Kind::Tensor:
    return a->tensor == b->tensor && a->rowBroadcast == b->rowBroadcast;
  case ElementwiseExpr::Kind::Constant:
    return approximatelyEqual(a->constant, b->constant);
  case ElementwiseExpr::Kind::Op:
    break;
  }
  if (a->op->getName() != b->op->getName() ||
      a->operands.size() != b->operands.size())
    return false;
  if (auto cmpA = dyn_cast<arith::CmpFOp>(a->op))
    if (cmpA.getPredicate() != cast<arith::CmpFOp>(b->op).getPredicate())
      return false;
  bool inOrder = true;
  for (auto [x, y] : llvm::zip(a->operands, b->operands))
    inOrder = inOrder && isSame(x, y);
  if (inOrder)
    return true;
  return isCommutative(a->op) && a->operands.size() == 2 &&
         isSame(a->operands[0], b->operands[1]) &&
         isSame(a->operands[1], b->operands[0]);
}
