//===- Passes.h - the CPU back end ------------------------------*- C++ -*-===//
//
// glu-cpu-gemm (generated GEMMs with fused epilogues) and glu-cpu-vectorize.
// The patterns are in CpuGemm.h.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_PASSES_H
#define GLU_PASSES_CODEGEN_CPU_PASSES_H

#include "passes/codegen/cpu/CpuGemm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/cpu/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_CPU_PASSES_H
