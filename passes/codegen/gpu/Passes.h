//===- Passes.h - the GPU back end ------------------------------*- C++ -*-===//
//
// glu-gpu-gemm (tiled GEMM kernels with fused epilogues) and
// glu-gpu-host-buffers. The patterns are in GpuGemm.h.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_PASSES_H
#define GLU_PASSES_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/codegen/gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/gpu/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_GPU_PASSES_H
