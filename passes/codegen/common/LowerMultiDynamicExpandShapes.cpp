//===- LowerMultiDynamicExpandShapes.cpp - expand_shape as a view ---------===//
//
// A layer on tensor<?x?xd_model> computes on its rows: convert-ffn-to-linalg
// collapses the batch dimensions ([0, 1], [2]) and expands the result back
// with `output_shape [%d0, %d1, d_out]`, which bufferizes to a
// memref.expand_shape with two dynamic sizes in one reassociation group.
// expand-strided-metadata of LLVM 22 recomputes an expanded size as "source
// size / product of the static sizes" and so supports one dynamic size per
// group; with two it leaves the other size null and crashes
// (llvm/llvm-project#186830; fixed after LLVM 22 by reading output_shape,
// which is what this pass does). glu-lower-multi-dynamic-expand-shapes runs
// before it in every pipeline and rewrites exactly those expand_shapes into
// a memref.reinterpret_cast whose sizes are the op's output_shape and whose
// strides are row-major within each group, starting from the source's
// stride of the group. An expand_shape with at most one dynamic size per
// group (every static one) is left to upstream unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-lower-multi-dynamic-expand-shapes"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLULOWERMULTIDYNAMICEXPANDSHAPES
#include "passes/codegen/common/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;

namespace {
/// Whether some reassociation group of `op` has two or more dynamic sizes:
/// the case expand-strided-metadata cannot expand.
bool hasGroupOfSeveralDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  return llvm::any_of(op.getReassociationIndices(),
                      [&](const ReassociationIndices &group) {
                        return llvm::count_if(group, [&](int64_t dim) {
                                 return type.isDynamicDim(dim);
                               }) > 1;
                      });
}

/// memref.expand_shape with several dynamic sizes in one group ->
/// extract_strided_metadata of the source + memref.reinterpret_cast of its
/// base buffer: the sizes of output_shape, and in each group the source's
/// stride of the group on the innermost dimension times the sizes inside.
struct ExpandShapeToReinterpretCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasGroupOfSeveralDynamicSizes(op)) {
      LLVM_DEBUG(llvm::dbgs() << "kept (at most one dynamic size per group, "
                                 "expand-strided-metadata's case): "
                              << op << "\n");
      return rewriter.notifyMatchFailure(op,
                                         "at most one dynamic size per group");
    }
    MemRefType resultType = op.getResultType();
    SmallVector<int64_t> resultStrides;
    int64_t resultOffset;
    if (failed(resultType.getStridesAndOffset(resultStrides, resultOffset))) {
      LLVM_DEBUG(llvm::dbgs() << "kept (result not strided): " << op << "\n");
      return rewriter.notifyMatchFailure(op, "result layout is not strided");
    }

    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> sourceStrides =
        metadata.getConstifiedMixedStrides();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    AffineExpr s0, s1;
    bindSymbols(rewriter.getContext(), s0, s1);
    for (auto [groupId, group] :
         llvm::enumerate(op.getReassociationIndices())) {
      // Row-major inside the group: the innermost dimension keeps the
      // source's stride, each outer one is the next one's stride times its
      // size.
      OpFoldResult stride = sourceStrides[groupId];
      for (auto [i, dim] : llvm::enumerate(llvm::reverse(group))) {
        if (i > 0)
          stride = affine::makeComposedFoldedAffineApply(
              rewriter, loc, s0 * s1, {stride, sizes[dim + 1]});
        strides[dim] = stride;
      }
    }
    // Where the result type knows a value, reinterpret_cast must state it as
    // a constant (its verifier compares the two).
    for (auto [dim, stride] : llvm::enumerate(resultStrides))
      if (ShapedType::isStatic(stride))
        strides[dim] = rewriter.getIndexAttr(stride);
    OpFoldResult offset = ShapedType::isStatic(resultOffset)
                              ? rewriter.getIndexAttr(resultOffset)
                              : metadata.getConstifiedMixedOffset();

    LLVM_DEBUG(llvm::dbgs() << "to reinterpret_cast: " << op << "\n");
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, metadata.getBaseBuffer(), offset, sizes, strides);
    return success();
  }
};

struct GluLowerMultiDynamicExpandShapesPass
    : ffn::impl::GluLowerMultiDynamicExpandShapesBase<
          GluLowerMultiDynamicExpandShapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    ffn::populateLowerMultiDynamicExpandShapesPatterns(patterns);
    // One walk, no folding or dead-code elimination: every other op, and so
    // the IR of static shapes, stays exactly as it was.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace

void mlir::ffn::populateLowerMultiDynamicExpandShapesPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ExpandShapeToReinterpretCast>(patterns.getContext());
}
