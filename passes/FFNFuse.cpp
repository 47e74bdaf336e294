//===- FFNFuse.cpp - one GEMM over packed weights per layer ---------------===//
//
// ffn-fuse: ffn.glu -> ffn.pack_gated + ffn.gated_matmul + down projection;
// ffn.ffn -> ffn.activated_matmul + down projection.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"
#include "passes/LinalgBuilders.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

int64_t mlir::ffn::getDefaultBlockSize(StringRef target) {
  if (target == "cpu")
    return 64;
  if (target == "cuda")
    return 128;
  return 0;
}

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
  Value zero = arith::ConstantOp::create(b, loc, element,
                                         b.getFloatAttr(element, 0.0));
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

/// Emits ffn-fuse's remark for a fused layer.
static void reportFusion(Operation *op, StringRef paperName, Value rows,
                         int64_t dModel, int64_t dFF, bool gated,
                         int64_t blockSize) {
  auto rowsType = cast<ShapedType>(rows.getType());
  int64_t m = rowsType.getDimSize(0);
  int64_t element = (rowsType.getElementTypeBitWidth() + 7) / 8;
  auto diag = op->emitRemark() << "ffn-fuse: fused " << paperName << " [M="
                               << (ShapedType::isDynamic(m) ? std::string("?")
                                                            : std::to_string(m))
                               << ", d_model=" << dModel << ", d_ff=" << dFF
                               << "] into ";
  if (gated)
    diag << "one gated GEMM over packed [" << dModel << ", " << 2 * dFF
         << "] weights (block " << blockSize << ")";
  else
    diag << "one GEMM with an activation epilogue";
  // Unfused, a (and b) are written by their GEMMs and read back by the
  // elementwise op; gated, x is also read by two GEMMs instead of one.
  int64_t perRow = (gated ? 4 : 2) * dFF * element;
  if (gated)
    perRow += dModel * element;
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(dFF) ||
      ShapedType::isDynamic(dModel))
    diag << "; removes " << formatBytes(perRow)
         << " of intermediate memory traffic per row";
  else
    diag << "; removes " << formatBytes(perRow * m)
         << " of intermediate memory traffic";
}

namespace {
/// ffn.glu gate %x, %w, %v, %w2 -> ffn.pack_gated %w, %v;
/// ffn.gated_matmul gate over the packed weight; linalg.matmul by %w2.
struct FuseGatedLayer : OpRewritePattern<GLUOp> {
  FuseGatedLayer(MLIRContext *ctx, int64_t blockSize, bool report)
      : OpRewritePattern(ctx), blockSize(blockSize), report(report) {}

  LogicalResult matchAndRewrite(GLUOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    RankedTensorType weightType = op.getW().getType();
    SmallVector<int64_t> packedShape(weightType.getShape());
    packedShape.back() = ShapedType::isDynamic(packedShape.back())
                             ? ShapedType::kDynamic
                             : 2 * packedShape.back();
    auto packedType =
        RankedTensorType::get(packedShape, weightType.getElementType());
    Value packed = rewriter.createOrFold<PackGatedOp>(
        loc, packedType, op.getW(), op.getV(), blockSize);
    Value packedBias;
    if (op.getB() || op.getC()) {
      Value gateBias = op.getB() ? op.getB() : zerosLike(rewriter, loc, op.getC());
      Value linearBias =
          op.getC() ? op.getC() : zerosLike(rewriter, loc, op.getB());
      auto biasType = RankedTensorType::get({packedShape.back()},
                                            weightType.getElementType());
      packedBias = rewriter.createOrFold<PackGatedOp>(
          loc, biasType, gateBias, linearBias, blockSize);
    }
    Value init = hiddenInit(rewriter, loc, rows, op.getW2());
    Value hidden = GatedMatmulOp::create(rewriter, loc, init.getType(),
                                         op.getActivation(), blockSize, rows,
                                         packed, packedBias, init);
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
};

/// ffn.ffn act %x, %w1, %w2 -> ffn.activated_matmul act; linalg.matmul.
struct FuseUngatedLayer : OpRewritePattern<FFNOp> {
  FuseUngatedLayer(MLIRContext *ctx, bool report)
      : OpRewritePattern(ctx), report(report) {}

  LogicalResult matchAndRewrite(FFNOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value rows = collapseToRows(rewriter, loc, op.getInput());
    Value init = hiddenInit(rewriter, loc, rows, op.getW2());
    Value hidden = ActivatedMatmulOp::create(rewriter, loc, init.getType(),
                                             op.getActivation(), rows,
                                             op.getW1(), op.getB1(), init);
    if (report)
      reportFusion(op, op.getPaperName(), rows, op.getDModel(), op.getDFF(),
                   /*gated=*/false, 0);
    rewriter.replaceOp(op, buildDownProjection(rewriter, loc, hidden,
                                               op.getW2(), op.getB2(),
                                               op.getInput(), op.getType()));
    return success();
  }

  bool report;
};

/// The record of one original argument in ffn.packed_arguments.
static DictionaryAttr describeArgument(FunctionOpInterface function,
                                       unsigned index) {
  Builder b(function.getContext());
  auto name = function.getArgAttrOfType<StringAttr>(index, "ffn.name");
  auto type = cast<RankedTensorType>(function.getArgument(index).getType());
  return b.getDictionaryAttr(
      {b.getNamedAttr("index", b.getI64IntegerAttr(index)),
       b.getNamedAttr("name",
                      name ? name : b.getStringAttr("arg" + Twine(index))),
       b.getNamedAttr("shape", b.getDenseI64ArrayAttr(type.getShape()))});
}

/// Replaces each pair of arguments used only as the gate and linear weights
/// of ffn.glu ops by one packed argument (unpacked at entry, so that the
/// fusion's pack_gated folds away), and records the mapping.
static LogicalResult packArgumentWeights(FunctionOpInterface function,
                                         int64_t blockSize) {
  if (function.isExternal())
    return success();
  Block &entry = function.getFunctionBody().front();
  // Gate argument -> linear argument, for pairs used consistently.
  llvm::MapVector<unsigned, unsigned> pairs;
  DenseSet<unsigned> rejected;
  function.walk([&](GLUOp op) {
    auto w = dyn_cast<BlockArgument>(op.getW());
    auto v = dyn_cast<BlockArgument>(op.getV());
    if (!w || !v || w.getOwner() != &entry || v.getOwner() != &entry ||
        w == v)
      return;
    auto [it, inserted] = pairs.insert({w.getArgNumber(), v.getArgNumber()});
    if (!inserted && it->second != v.getArgNumber())
      rejected.insert(w.getArgNumber());
  });
  // Every use of both arguments must be that pair in an ffn.glu.
  auto onlyGatedUses = [&](unsigned w, unsigned v) {
    for (unsigned index : {w, v})
      for (Operation *user : entry.getArgument(index).getUsers()) {
        auto glu = dyn_cast<GLUOp>(user);
        if (!glu || glu.getW() != entry.getArgument(w) ||
            glu.getV() != entry.getArgument(v))
          return false;
      }
    return true;
  };
  SmallVector<std::pair<unsigned, unsigned>> packable;
  DenseSet<unsigned> used;
  for (auto [w, v] : pairs)
    if (!rejected.contains(w) && !used.contains(v) && !used.contains(w) &&
        onlyGatedUses(w, v)) {
      packable.push_back({w, v});
      used.insert(w);
      used.insert(v);
    }
  if (packable.empty())
    return success();
  if (SymbolTable::symbolKnownUseEmpty(function, function->getParentOp()) ==
      false) {
    function.emitRemark("ffn-fuse: keeps the signature of @")
        << function.getName() << ": it is called in this module";
    return success();
  }

  // Append the packed arguments, unpack them at entry, and erase the
  // originals.
  MLIRContext *ctx = function.getContext();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  unsigned originalCount = function.getNumArguments();
  SmallVector<std::tuple<unsigned, unsigned, DictionaryAttr, DictionaryAttr>>
      records;
  llvm::BitVector erase(originalCount);
  for (auto [w, v] : packable) {
    records.push_back({w, v, describeArgument(function, w),
                       describeArgument(function, v)});
    auto type = cast<RankedTensorType>(entry.getArgument(w).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = ShapedType::isDynamic(shape.back()) ? ShapedType::kDynamic
                                                       : 2 * shape.back();
    auto packedType = RankedTensorType::get(shape, type.getElementType());
    unsigned index = function.getNumArguments();
    if (failed(function.insertArgument(index, packedType, {},
                                       entry.getArgument(w).getLoc())))
      return failure();
    Value packed = entry.getArgument(index);
    auto unpack = UnpackGatedOp::create(b, packed.getLoc(), type, type,
                                        packed, blockSize);
    entry.getArgument(w).replaceAllUsesWith(unpack.getGate());
    entry.getArgument(v).replaceAllUsesWith(unpack.getLinear());
    erase.resize(function.getNumArguments());
    erase.set(w);
    erase.set(v);
  }
  if (failed(function.eraseArguments(erase)))
    return failure();

  // Record where each packed argument now is and what it holds.
  Builder attrs(ctx);
  SmallVector<Attribute> entries;
  unsigned kept = originalCount - 2 * packable.size();
  for (auto [i, record] : llvm::enumerate(records)) {
    auto [w, v, gate, linear] = record;
    entries.push_back(attrs.getDictionaryAttr(
        {attrs.getNamedAttr("argument", attrs.getI64IntegerAttr(kept + i)),
         attrs.getNamedAttr("block_size", attrs.getI64IntegerAttr(blockSize)),
         attrs.getNamedAttr("layout",
                            attrs.getStringAttr("interleaved_column_blocks")),
         attrs.getNamedAttr("gate", gate),
         attrs.getNamedAttr("linear", linear)}));
  }
  function->setAttr("ffn.packed_arguments", attrs.getArrayAttr(entries));
  return success();
}

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
    if (block == 0) {
      getOperation()->emitError("ffn-fuse: unknown target '")
          << target << "'; expected cpu or cuda";
      return signalPassFailure();
    }
    if (packArguments) {
      WalkResult result =
          getOperation()->walk([&](FunctionOpInterface function) {
            if (failed(packArgumentWeights(function, block)))
              return WalkResult::interrupt();
            return WalkResult::advance();
          });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateFFNFusePatterns(patterns, block, report);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateFFNFusePatterns(RewritePatternSet &patterns,
                                        int64_t blockSize, bool report) {
  patterns.add<FuseGatedLayer>(patterns.getContext(), blockSize, report);
  patterns.add<FuseUngatedLayer>(patterns.getContext(), report);
}
