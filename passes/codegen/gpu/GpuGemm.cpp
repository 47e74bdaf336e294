//===- GpuGemm.cpp - glu-gpu-gemm -----------------------------------------===//
//
// glu-gpu-gemm: every GEMM that describeGemm (GemmDescription.h) takes
// becomes one gpu.launch: f32 GEMMs the FP32 kernel of GpuGemmKernel.cpp,
// GEMMs of bf16 or f16 operands (f32 accumulation) the tensor-core kernel
// of GpuMmaGemmKernel.cpp with the tiles GpuGemmTiling.h chooses; and
// ffn.apply_gate and column sums the kernels of GpuDataMovementKernels.cpp.
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

/// Whether `gemm` runs on tensor cores (mma.sync): 2-D lhs and rhs of the
/// same 16-bit float type (bf16, f16; or f32 read as tf32 when `tf32`),
/// every other tensor of a float type (the result and pre-activations may
/// be f32 or 16-bit), and a gated GEMM's packed weight stored as [K, 2 N].
/// Says why not in `why`.
static bool isMmaGemm(const GemmDescription &gemm, bool tf32,
                      std::string &why) {
  auto matrixOf = [](Value v) -> RankedTensorType {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() == 2 ? type : RankedTensorType();
  };
  RankedTensorType lhs = matrixOf(gemm.lhs.value),
                   rhs = matrixOf(gemm.rhs.value);
  if (!lhs || !rhs || lhs.getElementType() != rhs.getElementType() ||
      !(lhs.getElementType().isBF16() || lhs.getElementType().isF16() ||
        (tf32 && lhs.getElementType().isF32()))) {
    why = tf32 ? "operands are not 2-D bf16, f16 or f32 matrices of one type"
               : "operands are not 2-D bf16 or f16 matrices of one type";
    return false;
  }
  for (Value v : {gemm.dest, gemm.init, gemm.preactivations,
                  gemm.preactivationsDest, gemm.bias, gemm.initScalar}) {
    if (v && !isa<FloatType>(getElementTypeOrSelf(v.getType()))) {
      why = "a tensor of the GEMM is not of a float type";
      return false;
    }
  }
  if (gemm.epilogue == GemmEpilogue::Gate && gemm.rhs.transposed) {
    why = "the packed weight is stored transposed";
    return false;
  }
  return true;
}

/// The tiling of `gemm` from its extents known at compile time and its
/// operands' element size.
static MmaTiling chooseTiling(const GemmDescription &gemm, bool wgmma) {
  auto extent = [](Value v, unsigned dim) -> std::optional<int64_t> {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.isDynamicDim(dim))
      return std::nullopt;
    return type.getDimSize(dim);
  };
  bool gated = gemm.epilogue == GemmEpilogue::Gate;
  std::optional<int64_t> m = extent(gemm.lhs.value, gemm.lhs.transposed);
  std::optional<int64_t> n = extent(gemm.dest, 1);
  if (n && gemm.epilogue == GemmEpilogue::DGate)
    *n /= 2;
  int64_t elementBytes = cast<RankedTensorType>(gemm.lhs.value.getType())
                             .getElementTypeBitWidth() /
                         8;
  return chooseMmaTiling(m, n, gated, elementBytes,
                         wgmma && elementBytes == 2 ? MmaInstruction::Wgmma
                                                    : MmaInstruction::MmaSync);
}

/// The buffers of `gemm`: its tensors as read-only buffers in their stored
/// layouts, fresh result buffers, and its extents. `unitStrideOperands`:
/// lhs and rhs rows are contiguous (cp.async copies whole chunks of them).
static GpuGemmBuffers createBuffers(OpBuilder &b, Location loc,
                                    const GemmDescription &gemm,
                                    bool unitStrideOperands) {
  GpuGemmBuffers buffers;
  buffers.lhs = readOnlyBufferOf(b, loc, gemm.lhs.value, unitStrideOperands);
  buffers.rhs = readOnlyBufferOf(b, loc, gemm.rhs.value, unitStrideOperands);
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
/// A GEMM op (2-D, on tensors) -> one tiled gpu.launch with its epilogue,
/// into fresh buffers returned as tensors: the FP32 kernel for f32, the
/// tensor-core kernel for 16-bit operands when `tensorCores` (and for f32
/// ones with `tf32`), with wgmma for 16-bit operands when `wgmma`.
template <typename OpTy> struct GemmToGpu : OpRewritePattern<OpTy> {
  GemmToGpu(MLIRContext *context, bool tensorCores, bool tf32, bool wgmma)
      : OpRewritePattern<OpTy>(context), tensorCores(tensorCores), tf32(tf32),
        wgmma(wgmma) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<GemmDescription> gemm = describeGemm(op, &why);
    if (failed(gemm))
      return rewriter.notifyMatchFailure(op, why);
    if (gemm->batched)
      return rewriter.notifyMatchFailure(
          op, "batched GEMMs are not generated on the GPU yet");
    bool f32 = isF32Gemm(*gemm);
    std::string whyNotMma;
    bool mma =
        (!f32 || tf32) && tensorCores && isMmaGemm(*gemm, tf32, whyNotMma);
    if (!f32 && !mma)
      return rewriter.notifyMatchFailure(
          op, tensorCores
                  ? "neither a 2-D f32 GEMM nor a tensor-core one: " + whyNotMma
                  : std::string("not a 2-D f32 GEMM"));
    Location loc = op.getLoc();
    GpuGemmBuffers buffers = createBuffers(rewriter, loc, *gemm, mma);
    if (mma) {
      MmaTiling tiling = chooseTiling(*gemm, wgmma);
      LLVM_DEBUG(llvm::dbgs()
                 << "glu-gpu-gemm: "
                 << (tiling.isWgmma() ? "wgmma" : "mma.sync") << " kernel for "
                 << op->getName() << " at " << op->getLoc() << ", tile "
                 << tiling.tileM << "x" << tiling.tileN << "x" << tiling.tileK
                 << ", " << tiling.stages << " stages\n");
      emitGpuMmaGemmKernel(rewriter, loc, *gemm, buffers, tiling);
    } else {
      LLVM_DEBUG(llvm::dbgs()
                 << "glu-gpu-gemm: FP32 kernel for " << op->getName() << " at "
                 << op->getLoc() << "\n");
      emitGpuGemmKernel(rewriter, loc, *gemm, buffers);
    }
    rewriter.replaceOp(op,
                       getGemmResultTensors(rewriter, loc, *gemm, buffers.out,
                                            buffers.preactivationsOut));
    return success();
  }

private:
  bool tensorCores, tf32, wgmma;
};

struct GluGpuGemm : mlir::ffn::impl::GluGpuGemmBase<GluGpuGemm> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGpuGemmPatterns(patterns, matmuls, tensorCores, tf32, wgmma);
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
                                        bool matmuls, bool tensorCores,
                                        bool tf32, bool wgmma) {
  patterns.add<GemmToGpu<GatedMatmulOp>, GemmToGpu<ActivatedMatmulOp>,
               GemmToGpu<DActivationMatmulOp>, GemmToGpu<DGateMatmulOp>>(
      patterns.getContext(), tensorCores, tf32, wgmma);
  if (matmuls)
    patterns.add<GemmToGpu<linalg::MatmulOp>>(patterns.getContext(),
                                              tensorCores, tf32, wgmma);
  populateGpuDataMovementPatterns(patterns, /*columnSums=*/matmuls);
}
