//===- Passes.h - glu passes ------------------------------------*- C++ -*-===//
//
// Declarations and registration of every glu pass. Each pass lives in a .cpp
// file of the same name; its patterns are exposed by populate* functions so
// that other compilers can reuse them without the pass.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_PASSES_H
#define GLU_PASSES_PASSES_H

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
#include "passes/Passes.h.inc"

/// Adds the patterns that rewrite ffn.ffn and ffn.glu to their reference
/// semantics: linalg.matmul for the projections and linalg.generic with
/// arith/math for biases, activation and gating.
void populateFFNToLinalgConversionPatterns(RewritePatternSet &patterns);

/// Told by the ffn-raise patterns about every layer they rewrite and every
/// candidate they reject, so that a driver can report them.
class RaiseObserver {
public:
  virtual ~RaiseObserver();
  /// `layer` is the new ffn.ffn or ffn.glu op.
  virtual void notifyRaised(Operation *layer) {}
  /// `candidate` is the op that would have become the layer's result.
  virtual void notifyRejected(Operation *candidate, StringRef reason) {}
};

/// Adds the patterns that find feed-forward layers in linalg on tensors and
/// rewrite them to ffn.ffn / ffn.glu. Each pattern anchors on the
/// down-projection contraction. `observer`, if given, must outlive the
/// patterns.
void populateFFNRaisePatterns(RewritePatternSet &patterns,
                              RaiseObserver *observer = nullptr);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_PASSES_H
