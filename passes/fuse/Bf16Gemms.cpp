//===- Bf16Gemms.cpp - ffn-bf16-gemms -------------------------------------===//
//
// ffn-bf16-gemms: f32 layers (and optionally f32 matmuls) compute on bf16
// copies of their operands and return f32, so that a graph keeps f32
// parameters (master weights) while its GEMMs run in bf16 with f32
// accumulation.
//
//===----------------------------------------------------------------------===//

#include "passes/fuse/Passes.h"

#include "dialect/FFNOps.h"
#include "passes/utils/LinalgBuilders.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ffn-bf16-gemms"

namespace mlir::ffn {
#define GEN_PASS_DEF_FFNBF16GEMMS
#include "passes/fuse/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// Whether every operand and result of `op` is a ranked f32 tensor.
static bool isF32TensorOp(Operation *op) {
  auto isF32Tensor = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.getElementType().isF32();
  };
  return llvm::all_of(op->getOperandTypes(), isF32Tensor) &&
         llvm::all_of(op->getResultTypes(), isF32Tensor);
}

/// `layer` on bf16 copies of its operands, its results widened to f32.
static void castLayer(Operation *layer) {
  OpBuilder b(layer);
  Location loc = layer->getLoc();
  Type bf16 = b.getBF16Type();
  IRMapping copies;
  for (Value operand : layer->getOperands())
    if (!copies.contains(operand))
      copies.map(operand, buildElementConversion(b, loc, operand, bf16));
  Operation *narrow = b.clone(*layer, copies);
  b.setInsertionPointAfter(narrow);
  for (auto [wide, result] :
       llvm::zip(layer->getResults(), narrow->getResults())) {
    result.setType(cast<RankedTensorType>(result.getType()).clone(bf16));
    wide.replaceAllUsesWith(
        buildElementConversion(b, loc, result, b.getF32Type()));
  }
  LLVM_DEBUG(llvm::dbgs() << "[ffn-bf16-gemms] " << layer->getName()
                          << " on bf16 copies\n");
  layer->erase();
}

/// `matmul` reading bf16 copies of its inputs into its f32 accumulator.
static void castMatmulInputs(linalg::MatmulOp matmul) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  SmallVector<Value> inputs;
  for (Value input : matmul.getDpsInputs())
    inputs.push_back(buildElementConversion(b, loc, input, b.getBF16Type()));
  // The region's block arguments follow the operand types: build anew,
  // with the same indexing maps.
  auto narrow = linalg::MatmulOp::create(b, loc, matmul.getResultTypes(),
                                         inputs, matmul.getDpsInits());
  if (matmul.hasUserDefinedMaps())
    narrow.setIndexingMapsAttr(matmul.getIndexingMapsAttr());
  matmul.replaceAllUsesWith(narrow->getResults());
  matmul.erase();
}

namespace {
struct FFNBf16GemmsPass
    : public mlir::ffn::impl::FFNBf16GemmsBase<FFNBf16GemmsPass> {
  using FFNBf16GemmsBase::FFNBf16GemmsBase;

  void runOnOperation() override {
    SmallVector<Operation *> layers;
    SmallVector<linalg::MatmulOp> gemms;
    getOperation()->walk([&](Operation *op) {
      if (isa<FFNOp, GLUOp, FFNGradOp, GLUGradOp>(op) && isF32TensorOp(op))
        layers.push_back(op);
      else if (auto matmul = dyn_cast<linalg::MatmulOp>(op);
               matmul && matmuls && matmul.hasPureTensorSemantics() &&
               isF32TensorOp(op))
        gemms.push_back(matmul);
    });
    for (Operation *layer : layers)
      castLayer(layer);
    for (linalg::MatmulOp matmul : gemms)
      castMatmulInputs(matmul);
  }
};
} // namespace
