//===- Passes.h - the fusion stage ------------------------------*- C++ -*-===//
//
// ffn-fuse: each layer's projections and gate become one GEMM over packed
// weights with an epilogue, forward and backward. Graph decisions (which
// products are shared, which activations are kept) are made here, before
// any back end sees the IR.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_FUSE_PASSES_H
#define GLU_PASSES_FUSE_PASSES_H

#include "dialect/FFNDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "passes/utils/Target.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/fuse/Passes.h.inc"

/// Adds the patterns that fuse ffn.glu into ffn.pack_gated +
/// ffn.gated_matmul + the down projection, and ffn.ffn into
/// ffn.activated_matmul + the down projection, with packed blocks of
/// `blockSize` columns. When `report` is set, each fusion emits a remark.
void populateFFNFusePatterns(RewritePatternSet &patterns, int64_t blockSize,
                             bool report = false);

#define GEN_PASS_REGISTRATION
#include "passes/fuse/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_FUSE_PASSES_H
