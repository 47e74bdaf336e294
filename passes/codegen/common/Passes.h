//===- Passes.h - shared code generation ------------------------*- C++ -*-===//
//
// Passes both back ends run: the artifact's entry points, C interfaces,
// and strided copies as loops.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_COMMON_PASSES_H
#define GLU_PASSES_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/codegen/common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/common/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_COMMON_PASSES_H
