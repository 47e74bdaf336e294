//===- CudaPipeline.h - the CUDA backend of glu -----------------*- C++ -*-===//
//
// glu-cuda-pipeline (ffn / linalg on tensors -> host LLVM dialect calling the
// mgpu* runtime, with the kernels embedded as PTX).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PIPELINES_CUDAPIPELINE_H
#define GLU_PASSES_PIPELINES_CUDAPIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace ffn {

/// Which GEMMs glu-cuda-pipeline emits.
enum class CudaGemmKind {
  /// glu-gpu-gemm's tiled kernels with fused epilogues.
  Generated,
  /// The reference lowering (convert-ffn-to-linalg, generic parallel
  /// loops), for comparison.
  Reference,
};

/// Options of glu-cuda-pipeline.
struct CudaPipelineOptions : public PassPipelineOptions<CudaPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("The SM the PTX is generated for (PTX for sm_80 also "
                     "JIT-compiles on later GPUs)"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<CudaGemmKind> gemm{
      *this, "gemm", llvm::cl::desc("The GEMMs to emit"),
      llvm::cl::init(CudaGemmKind::Generated),
      llvm::cl::values(
          clEnumValN(CudaGemmKind::Generated, "generated",
                     "tiled GEMM kernels with fused epilogues (glu-gpu-gemm)"),
          clEnumValN(CudaGemmKind::Reference, "reference",
                     "every op through convert-ffn-to-linalg and generic "
                     "parallel loops"))};
  PassOptions::Option<bool> tf32{
      *this, "tf32",
      llvm::cl::desc("f32 GEMMs on the tensor cores as tf32 (sm_80 and "
                     "later; 10-bit mantissa products, f32 accumulation) "
                     "instead of the exact FP32 kernels"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> wgmma{
      *this, "wgmma",
      llvm::cl::desc("On sm_90a, 16-bit GEMMs compute with warpgroup "
                     "wgmma.mma_async instead of mma.sync"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> libdevice{
      *this, "libdevice",
      llvm::cl::desc("libdevice bitcode linked into the kernels for erf, "
                     "tanh, exp; empty: expand them into arith instead"),
      llvm::cl::init("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc")};
  PassOptions::Option<bool> entryPoints{
      *this, "entry-points",
      llvm::cl::desc("End with glu-emit-entry-points (the artifact ABI)"),
      llvm::cl::init(true)};
};

/// ffn and linalg on tensors -> GPU kernels (PTX embedded with
/// gpu-module-to-binary) and host code in the LLVM dialect that calls the
/// mgpu* functions of the glu runtime. Entry points take device pointers.
void buildCudaPipeline(OpPassManager &pm, const CudaPipelineOptions &options);

/// Whether `chip` (sm_XY[a]) has mma.sync with bf16 operands (sm_80 and
/// later): glu-gpu-gemm's tensor-core kernels are used on it.
bool hasMmaSync(StringRef chip);

/// Whether `chip` has warpgroup wgmma (sm_90a: the arch-specific Hopper
/// target; wgmma is not in sm_90 nor in later chips' PTX).
bool hasWgmma(StringRef chip);

/// Registers glu-cuda-pipeline (called by registerGluPipelines).
void registerCudaPipeline();

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_PIPELINES_CUDAPIPELINE_H
