//===- ProjectionMatch.h - recognize x @ W in linalg ------------*- C++ -*-===//
//
// A projection multiplies every row of an input by one weight matrix. Front
// ends spell it as linalg.matmul (default maps or with the weight read
// transposed), as a linalg.generic contraction, or as linalg.batch_matmul
// against a weight broadcast over the batch; PyTorch weights come as
// [out, in] and are transposed first. matchProjection recognizes all of
// these and can rebuild the weight in the [in, out] layout ffn ops use.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_RAISE_PROJECTIONMATCH_H
#define GLU_PASSES_RAISE_PROJECTIONMATCH_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace mlir::ffn {

struct Projection {
  /// The contraction op.
  Operation *op = nullptr;
  /// The left operand, [M, K] or [B, M, K].
  Value input;
  /// The weight as the contraction reads it, with any broadcast over the
  /// batch and any row reshapes already looked through: [K, N], [N, K] when
  /// `transposed`, or [1, K, N] / [1, N, K] when `unitBatch`.
  Value weight;
  bool transposed = false;
  bool unitBatch = false;
  /// A bias the contraction starts accumulating from ([N]), or null.
  Value bias;

  /// True if the contraction accumulates in a wider type than its operands
  /// (bf16 or f16 inputs, f32 result: how exporters write a mixed-precision
  /// matmul, rounded back to the operands' type by a later op).
  bool isWidened() const;

  /// Emits the weight as a [K, N] (in, out) tensor.
  Value materializeWeight(OpBuilder &builder, Location loc) const;
  /// The number of output columns N, or ShapedType::kDynamic.
  int64_t getOutputWidth() const;
};

/// Returns the projection computing `result`, if `result` is the result of a
/// matmul-like linalg op with a weight that is the same for every row. When
/// it is a contraction but not such a projection, sets `whyNot`.
std::optional<Projection> matchProjection(Value result,
                                          std::string *whyNot = nullptr);

} // namespace mlir::ffn

#endif // GLU_PASSES_RAISE_PROJECTIONMATCH_H
