//===- GpuGemmEpilogue.h - the GPU GEMMs' epilogues -------------*- C++ -*-===//
//
// What every GPU GEMM kernel does with one output's f32 accumulator before
// the only store (GemmEpilogue in GemmDescription.h): add the init or the
// bias, keep the pre-activations, apply the activation, the gating product
// or their derivatives, and store. The FP32 SIMT kernel and the tensor-core
// kernels call the same function, so an epilogue is written once.
//
// Element types: the accumulator is f32. For an f32 result nothing is
// rounded. For a 16-bit result (bf16, f16) the epilogue rounds the
// accumulator to that type first and then computes exactly as the reference
// lowering (convert-ffn-to-linalg) does on its materialized 16-bit product:
// biases are added in the result type, activations widen to f32 and round
// once (ActivationMath.h). Accumulate adds its init in f32 and rounds once
// (the reference accumulates a 16-bit init in 16 bits: the kernel is the
// more accurate of the two).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_GPUGEMMEPILOGUE_H
#define GLU_PASSES_CODEGEN_GPU_GPUGEMMEPILOGUE_H

#include "passes/codegen/gpu/GpuGemmKernel.h"

namespace mlir::ffn {

/// Emits the epilogue of output (`row`, `col`) of `gemm`, whose f32
/// accumulator is `acc` (and, for Gate, whose linear column's accumulator
/// is `linear`), storing into `buffers.out` (and
/// `buffers.preactivationsOut`). The caller guards row < M and col < N.
void emitGpuGemmEpilogue(OpBuilder &b, Location loc,
                         const GemmDescription &gemm,
                         const GpuGemmBuffers &buffers, Value row, Value col,
                         Value acc, Value linear);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_GPUGEMMEPILOGUE_H
