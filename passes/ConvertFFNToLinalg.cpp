//===- ConvertFFNToLinalg.cpp - reference semantics of ffn ops ------------===//
//
// Lowers ffn.ffn and ffn.glu to linalg on tensors. This pass is the single
// definition of what the ffn ops compute; every other path is tested
// against it.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNDialect.h"
#include "dialect/FFNOps.h"
#include "passes/ActivationMath.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_CONVERTFFNTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// The pieces of one feed-forward layer, gated or not.
struct LayerParts {
  ActivationAttr activation;
  Value input;
  Value w;          // w1 (ungated) or the gate projection w.
  Value v;          // The linear projection of ffn.glu; null when ungated.
  Value w2;
  Value wBias;      // b1 or b; may be null.
  Value vBias;      // c; may be null.
  Value outBias;    // b2; may be null.
  RankedTensorType resultType;
};
} // namespace

/// Returns `lhs * rhs` as a linalg.matmul into a zero-filled [M, N] tensor.
static Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  Type elementType = getElementTypeOrSelf(lhs.getType());
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, lhs, 0),
                                     tensor::getMixedSize(b, loc, rhs, 1)};
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value zero = arith::ConstantOp::create(b, loc, elementType,
                                         b.getFloatAttr(elementType, 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                  ValueRange{init})
      .getResult(0);
}

/// Returns a linalg.generic over a 2-D [M, N] iteration space. `matrices`
/// are read at (i, j), `rowVectors` (biases of N elements) at (j); `body`
/// receives the scalars in that order and returns the result element.
static Value buildElementwise(
    OpBuilder &b, Location loc, ValueRange matrices, ValueRange rowVectors,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  Value shapeSource = matrices.front();
  auto type = cast<RankedTensorType>(shapeSource.getType());
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, loc, shapeSource);
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
    LayerParts layer;
    layer.activation = op.getActivation();
    layer.input = op.getInput();
    layer.w = op.getW1();
    layer.w2 = op.getW2();
    layer.wBias = op.getB1();
    layer.outBias = op.getB2();
    layer.resultType = op.getResult().getType();
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
    LayerParts layer;
    layer.activation = op.getActivation();
    layer.input = op.getInput();
    layer.w = op.getW();
    layer.v = op.getV();
    layer.w2 = op.getW2();
    layer.wBias = op.getB();
    layer.vBias = op.getC();
    layer.outBias = op.getB2();
    layer.resultType = op.getResult().getType();
    rewriter.replaceOp(op, buildLayer(rewriter, op.getLoc(), layer));
    return success();
  }
};

struct ConvertFFNToLinalgPass
    : mlir::ffn::impl::ConvertFFNToLinalgBase<ConvertFFNToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<FFNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateFFNToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateFFNToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LowerFFNOp, LowerGLUOp>(patterns.getContext());
}
