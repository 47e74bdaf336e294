//===- Passes.h - the CPU back end ------------------------------*- C++ -*-===//
//
// glu-cpu-gemm (generated GEMMs with fused epilogues), glu-cpu-vectorize and
// glu-outline-parallel-loops. The patterns are in CpuGemm.h.
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
class RewriterBase;
class RewritePatternSet;
class SymbolTable;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/cpu/Passes.h.inc"

/// The transformation of glu-outline-parallel-loops: moves `loop` into a new
/// `func.func private @<name>` (renamed if `symbols`, the module's table,
/// has that name) right after the function that holds it and replaces it by
/// a `func.call`. The values the loop uses from above become the function's
/// arguments (in the order of their first use), its results the function's;
/// operand-free pure ops it uses (constants, `ub.poison`,
/// `memref.get_global`) are cloned into the function rather than passed,
/// and erased from the caller if it no longer uses them.
/// Fails, changing nothing, when the loop is not in a `func.func` or uses a
/// value that is not an index, integer, float, vector, strided or unranked
/// memref, or LLVM type.
FailureOr<func::FuncOp> outlineParallelLoop(RewriterBase &rewriter,
                                            scf::ParallelOp loop,
                                            StringRef name,
                                            SymbolTable &symbols);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_CPU_PASSES_H
