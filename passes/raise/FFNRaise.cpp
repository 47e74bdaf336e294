//===- FFNRaise.cpp - find feed-forward layers in linalg ------------------===//
//
// ffn-raise: recognizes the eight feed-forward variants of "GLU Variants
// Improve Transformer" in linalg on tensors and rewrites each to ffn.ffn or
// ffn.glu. The pattern anchors on a layer's down-projection contraction and
// reads the rest backwards: the elementwise chain that computes its input
// (ElementwiseExpr), the activation it spells (ActivationMatch) and the
// projections at its leaves (ProjectionMatch).
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNOps.h"
#include "passes/raise/ActivationMatch.h"
#include "passes/raise/ElementwiseExpr.h"
#include "passes/raise/Passes.h"
#include "passes/raise/ProjectionMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNRAISE
#include "passes/raise/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

#define DEBUG_TYPE "ffn-raise"

using Expr = ElementwiseExpr;

RaiseObserver::~RaiseObserver() = default;

namespace {

/// A projection plus the bias added to it, elementwise or as the
/// contraction's initial value.
struct LinearTerm {
  Value projected; // The contraction's result.
  Projection projection;
  Value bias;
};

/// A recognized layer, ready to be rewritten.
struct Layer {
  ActivationKind kind = ActivationKind::Identity;
  double beta = 1.0;
  LinearTerm gate;                  // w (or w1) and its bias.
  std::optional<LinearTerm> linear; // v and its bias, when gated.
  Projection down;
  Value outBias;
  Value input; // The layer's input, row reshapes looked through.
  Operation *root = nullptr;
  llvm::SetVector<Operation *> intermediates;
};

} // namespace

/// Matches `projection` or `projection + bias` (bias broadcast along rows).
static std::optional<LinearTerm> matchLinearTerm(const Expr *e) {
  const Expr *leaf = e;
  Value bias;
  if (e->isOp<arith::AddFOp>()) {
    leaf = nullptr;
    for (int i = 0; i < 2; ++i) {
      const Expr *x = e->operands[i], *b = e->operands[1 - i];
      if (x->isTensor() && !x->rowBroadcast && b->isTensor() &&
          b->rowBroadcast) {
        leaf = x;
        bias = b->tensor;
      }
    }
    if (!leaf)
      return std::nullopt;
  }
  if (!leaf->isTensor() || leaf->rowBroadcast)
    return std::nullopt;
  std::optional<Projection> projection = matchProjection(leaf->tensor);
  if (!projection || (bias && projection->bias))
    return std::nullopt;
  return LinearTerm{leaf->tensor, *projection, bias ? bias : projection->bias};
}

static std::string printExpr(const Expr *e) {
  std::string text;
  llvm::raw_string_ostream os(text);
  e->print(os);
  return text;
}

/// Recognizes the activation and gating of `hidden`. On failure returns
/// false and sets `reason`.
static bool matchHidden(const Expr *hidden, Layer &layer, std::string &reason) {
  ExprProduct product = flattenProduct(hidden);

  // Several readings of the product may fail; report the most specific.
  std::string nearMiss;
  int nearMissRank = 0;
  auto note = [&](const std::string &message, int rank) {
    if (!message.empty() && rank >= nearMissRank) {
      nearMiss = message;
      nearMissRank = rank;
    }
  };
  auto activationOf = [&](const ExprProduct &p) {
    std::string why;
    std::optional<ActivationMatch> activation = matchActivation(p, &why);
    note(why, 3);
    return activation;
  };
  auto argumentIsNotAProjection = [](const ActivationMatch &activation) {
    return "the argument of the " +
           stringifyActivationKind(activation.kind).str() +
           " is not a projection (plus a bias)";
  };

  // Bilinear: the product of two linear terms, gate first.
  if (product.factors.size() == 2 && product.coefficient == 1.0) {
    std::optional<LinearTerm> gate = matchLinearTerm(product.factors[0]);
    std::optional<LinearTerm> linear = matchLinearTerm(product.factors[1]);
    if (gate && linear && gate->projected != linear->projected) {
      layer.kind = ActivationKind::Identity;
      layer.gate = *gate;
      layer.linear = *linear;
      return true;
    }
  }

  // Gated: one factor is a linear term, the others an activation of a
  // second linear term.
  for (size_t i = 0; i < product.factors.size(); ++i) {
    std::optional<LinearTerm> linear = matchLinearTerm(product.factors[i]);
    if (!linear)
      continue;
    ExprProduct rest = product;
    rest.factors.erase(rest.factors.begin() + i);
    std::optional<ActivationMatch> activation = activationOf(rest);
    if (!activation)
      continue;
    std::optional<LinearTerm> gate = matchLinearTerm(activation->argument);
    if (!gate) {
      note(argumentIsNotAProjection(*activation), 2);
      continue;
    }
    if (gate->projected == linear->projected) {
      note("both factors of the gating product are the same projection", 2);
      continue;
    }
    layer.kind = activation->kind;
    layer.beta = activation->beta;
    layer.gate = *gate;
    layer.linear = *linear;
    return true;
  }

  // Ungated: an activation of one linear term. The paper's ungated
  // variants are ReLU, GELU and Swish; a sigmoid layer (which ffn.ffn could
  // express) is not one of them and is left as the exporter wrote it.
  if (std::optional<ActivationMatch> activation = activationOf(product)) {
    std::optional<LinearTerm> term = matchLinearTerm(activation->argument);
    if (term && activation->kind == ActivationKind::Sigmoid) {
      reason = "an ungated sigmoid layer is not one of the paper's variants "
               "(FFN_ReLU, FFN_GELU, FFN_Swish); it is left as linalg";
      return false;
    }
    if (term) {
      layer.kind = activation->kind;
      layer.beta = activation->beta;
      layer.gate = *term;
      return true;
    }
    note(argumentIsNotAProjection(*activation), 2);
  }
  reason = !nearMiss.empty()
               ? nearMiss
               : "the hidden expression " + printExpr(hidden) +
                     " is neither an activation of a projection nor a "
                     "gated product of two projections";
  return false;
}

/// True if `op` is a reshape that only regroups leading dimensions.
static bool isRowReshape(Operation *op) {
  return op->getNumResults() == 1 &&
         stripRowReshapes(op->getResult(0)) != op->getResult(0);
}

/// Follows `value` through the row reshapes that are its only users, one
/// after the other; appends them to `reshapes` and returns the last result.
static Value followRowReshapes(Value value,
                               SmallVectorImpl<Operation *> &reshapes) {
  while (value.hasOneUse() && isRowReshape(*value.getUsers().begin())) {
    reshapes.push_back(*value.getUsers().begin());
    value = reshapes.back()->getResult(0);
  }
  return value;
}

/// Extends the layer past its down projection to an output bias added by an
/// elementwise op, looking through row reshapes.
static void matchOutputBias(Operation *downOp, Layer &layer) {
  layer.root = downOp;
  if (layer.down.bias) {
    layer.outBias = layer.down.bias;
    return;
  }
  Value result = downOp->getResult(0);
  SmallVector<Operation *> reshapes;
  Value value = followRowReshapes(result, reshapes);
  if (!value.hasOneUse())
    return;
  auto user = dyn_cast<linalg::LinalgOp>(*value.getUsers().begin());
  if (!user || user->getNumResults() != 1)
    return;
  ElementwiseExprBuilder builder;
  const Expr *sum = builder.build(user->getResult(0));
  if (!sum || !sum->isOp<arith::AddFOp>())
    return;
  for (int i = 0; i < 2; ++i) {
    const Expr *y = sum->operands[i], *b = sum->operands[1 - i];
    if (y->isTensor() && !y->rowBroadcast && y->tensor == result &&
        b->isTensor() && b->rowBroadcast) {
      layer.outBias = b->tensor;
      layer.root = user;
      layer.intermediates.insert(downOp);
      layer.intermediates.insert(builder.getVisitedOps().begin(),
                                 builder.getVisitedOps().end());
      layer.intermediates.remove(user);
      return;
    }
  }
}

/// A bf16 or f16 layer that accumulates in f32 (as exporters write a
/// mixed-precision matmul) ends where its result is rounded back to
/// `elementType`: that rounding becomes the layer's root, the ops before it
/// intermediates.
static LogicalResult matchRounding(Layer &layer, Type elementType,
                                   std::string &reason) {
  Value value = layer.root->getResult(0);
  Type accumulator = getElementTypeOrSelf(value.getType());
  if (accumulator == elementType)
    return success();
  SmallVector<Operation *> reshapes;
  value = followRowReshapes(value, reshapes);
  Operation *rounding = value.hasOneUse() ? *value.getUsers().begin() : nullptr;
  if (!rounding || getConversionSource(rounding, /*widening=*/false) != value ||
      getElementTypeOrSelf(rounding->getResult(0).getType()) != elementType) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "the layer's operands are " << elementType << " but its result stays "
       << accumulator << " (an ffn op computes in one element type)";
    reason = text;
    return failure();
  }
  layer.intermediates.insert(layer.root);
  layer.intermediates.insert(reshapes.begin(), reshapes.end());
  layer.root = rounding;
  return success();
}

/// Names an intermediate op for diagnostics.
static std::string describe(Operation *op, const Layer &layer) {
  if (op == layer.gate.projection.op)
    return layer.linear ? "the gate projection" : "the up projection";
  if (layer.linear && op == layer.linear->projection.op)
    return "the linear projection";
  if (op == layer.down.op)
    return "the down projection";
  return "the intermediate " + op->getName().getStringRef().str();
}

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t d : dims)
    result *= d;
  return result;
}

/// True if a [..., N] value of `from`'s type can be reshaped to `to` by
/// regrouping rows: same type, or both fully static with the same sizes.
static bool canReshapeRows(RankedTensorType from, RankedTensorType to) {
  if (from.getRank() == to.getRank() &&
      succeeded(verifyCompatibleShape(from.getShape(), to.getShape())))
    return true;
  return from.hasStaticShape() && to.hasStaticShape() &&
         from.getShape().back() == to.getShape().back() &&
         product(from.getShape()) == product(to.getShape());
}

/// Reshapes `value` to `type` (see canReshapeRows).
static Value reshapeRows(OpBuilder &b, Location loc, Value value,
                         RankedTensorType type) {
  auto from = cast<RankedTensorType>(value.getType());
  if (from == type)
    return value;
  if (from.getRank() == type.getRank() &&
      succeeded(verifyCompatibleShape(from.getShape(), type.getShape())))
    return tensor::CastOp::create(b, loc, type, value);
  auto allRowsThenColumns = [](int64_t rank) {
    ReassociationIndices rows;
    for (int64_t i = 0; i < rank - 1; ++i)
      rows.push_back(i);
    return SmallVector<ReassociationIndices>{rows, {rank - 1}};
  };
  Value flat = value;
  if (from.getRank() > 2)
    flat = tensor::CollapseShapeOp::create(b, loc, value,
                                           allRowsThenColumns(from.getRank()));
  if (type.getRank() == 2)
    return flat;
  return tensor::ExpandShapeOp::create(
      b, loc, type, flat, allRowsThenColumns(type.getRank()),
      getAsIndexOpFoldResult(b.getContext(), type.getShape()));
}

namespace {
/// What the elementwise ops before a contraction compute from.
struct HiddenShape {
  bool fromProjection = false; // some elementwise path starts at a projection
  bool layerLike = false;      // and an activation or a product of two
                               // projections lies on it
};
} // namespace

/// Whether the body of `op` applies an activation to a value computed from
/// its `projected` inputs (any op but the linear arithmetic ops, constants
/// and precision changes), or multiplies two such values.
static bool activatesProjection(linalg::LinalgOp op, ArrayRef<bool> projected) {
  Block *body = op.getBlock();
  DenseSet<Value> fromProjection;
  for (auto [index, isProjected] : llvm::enumerate(projected))
    if (isProjected)
      fromProjection.insert(body->getArgument(index));
  for (Operation &o : body->without_terminator()) {
    unsigned count = llvm::count_if(
        o.getOperands(), [&](Value v) { return fromProjection.contains(v); });
    if (count == 0)
      continue;
    bool linear = isa<arith::AddFOp, arith::SubFOp, arith::NegFOp,
                      arith::MulFOp, arith::ExtFOp, arith::TruncFOp>(o);
    if (!linear || (isa<arith::MulFOp>(o) && count == 2))
      return true;
    fromProjection.insert(o.getResults().begin(), o.getResults().end());
  }
  return false;
}

/// Reads `value` backwards through elementwise ops (operands read
/// elementwise; biases and per-row statistics are not followed).
static HiddenShape
getHiddenShape(Value value, DenseMap<Value, HiddenShape> &memo, int depth) {
  value = stripRowReshapes(value);
  if (auto it = memo.find(value); it != memo.end())
    return it->second;
  HiddenShape shape;
  if (matchProjection(value)) {
    shape.fromProjection = true;
  } else if (auto op = value.getDefiningOp<linalg::LinalgOp>();
             op && depth > 0 && op->getNumResults() == 1 &&
             op.getNumLoops() == op.getNumParallelLoops()) {
    SmallVector<bool> projected;
    for (OpOperand *input : op.getDpsInputOperands()) {
      bool isProjected = false;
      if (op.getMatchingIndexingMap(input).isIdentity()) {
        HiddenShape in = getHiddenShape(input->get(), memo, depth - 1);
        shape.layerLike |= in.layerLike;
        isProjected = in.fromProjection;
      }
      shape.fromProjection |= isProjected;
      projected.push_back(isProjected);
    }
    if (shape.fromProjection && activatesProjection(op, projected))
      shape.layerLike = true;
  }
  memo[value] = shape;
  return shape;
}

/// True if the input of a contraction has the shape of a feed-forward
/// layer's hidden activation: an activation of a projection, or a product
/// of two projections, through elementwise ops. A norm's output (its
/// statistics read once per row, then multiplied) and residual sums do not,
/// so the projections that read them are not reported as near-misses.
static bool looksLikeHiddenActivation(Value input) {
  DenseMap<Value, HiddenShape> memo;
  return getHiddenShape(input, memo, /*depth=*/8).layerLike;
}

/// Recognizes the layer whose down projection is `op`. Fails silently when
/// `op` is not the end of anything like a layer; sets `reason` for a
/// near-miss.
static FailureOr<Layer> matchLayer(linalg::LinalgOp op, std::string &reason) {
  if (op->getNumResults() != 1) {
    LLVM_DEBUG(llvm::dbgs() << "  skipped: " << op->getNumResults()
                            << " results, a down projection has one\n");
    return failure();
  }
  std::string notAProjection;
  std::optional<Projection> down =
      matchProjection(op->getResult(0), &notAProjection);
  if (!down) {
    LLVM_DEBUG(llvm::dbgs() << "  skipped: not a projection x W"
                            << (notAProjection.empty() ? "" : ": ")
                            << notAProjection << "\n");
    return failure();
  }
  ElementwiseExprBuilder builder;
  const Expr *hidden = builder.build(down->input);
  if (!hidden) {
    if (!looksLikeHiddenActivation(down->input)) {
      LLVM_DEBUG(llvm::dbgs() << "  skipped: its input does not have the "
                                 "shape of a hidden activation\n");
      return failure();
    }
    reason = "the down projection's input is computed by elementwise ops "
             "that ffn-raise cannot read: " +
             builder.getFailureReason().str();
    return failure();
  }
  // A matmul of a plain tensor or of a linear combination (a residual
  // add, a norm's scale) is not the end of a feed-forward layer.
  if (hidden->isTensor() || !looksNonlinear(hidden)) {
    LLVM_DEBUG({
      llvm::dbgs() << "  skipped: a projection of ";
      if (hidden->isTensor())
        llvm::dbgs() << "a plain tensor";
      else
        hidden->print(llvm::dbgs() << "the linear expression ");
      llvm::dbgs() << ", not the end of a feed-forward layer\n";
    });
    return failure();
  }
  LLVM_DEBUG({
    llvm::dbgs() << "  hidden expression: ";
    hidden->print(llvm::dbgs());
    llvm::dbgs() << "\n";
  });

  Layer layer;
  layer.down = *down;
  if (!matchHidden(hidden, layer, reason)) {
    // Only what has the shape of a layer is a near-miss.
    if (!looksLikeHiddenActivation(down->input)) {
      LLVM_DEBUG(llvm::dbgs() << "  skipped (" << reason
                              << "): its input does not have the shape of "
                                 "a hidden activation\n");
      reason.clear();
    }
    return failure();
  }

  // Both projections of a gated layer read the same input. A bf16 or f16
  // model exported with f32 arithmetic widens its input, weights and
  // biases first: the layer computes in the narrow type.
  auto layerInput = [](const Projection &projection) {
    return stripRowReshapes(stripWidening(stripRowReshapes(projection.input)));
  };
  layer.input = layerInput(layer.gate.projection);
  if (layer.linear && layerInput(layer.linear->projection) != layer.input) {
    reason = "the gate projection and the linear projection read different "
             "inputs";
    return failure();
  }

  // Shapes and element types that the ffn op will verify.
  auto inputType = cast<RankedTensorType>(layer.input.getType());
  Type elementType = inputType.getElementType();
  int64_t dFF = layer.gate.projection.getOutputWidth();
  if (layer.linear) {
    int64_t linearWidth = layer.linear->projection.getOutputWidth();
    if (!ShapedType::isDynamic(dFF) && !ShapedType::isDynamic(linearWidth) &&
        dFF != linearWidth) {
      reason = "the gate and linear projections have different widths (" +
               std::to_string(dFF) + " and " + std::to_string(linearWidth) +
               ")";
      return failure();
    }
  }
  SmallVector<Value *> weights = {&layer.gate.projection.weight,
                                  &layer.down.weight};
  if (layer.linear)
    weights.push_back(&layer.linear->projection.weight);
  for (Value *weight : weights) {
    *weight = stripWidening(*weight);
    if (getElementTypeOrSelf(weight->getType()) != elementType) {
      reason = "the projections mix element types";
      return failure();
    }
  }

  matchOutputBias(op, layer);
  SmallVector<Value *> biases = {&layer.gate.bias, &layer.outBias};
  if (layer.linear)
    biases.push_back(&layer.linear->bias);
  for (Value *bias : biases) {
    if (!*bias)
      continue;
    *bias = stripWidening(*bias);
    if (getElementTypeOrSelf(bias->getType()) != elementType) {
      reason = "a bias's element type differs from the input's";
      return failure();
    }
  }
  if (failed(matchRounding(layer, elementType, reason)))
    return failure();
  layer.intermediates.insert(builder.getVisitedOps().begin(),
                             builder.getVisitedOps().end());
  layer.intermediates.insert(layer.gate.projection.op);
  if (layer.linear)
    layer.intermediates.insert(layer.linear->projection.op);

  // Every intermediate must be used by the layer alone.
  for (Operation *intermediate : layer.intermediates)
    for (Operation *user : intermediate->getUsers())
      if (user != layer.root && !layer.intermediates.contains(user)) {
        reason = describe(intermediate, layer) +
                 " has a user outside the layer (" +
                 user->getName().getStringRef().str() + ")";
        return failure();
      }

  auto rootType =
      dyn_cast<RankedTensorType>(layer.root->getResult(0).getType());
  SmallVector<int64_t> shape(inputType.getShape().drop_back());
  shape.push_back(
      cast<ShapedType>(op->getResult(0).getType()).getShape().back());
  if (!rootType ||
      !canReshapeRows(RankedTensorType::get(shape, elementType), rootType)) {
    reason = "the layer's result cannot be reshaped from the input's rows "
             "without dynamic sizes";
    return failure();
  }
  return layer;
}

/// Returns `bias` as a 1-D tensor: a [1, ..., 1, N] bias is collapsed.
static Value toVector(OpBuilder &b, Location loc, Value bias) {
  if (!bias)
    return bias;
  auto type = cast<RankedTensorType>(bias.getType());
  if (type.getRank() == 1)
    return bias;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return tensor::CollapseShapeOp::create(b, loc, bias,
                                         ArrayRef<ReassociationIndices>{all});
}

/// Builds the ffn op for `layer` and replaces the layer's result with it.
static Operation *rewriteLayer(PatternRewriter &rewriter, Layer &layer) {
  Operation *root = layer.root;
  rewriter.setInsertionPoint(root);
  Location loc = root->getLoc();
  MLIRContext *ctx = rewriter.getContext();

  Value w = layer.gate.projection.materializeWeight(rewriter, loc);
  Value w2 = layer.down.materializeWeight(rewriter, loc);
  auto inputType = cast<RankedTensorType>(layer.input.getType());
  SmallVector<int64_t> shape(inputType.getShape().drop_back());
  shape.push_back(cast<RankedTensorType>(w2.getType()).getShape().back());
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  auto activation = ActivationAttr::get(ctx, layer.kind, layer.beta);

  Value gateBias = toVector(rewriter, loc, layer.gate.bias);
  Value outBias = toVector(rewriter, loc, layer.outBias);
  Operation *ffnOp;
  if (layer.linear) {
    Value v = layer.linear->projection.materializeWeight(rewriter, loc);
    Value linearBias = toVector(rewriter, loc, layer.linear->bias);
    ffnOp = GLUOp::create(rewriter, loc, resultType, activation, layer.input, w,
                          v, w2, gateBias, linearBias, outBias);
  } else {
    ffnOp = FFNOp::create(rewriter, loc, resultType, activation, layer.input, w,
                          w2, gateBias, outBias);
  }
  // Replace the furthest row reshape of the result that has the layer's
  // own shape, if there is one (TOSA and torch-mlir reshape the 2-D result
  // back to the input's shape), else the root itself.
  Operation *replaced = root;
  SmallVector<Operation *> reshapes;
  followRowReshapes(root->getResult(0), reshapes);
  for (Operation *reshape : reshapes)
    if (reshape->getResult(0).getType() == resultType)
      replaced = reshape;
  auto replacedType = cast<RankedTensorType>(replaced->getResult(0).getType());
  Value replacement =
      reshapeRows(rewriter, loc, ffnOp->getResult(0), replacedType);
  rewriter.replaceOp(replaced, replacement);
  return ffnOp;
}

/// Prints what matchLayer recognized, for -debug-only=ffn-raise.
static void debugLayer(const Layer &layer) {
  LLVM_DEBUG({
    llvm::raw_ostream &os = llvm::dbgs();
    os << "  found " << (layer.linear ? "a gated" : "an ungated")
       << " layer: " << stringifyActivationKind(layer.kind);
    if (layer.beta != 1.0)
      os << "(beta = " << layer.beta << ")";
    auto printTerm = [&](StringRef what, const LinearTerm &term) {
      os << "\n    " << what << ": " << term.projection.op->getName() << " at "
         << term.projection.op->getLoc()
         << (term.projection.transposed ? ", weight read transposed" : "")
         << (term.bias ? ", with a bias" : "");
    };
    printTerm(layer.linear ? "gate" : "up", layer.gate);
    if (layer.linear)
      printTerm("linear", *layer.linear);
    os << "\n    down: " << layer.down.op->getName() << " at "
       << layer.down.op->getLoc()
       << (layer.down.transposed ? ", weight read transposed" : "")
       << (layer.outBias ? ", with an output bias" : "") << "\n    "
       << layer.intermediates.size() << " intermediate ops replaced\n";
  });
}

namespace {
/// down(act(x W [+ b]) [* (x V [+ c])]) [+ b2], in any of the forms
/// matchLayer reads -> ffn.ffn / ffn.glu.
struct RaiseFeedForwardLayer
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  RaiseFeedForwardLayer(MLIRContext *ctx, RaiseObserver *observer)
      : OpInterfaceRewritePattern(ctx), observer(observer) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    LLVM_DEBUG(llvm::dbgs() << "candidate " << op->getName() << " at "
                            << op->getLoc() << "\n");
    std::string reason;
    FailureOr<Layer> layer = matchLayer(op, reason);
    if (failed(layer)) {
      if (reason.empty())
        return rewriter.notifyMatchFailure(
            op, "not the down projection of a feed-forward layer");
      LLVM_DEBUG(llvm::dbgs() << "  rejected near-miss: " << reason << "\n");
      if (observer)
        observer->notifyRejected(op, reason);
      return rewriter.notifyMatchFailure(op, reason);
    }
    debugLayer(*layer);
    Operation *ffnOp = rewriteLayer(rewriter, *layer);
    LLVM_DEBUG(llvm::dbgs()
               << "  raised to " << ffnOp->getName() << " ("
               << (isa<GLUOp>(ffnOp) ? cast<GLUOp>(ffnOp).getPaperName()
                                     : cast<FFNOp>(ffnOp).getPaperName())
               << ")\n");
    if (observer)
      observer->notifyRaised(ffnOp);
    return success();
  }

  RaiseObserver *observer;
};

/// Collects what the patterns report and emits it as remarks in IR order.
class RaiseReport : public RaiseObserver, public RewriterBase::Listener {
public:
  void notifyRaised(Operation *layer) override { raised.insert(layer); }
  void notifyRejected(Operation *candidate, StringRef reason) override {
    rejected[candidate] = reason.str();
  }
  void notifyOperationErased(Operation *op) override {
    raised.erase(op);
    rejected.erase(op);
  }

  void emitRemarks(Operation *root) {
    root->walk([&](FunctionOpInterface function) {
      SmallVector<std::string> names;
      unsigned rejections = 0;
      function.walk([&](Operation *op) {
        if (raised.contains(op)) {
          StringRef name = isa<GLUOp>(op) ? cast<GLUOp>(op).getPaperName()
                                          : cast<FFNOp>(op).getPaperName();
          names.push_back(name.str());
          auto act = op->getAttrOfType<ActivationAttr>("activation");
          std::string activation;
          llvm::raw_string_ostream os(activation);
          os << stringifyActivationKind(act.getKind());
          if (act.hasNonDefaultBeta())
            os << "(beta = " << act.getBetaValue() << ")";
          op->emitRemark() << "ffn-raise: raised " << name << " (" << activation
                           << ")";
        } else if (auto it = rejected.find(op); it != rejected.end()) {
          ++rejections;
          op->emitRemark() << "ffn-raise: not raised: " << it->second;
        }
      });
      // At the function's location, without the function itself: one line.
      InFlightDiagnostic summary =
          mlir::emitRemark(function->getLoc())
          << "ffn-raise: @" << function.getName() << ": raised " << names.size()
          << (names.size() == 1 ? " layer" : " layers");
      if (!names.empty()) {
        summary << " (";
        llvm::interleaveComma(names, summary);
        summary << ")";
      }
      summary << ", rejected " << rejections
              << (rejections == 1 ? " near-miss" : " near-misses");
    });
  }

private:
  DenseSet<Operation *> raised;
  DenseMap<Operation *, std::string> rejected;
};

struct FFNRaisePass : mlir::ffn::impl::FFNRaiseBase<FFNRaisePass> {
  using Base::Base;

  void runOnOperation() override {
    RaiseReport collector;
    RewritePatternSet patterns(&getContext());
    populateFFNRaisePatterns(patterns, report ? &collector : nullptr);
    // Raising only: leave folding and constant CSE to canonicalize.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    if (report)
      config.setListener(&collector);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config))) {
      getOperation()->emitError("ffn-raise did not converge");
      return signalPassFailure();
    }
    if (report)
      collector.emitRemarks(getOperation());
  }
};
} // namespace

void mlir::ffn::populateFFNRaisePatterns(RewritePatternSet &patterns,
                                         RaiseObserver *observer) {
  patterns.add<RaiseFeedForwardLayer>(patterns.getContext(), observer);
}
