//===- FFNFuse.cpp - one GEMM over packed weights per layer ---------------===//
//
// ffn-fuse: ffn.glu -> ffn.pack_gated + ffn.gated_matmul + down projection;
// ffn.ffn -> ffn.activated_matmul + down projection.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"
#include "passes/fuse/Passes.h"
#include "passes/utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Debug.h"

#include <optional>

#define DEBUG_TYPE "ffn-fuse"

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNFUSE
#include "passes/fuse/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// A zero vector like `like` ([N]).
static Value zerosLike(OpBuilder &b, Location loc, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  Type element = type.getElementType();
  if (type.hasStaticShape())
    return arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getFloatAttr(element, 0.0)));
  Value empty = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, like), element);
  Value zero =
      arith::ConstantOp::create(b, loc, element, b.getFloatAttr(element, 0.0));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// The down projection of `hidden` [M, d_ff] by `w2`, accumulating into the
/// broadcast output bias when there is one, reshaped like `input`.
static Value buildDownProjection(OpBuilder &b, Location loc, Value hidden,
                                 Value w2, Value outBias, Value input,
                                 Type resultType) {
  Value init;
  if (outBias)
    init = buildRowBroadcast(b, loc, outBias,
                             tensor::getMixedSize(b, loc, hidden, 0));
  Value y = buildMatmul(b, loc, hidden, w2, init);
  y = expandRowsLike(b, loc, y, input);
  if (y.getType() != resultType)
    y = tensor::CastOp::create(b, loc, resultType, y);
  return y;
}

/// A tensor.empty [M, d_ff] for the fused GEMM's destination.
static Value hiddenInit(OpBuilder &b, Location loc, Value rows, Value w2) {
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, rows, 0),
                                     tensor::getMixedSize(b, loc, w2, 0)};
  return tensor::EmptyOp::create(b, loc, sizes,
                                 getElementTypeOrSelf(rows.getType()));
}

static std::string formatBytes(int64_t bytes) {
  char text[32];
  if (bytes >= (1 << 20))
    snprintf(text, sizeof(text), "%.2f MiB", bytes / double(1 << 20));
  else if (bytes >= (1 << 10))
    snprintf(text, sizeof(text), "%.2f KiB", bytes / double(1 << 10));
  else
    snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  return text;
}

/// A size in a remark: "?" if dynamic.
static std::string formatDim(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}

/// The product of `factors` for a remark; none if a factor is dynamic or
/// the product overflows (static sizes may be as large as int64 allows).
static std::optional<int64_t>
staticProduct(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t factor : factors) {
    if (ShapedType::isDynamic(factor))
      return std::nullopt;
    std::optional<int64_t> next = llvm::checkedMul(product, factor);
    if (!next)
      return std::nullopt;
    product = *next;
  }
  return product;
}

/// The total if known, else the amount per row, else `unknown` per row.
static std::string formatAmount(std::optional<int64_t> total,
                                std::optional<int64_t> perRow,
                                std::string (*format)(int64_t),
                                StringRef unknown) {
  if (total)
    return format(*total);
  return (perRow ? format(*perRow) : unknown.str()) + " per row";
}

static std::string formatFlops(int64_t flops) {
  return std::to_string(flops) + " FLOPs";
}

/// Emits ffn-fuse's remark for a fused layer.
static void reportFusion(Operation *op, StringRef paperName, Value rows,
                         int64_t dModel, int64_t dFF, bool gated,
                         int64_t blockSize) {
  auto rowsType = cast<ShapedType>(rows.getType());
  int64_t m = rowsType.getDimSize(0);
  int64_t element = (rowsType.getElementTypeBitWidth() + 7) / 8;
  auto diag = op->emitRemark()
              << "ffn-fuse: fused " << paperName << " [M=" << formatDim(m)
              << ", d_model=" << formatDim(dModel)
              << ", d_ff=" << formatDim(dFF) << "] into ";
  if (gated)
    diag << "one gated GEMM over packed [" << formatDim(dModel) << ", "
         << formatDim(staticProduct({2, dFF}).value_or(ShapedType::kDynamic))
         << "] weights (block " << blockSize << ")";
  else
    diag << "one GEMM with an activation epilogue";
  // Unfused, a (and b) are written by their GEMMs and read back by the
  // elementwise op; gated, x is also read by two GEMMs instead of one.
  std::optional<int64_t> perRow = staticProduct({gated ? 4 : 2, dFF, element});
  if (perRow && gated) {
    std::optional<int64_t> input = staticProduct({dModel, element});
    perRow = input ? llvm::checkedAdd(*perRow, *input) : std::nullopt;
  }
  std::optional<int64_t> total =
      perRow ? staticProduct({*perRow, m}) : std::nullopt;
  if (total)
    diag << "; removes " << formatBytes(*total)
         << " of intermediate memory traffic";
  else if (perRow)
    diag << "; removes " << formatBytes(*perRow)
         << " of intermediate memory traffic per row";
}

/// Why a gated layer whose weights have more than INT64_MAX / 2 columns
/// stays as it is.
static constexpr const char kTooWideToPack[] =
    "d_ff is too wide to pack: twice as many columns do not fit in int64";

/// Whether `weight`'s columns can be packed: twice as many must fit in
/// int64.
static bool canPack(Value weight) {
  return packedWidth(cast<ShapedType>(weight.getType()).getShape().back())
      .has_value();
}

/// Packs the gate and linear weights (and biases, zeros for a missing one)
/// of a gated layer or its gradient.
static std::pair<Value, Value> packWeights(OpBuilder &b, Location loc, Value w,
                                           Value v, Value gateBias,
                                           Value linearBias,
                                           int64_t blockSize) {
  auto weightType = cast<RankedTensorType>(w.getType());
  SmallVector<int64_t> shape(weightType.getShape());
  // The patterns check canPack first.
  shape.back() = *packedWidth(shape.back());
  auto packedType = RankedTensorType::get(shape, weightType.getElementType());
  Value packed = b.createOrFold<PackGatedOp>(loc, packedType, w, v, blockSize);
  Value packedBias;
  if (gateBias || linearBias) {
    if (!gateBias)
      gateBias = zerosLike(b, loc, linearBias);
    if (!linearBias)
      linearBias = zerosLike(b, loc, gateBias);
    auto biasType =
        RankedTensorType::get({shape.back()}, weightType.getElementType());
    packedBias = b.createOrFold<PackGatedOp>(loc, biasType, gateBias,
                                             linearBias, blockSize);
  }
  return {packed, packedBias};
}

/// Casts `value` to `type` if they differ (static vs dynamic sizes).
/// Emits ffn-fuse's remark for a fused gradient.
static void reportGradient(Operation *op, StringRef paperName, Value rows,
                           int64_t dModel, int64_t dFF, bool gated,
                           int64_t blockSize, bool kept = false) {
  auto rowsType = cast<ShapedType>(rows.getType());
  int64_t m = rowsType.getDimSize(0);
  int64_t element = (rowsType.getElementTypeBitWidth() + 7) / 8;
  int64_t width =
      staticProduct({gated ? 2 : 1, dFF}).value_or(ShapedType::kDynamic);
  auto diag = op->emitRemark()
              << "ffn-fuse: fused the gradient of " << paperName
              << " [M=" << formatDim(m) << ", d_model=" << formatDim(dModel)
              << ", d_ff=" << formatDim(dFF) << "] into ";
  if (gated)
    diag << "the dh GEMM with the dgate epilogue, ONE dx GEMM over packed ["
         << formatDim(dModel) << ", " << formatDim(width)
         << "] weights (K = " << formatDim(width)
         << ") and ONE packed weight-gradient GEMM (block " << blockSize << ")";
  else
    diag << "the dh GEMM with the activation-derivative epilogue";
  // The trade: keeping the pre-activations costs their memory from the
  // forward to the backward; recomputing them costs one GEMM.
  StringRef what = gated ? "[a | b]" : "a";
  std::string bytes =
      formatAmount(staticProduct({m, width, element}),
                   staticProduct({width, element}), formatBytes, "? B");
  std::string flops =
      formatAmount(staticProduct({2, m, dModel, width}),
                   staticProduct({2, dModel, width}), formatFlops, "? FLOPs");
  if (kept)
    diag << "; keeps " << what << " from the forward (" << bytes
         << " held until the backward), saving one GEMM (" << flops << ")";
  else
    diag << "; recomputes " << what << " with one GEMM (" << flops
         << "), saving " << bytes << " of activation memory";
}

/// [a | b] = x [W | V] (+ [b | c]) and h = gate(a) * b from it: ONE
/// ffn.gated_matmul that also returns the pre-activations it gates.
struct GatedActivations {
  Value ab, h;
};

static GatedActivations buildGatedActivations(OpBuilder &b, Location loc,
                                              ActivationAttr gate, Value rows,
                                              Value packed, Value packedBias,
                                              Value w2, int64_t blockSize) {
  Value hInit = hiddenInit(b, loc, rows, w2);
  Value abInit =
      tensor::EmptyOp::create(b, loc,
                              {tensor::getMixedSize(b, loc, rows, 0),
                               tensor::getMixedSize(b, loc, packed, 1)},
                              getElementTypeOrSelf(rows.getType()));
  auto gated =
      GatedMatmulOp::create(b, loc, hInit.getType(), abInit.getType(), gate,
                            blockSize, rows, packed, packedBias, hInit, abInit);
  return {gated.getPreactivations(), gated.getResult()};
}

/// The fused backward of `op` given its rows, packed weights and the
/// activations [a | b] and h; returns its results in order.
static SmallVector<Value> buildGatedBackward(OpBuilder &b, GLUGradOp op,
                                             Value rows, Value packed,
                                             GatedActivations activations,
                                             int64_t blockSize) {
  Location loc = op.getLoc();
  Value dy = collapseToRows(b, loc, op.getDy());
  Value ab = activations.ab;
  Value dabInit =
      tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, ab),
                              getElementTypeOrSelf(ab.getType()));
  Value dab =
      DGateMatmulOp::create(b, loc, dabInit.getType(), op.getActivation(),
                            blockSize, dy, op.getW2(), ab, dabInit);
  Value dx = buildMatmulTransposedRhs(b, loc, dab, packed);
  Value dwv = buildMatmulTransposedLhs(b, loc, rows, dab);
  auto weightType = op.getW().getType();
  auto unpackW =
      UnpackGatedOp::create(b, loc, weightType, weightType, dwv, blockSize);
  Value dw2 = buildMatmulTransposedLhs(b, loc, activations.h, dy);

  SmallVector<Value> results = {
      castTo(b, loc, expandRowsLike(b, loc, dx, op.getInput()),
             op.getInput().getType()),
      unpackW.getGate(), unpackW.getLinear(),
      castTo(b, loc, dw2, op.getW2().getType())};
  if (op.getB() || op.getC()) {
    Value dbc = buildColumnSums(b, loc, dab);
    auto biasType = op.getB() ? op.getB().getType() : op.getC().getType();
    auto unpackB =
        UnpackGatedOp::create(b, loc, biasType, biasType, dbc, blockSize);
    if (op.getB())
      results.push_back(unpackB.getGate());
    if (op.getC())
      results.push_back(unpackB.getLinear());
  }
  if (op.getB2())
    results.push_back(
        castTo(b, loc, buildColumnSums(b, loc, dy), op.getB2().getType()));
  return results;
}

/// The forward ffn.glu whose activations `grad` can keep: the same layer
/// (activation, operands) earlier in the same block.
static GLUOp findForward(GLUGradOp grad) {
  for (Operation *user : grad.getInput().getUsers()) {
    auto forward = dyn_cast<GLUOp>(user);
    if (!forward || forward->getBlock() != grad->getBlock() ||
        !forward->isBeforeInBlock(grad) ||
        forward.getActivation() != grad.getActivation() ||
        forward.getW() != grad.getW() || forward.getV() != grad.getV() ||
        forward.getW2() != grad.getW2() || forward.getB() != grad.getB() ||
        forward.getC() != grad.getC() || forward.getB2() != grad.getB2())
      continue;
    return forward;
  }
  return {};
}

/// a = x W1 (+ b1) and h = act(a): ONE ffn.activated_matmul that also
/// returns its pre-activations.
struct UngatedActivations {
  Value a, h;
};

static UngatedActivations buildUngatedActivations(OpBuilder &b, Location loc,
                                                  ActivationAttr activation,
                                                  Value rows, Value w1,
                                                  Value b1, Value w2) {
  Value hInit = hiddenInit(b, loc, rows, w2);
  Value aInit = hiddenInit(b, loc, rows, w2);
  auto activated =
      ActivatedMatmulOp::create(b, loc, hInit.getType(), aInit.getType(),
                                activation, rows, w1, b1, hInit, aInit);
  return {activated.getPreactivations(), activated.getResult()};
}

/// The fused backward of an ungated layer given its rows, a and h.
static SmallVector<Value> buildUngatedBackward(OpBuilder &b, FFNGradOp op,
                                               Value rows,
                                               UngatedActivations activations) {
  Location loc = op.getLoc();
  Value dy = collapseToRows(b, loc, op.getDy());
  Value a = activations.a;
  Value daInit =
      tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, a),
                              getElementTypeOrSelf(a.getType()));
  Value da = DActivationMatmulOp::create(
      b, loc, daInit.getType(), op.getActivation(), dy, op.getW2(), a, daInit);
  Value dx = buildMatmulTransposedRhs(b, loc, da, op.getW1());
  Value dw1 = buildMatmulTransposedLhs(b, loc, rows, da);
  Value dw2 = buildMatmulTransposedLhs(b, loc, activations.h, dy);
  SmallVector<Value> results = {
      castTo(b, loc, expandRowsLike(b, loc, dx, op.getInput()),
             op.getInput().getType()),
      castTo(b, loc, dw1, op.getW1().getType()),
      castTo(b, loc, dw2, op.getW2().getType())};
  if (op.getB1())
    results.push_back(
        castTo(b, loc, buildColumnSums(b, loc, da), op.getB1().getType()));
  if (op.getB2())
    results.push_back(
        castTo(b, loc, buildColumnSums(b, loc, dy), op.getB2().getType()));
  return results;
}

/// The forward ffn.ffn whose activations `grad` can keep.
static FFNOp findForward(FFNGradOp grad) {
  for (Operation *user : grad.getInput().getUsers()) {
    auto forward = dyn_cast<FFNOp>(user);
    if (!forward || forward->getBlock() != grad->getBlock() ||
        !forward->isBeforeInBlock(grad) ||
        forward.getActivation() != grad.getActivation() ||
        forward.getW1() != grad.getW1() || forward.getW2() != grad.getW2() ||
        forward.getB1() != grad.getB1() || forward.getB2() != grad.getB2())
      continue;
    return forward;
  }
  return {};
}

/// Whether `forward` is the forward a later gradient of the same layer in
/// its block keeps the activations of (findForward of that gradient).
template <typename GradOp, typename ForwardOp>
static bool hasKeepingGradient(ForwardOp forward) {
  return llvm::any_of(forward.getInput().getUsers(), [&](Operation *user) {
    auto grad = dyn_cast<GradOp>(user);
    return grad && findForward(grad) == forward;
  });
}

namespace {
/// ffn.glu gate %x, %w, %v, %w2 -> ffn.pack_gated %w, %v;
/// ffn.gated_matmul gate over the packed weight; linalg.matmul by %w2.
struct FuseGatedLayer : OpRewritePattern<GLUOp> {
  FuseGatedLayer(MLIRContext *ctx, int64_t blockSize, bool report,
                 bool keepActivations)
      : OpRewritePattern(ctx), blockSize(blockSize), report(report),
        keepActivations(keepActivations) {}

  LogicalResult matchAndRewrite(GLUOp op,
                                PatternRewriter &rewriter) const override {
    if (keepActivations && hasKeepingGradient<GLUGradOp>(op))
      return rewriter.notifyMatchFailure(
          op, "fused with its gradient, which keeps its activations");
    if (!canPack(op.getW()))
      return rewriter.notifyMatchFailure(op, kTooWideToPack);
    Location loc = op.getLoc();
    LLVM_DEBUG(llvm::dbgs()
               << "ffn-fuse: " << op.getPaperName() << " at " << loc
               << " -> one gated GEMM, block " << blockSize << "\n");
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    auto [packed, packedBias] = packWeights(rewriter, loc, op.getW(), op.getV(),
                                            op.getB(), op.getC(), blockSize);
    Value init = hiddenInit(rewriter, loc, rows, op.getW2());
    Value hidden =
        GatedMatmulOp::create(rewriter, loc, init.getType(), op.getActivation(),
                              blockSize, rows, packed, packedBias, init)
            .getResult();
    if (report)
      reportFusion(op, op.getPaperName(), rows, op.getDModel(), op.getDFF(),
                   /*gated=*/true, blockSize);
    rewriter.replaceOp(op, buildDownProjection(rewriter, loc, hidden,
                                               op.getW2(), op.getB2(),
                                               op.getInput(), op.getType()));
    return success();
  }

  int64_t blockSize;
  bool report;
  bool keepActivations;
};

/// ffn.ffn act %x, %w1, %w2 -> ffn.activated_matmul act; linalg.matmul.
struct FuseUngatedLayer : OpRewritePattern<FFNOp> {
  FuseUngatedLayer(MLIRContext *ctx, bool report, bool keepActivations)
      : OpRewritePattern(ctx), report(report),
        keepActivations(keepActivations) {}

  LogicalResult matchAndRewrite(FFNOp op,
                                PatternRewriter &rewriter) const override {
    if (keepActivations && hasKeepingGradient<FFNGradOp>(op))
      return rewriter.notifyMatchFailure(
          op, "fused with its gradient, which keeps its activations");
    Location loc = op.getLoc();
    LLVM_DEBUG(llvm::dbgs() << "ffn-fuse: " << op.getPaperName() << " at "
                            << loc << " -> one activated GEMM\n");
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    Value init = hiddenInit(rewriter, loc, rows, op.getW2());
    Value hidden = ActivatedMatmulOp::create(rewriter, loc, init.getType(),
                                             op.getActivation(), rows,
                                             op.getW1(), op.getB1(), init)
                       .getResult();
    if (report)
      reportFusion(op, op.getPaperName(), rows, op.getDModel(), op.getDFF(),
                   /*gated=*/false, 0);
    rewriter.replaceOp(op, buildDownProjection(rewriter, loc, hidden,
                                               op.getW2(), op.getB2(),
                                               op.getInput(), op.getType()));
    return success();
  }

  bool report;
  bool keepActivations;
};

} // namespace

namespace {
/// keep-activations, gated: a train step's ffn.glu and the ffn.glu_grad of
/// the same layer later in its block -> ONE ffn.gated_matmul returning h
/// and [a | b] for the forward, and the fused backward reading both instead
/// of recomputing them.
struct FuseGatedTrainStep : OpRewritePattern<GLUGradOp> {
  FuseGatedTrainStep(MLIRContext *ctx, int64_t blockSize, bool report)
      : OpRewritePattern(ctx, /*benefit=*/2), blockSize(blockSize),
        report(report) {}

  LogicalResult matchAndRewrite(GLUGradOp grad,
                                PatternRewriter &rewriter) const override {
    GLUOp forward = findForward(grad);
    if (!forward)
      return rewriter.notifyMatchFailure(
          grad, "no ffn.glu of the same layer earlier in its block");
    if (!canPack(forward.getW()))
      return rewriter.notifyMatchFailure(grad, kTooWideToPack);
    Location loc = forward.getLoc();
    LLVM_DEBUG(llvm::dbgs() << "ffn-fuse: " << forward.getPaperName() << " at "
                            << loc << " keeps [a | b] for its "
                            << "gradient at " << grad.getLoc() << "\n");
    rewriter.setInsertionPoint(forward);
    Value rows = collapseToRows(rewriter, loc, forward.getInput());
    auto [packed, packedBias] =
        packWeights(rewriter, loc, forward.getW(), forward.getV(),
                    forward.getB(), forward.getC(), blockSize);
    GatedActivations kept =
        buildGatedActivations(rewriter, loc, forward.getActivation(), rows,
                              packed, packedBias, forward.getW2(), blockSize);
    Value y = buildDownProjection(rewriter, loc, kept.h, forward.getW2(),
                                  forward.getB2(), forward.getInput(),
                                  forward.getType());
    if (report)
      reportGradient(grad, grad.getPaperName(), rows, grad.getDModel(),
                     grad.getDFF(), /*gated=*/true, blockSize, /*kept=*/true);
    rewriter.replaceOp(forward, y);
    rewriter.setInsertionPoint(grad);
    rewriter.replaceOp(grad, buildGatedBackward(rewriter, grad, rows, packed,
                                                kept, blockSize));
    return success();
  }

  int64_t blockSize;
  bool report;
};

/// keep-activations, ungated: ffn.ffn and its ffn.ffn_grad -> ONE
/// ffn.activated_matmul returning h and a, read by the fused backward.
struct FuseUngatedTrainStep : OpRewritePattern<FFNGradOp> {
  FuseUngatedTrainStep(MLIRContext *ctx, bool report)
      : OpRewritePattern(ctx, /*benefit=*/2), report(report) {}

  LogicalResult matchAndRewrite(FFNGradOp grad,
                                PatternRewriter &rewriter) const override {
    FFNOp forward = findForward(grad);
    if (!forward)
      return rewriter.notifyMatchFailure(
          grad, "no ffn.ffn of the same layer earlier in its block");
    Location loc = forward.getLoc();
    LLVM_DEBUG(llvm::dbgs()
               << "ffn-fuse: " << forward.getPaperName() << " at " << loc
               << " keeps a for its gradient at " << grad.getLoc() << "\n");
    rewriter.setInsertionPoint(forward);
    Value rows = collapseToRows(rewriter, loc, forward.getInput());
    UngatedActivations kept = buildUngatedActivations(
        rewriter, loc, forward.getActivation(), rows, forward.getW1(),
        forward.getB1(), forward.getW2());
    Value y = buildDownProjection(rewriter, loc, kept.h, forward.getW2(),
                                  forward.getB2(), forward.getInput(),
                                  forward.getType());
    if (report)
      reportGradient(grad, grad.getPaperName(), rows, grad.getDModel(),
                     grad.getDFF(), /*gated=*/false, 0, /*kept=*/true);
    rewriter.replaceOp(forward, y);
    rewriter.setInsertionPoint(grad);
    rewriter.replaceOp(grad, buildUngatedBackward(rewriter, grad, rows, kept));
    return success();
  }

  bool report;
};
} // namespace

namespace {
/// ffn.glu_grad -> the fused backward:
///   h, [a | b] = gated_matmul(x, [W | V])   one GEMM (recomputed), h and
///                                          the pre-activations it gates
///   [da | db] = dgate_matmul(dy, W2, [a | b]) the dh GEMM + dgate epilogue
///   dx       = [da | db] [W | V]^T           ONE GEMM, K = 2 d_ff
///   d[W | V] = x^T [da | db]                 ONE GEMM, unpacked at the end
///   dW2      = h^T dy
struct FuseGatedGradient : OpRewritePattern<GLUGradOp> {
  FuseGatedGradient(MLIRContext *ctx, int64_t blockSize, bool report)
      : OpRewritePattern(ctx), blockSize(blockSize), report(report) {}

  LogicalResult matchAndRewrite(GLUGradOp op,
                                PatternRewriter &rewriter) const override {
    if (!canPack(op.getW()))
      return rewriter.notifyMatchFailure(op, kTooWideToPack);
    Location loc = op.getLoc();
    LLVM_DEBUG(llvm::dbgs()
               << "ffn-fuse: gradient of " << op.getPaperName() << " at " << loc
               << ": recomputes h and [a | b] (no forward in "
                  "this block kept them)\n");
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    auto [packed, packedBias] = packWeights(rewriter, loc, op.getW(), op.getV(),
                                            op.getB(), op.getC(), blockSize);
    GatedActivations kept =
        buildGatedActivations(rewriter, loc, op.getActivation(), rows, packed,
                              packedBias, op.getW2(), blockSize);
    if (report)
      reportGradient(op, op.getPaperName(), rows, op.getDModel(), op.getDFF(),
                     /*gated=*/true, blockSize, /*kept=*/false);
    rewriter.replaceOp(
        op, buildGatedBackward(rewriter, op, rows, packed, kept, blockSize));
    return success();
  }

  int64_t blockSize;
  bool report;
};

/// ffn.ffn_grad -> h, a = activated_matmul(x, W1 (+ b1));
/// da = dactivation_matmul(dy, W2, a);
/// dx = da W1^T; dW1 = x^T da; dW2 = act(a)^T dy.
struct FuseUngatedGradient : OpRewritePattern<FFNGradOp> {
  FuseUngatedGradient(MLIRContext *ctx, bool report)
      : OpRewritePattern(ctx), report(report) {}

  LogicalResult matchAndRewrite(FFNGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LLVM_DEBUG(llvm::dbgs() << "ffn-fuse: gradient of " << op.getPaperName()
                            << " at " << loc << ": recomputes h and a\n");
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    UngatedActivations activations =
        buildUngatedActivations(rewriter, loc, op.getActivation(), rows,
                                op.getW1(), op.getB1(), op.getW2());
    if (report)
      reportGradient(op, op.getPaperName(), rows, op.getDModel(), op.getDFF(),
                     /*gated=*/false, 0);
    rewriter.replaceOp(op,
                       buildUngatedBackward(rewriter, op, rows, activations));
    return success();
  }

  bool report;
};
} // namespace

namespace {
struct FFNFusePass : mlir::ffn::impl::FFNFuseBase<FFNFusePass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t block = blockSize;
    if (block < 0) {
      getOperation()->emitError("ffn-fuse: block-size must be positive, got ")
          << block;
      return signalPassFailure();
    }
    if (block == 0)
      block = getDefaultBlockSize(target);
    // pack-arguments is ffn-pack-arguments, run first with the same block.
    if (packArguments) {
      WalkResult result =
          getOperation()->walk([&](FunctionOpInterface function) {
            if (failed(packGatedArgumentWeights(function, block)))
              return WalkResult::interrupt();
            return WalkResult::advance();
          });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateFFNFusePatterns(patterns, block, report, keepActivations);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateFFNFusePatterns(RewritePatternSet &patterns,
                                        int64_t blockSize, bool report,
                                        bool keepActivations) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FuseGatedLayer>(ctx, blockSize, report, keepActivations);
  patterns.add<FuseUngatedLayer>(ctx, report, keepActivations);
  patterns.add<FuseGatedGradient>(ctx, blockSize, report);
  patterns.add<FuseUngatedGradient>(ctx, report);
  if (keepActivations) {
    patterns.add<FuseGatedTrainStep>(ctx, blockSize, report);
    patterns.add<FuseUngatedTrainStep>(ctx, report);
  }
}
