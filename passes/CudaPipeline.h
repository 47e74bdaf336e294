//===- CudaPipeline.h - the CUDA backend of glu -----------------*- C++ -*-===//
//
// glu-cuda-pipeline (ffn / linalg on tensors -> host LLVM dialect calling the
// mgpu* runtime, with the kernels embedded as PTX) and the pattern entry
// points of its two glu passes, glu-gpu-gemm and glu-gpu-host-buffers.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CUDAPIPELINE_H
#define GLU_PASSES_CUDAPIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

/// Options of glu-cuda-pipeline.
struct CudaPipelineOptions : public PassPipelineOptions<CudaPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("The SM the PTX is generated for (PTX for sm_80 also "
                     "JIT-compiles on later GPUs)"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<std::string> gemm{
      *this, "gemm",
      llvm::cl::desc("generated: tiled GEMM kernels with fused epilogues "
                     "(glu-gpu-gemm); reference: every op through "
                     "convert-ffn-to-linalg and generic parallel loops"),
      llvm::cl::init("generated")};
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

/// Registers glu-cuda-pipeline (called by registerGluPipelines).
void registerCudaPipeline();

/// Adds the patterns of glu-gpu-gemm: every f32 ffn.gated_matmul (and, if
/// `matmuls`, every f32 linalg.matmul in the plain and transposed-operand
/// forms) on tensors -> a tiled gpu.launch between bufferization.to_buffer
/// of the inputs and bufferization.to_tensor of a new result buffer.
void populateGpuGemmPatterns(RewritePatternSet &patterns, bool matmuls = true);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CUDAPIPELINE_H
