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

/// Adds the patterns that lower the fused ops (ffn.gated_matmul,
/// ffn.activated_matmul, ffn.pack_gated, ffn.unpack_gated) to linalg on
/// tensors: one matmul and the epilogue generic. convert-ffn-to-linalg
/// includes them.
void populateFusedFFNToLinalgPatterns(RewritePatternSet &patterns);

/// Adds the patterns that fuse ffn.glu into ffn.pack_gated +
/// ffn.gated_matmul + the down projection, and ffn.ffn into
/// ffn.activated_matmul + the down projection, with packed blocks of
/// `blockSize` columns. When `report` is set, each fusion emits a remark.
void populateFFNFusePatterns(RewritePatternSet &patterns, int64_t blockSize,
                             bool report = false);

/// The packed block size ffn-fuse picks for `target` ("cpu" or "cuda"), or
/// 0 for an unknown target.
int64_t getDefaultBlockSize(StringRef target);

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
