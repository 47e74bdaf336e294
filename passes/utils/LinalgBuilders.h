//===- LinalgBuilders.h - small linalg-on-tensors builders ------*- C++ -*-===//
//
// The few linalg constructions every glu lowering needs, in one place.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_UTILS_LINALGBUILDERS_H
#define GLU_PASSES_UTILS_LINALGBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mlir::ffn {

/// The type glu's contractions of `element` operands accumulate in: f32
/// for bf16 and f16 (as PyTorch and cuBLAS do), `element` otherwise. Every
/// matmul and column sum below accumulates in it and rounds its result
/// back to `element` once.
Type getAccumulatorType(Type element);

/// `value` converted elementwise to element type `element` (a
/// linalg.generic with arith.extf or arith.truncf), or `value` itself when
/// it has that element type.
Value buildElementConversion(OpBuilder &b, Location loc, Value value,
                             Type element);

/// Returns lhs [M, K] * rhs [K, N] as a linalg.matmul into `init`, or into
/// a zero-filled [M, N] tensor when `init` is null.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  Value init = {});

/// Returns lhs [M, K] * rhs [K, N] + bias [N] (broadcast over the rows),
/// or lhs * rhs into zeros when `bias` is null.
Value buildBiasedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                        Value bias);

/// `value` as `type` (a tensor.cast when the static shapes differ).
Value castTo(OpBuilder &b, Location loc, Value value, Type type);

/// Returns lhs [M, K] * rhs^T for rhs [N, K], as a linalg.matmul reading
/// rhs through transposed indexing maps (no transposed copy), accumulated
/// into `init`, or into a zero-filled [M, N] tensor when `init` is null.
Value buildMatmulTransposedRhs(OpBuilder &b, Location loc, Value lhs, Value rhs,
                               Value init = {});

/// Returns lhs^T * rhs for lhs [K, M] and rhs [K, N], as a linalg.matmul
/// reading lhs through transposed indexing maps, accumulated into `init`
/// or into a zero-filled [M, N] tensor.
Value buildMatmulTransposedLhs(OpBuilder &b, Location loc, Value lhs, Value rhs,
                               Value init = {});

/// Returns the column sums ([N]) of an [M, N] matrix (a linalg.reduce over
/// the rows).
Value buildColumnSums(OpBuilder &b, Location loc, Value matrix);

/// Returns f(x) elementwise for the activation `activation`
/// (a linalg.generic with emitActivation's body).
Value buildActivation(OpBuilder &b, Location loc, Attribute activation,
                      Value x);

/// Returns the [rows, N] tensor whose every row is the vector `bias` [N]
/// (a linalg.broadcast), with `rows` rows.
Value buildRowBroadcast(OpBuilder &b, Location loc, Value bias,
                        OpFoldResult rows);

/// Collapses every dimension of `value` but the last into one (identity
/// for rank <= 2).
Value collapseToRows(OpBuilder &b, Location loc, Value value);

/// The inverse of collapseToRows: reshapes `rows` [M, N] to `like`'s
/// leading dimensions and N columns, reading dynamic sizes from `like`.
Value expandRowsLike(OpBuilder &b, Location loc, Value rows, Value like);

} // namespace mlir::ffn

#endif // GLU_PASSES_UTILS_LINALGBUILDERS_H
