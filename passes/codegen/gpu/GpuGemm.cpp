//===- GpuGemm.cpp - glu-gpu-gemm -----------------------------------------===//
//
// glu-gpu-gemm: every f32 GEMM that describeGemm (GemmDescription.h) takes
// becomes one gpu.launch of GpuGemmKernel.cpp, and ffn.apply_gate and
// column sums the kernels of GpuDataMovementKernels.cpp.
//
// Where it runs: on tensors, before bufferization. Each op is replaced by
//
//   %xm  = bufferization.to_buffer %x read_only   (every input, strided type)
//   %out = memref.alloc(...)                       (each result)
//   gpu.launch ... { the kernel, reading %xm, writing %out }
//   %r   = bufferization.to_tensor %out restrict writable
//
// so one-shot bufferization later sees plain buffers and the kernel never
// needs a bufferization interface. Graph decisions (which products a train
// step shares, which packs are merged) are not made here: ffn-fuse makes
// them in the dialect (the fused GEMMs' pre-activations results), and the
// pipelines' cse merges identical packs.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/GpuGemm.h"

#include "dialect/FFNFusedOps.h"
#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/common/TensorBuffers.h"
#include "passes/codegen/gpu/GpuGemmKernel.h"
#include "passes/codegen/gpu/GpuKernelSupport.h"
#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "glu-gpu-gemm"

namespace mlir::ffn {
#define GEN_PASS_DEF_GLUGPUGEMM
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace mlir::ffn

using namespace mlir;
using namespace mlir::ffn;

/// Whether every tensor the kernel reads or writes is an f32 matrix (or an
/// f32 vector: biases), as the FP32 kernel handles.
static bool isF32Gemm(const GemmDescription &gemm) {
  auto isF32 = [](Value v, int64_t rank) {
    if (!v)
      return true;
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() == rank && type.getElementType().isF32();
  };
  return isF32(gemm.lhs.value, 2) && isF32(gemm.rhs.value, 2) &&
         isF32(gemm.dest, 2) && isF32(gemm.init, 2) &&
         isF32(gemm.preactivations, 2) && isF32(gemm.preactivationsDest, 2) &&
         isF32(gemm.bias, 1) &&
         (!gemm.initScalar || gemm.initScalar.getType().isF32());
}

/// The buffers of `gemm`: its tensors as read-only buffers in their stored
/// layouts, fresh result buffers, and its extents.
static GpuGemmBuffers createBuffers(OpBuilder &b, Location loc,
                                    const GemmDescription &gemm) {
  GpuGemmBuffers buffers;
  buffers.lhs = readOnlyBufferOf(b, loc, gemm.lhs.value);
  buffers.rhs = readOnlyBufferOf(b, loc, gemm.rhs.value);
  if (gemm.init)
    buffers.init = readOnlyBufferOf(b, loc, gemm.init);
  else if (gemm.initScalar && !gemm.isZeroInit())
    buffers.initScalar = gemm.initScalar;
  if (gemm.bias)
    buffers.bias = readOnlyBufferOf(b, loc, gemm.bias);
  if (gemm.preactivations)
    buffers.preactivations = readOnlyBufferOf(b, loc, gemm.preactivations);
  buffers.m = gemm.getM(b, loc);
  buffers.n = gemm.getN(b, loc);
  buffers.k = gemm.getK(b, loc);
  // DGate writes the packed [M, 2 N]; the kept pre-activations of Gate are
  // packed like its weight, those of Activate are [M, N].
  Value packedCols = arith::AddIOp::create(b, loc, buffers.n, buffers.n);
  Value outCols = gemm.epilogue == GemmEpilogue::DGate ? packedCols : buffers.n;
  buffers.out = allocMatrix(b, loc, gemm.getResultType(), buffers.m, outCols);
  if (gemm.preactivationsDest)
    buffers.preactivationsOut = allocMatrix(
        b, loc, gemm.getPreactivationsType(), buffers.m,
        gemm.epilogue == GemmEpilogue::Gate ? packedCols : buffers.n);
  return buffers;
}

namespace {
/// A GEMM op (f32, 2-D, on tensors) -> one tiled gpu.launch with its
/// epilogue, into fresh buffers returned as tensors.
template <typename OpTy> struct GemmToGpu : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<GemmDescription> gemm = describeGemm(op, &why);
    if (failed(gemm))
      return rewriter.notifyMatchFailure(op, why);
    if (gemm->batched)
      return rewriter.notifyMatchFailure(
          op, "batched GEMMs are not generated on the GPU yet");
    if (!isF32Gemm(*gemm))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 GEMM");
    LLVM_DEBUG(llvm::dbgs() << "glu-gpu-gemm: kernel for " << op->getName()
                            << " at " << op->getLoc() << "\n");
    Location loc = op.getLoc();
    GpuGemmBuffers buffers = createBuffers(rewriter, loc, *gemm);
    emitGpuGemmKernel(rewriter, loc, *gemm, buffers);
    rewriter.replaceOp(op,
                       getGemmResultTensors(rewriter, loc, *gemm, buffers.out,
                                            buffers.preactivationsOut));
    return success();
  }
};

struct GluGpuGemm : mlir::ffn::impl::GluGpuGemmBase<GluGpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGpuGemmPatterns(patterns, matmuls);
    // The kernels are built bottom-up once; do not fold or revisit them.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace

void mlir::ffn::populateGpuGemmPatterns(RewritePatternSet &patterns,
                                        bool matmuls) {
  patterns.add<GemmToGpu<GatedMatmulOp>, GemmToGpu<ActivatedMatmulOp>,
               GemmToGpu<DActivationMatmulOp>, GemmToGpu<DGateMatmulOp>>(
      patterns.getContext());
  if (matmuls)
    patterns.add<GemmToGpu<linalg::MatmulOp>>(patterns.getContext());
  populateGpuDataMovementPatterns(patterns, /*columnSums=*/matmuls);
}
