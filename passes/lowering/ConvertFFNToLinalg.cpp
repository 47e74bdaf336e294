//===- ConvertFFNToLinalg.cpp - reference semantics of ffn ops ------------===//
//
// Lowers ffn.ffn and ffn.glu to linalg on tensors. This pass is the single
// definition of what the ffn ops compute; every other path is tested
// against it.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"
#include "passes/lowering/Passes.h"
#include "passes/utils/ActivationMath.h"
#include "passes/utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/Debug.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_CONVERTFFNTOLINALG
#include "passes/lowering/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

#define DEBUG_TYPE "convert-ffn-to-linalg"

namespace {
/// The pieces of one feed-forward layer, gated or not.
struct LayerParts {
  ActivationAttr activation;
  Value input;
  Value w; // w1 (ungated) or the gate projection w.
  Value v; // The linear projection of ffn.glu; null when ungated.
  Value w2;
  Value wBias;   // b1 or b; may be null.
  Value vBias;   // c; may be null.
  Value outBias; // b2; may be null.
  RankedTensorType resultType;
};
} // namespace

/// The parts of an ungated layer or of its gradient.
template <typename OpTy> static LayerParts ungatedParts(OpTy op) {
  LayerParts layer;
  layer.activation = op.getActivation();
  layer.input = op.getInput();
  layer.w = op.getW1();
  layer.w2 = op.getW2();
  layer.wBias = op.getB1();
  layer.outBias = op.getB2();
  return layer;
}

/// The parts of a gated layer or of its gradient.
template <typename OpTy> static LayerParts gatedParts(OpTy op) {
  LayerParts layer;
  layer.activation = op.getActivation();
  layer.input = op.getInput();
  layer.w = op.getW();
  layer.v = op.getV();
  layer.w2 = op.getW2();
  layer.wBias = op.getB();
  layer.vBias = op.getC();
  layer.outBias = op.getB2();
  return layer;
}

/// Returns a linalg.generic over a 2-D [M, N] iteration space. `matrices`
/// are read at (i, j), `rowVectors` (biases of N elements) at (j); `body`
/// receives the scalars in that order and returns the result element.
static Value
buildElementwise(OpBuilder &b, Location loc, ValueRange matrices,
                 ValueRange rowVectors,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  Value shapeSource = matrices.front();
  auto type = cast<RankedTensorType>(shapeSource.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, shapeSource);
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());

  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap column = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  SmallVector<AffineMap> maps(matrices.size(), identity);
  maps.append(rowVectors.size(), column);
  maps.push_back(identity);
  SmallVector<Value> inputs(matrices.begin(), matrices.end());
  inputs.append(rowVectors.begin(), rowVectors.end());
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);

  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, /*doc=*/"", /*libraryCall=*/"",
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

/// Adds a bias of N elements to every row of an [M, N] matrix.
static Value addRowBias(OpBuilder &b, Location loc, Value matrix, Value bias) {
  return buildElementwise(
      b, loc, matrix, bias, [](OpBuilder &nb, Location l, ValueRange args) {
        return arith::AddFOp::create(nb, l, args[0], args[1]).getResult();
      });
}

/// Prints what lowering `op` (a layer or its gradient) emits, for
/// -debug-only=convert-ffn-to-linalg.
static void debugLayer(Operation *op, StringRef paperName,
                       const LayerParts &layer, bool gradient) {
  LLVM_DEBUG({
    llvm::dbgs() << op->getName() << " (" << paperName << ", "
                 << stringifyActivationKind(layer.activation.getKind())
                 << ") at " << op->getLoc() << " -> " << (layer.v ? "2" : "1")
                 << " up-projection matmul(s)";
    if (gradient)
      llvm::dbgs() << " recomputing the forward, the backward matmuls";
    llvm::dbgs() << ", biases:" << (layer.wBias ? " gate" : "")
                 << (layer.vBias ? " linear" : "")
                 << (layer.outBias ? " out" : "")
                 << (layer.wBias || layer.vBias || layer.outBias ? "" : " none")
                 << "\n";
  });
}

/// Emits the reference computation of `layer` and returns its result.
static Value buildLayer(OpBuilder &b, Location loc, const LayerParts &layer) {
  auto inputType = cast<RankedTensorType>(layer.input.getType());
  int64_t rank = inputType.getRank();

  // [..., d_model] -> [M, d_model].
  Value rows = layer.input;
  SmallVector<ReassociationIndices> reassociation;
  if (rank > 2) {
    ReassociationIndices batch;
    for (int64_t i = 0; i < rank - 1; ++i)
      batch.push_back(i);
    reassociation = {batch, {rank - 1}};
    rows = tensor::CollapseShapeOp::create(b, loc, layer.input, reassociation);
  }

  // Projections, biases, activation and gating.
  Value a = buildMatmul(b, loc, rows, layer.w);
  Value hidden;
  ActivationAttr activation = layer.activation;
  if (!layer.v) {
    SmallVector<Value> biases;
    if (layer.wBias)
      biases.push_back(layer.wBias);
    hidden = buildElementwise(
        b, loc, a, biases, [&](OpBuilder &nb, Location l, ValueRange args) {
          Value pre = args[0];
          if (args.size() > 1)
            pre = arith::AddFOp::create(nb, l, pre, args[1]);
          return emitActivation(nb, l, activation, pre);
        });
  } else {
    Value bLinear = buildMatmul(b, loc, rows, layer.v);
    SmallVector<Value> biases;
    if (layer.wBias)
      biases.push_back(layer.wBias);
    if (layer.vBias)
      biases.push_back(layer.vBias);
    bool hasWBias = static_cast<bool>(layer.wBias);
    bool hasVBias = static_cast<bool>(layer.vBias);
    hidden = buildElementwise(
        b, loc, ValueRange{a, bLinear}, biases,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value gateIn = args[0], linear = args[1];
          unsigned next = 2;
          if (hasWBias)
            gateIn = arith::AddFOp::create(nb, l, gateIn, args[next++]);
          if (hasVBias)
            linear = arith::AddFOp::create(nb, l, linear, args[next++]);
          return emitGatedProduct(nb, l, activation, gateIn, linear);
        });
  }

  // Down projection.
  Value out = buildMatmul(b, loc, hidden, layer.w2);
  if (layer.outBias)
    out = addRowBias(b, loc, out, layer.outBias);

  // [M, d_out] -> [..., d_out].
  if (rank > 2) {
    SmallVector<OpFoldResult> outputShape;
    for (int64_t i = 0; i < rank - 1; ++i)
      outputShape.push_back(tensor::getMixedSize(b, loc, layer.input, i));
    outputShape.push_back(tensor::getMixedSize(b, loc, layer.w2, 1));
    SmallVector<int64_t> staticShape(inputType.getShape().drop_back());
    staticShape.push_back(
        cast<RankedTensorType>(layer.w2.getType()).getShape().back());
    auto expandedType =
        RankedTensorType::get(staticShape, inputType.getElementType());
    out = tensor::ExpandShapeOp::create(b, loc, expandedType, out,
                                        reassociation, outputShape);
  }
  if (out.getType() != layer.resultType)
    out = tensor::CastOp::create(b, loc, layer.resultType, out);
  return out;
}

namespace {
/// ffn.ffn act %x, %w1, %w2 -> matmul, generic(act(. + b1)), matmul (+ b2).
struct LowerFFNOp : OpRewritePattern<FFNOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FFNOp op,
                                PatternRewriter &rewriter) const override {
    LayerParts layer = ungatedParts(op);
    layer.resultType = op.getResult().getType();
    debugLayer(op, op.getPaperName(), layer, /*gradient=*/false);
    rewriter.replaceOp(op, buildLayer(rewriter, op.getLoc(), layer));
    return success();
  }
};

/// ffn.glu gate %x, %w, %v, %w2 -> matmul, matmul,
/// generic(gate(. + b) * (. + c)), matmul (+ b2).
struct LowerGLUOp : OpRewritePattern<GLUOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GLUOp op,
                                PatternRewriter &rewriter) const override {
    LayerParts layer = gatedParts(op);
    layer.resultType = op.getResult().getType();
    debugLayer(op, op.getPaperName(), layer, /*gradient=*/false);
    rewriter.replaceOp(op, buildLayer(rewriter, op.getLoc(), layer));
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Gradients: ffn.ffn_grad and ffn.glu_grad.
//===----------------------------------------------------------------------===//

/// Like buildElementwise, with `numResults` results of the first matrix's
/// shape: `body` returns one scalar per result.
static SmallVector<Value> buildElementwiseResults(
    OpBuilder &b, Location loc, ValueRange matrices, ValueRange rowVectors,
    unsigned numResults,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  Value shapeSource = matrices.front();
  auto type = cast<RankedTensorType>(shapeSource.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, shapeSource);
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numResults; ++i)
    inits.push_back(
        tensor::EmptyOp::create(b, loc, sizes, type.getElementType()));

  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap column = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  SmallVector<AffineMap> maps(matrices.size(), identity);
  maps.append(rowVectors.size(), column);
  maps.append(numResults, identity);
  SmallVector<Value> inputs(matrices.begin(), matrices.end());
  inputs.append(rowVectors.begin(), rowVectors.end());
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);

  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(inits)), inputs, inits, maps, iterators,
      /*doc=*/"", /*libraryCall=*/"",
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> results =
            body(nested, nestedLoc, args.drop_back(numResults));
        linalg::YieldOp::create(nested, nestedLoc, results);
      });
  return SmallVector<Value>(generic.getResults());
}

/// `value`, cast to `type` when its (equally ranked, compatible) type is
/// more or less static.
static Value castIfNeeded(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

/// Emits the reference computation of the gradients of `layer` for the
/// output gradient `dy` and returns them in the gradient op's result order
/// (dx, dW, [dV,] dW2, then the biases that are present), of `resultTypes`.
/// The forward pieces are recomputed:
///
///   a = x W (+ b), l = x V (+ c), h = gate(a) * l   (gated)
///   a = x W1 (+ b1), h = act(a)                     (ungated)
///   dh = dy W2^T, dW2 = h^T dy, db2 = column sums of dy
///   da, dl = dh * l * gate'(a), dh * gate(a)        (gated, one generic)
///   da = dh * act'(a)                               (ungated)
///   dx = da W^T (+ dl V^T, accumulated into the same matmul output)
///   dW = x^T da, dV = x^T dl, db, dc = column sums of da, dl
static SmallVector<Value> buildLayerGradient(OpBuilder &b, Location loc,
                                             const LayerParts &layer, Value dy,
                                             TypeRange resultTypes) {
  Value rows = collapseToRows(b, loc, layer.input);
  Value dyRows = collapseToRows(b, loc, dy);
  ActivationAttr activation = layer.activation;
  SmallVector<Value> biases;
  if (layer.wBias)
    biases.push_back(layer.wBias);
  if (layer.vBias)
    biases.push_back(layer.vBias);
  bool hasWBias = static_cast<bool>(layer.wBias);
  bool hasVBias = static_cast<bool>(layer.vBias);

  // The forward's hidden activations, as the forward computes them.
  Value a = buildMatmul(b, loc, rows, layer.w);
  Value linear, hidden;
  if (!layer.v) {
    hidden = buildElementwise(
        b, loc, a, biases, [&](OpBuilder &nb, Location l, ValueRange args) {
          Value pre = args[0];
          if (hasWBias)
            pre = arith::AddFOp::create(nb, l, pre, args[1]);
          return emitActivation(nb, l, activation, pre);
        });
  } else {
    linear = buildMatmul(b, loc, rows, layer.v);
    hidden = buildElementwise(
        b, loc, ValueRange{a, linear}, biases,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value gateIn = args[0], lin = args[1];
          unsigned next = 2;
          if (hasWBias)
            gateIn = arith::AddFOp::create(nb, l, gateIn, args[next++]);
          if (hasVBias)
            lin = arith::AddFOp::create(nb, l, lin, args[next++]);
          return emitGatedProduct(nb, l, activation, gateIn, lin);
        });
  }

  // Back through the down projection.
  Value dh = buildMatmulTransposedRhs(b, loc, dyRows, layer.w2);

  // Back through the activation or the gate.
  Value da, dl;
  if (!layer.v) {
    da = buildElementwise(
        b, loc, ValueRange{dh, a}, biases,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value pre = args[1];
          if (hasWBias)
            pre = arith::AddFOp::create(nb, l, pre, args[2]);
          Value slope = emitActivationDerivative(nb, l, activation, pre);
          return arith::MulFOp::create(nb, l, args[0], slope).getResult();
        });
  } else {
    SmallVector<Value> grads = buildElementwiseResults(
        b, loc, ValueRange{dh, a, linear}, biases, 2,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value gateIn = args[1], lin = args[2];
          unsigned next = 3;
          if (hasWBias)
            gateIn = arith::AddFOp::create(nb, l, gateIn, args[next++]);
          if (hasVBias)
            lin = arith::AddFOp::create(nb, l, lin, args[next++]);
          auto [dGate, dLinear] =
              emitGatedProductGradient(nb, l, activation, gateIn, lin, args[0]);
          return SmallVector<Value>{dGate, dLinear};
        });
    da = grads[0];
    dl = grads[1];
  }

  // Back through the up projections.
  Value dxRows = buildMatmulTransposedRhs(b, loc, da, layer.w);
  if (dl)
    dxRows = buildMatmulTransposedRhs(b, loc, dl, layer.v, dxRows);
  SmallVector<Value> gradients;
  gradients.push_back(expandRowsLike(b, loc, dxRows, layer.input));
  gradients.push_back(buildMatmulTransposedLhs(b, loc, rows, da));
  if (dl)
    gradients.push_back(buildMatmulTransposedLhs(b, loc, rows, dl));
  gradients.push_back(buildMatmulTransposedLhs(b, loc, hidden, dyRows));
  if (hasWBias)
    gradients.push_back(buildColumnSums(b, loc, da));
  if (hasVBias)
    gradients.push_back(buildColumnSums(b, loc, dl));
  if (layer.outBias)
    gradients.push_back(buildColumnSums(b, loc, dyRows));

  for (auto [gradient, type] : llvm::zip_equal(gradients, resultTypes))
    gradient = castIfNeeded(b, loc, gradient, type);
  return gradients;
}

namespace {
/// ffn.ffn_grad act %x, %w1, %w2, %dy -> the forward's matmul and generic
/// (h), dh = dy W2^T, generic(dh * act'(. + b1)), then the transposed
/// matmuls and column sums of the gradients.
struct LowerFFNGradOp : OpRewritePattern<FFNGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FFNGradOp op,
                                PatternRewriter &rewriter) const override {
    LayerParts layer = ungatedParts(op);
    debugLayer(op, op.getPaperName(), layer, /*gradient=*/true);
    rewriter.replaceOp(op, buildLayerGradient(rewriter, op.getLoc(), layer,
                                              op.getDy(),
                                              op.getGradients().getTypes()));
    return success();
  }
};

/// ffn.glu_grad gate %x, %w, %v, %w2, %dy -> the forward's matmuls and
/// generic (h), dh = dy W2^T, one generic for both dgate products, then the
/// transposed matmuls (dx accumulating both) and column sums.
struct LowerGLUGradOp : OpRewritePattern<GLUGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GLUGradOp op,
                                PatternRewriter &rewriter) const override {
    LayerParts layer = gatedParts(op);
    debugLayer(op, op.getPaperName(), layer, /*gradient=*/true);
    rewriter.replaceOp(op, buildLayerGradient(rewriter, op.getLoc(), layer,
                                              op.getDy(),
                                              op.getGradients().getTypes()));
    return success();
  }
};
} // namespace

namespace {
/// Why no pattern of convert-ffn-to-linalg lowers `op`, for the forms
/// known to have no lowering; std::nullopt for every other op.
std::optional<std::string> getLoweringLimit(Operation *op) {
  if (!isa<PackGatedOp, UnpackGatedOp>(op))
    return std::nullopt;
  bool dynamic = llvm::any_of(op->getOperandTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && !shaped.hasStaticShape();
  });
  if (!dynamic)
    return std::nullopt;
  return std::string(
      "weights of dynamic shape are packed only by glu-cpu-gemm "
      "(glu-cpu-pipeline); give them static shapes, or pack them before "
      "compiling (ffn-fuse pack-arguments=true)");
}

struct ConvertFFNToLinalgPass
    : mlir::ffn::impl::ConvertFFNToLinalgBase<ConvertFFNToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<FFNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateFFNToLinalgConversionPatterns(patterns);
    populateFusedFFNToLinalgPatterns(patterns);
    // Forms no pattern lowers, refused with the reason before converting.
    bool refused = false;
    getOperation()->walk([&](Operation *op) {
      if (std::optional<std::string> reason = getLoweringLimit(op)) {
        op->emitError() << "convert-ffn-to-linalg cannot lower '"
                        << op->getName() << "': " << *reason;
        refused = true;
      }
    });
    if (refused)
      return signalPassFailure();
    // Anything else the conversion leaves gets glu's words instead of the
    // framework's "failed to legalize".
    SmallVector<std::pair<Location, std::string>> unlowered;
    LogicalResult converted = failure();
    {
      ScopedDiagnosticHandler capture(&getContext(), [&](Diagnostic &diag) {
        std::string message = diag.str();
        if (diag.getSeverity() != DiagnosticSeverity::Error ||
            !StringRef(message).starts_with("failed to legalize operation"))
          return failure();
        unlowered.emplace_back(diag.getLocation(), message);
        return success();
      });
      converted =
          applyPartialConversion(getOperation(), target, std::move(patterns));
    }
    if (succeeded(converted))
      return;
    for (auto &[loc, message] : unlowered) {
      StringRef name = StringRef(message).split('\'').second.split('\'').first;
      emitError(loc) << "convert-ffn-to-linalg cannot lower '" << name
                     << "': no lowering to linalg takes this form (run with "
                        "-debug-only=convert-ffn-to-linalg for each "
                        "pattern's reason)";
    }
    signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateFFNToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LowerFFNOp, LowerGLUOp, LowerFFNGradOp, LowerGLUGradOp>(
      patterns.getContext());
}
