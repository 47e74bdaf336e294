//===- LowerStridedCopies.cpp - strided memref.copy as linalg.copy --------===//
//
// finalize-memref-to-llvm turns a memref.copy between two contiguous
// buffers into a memcpy but a copy with a strided side (a subview: a
// packed block, a slice of a result) into a call to `memrefCopy`, a
// function of MLIR's C runner utilities. Artifacts must not depend on MLIR's
// libraries, so glu-lower-strided-copies rewrites those copies into
// linalg.copy, which the pipelines lower to loops (and vectorize) like any
// other linalg op.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-lower-strided-copies"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLULOWERSTRIDEDCOPIES
#include "passes/codegen/common/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;

namespace {
bool isContiguous(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  return type && type.getLayout().isIdentity();
}

struct StridedCopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    if (isContiguous(op.getSource()) && isContiguous(op.getTarget())) {
      LLVM_DEBUG(llvm::dbgs()
                 << "kept (both sides contiguous, a memcpy): " << op << "\n");
      return rewriter.notifyMatchFailure(op, "a plain memcpy");
    }
    if (!isa<MemRefType>(op.getSource().getType()) ||
        !isa<MemRefType>(op.getTarget().getType())) {
      LLVM_DEBUG(llvm::dbgs() << "kept (unranked): " << op << "\n");
      return rewriter.notifyMatchFailure(op, "unranked");
    }
    LLVM_DEBUG(llvm::dbgs() << "strided, to linalg.copy: " << op << "\n");
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct GluLowerStridedCopiesPass
    : ffn::impl::GluLowerStridedCopiesBase<GluLowerStridedCopiesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<StridedCopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
