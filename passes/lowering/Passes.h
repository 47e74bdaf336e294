//===- Passes.h - the reference semantics -----------------------*- C++ -*-===//
//
// convert-ffn-to-linalg: what every ffn op means, as linalg on tensors.
// Every fused or generated path is checked against it.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_LOWERING_PASSES_H
#define GLU_PASSES_LOWERING_PASSES_H

#include "dialect/FFNDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/lowering/Passes.h.inc"

/// Adds the patterns that rewrite ffn.ffn and ffn.glu (and their gradients)
/// to their reference semantics: linalg.matmul for the projections and
/// linalg.generic with arith/math for biases, activation and gating.
void populateFFNToLinalgConversionPatterns(RewritePatternSet &patterns);

/// Adds the patterns that lower the fused ops (ffn.gated_matmul,
/// ffn.activated_matmul, ffn.pack_gated, ffn.unpack_gated, ffn.apply_gate,
/// ffn.dgate_matmul, ffn.dactivation_matmul) to linalg on tensors: one
/// matmul and the epilogue generic. convert-ffn-to-linalg includes them.
void populateFusedFFNToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/lowering/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_LOWERING_PASSES_H
