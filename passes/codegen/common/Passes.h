//===- Passes.h - shared code generation ------------------------*- C++ -*-===//
//
// Passes both back ends run: the artifact's entry points, C interfaces,
// strided copies as loops, and the expand_shapes upstream cannot expand.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_COMMON_PASSES_H
#define GLU_PASSES_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
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

/// Adds the pattern of glu-lower-multi-dynamic-expand-shapes: a
/// memref.expand_shape with two or more dynamic sizes in one reassociation
/// group becomes a memref.reinterpret_cast of its source's base buffer with
/// the sizes of its output_shape and row-major strides in each group (which
/// expand-strided-metadata of LLVM 22 crashes on, llvm/llvm-project#186830).
void populateLowerMultiDynamicExpandShapesPatterns(RewritePatternSet &patterns);

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_CODEGEN_COMMON_PASSES_H
