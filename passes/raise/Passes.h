//===- Passes.h - the raising stage -----------------------------*- C++ -*-===//
//
// ffn-raise: finds the feed-forward layers in linalg on tensors (from any
// front end) and rewrites them to ffn.ffn / ffn.glu. Links no back end.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_RAISE_PASSES_H
#define GLU_PASSES_RAISE_PASSES_H

#include "dialect/FFNDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/raise/Passes.h.inc"

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
#include "passes/raise/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_RAISE_PASSES_H
