//===- MatmulForms.h - the forms of linalg.matmul glu uses ------*- C++ -*-===//
//
// The one definition of the contraction forms the compiler writes and reads:
// a matmul (or batch_matmul) whose left or right operand is stored
// transposed and read through its indexing maps, without a transposed
// copy. The builders (LinalgBuilders.h) and the GEMM matcher of the back
// ends (codegen/common/GemmDescription.h) both use it.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_UTILS_MATMULFORMS_H
#define GLU_PASSES_UTILS_MATMULFORMS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace mlir::ffn {

/// How the operands of C[M, N] (+)= A * B are stored.
enum class MatmulForm {
  /// A [M, K], B [K, N].
  Plain,
  /// A stored [K, M] (A^T read through the maps), B [K, N].
  TransposedLhs,
  /// A [M, K], B stored [N, K].
  TransposedRhs,
};

/// The indexing maps of `form`: (m, n, k) -> A, B, C; with `batched`, a
/// leading batch dimension (b, m, n, k) on all three.
SmallVector<AffineMap> getMatmulIndexingMaps(MLIRContext *context,
                                             MatmulForm form,
                                             bool batched = false);

/// The form whose maps are `maps`, or std::nullopt for any other
/// contraction (both operands transposed, broadcasts, permuted results).
std::optional<MatmulForm> classifyMatmulMaps(ArrayRef<AffineMap> maps,
                                             bool batched = false);

} // namespace mlir::ffn

#endif // GLU_PASSES_UTILS_MATMULFORMS_H
