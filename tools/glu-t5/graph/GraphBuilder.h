//===- GraphBuilder.h - linalg on tensors, one line a step ------*- C++ -*-===//
//
// The T5 front end writes its layers (forward and backward) with these
// builders: elementwise maps with broadcasts, reductions over the last
// dimension, reshapes, transposes, gathers and the matmul forms the back
// ends run on their generated GEMMs (MatmulForms.h). Everything is f32
// linalg, tensor and arith on static shapes.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_GRAPHBUILDER_H
#define GLU_TOOLS_T5_GRAPHBUILDER_H

#include "passes/utils/MatmulForms.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <functional>

namespace glu::t5 {

using mlir::Value;

/// An operand of an elementwise map and how it is read: `dims` are the
/// result dimensions its dimensions follow (empty for a rank-0 tensor; all
/// of them, in order, for a same-shaped one).
struct MapOperand {
  Value value;
  llvm::SmallVector<unsigned> dims;
  MapOperand(Value value); // read at the same indices as the result
  MapOperand(Value value, llvm::ArrayRef<unsigned> dims)
      : value(value), dims(dims) {}
};

/// The body of a map: the operands' elements (then the result dimensions'
/// indices, when asked for) in, the result element out.
using MapBody =
    std::function<Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

class GraphBuilder {
public:
  GraphBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location location() const { return loc; }
  mlir::Type f32() { return b.getF32Type(); }
  mlir::Type i32() { return b.getI32Type(); }
  static llvm::ArrayRef<int64_t> shape(Value v);

  /// A tensor of `shape` filled with `value`.
  Value splat(llvm::ArrayRef<int64_t> shape, double value);
  /// An f32 (or `type`) scalar constant, for map bodies.
  Value scalar(mlir::OpBuilder &nb, mlir::Location l, double value,
               mlir::Type type = {});
  /// A constant i32 tensor.
  Value constantI32(llvm::ArrayRef<int64_t> shape,
                    llvm::ArrayRef<int32_t> values);

  /// result[i...] = body(operands read at i..., [indices i...]).
  Value map(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<MapOperand> operands,
            const MapBody &body, mlir::Type element = {},
            bool withIndices = false);
  /// `map` into `into`'s buffer (same shape and element type): the body
  /// gets the operands' elements, then `into`'s, which it updates. An
  /// optimizer's update of a parameter or its state: reading the old value
  /// through the destination keeps elementwise fusion from replacing it
  /// with a new tensor, and the bufferization writes the argument's own
  /// buffer (an in-place result, no new buffer a step).
  Value mapInto(Value into, llvm::ArrayRef<MapOperand> operands,
                const MapBody &body);
  /// The common cases of `map`, on same-shaped operands.
  Value add(Value x, Value y);
  Value sub(Value x, Value y);
  Value mul(Value x, Value y);
  Value scale(Value x, double factor);
  /// x + y + ... for any number of same-shaped tensors (nulls skipped).
  Value sum(llvm::ArrayRef<Value> terms);

  enum class Reduction { Sum, Max };
  /// Reduces the last dimension: [..., n] -> [...].
  Value reduceLast(Value x, Reduction kind);
  /// Sums over every dimension but those in `keep` (in order):
  /// [a, b, c] with keep {1} -> [b]; in the forms the back ends run in
  /// parallel where the kept dimensions lead or trail the summed ones.
  Value sumAllBut(Value x, llvm::ArrayRef<unsigned> keep);
  /// Sums of a matrix's rows ([R, C] -> [R], along the last dimension) and
  /// of its columns ([R, C] -> [C], over the rows).
  Value rowSums(Value x);
  Value columnSums(Value x);

  /// Reshapes between shapes of the same element count through a
  /// collapse to one dimension and an expand (both views, no copy).
  Value reshape(Value x, llvm::ArrayRef<int64_t> shape);
  /// out[i_perm[0], ...] = x: linalg.transpose with `permutation`.
  Value transpose(Value x, llvm::ArrayRef<int64_t> permutation);

  /// lhs * rhs as `form` reads them (2-D, or 3-D batched), into zeros.
  Value matmul(Value lhs, Value rhs,
               mlir::ffn::MatmulForm form = mlir::ffn::MatmulForm::Plain);
  Value batchMatmul(Value lhs, Value rhs,
                    mlir::ffn::MatmulForm form = mlir::ffn::MatmulForm::Plain);

  /// `id` (an i32 in a map body) as an index clamped to [0, rows).
  static Value clampedIndex(mlir::OpBuilder &nb, mlir::Location l, Value id,
                            int64_t rows);

  /// rows[n, :] = table[ids[n], :] for i32 ids [N] and table [V, D]; ids
  /// outside [0, V) are clamped (callers mask what they mean to ignore).
  Value gatherRows(Value table, Value ids);
  /// The sum of `rows` [N, D] scattered to table rows ids [N]: out [V, D],
  /// out[v] = sum of rows[n] with ids[n] == v (an scf.for over N).
  Value scatterAddRows(Value rows, Value ids, int64_t tableRows);

  /// An uninitialized tensor and one of zeros (f32 unless `element`).
  Value empty(llvm::ArrayRef<int64_t> shape, mlir::Type element);
  Value zeros(llvm::ArrayRef<int64_t> shape, mlir::Type element = {});

private:
  /// The linalg.generic of map and mapInto, into `init` (its element read
  /// by the body when `readInit`).
  Value buildMap(Value init, bool readInit, llvm::ArrayRef<MapOperand> operands,
                 const MapBody &body, bool withIndices);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace glu::t5

#endif // GLU_TOOLS_T5_GRAPHBUILDER_H
