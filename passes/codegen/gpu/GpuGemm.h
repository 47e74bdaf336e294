//===- GpuGemm.h - GEMM kernels for the GPU ---------------------*- C++ -*-===//
//
// The patterns of glu-gpu-gemm, for compilers that want the generated GPU
// GEMM kernels without the pass.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_GPUGEMM_H
#define GLU_PASSES_CODEGEN_GPU_GPUGEMM_H

namespace mlir {
class RewritePatternSet;

namespace ffn {

/// Adds the patterns of glu-gpu-gemm: every fused GEMM (ffn.gated_matmul,
/// ffn.activated_matmul, ffn.dgate_matmul, ffn.dactivation_matmul),
/// ffn.apply_gate and, if `matmuls`, every linalg.matmul in the plain and
/// transposed-operand forms and every column sum, on tensors -> a
/// gpu.launch between bufferization.to_buffer of the inputs and
/// bufferization.to_tensor of a new result buffer. f32 GEMMs get the FP32
/// kernel; GEMMs of bf16 or f16 operands the mma.sync tensor-core kernel
/// when `tensorCores` (sm_80 and later), else they are left alone; with
/// `tf32` (and `tensorCores`) f32 GEMMs take the tensor-core kernel too;
/// with `wgmma` (sm_90a) the 16-bit ones compute with warpgroup wgmma
/// instead of mma.sync.
void populateGpuGemmPatterns(RewritePatternSet &patterns, bool matmuls = true,
                             bool tensorCores = true, bool tf32 = false,
                             bool wgmma = false);

/// Adds the patterns that turn f32 ffn.apply_gate and, if `columnSums`,
/// column sums (describeColumnSum) into their kernels.
void populateGpuDataMovementPatterns(RewritePatternSet &patterns,
                                     bool columnSums = true);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_GPU_GPUGEMM_H
