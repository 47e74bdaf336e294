//===- GpuGemmKernel.h - shared-memory tiled GPU GEMM kernels ---*- C++ -*-===//
//
// The gpu.launch of one generated GEMM, from its GemmDescription and the
// buffers it reads and writes. One GEMM lowering per instruction family
// sits behind this interface: the FP32 SIMT kernel (GpuGemmKernel.cpp) and
// the tensor-core kernel for 16-bit operands (GpuMmaGemmKernel.cpp: mma.sync
// on sm_80 and later, or warpgroup wgmma on sm_90a, as its tiling says).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_GPUGEMMKERNEL_H
#define GLU_PASSES_CODEGEN_GPU_GPUGEMMKERNEL_H

#include "passes/codegen/common/GemmDescription.h"
#include "passes/codegen/gpu/GpuGemmTiling.h"

namespace mlir::ffn {

/// The memrefs and extents of one GPU GEMM.
struct GpuGemmBuffers {
  /// The description's operands as read-only buffers, in their stored
  /// layouts (the kernel reads transposed operands in place).
  Value lhs, rhs;
  /// Accumulate: a buffer like `out` to add, or a scalar, or neither (0).
  Value init, initScalar;
  /// The description's bias and pre-activations (read), or null.
  Value bias, preactivations;
  /// The result, and the kept pre-activations (written), or null.
  Value out, preactivationsOut;
  /// M, N, K as index values (GemmDescription::getM/N/K).
  Value m, n, k;
};

/// Emits the gpu.launch computing `gemm` into `buffers.out` (and
/// `buffers.preactivationsOut`): one CTA of 256 threads per 64 x 64 output
/// tile, 4 x 4 register micro-tiles, K staged through workgroup memory in
/// tiles of 16, the epilogue applied in registers before the only store.
/// `gemm` must not be batched and must be f32.
void emitGpuGemmKernel(OpBuilder &b, Location loc, const GemmDescription &gemm,
                       const GpuGemmBuffers &buffers);

/// Emits the gpu.launch computing `gemm` on tensor cores (sm_80 and later):
/// mma.sync m16n8k16 on bf16 or f16 operands with f32 accumulators (m16n8k8
/// on f32 read as tf32), the operand tiles of `tiling` (isValidMmaTiling)
/// staged through swizzled shared memory by a cp.async pipeline, the
/// epilogue applied to the accumulator registers before the only store.
/// With tiling.instruction Wgmma (sm_90a) TMA loads the tiles in swizzled
/// panels and warpgroups multiply them with wgmma.mma_async. `gemm`
/// must not be batched; its lhs and rhs must have the same 16-bit float type; a
/// gated GEMM's packed weight must not be stored transposed.
void emitGpuMmaGemmKernel(OpBuilder &b, Location loc,
                          const GemmDescription &gemm,
                          const GpuGemmBuffers &buffers,
                          const MmaTiling &tiling);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_GPUGEMMKERNEL_H
