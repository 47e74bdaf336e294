//===- FoldConstantTransposes.cpp - ffn-fold-constant-transposes ---------===//
//
// Exporters write a linear layer's weight as the framework stores it,
// [out, in], and transpose it in the graph: torch-mlir's nn.Linear is
// `linalg.transpose` of a `dense_resource` constant, then a matmul. In an
// inference graph the weights are constants, so the transposes (and the
// ffn.pack_gated of the transposed gate and linear weights that ffn-fuse
// adds, which folds once its operands are constants) can run once, at
// compile time, instead of at every call.
//
//===----------------------------------------------------------------------===//

#include "passes/fuse/Passes.h"

#include "dialect/ConstantElements.h"
#include "dialect/FFNFusedOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <vector>

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNFOLDCONSTANTTRANSPOSES
#include "passes/fuse/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// The elements of `input` (of shape `inputShape`) in the order of its
/// transpose by `permutation` (result dimension i is input dimension
/// permutation[i]).
static std::vector<char> transposeElements(const ConstantElements &input,
                                           ArrayRef<int64_t> inputShape,
                                           ArrayRef<int64_t> permutation) {
  int64_t rank = inputShape.size();
  int64_t count = 1;
  for (int64_t size : inputShape)
    count *= size;
  std::vector<char> data(count * input.bytes);
  if (count == 0)
    return data;
  // Input strides, in elements, of the result's dimensions.
  SmallVector<int64_t> inputStrides(rank, 1), strides(rank);
  for (int64_t i = rank - 2; i >= 0; --i)
    inputStrides[i] = inputStrides[i + 1] * inputShape[i + 1];
  SmallVector<int64_t> shape(rank);
  for (int64_t i = 0; i < rank; ++i) {
    shape[i] = inputShape[permutation[i]];
    strides[i] = inputStrides[permutation[i]];
  }
  // Walk the result in order with an odometer over its indices.
  SmallVector<int64_t> index(rank, 0);
  int64_t from = 0;
  for (int64_t to = 0; to < count; ++to) {
    std::memcpy(&data[to * input.bytes], input.getElement(from), input.bytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      from += strides[d];
      if (++index[d] < shape[d])
        break;
      from -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return data;
}

namespace {
/// linalg.transpose of a constant -> the transposed constant.
struct FoldConstantTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Attribute value;
    if (!matchPattern(op.getInput(), m_Constant(&value)))
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic result");
    std::optional<ConstantElements> elements = getConstantElements(value);
    if (!elements)
      return rewriter.notifyMatchFailure(op, "elements not readable as bytes");
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    DenseElementsAttr folded;
    if (elements->splat) {
      folded = DenseElementsAttr::getFromRawBuffer(
          resultType, ArrayRef<char>(elements->getElement(0), elements->bytes));
    } else {
      std::vector<char> data = transposeElements(
          *elements, inputType.getShape(), op.getPermutation());
      folded = DenseElementsAttr::getFromRawBuffer(resultType, data);
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, resultType, folded);
    return success();
  }
};

struct FFNFoldConstantTransposes
    : mlir::ffn::impl::FFNFoldConstantTransposesBase<
          FFNFoldConstantTransposes> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldConstantTransposePatterns(patterns);
    // The driver also folds what the folded transposes feed (the packs of
    // constant weights).
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateFoldConstantTransposePatterns(
    RewritePatternSet &patterns) {
  patterns.add<FoldConstantTranspose>(patterns.getContext());
}
