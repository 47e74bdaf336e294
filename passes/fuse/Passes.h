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
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "passes/utils/Target.h"

namespace mlir {
class RewritePatternSet;

namespace ffn {

#define GEN_PASS_DECL
#include "passes/fuse/Passes.h.inc"

/// Adds the patterns of ffn-fuse: ffn.glu into ffn.pack_gated +
/// ffn.gated_matmul + the down projection, ffn.ffn into
/// ffn.activated_matmul + the down projection, and their gradients into the
/// fused backward, with packed blocks of `blockSize` columns. With
/// `keepActivations`, a gradient and the forward of the same layer earlier
/// in its block are fused together: the forward's GEMM returns the
/// pre-activations the backward reads. When `report` is set, each fusion
/// emits a remark. With ffn-pack-arguments, these reproduce ffn-fuse.
void populateFFNFusePatterns(RewritePatternSet &patterns, int64_t blockSize,
                             bool report = false, bool keepActivations = false);

/// ffn-pack-arguments on one function: each pair of arguments used only as
/// the gate and linear weights of ffn.glu ops becomes one packed argument
/// (blocks of `blockSize`, unpacked at entry) and the function records the
/// mapping in ffn.packed_arguments. Leaves functions called in their module
/// alone (with a remark).
LogicalResult packGatedArgumentWeights(FunctionOpInterface function,
                                       int64_t blockSize);

/// Adds the pattern of ffn-fold-constant-transposes: linalg.transpose of a
/// constant (dense or dense_resource) becomes the transposed constant.
void populateFoldConstantTransposePatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/fuse/Passes.h.inc"

} // namespace ffn
} // namespace mlir

#endif // GLU_PASSES_FUSE_PASSES_H
