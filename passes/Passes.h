//===- Passes.h - glu passes ------------------------------------*- C++ -*-===//
//
// Declarations and registration of every glu pass. Each pass lives in a .cpp
// file of the same name; its patterns are exposed by populate* functions so
// that other compilers can reuse them without the pass.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PASSES_H
#define GLU_PASSES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds the patterns that rewrite ffn.ffn and ffn.glu to their reference
/// semantics: linalg.matmul for the projections and linalg.generic with
/// arith/math for biases, activation and gating.
void populateFFNToLinalgConversionPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_PASSES_H
