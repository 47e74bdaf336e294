//===- FusedOpsToLinalg.cpp - reference semantics of the fused ops --------===//
//
// Lowers ffn.gated_matmul and ffn.activated_matmul to linalg on tensors:
// one linalg.matmul (against the packed weight for the gated op) and the
// epilogue as a linalg.generic that reads the gate and linear halves of
// each packed block. Applied to a tile of the op (after tiling it with its
// TilingInterface), this gives the fused form: the matmul of the tile's
// packed columns and its epilogue, with [a | b] never leaving the tile.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "passes/ActivationMath.h"
#include "passes/LinalgBuilders.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::ffn;

/// `d0 * scale` folded where possible.
static OpFoldResult scaled(OpBuilder &b, Location loc, OpFoldResult value,
                           int64_t scale) {
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0 * scale, {value});
}

static Value extractSlice(OpBuilder &b, Location loc, Value source,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

static Value expand(OpBuilder &b, Location loc, Value source,
                    ArrayRef<ReassociationIndices> groups,
                    ArrayRef<OpFoldResult> shape) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> staticShape;
  for (OpFoldResult size : shape)
    staticShape.push_back(getConstantIntValue(size).value_or(
        ShapedType::kDynamic));
  auto resultType = RankedTensorType::get(staticShape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, source, groups,
                                       shape);
}

/// The gating epilogue over `blocks` blocks of `width` columns of the
/// packed product `ab` ([M, blocks * 2 * width], or [M, 2 * width] when
/// `blocks` is null) and the packed bias, returning [M, blocks * width].
static Value gatedEpilogue(OpBuilder &b, Location loc, ActivationAttr gate,
                           Value ab, Value bias, OpFoldResult rows,
                           std::optional<OpFoldResult> blocks,
                           OpFoldResult width) {
  MLIRContext *ctx = b.getContext();
  Type element = getElementTypeOrSelf(ab.getType());
  OpFoldResult two = b.getIndexAttr(2);
  // [M, (blocks,) 2, width]: half 0 is the gate, half 1 the linear part.
  SmallVector<OpFoldResult> shape = {rows};
  SmallVector<ReassociationIndices> groups;
  if (blocks) {
    shape.append({*blocks, two, width});
    groups = {{0}, {1, 2, 3}};
  } else {
    shape.append({two, width});
    groups = {{0}, {1, 2}};
  }
  Value halves = expand(b, loc, ab, groups, shape);
  Value biasHalves;
  if (bias) {
    SmallVector<OpFoldResult> biasShape(shape.begin() + 1, shape.end());
    ReassociationIndices all;
    for (size_t i = 0; i < biasShape.size(); ++i)
      all.push_back(i);
    biasHalves = expand(b, loc, bias, {all}, biasShape);
  }

  // Iterate over (m, [j,] i); read halves at (m, [j,] 0|1, i).
  unsigned loops = blocks ? 3 : 2;
  SmallVector<AffineExpr> dims;
  for (unsigned i = 0; i < loops; ++i)
    dims.push_back(getAffineDimExpr(i, ctx));
  auto half = [&](int64_t which, bool forBias) {
    SmallVector<AffineExpr> results;
    for (unsigned i = forBias ? 1 : 0; i + 1 < loops; ++i)
      results.push_back(dims[i]);
    results.push_back(getAffineConstantExpr(which, ctx));
    results.push_back(dims.back());
    return AffineMap::get(loops, 0, results, ctx);
  };
  SmallVector<Value> inputs = {halves, halves};
  SmallVector<AffineMap> maps = {half(0, false), half(1, false)};
  if (biasHalves) {
    inputs.append({biasHalves, biasHalves});
    maps.append({half(0, true), half(1, true)});
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(loops, ctx));
  SmallVector<OpFoldResult> outShape = {rows};
  if (blocks)
    outShape.push_back(*blocks);
  outShape.push_back(width);
  Value init = tensor::EmptyOp::create(b, loc, outShape, element);
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  bool hasBias = static_cast<bool>(biasHalves);
  Value h = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
                maps, iterators, /*doc=*/"", /*libraryCall=*/"",
                [&](OpBuilder &nb, Location l, ValueRange args) {
                  Value a = args[0], lin = args[1];
                  if (hasBias) {
                    a = arith::AddFOp::create(nb, l, a, args[2]);
                    lin = arith::AddFOp::create(nb, l, lin, args[3]);
                  }
                  Value product = emitGatedProduct(nb, l, gate, a, lin);
                  linalg::YieldOp::create(nb, l, product);
                })
                .getResult(0);
  if (!blocks)
    return h;
  return tensor::CollapseShapeOp::create(
      b, loc, h, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

namespace {
/// ffn.gated_matmul -> linalg.matmul against the packed weight, then the
/// gating epilogue over the full blocks and over the last, partial block.
struct LowerGatedMatmul : OpRewritePattern<GatedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t block = op.getBlockSize();
    Value ab = buildMatmul(rewriter, loc, op.getInput(), op.getPackedWeight());
    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, op.getInit(), 0);
    OpFoldResult width = tensor::getMixedSize(rewriter, loc, op.getInit(), 1);
    AffineExpr d0;
    bindDims(rewriter.getContext(), d0);
    OpFoldResult blocks = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0.floorDiv(block), {width});
    OpFoldResult full = scaled(rewriter, loc, blocks, block);
    OpFoldResult tail = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0 % block, {width});
    OpFoldResult zero = rewriter.getIndexAttr(0);
    Value result = op.getInit();
    Value bias = op.getPackedBias();

    if (!isZeroInteger(blocks)) {
      OpFoldResult packedFull = scaled(rewriter, loc, full, 2);
      Value abFull =
          extractSlice(rewriter, loc, ab, {zero, zero}, {rows, packedFull});
      Value biasFull =
          bias ? extractSlice(rewriter, loc, bias, {zero}, {packedFull})
               : Value();
      Value h = gatedEpilogue(rewriter, loc, op.getActivation(), abFull,
                              biasFull, rows, blocks,
                              rewriter.getIndexAttr(block));
      result = tensor::InsertSliceOp::create(
          rewriter, loc, h, result, ArrayRef<OpFoldResult>{zero, zero},
          ArrayRef<OpFoldResult>{rows, full},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    }
    if (!isZeroInteger(tail)) {
      OpFoldResult start = scaled(rewriter, loc, full, 2);
      OpFoldResult packedTail = scaled(rewriter, loc, tail, 2);
      Value abTail =
          extractSlice(rewriter, loc, ab, {zero, start}, {rows, packedTail});
      Value biasTail =
          bias ? extractSlice(rewriter, loc, bias, {start}, {packedTail})
               : Value();
      Value h = gatedEpilogue(rewriter, loc, op.getActivation(), abTail,
                              biasTail, rows, std::nullopt, tail);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, h, result, ArrayRef<OpFoldResult>{zero, full},
          ArrayRef<OpFoldResult>{rows, tail},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ffn.activated_matmul -> linalg.matmul, then act(. + bias) into init.
struct LowerActivatedMatmul : OpRewritePattern<ActivatedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ActivatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value a = buildMatmul(rewriter, loc, op.getInput(), op.getWeight());
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<Value> inputs = {a};
    SmallVector<AffineMap> maps = {identity};
    if (op.getBias()) {
      inputs.push_back(op.getBias());
      maps.push_back(AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx));
    }
    maps.push_back(identity);
    ActivationAttr activation = op.getActivation();
    bool hasBias = static_cast<bool>(op.getBias());
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getInit().getType()}, inputs,
        ValueRange{op.getInit()}, maps, iterators, /*doc=*/"",
        /*libraryCall=*/"", [&](OpBuilder &nb, Location l, ValueRange args) {
          Value pre = args[0];
          if (hasBias)
            pre = arith::AddFOp::create(nb, l, pre, args[1]);
          linalg::YieldOp::create(nb, l,
                                  emitActivation(nb, l, activation, pre));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// ffn.pack_gated / ffn.unpack_gated on non-constants: tensor slices.
struct LowerPackGated : OpRewritePattern<PackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackGatedOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getGate().getType();
    int64_t width = type.getShape().back();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic packing is not lowered");
    Location loc = op.getLoc();
    Value packed = tensor::EmptyOp::create(rewriter, loc,
                                           op.getPacked().getType().getShape(),
                                           type.getElementType());
    forEachBlockPair(width, op.getBlockSize(),
                     [&](int64_t column, int64_t packedColumn, int64_t size,
                         bool linear) {
                       packed = copyColumns(rewriter, loc,
                                            linear ? op.getLinear()
                                                   : op.getGate(),
                                            column, packed, packedColumn, size);
                     });
    rewriter.replaceOp(op, packed);
    return success();
  }

  /// Calls `fn(column, packedColumn, size, linear)` for every block.
  static void
  forEachBlockPair(int64_t width, int64_t block,
                   function_ref<void(int64_t, int64_t, int64_t, bool)> fn) {
    for (int64_t start = 0; start < width; start += block) {
      int64_t size = std::min(block, width - start);
      fn(start, 2 * start, size, false);
      fn(start, 2 * start + size, size, true);
    }
  }

  /// Copies `size` last-dimension columns from `from` at `fromColumn` into
  /// `into` at `intoColumn`.
  static Value copyColumns(OpBuilder &b, Location loc, Value from,
                           int64_t fromColumn, Value into, int64_t intoColumn,
                           int64_t size) {
    auto fromType = cast<RankedTensorType>(from.getType());
    int64_t rank = fromType.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t d : fromType.getShape().drop_back())
      sizes.push_back(b.getIndexAttr(d));
    sizes.push_back(b.getIndexAttr(size));
    offsets.back() = b.getIndexAttr(fromColumn);
    Value piece = extractSlice(b, loc, from, offsets, sizes);
    offsets.back() = b.getIndexAttr(intoColumn);
    return tensor::InsertSliceOp::create(b, loc, piece, into, offsets, sizes,
                                         strides);
  }
};

struct LowerUnpackGated : OpRewritePattern<UnpackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(UnpackGatedOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getGate().getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op,
                                         "dynamic unpacking is not lowered");
    Location loc = op.getLoc();
    Value gate = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    Value linear = gate;
    LowerPackGated::forEachBlockPair(
        type.getShape().back(), op.getBlockSize(),
        [&](int64_t column, int64_t packedColumn, int64_t size, bool isLinear) {
          Value &into = isLinear ? linear : gate;
          into = LowerPackGated::copyColumns(rewriter, loc, op.getPacked(),
                                             packedColumn, into, column, size);
        });
    rewriter.replaceOp(op, {gate, linear});
    return success();
  }
};
} // namespace

void mlir::ffn::populateFusedFFNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerGatedMatmul, LowerActivatedMatmul, LowerPackGated,
               LowerUnpackGated>(patterns.getContext());
}
