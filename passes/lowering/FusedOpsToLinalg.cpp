//===- FusedOpsToLinalg.cpp - reference semantics of the fused ops --------===//
//
// Lowers the fused ops (forward and backward) to linalg on tensors, e.g.
// ffn.gated_matmul and ffn.activated_matmul:
// one linalg.matmul (against the packed weight for the gated op) and the
// epilogue as a linalg.generic that reads the gate and linear halves of
// each packed block. Applied to a tile of the op (after tiling it with its
// TilingInterface), this gives the fused form: the matmul of the tile's
// packed columns and its epilogue, with [a | b] never leaving the tile.
//
//===----------------------------------------------------------------------===//

#include "dialect/FFNFusedOps.h"
#include "passes/lowering/Passes.h"
#include "passes/utils/ActivationMath.h"
#include "passes/utils/LinalgBuilders.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/Debug.h"

using namespace mlir;
using namespace mlir::ffn;

// These patterns are part of convert-ffn-to-linalg.
#define DEBUG_TYPE "convert-ffn-to-linalg"

/// Prints which lowering `op` takes, for -debug-only=convert-ffn-to-linalg.
static void debugLowering(Operation *op, StringRef what) {
  LLVM_DEBUG(llvm::dbgs() << op->getName() << " at " << op->getLoc() << " -> "
                          << what << "\n");
}

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
    staticShape.push_back(
        getConstantIntValue(size).value_or(ShapedType::kDynamic));
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

/// How a width of `d_ff` columns splits into packed blocks: `blocks` full
/// blocks of `block` columns (`full` columns) and a ragged `tail`.
struct BlockSplit {
  int64_t block;
  OpFoldResult rows, width, blocks, full, tail;
};

static BlockSplit splitIntoBlocks(OpBuilder &b, Location loc, Value rowsOf,
                                  OpFoldResult width, int64_t block) {
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  BlockSplit split;
  split.block = block;
  split.rows = tensor::getMixedSize(b, loc, rowsOf, 0);
  split.width = width;
  split.blocks = affine::makeComposedFoldedAffineApply(
      b, loc, d0.floorDiv(block), {width});
  split.full = scaled(b, loc, split.blocks, block);
  split.tail =
      affine::makeComposedFoldedAffineApply(b, loc, d0 % block, {width});
  return split;
}

/// Calls `fn(blocks, width, offset, columns)` for the group of full blocks
/// (`blocks` of `width` = B columns) and for the ragged tail (`blocks`
/// null, one block of `width` = tail columns), each covering `columns`
/// columns from `offset`; empty groups are skipped.
static void
forEachBlockGroup(OpBuilder &b, const BlockSplit &split,
                  function_ref<void(std::optional<OpFoldResult>, OpFoldResult,
                                    OpFoldResult, OpFoldResult)>
                      fn) {
  if (!isZeroInteger(split.blocks))
    fn(split.blocks, b.getIndexAttr(split.block), b.getIndexAttr(0),
       split.full);
  if (!isZeroInteger(split.tail))
    fn(std::nullopt, split.tail, split.full, split.tail);
}

static Value insertColumns(OpBuilder &b, Location loc, Value piece, Value into,
                           OpFoldResult rows, OpFoldResult offset,
                           OpFoldResult size) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(
      b, loc, piece, into, ArrayRef<OpFoldResult>{zero, offset},
      ArrayRef<OpFoldResult>{rows, size}, ArrayRef<OpFoldResult>{one, one});
}

/// h = gate(a + b_a) * (b + b_b) from the packed [M, 2 d_ff] `ab` and packed
/// bias, written into `into` ([M, d_ff]).
static Value buildGating(OpBuilder &b, Location loc, ActivationAttr gate,
                         Value ab, Value bias, Value into, int64_t block) {
  BlockSplit split =
      splitIntoBlocks(b, loc, ab, tensor::getMixedSize(b, loc, into, 1), block);
  OpFoldResult zero = b.getIndexAttr(0);
  Value result = into;
  forEachBlockGroup(
      b, split,
      [&](std::optional<OpFoldResult> blocks, OpFoldResult width,
          OpFoldResult offset, OpFoldResult columns) {
        OpFoldResult packedOffset = scaled(b, loc, offset, 2);
        OpFoldResult packedColumns = scaled(b, loc, columns, 2);
        Value abPart = extractSlice(b, loc, ab, {zero, packedOffset},
                                    {split.rows, packedColumns});
        Value biasPart =
            bias ? extractSlice(b, loc, bias, {packedOffset}, {packedColumns})
                 : Value();
        Value h = gatedEpilogue(b, loc, gate, abPart, biasPart, split.rows,
                                blocks, width);
        result = insertColumns(b, loc, h, result, split.rows, offset, columns);
      });
  return result;
}

/// The dgate epilogue over `blocks` blocks of `width` columns (or one
/// ragged block when `blocks` is null): from dh ([M, blocks * width]) and
/// the packed [a | b], returns the packed [da | db] ([M, 2 blocks width]).
static Value dgateEpilogue(OpBuilder &b, Location loc, ActivationAttr gate,
                           Value dh, Value ab, OpFoldResult rows,
                           std::optional<OpFoldResult> blocks,
                           OpFoldResult width) {
  MLIRContext *ctx = b.getContext();
  Type element = getElementTypeOrSelf(ab.getType());
  OpFoldResult two = b.getIndexAttr(2);
  SmallVector<OpFoldResult> shape = {rows};
  if (blocks)
    shape.push_back(*blocks);
  shape.append({two, width});
  SmallVector<ReassociationIndices> packedGroups =
      blocks ? SmallVector<ReassociationIndices>{{0}, {1, 2, 3}}
             : SmallVector<ReassociationIndices>{{0}, {1, 2}};
  Value halves = expand(b, loc, ab, packedGroups, shape);
  Value dhBlocks =
      blocks ? expand(b, loc, dh, {{0}, {1, 2}}, {rows, *blocks, width}) : dh;

  // Iterate over (m, [j,] half, i).
  unsigned loops = blocks ? 4 : 3;
  unsigned halfDim = loops - 2;
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < loops; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  auto withHalf = [&](std::optional<int64_t> which) {
    SmallVector<AffineExpr> results(d.begin(), d.begin() + halfDim);
    if (which)
      results.push_back(getAffineConstantExpr(*which, ctx));
    results.push_back(d.back());
    return AffineMap::get(loops, 0, results, ctx);
  };
  SmallVector<AffineMap> maps = {withHalf(std::nullopt), withHalf(0),
                                 withHalf(1),
                                 AffineMap::getMultiDimIdentityMap(loops, ctx)};
  Value init = tensor::EmptyOp::create(b, loc, shape, element);
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  Value packed =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()},
          ValueRange{dhBlocks, halves, halves}, ValueRange{init}, maps,
          iterators, /*doc=*/"", /*libraryCall=*/"",
          [&](OpBuilder &nb, Location l, ValueRange args) {
            auto [da, db] = emitGatedProductGradient(nb, l, gate, args[1],
                                                     args[2], args[0]);
            Value half = linalg::IndexOp::create(nb, l, halfDim);
            Value zeroIndex = arith::ConstantIndexOp::create(nb, l, 0);
            Value isGate = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::eq, half, zeroIndex);
            Value chosen = arith::SelectOp::create(nb, l, isGate, da, db);
            linalg::YieldOp::create(nb, l, chosen);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, packed, packedGroups);
}

namespace {
/// ffn.gated_matmul -> linalg.matmul against the packed weight, then the
/// gating epilogue over the full blocks and over the last, partial block.
struct LowerGatedMatmul : OpRewritePattern<GatedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    debugLowering(op, op.keepsPreactivations()
                          ? "[a | b] = x P + [b | c] (kept), then the gating "
                            "epilogue"
                          : "linalg.matmul against the packed weight, then "
                            "the gating epilogue (adding the packed bias)");
    if (op.keepsPreactivations()) {
      // [a | b] = x P + [b | c], returned, then gated.
      Value ab = buildBiasedMatmul(rewriter, loc, op.getInput(),
                                   op.getPackedWeight(), op.getPackedBias());
      Value h = buildGating(rewriter, loc, op.getActivation(), ab, Value(),
                            op.getInit(), op.getBlockSize());
      rewriter.replaceOp(
          op, {h, castTo(rewriter, loc, ab, op.getPreactivations().getType())});
      return success();
    }
    Value ab = buildMatmul(rewriter, loc, op.getInput(), op.getPackedWeight());
    rewriter.replaceOp(op, buildGating(rewriter, loc, op.getActivation(), ab,
                                       op.getPackedBias(), op.getInit(),
                                       op.getBlockSize()));
    return success();
  }
};

/// ffn.apply_gate -> the gating epilogue alone.
struct LowerApplyGate : OpRewritePattern<ApplyGateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ApplyGateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    debugLowering(op, "the gating epilogue over its packed blocks");
    auto type = op.getResult().getType();
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, op.getPacked(), 0),
        type.isDynamicDim(1)
            ? OpFoldResult(affine::makeComposedFoldedAffineApply(
                  rewriter, loc,
                  getAffineDimExpr(0, rewriter.getContext()).floorDiv(2),
                  {tensor::getMixedSize(rewriter, loc, op.getPacked(), 1)}))
            : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(1)))};
    Value init =
        tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value h = buildGating(rewriter, loc, op.getActivation(), op.getPacked(),
                          Value(), init, op.getBlockSize());
    if (h.getType() != type)
      h = tensor::CastOp::create(rewriter, loc, type, h);
    rewriter.replaceOp(op, h);
    return success();
  }
};

/// ffn.dgate_matmul -> dh = dy W2^T (a matmul reading W2 transposed), then
/// the dgate epilogue over full blocks and the ragged tail, into init.
struct LowerDGateMatmul : OpRewritePattern<DGateMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DGateMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    debugLowering(op, "dh = dy W2^T, then the dgate epilogue over its packed "
                      "blocks");
    Value dh =
        buildMatmulTransposedRhs(rewriter, loc, op.getOutputGrad(), op.getW2());
    Value ab = op.getPackedPreactivations();
    BlockSplit split = splitIntoBlocks(
        rewriter, loc, ab, tensor::getMixedSize(rewriter, loc, op.getW2(), 0),
        op.getBlockSize());
    OpFoldResult zero = rewriter.getIndexAttr(0);
    Value result = op.getInit();
    forEachBlockGroup(
        rewriter, split,
        [&](std::optional<OpFoldResult> blocks, OpFoldResult width,
            OpFoldResult offset, OpFoldResult columns) {
          OpFoldResult packedOffset = scaled(rewriter, loc, offset, 2);
          OpFoldResult packedColumns = scaled(rewriter, loc, columns, 2);
          Value dhPart = extractSlice(rewriter, loc, dh, {zero, offset},
                                      {split.rows, columns});
          Value abPart = extractSlice(rewriter, loc, ab, {zero, packedOffset},
                                      {split.rows, packedColumns});
          Value packed =
              dgateEpilogue(rewriter, loc, op.getActivation(), dhPart, abPart,
                            split.rows, blocks, width);
          result = insertColumns(rewriter, loc, packed, result, split.rows,
                                 packedOffset, packedColumns);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ffn.dactivation_matmul -> dh = dy W2^T, then dh * act'(a) into init.
struct LowerDActivationMatmul : OpRewritePattern<DActivationMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DActivationMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    debugLowering(op, "dh = dy W2^T, then dh * act'(a)");
    MLIRContext *ctx = rewriter.getContext();
    Value dh =
        buildMatmulTransposedRhs(rewriter, loc, op.getOutputGrad(), op.getW2());
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    ActivationAttr activation = op.getActivation();
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getInit().getType()},
        ValueRange{dh, op.getPreactivations()}, ValueRange{op.getInit()},
        SmallVector<AffineMap>(3, identity), iterators, /*doc=*/"",
        /*libraryCall=*/"", [&](OpBuilder &nb, Location l, ValueRange args) {
          Value derivative =
              emitActivationDerivative(nb, l, activation, args[1]);
          Value da = arith::MulFOp::create(nb, l, args[0], derivative);
          linalg::YieldOp::create(nb, l, da);
        });
    rewriter.replaceOp(op, generic.getResult(0));
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
    // Kept: a = x W + b is returned, and the epilogue adds no bias.
    bool keep = op.keepsPreactivations();
    debugLowering(op, keep ? "a = x W + b (kept), then act(a)"
                           : "linalg.matmul, then act(. + bias)");
    Value a = keep ? buildBiasedMatmul(rewriter, loc, op.getInput(),
                                       op.getWeight(), op.getBias())
                   : buildMatmul(rewriter, loc, op.getInput(), op.getWeight());
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<Value> inputs = {a};
    SmallVector<AffineMap> maps = {identity};
    if (op.getBias() && !keep) {
      inputs.push_back(op.getBias());
      maps.push_back(AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx));
    }
    maps.push_back(identity);
    ActivationAttr activation = op.getActivation();
    bool hasBias = op.getBias() && !keep;
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
    if (keep)
      rewriter.replaceOp(
          op, {generic.getResult(0),
               castTo(rewriter, loc, a, op.getPreactivations().getType())});
    else
      rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

/// The static shape of `type` with its last dimension replaced by `last`.
static SmallVector<int64_t> withLast(RankedTensorType type,
                                     ArrayRef<int64_t> last) {
  SmallVector<int64_t> shape(type.getShape().drop_back());
  shape.append(last.begin(), last.end());
  return shape;
}

/// Slices `source` (static shape) along its last dimension.
static Value sliceLast(OpBuilder &b, Location loc, Value source, int64_t offset,
                       int64_t size) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), withLast(type, {size}));
  offsets.back() = b.getIndexAttr(offset);
  return extractSlice(b, loc, source, offsets, sizes);
}

/// Inserts `piece` into `into` at `offsets` (static shapes).
static Value insertAt(OpBuilder &b, Location loc, Value piece, Value into,
                      ArrayRef<int64_t> offsets) {
  auto type = cast<RankedTensorType>(piece.getType());
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(
      b, loc, piece, into, getAsIndexOpFoldResult(b.getContext(), offsets),
      getAsIndexOpFoldResult(b.getContext(), type.getShape()), strides);
}

/// Reassociation grouping the last `count` dimensions of a rank-`rank`
/// tensor (`rank` counted after expansion) and leaving the others alone.
static SmallVector<ReassociationIndices> groupLast(int64_t leading,
                                                   int64_t count) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < leading; ++i)
    groups.push_back({i});
  ReassociationIndices last;
  for (int64_t i = 0; i < count; ++i)
    last.push_back(leading + i);
  groups.push_back(last);
  return groups;
}

/// The offsets of a [..., blocks, 2, B] tensor's half `half`.
static SmallVector<int64_t> halfOffsets(int64_t leading, int64_t half) {
  SmallVector<int64_t> offsets(leading, 0);
  offsets.append({0, half, 0});
  return offsets;
}

namespace {
/// ffn.pack_gated on non-constants -> a fixed number of tensor ops whatever
/// the number of blocks: the full blocks of W and V viewed as
/// [..., blocks, 1, B], inserted as the two halves of a [..., blocks, 2, B]
/// tensor that collapses to the packed columns, then the ragged tail pair.
struct LowerPackGated : OpRewritePattern<PackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackGatedOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getGate().getType();
    if (!type.hasStaticShape()) {
      debugLowering(op, "not lowered: dynamic packing");
      return rewriter.notifyMatchFailure(op, "dynamic packing is not lowered");
    }
    Location loc = op.getLoc();
    // Nothing to move (and a slice at offset 0 of a size-0 dimension would
    // not verify).
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
          op, op.getPacked().getType().getShape(), type.getElementType());
      return success();
    }
    int64_t leading = type.getRank() - 1;
    int64_t width = type.getShape().back(), block = op.getBlockSize();
    int64_t blocks = width / block, full = blocks * block, tail = width - full;
    LLVM_DEBUG(llvm::dbgs() << op->getName() << " at " << loc << " -> "
                            << blocks << " full block(s) of " << block
                            << " columns and a tail of " << tail << "\n");
    Type element = type.getElementType();
    Value packed = tensor::EmptyOp::create(
        rewriter, loc, op.getPacked().getType().getShape(), element);
    SmallVector<int64_t> zeros(leading, 0);
    SmallVector<Value, 2> sources = {op.getGate(), op.getLinear()};
    if (blocks > 0) {
      Value halves = tensor::EmptyOp::create(
          rewriter, loc, withLast(type, {blocks, 2, block}), element);
      for (auto [half, source] : llvm::enumerate(sources)) {
        Value part = tail ? sliceLast(rewriter, loc, source, 0, full) : source;
        Value view =
            expand(rewriter, loc, part, groupLast(leading, 3),
                   getAsIndexOpFoldResult(rewriter.getContext(),
                                          withLast(type, {blocks, 1, block})));
        halves =
            insertAt(rewriter, loc, view, halves, halfOffsets(leading, half));
      }
      Value columns = tensor::CollapseShapeOp::create(rewriter, loc, halves,
                                                      groupLast(leading, 3));
      SmallVector<int64_t> offsets = zeros;
      offsets.push_back(0);
      packed = insertAt(rewriter, loc, columns, packed, offsets);
    }
    if (tail) {
      for (auto [half, source] : llvm::enumerate(sources)) {
        SmallVector<int64_t> offsets = zeros;
        offsets.push_back(2 * full + half * tail);
        packed = insertAt(rewriter, loc,
                          sliceLast(rewriter, loc, source, full, tail), packed,
                          offsets);
      }
    }
    rewriter.replaceOp(op, packed);
    return success();
  }
};

/// ffn.unpack_gated on non-constants -> the inverse views and slices.
struct LowerUnpackGated : OpRewritePattern<UnpackGatedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(UnpackGatedOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getGate().getType();
    if (!type.hasStaticShape()) {
      debugLowering(op, "not lowered: dynamic unpacking");
      return rewriter.notifyMatchFailure(op,
                                         "dynamic unpacking is not lowered");
    }
    Location loc = op.getLoc();
    if (type.getNumElements() == 0) {
      Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                            type.getElementType());
      rewriter.replaceOp(op, {empty, empty});
      return success();
    }
    int64_t leading = type.getRank() - 1;
    int64_t width = type.getShape().back(), block = op.getBlockSize();
    int64_t blocks = width / block, full = blocks * block, tail = width - full;
    LLVM_DEBUG(llvm::dbgs() << op->getName() << " at " << loc << " -> "
                            << blocks << " full block(s) of " << block
                            << " columns and a tail of " << tail << "\n");
    Type element = type.getElementType();
    SmallVector<Value> results;
    SmallVector<int64_t> zeros(leading, 0);
    for (int64_t half = 0; half < 2; ++half) {
      Value result =
          tensor::EmptyOp::create(rewriter, loc, type.getShape(), element);
      if (blocks > 0) {
        Value packedFull =
            sliceLast(rewriter, loc, op.getPacked(), 0, 2 * full);
        Value halves =
            expand(rewriter, loc, packedFull, groupLast(leading, 3),
                   getAsIndexOpFoldResult(rewriter.getContext(),
                                          withLast(type, {blocks, 2, block})));
        SmallVector<OpFoldResult> offsets = getAsIndexOpFoldResult(
            rewriter.getContext(), halfOffsets(leading, half));
        SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(
            rewriter.getContext(), withLast(type, {blocks, 1, block}));
        Value part = extractSlice(rewriter, loc, halves, offsets, sizes);
        Value columns = tensor::CollapseShapeOp::create(rewriter, loc, part,
                                                        groupLast(leading, 3));
        SmallVector<int64_t> at = zeros;
        at.push_back(0);
        result = insertAt(rewriter, loc, columns, result, at);
      }
      if (tail) {
        SmallVector<int64_t> at = zeros;
        at.push_back(full);
        result = insertAt(rewriter, loc,
                          sliceLast(rewriter, loc, op.getPacked(),
                                    2 * full + half * tail, tail),
                          result, at);
      }
      results.push_back(result);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};
} // namespace

void mlir::ffn::populateFusedFFNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerGatedMatmul, LowerActivatedMatmul, LowerApplyGate,
               LowerDGateMatmul, LowerDActivationMatmul, LowerPackGated,
               LowerUnpackGated>(patterns.getContext());
}
