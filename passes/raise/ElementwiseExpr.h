//===- ElementwiseExpr.h - scalar view of elementwise linalg chains -*- C++
//-*-===//
//
// Front ends spell a layer's biases, activation and gating product as one
// or several elementwise linalg ops, with the tensors in between reshaped
// at will. This analysis looks through all of that and returns the scalar
// expression computed for one element, as a tree whose leaves are tensors
// read element by element (or broadcast along the rows) and constants.
// Pattern matchers (activation recognition, ffn-raise) work on that tree.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_RAISE_ELEMENTWISEEXPR_H
#define GLU_PASSES_RAISE_ELEMENTWISEEXPR_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallVector.h"

#include <deque>
#include <string>

namespace mlir::ffn {

/// One node of the scalar expression tree.
struct ElementwiseExpr {
  enum class Kind {
    /// A tensor read at the current element (`rowBroadcast` false) or a
    /// vector of the last dimension's size read at the current column
    /// (`rowBroadcast` true, a bias).
    Tensor,
    /// A scalar constant.
    Constant,
    /// A scalar arith or math op applied to `operands`.
    Op,
  };

  Kind kind;
  Value tensor;
  bool rowBroadcast = false;
  double constant = 0.0;
  /// How far `constant` may be from the value the exporter meant, relative
  /// to it: the unit roundoff of the narrowest type it was written in
  /// (summed over the constants folded into it).
  double roundoff = 0.0;
  Operation *op = nullptr;
  SmallVector<const ElementwiseExpr *, 3> operands;

  bool isTensor() const { return kind == Kind::Tensor; }
  bool isConstant() const { return kind == Kind::Constant; }
  /// True for an Op node whose op is one of `OpTys` (e.g. arith::MulFOp).
  template <typename... OpTys> bool isOp() const {
    return kind == Kind::Op && isa<OpTys...>(op);
  }
  /// Prints the expression in a compact functional form, for diagnostics.
  void print(raw_ostream &os) const;
};

/// Returns `value` with every reshape that only regroups leading (row)
/// dimensions stripped: collapse_shape / expand_shape that keep the last
/// dimension on its own. Such reshapes keep the row-major order of the
/// elements, so elementwise computations see through them. The reshape ops
/// looked through are appended to `stripped` when given.
Value stripRowReshapes(Value value,
                       SmallVectorImpl<Operation *> *stripped = nullptr);

/// If `op` only converts its one input elementwise with arith.extf (when
/// `widening`) or arith.truncf (otherwise), returns that input. Exporters
/// write a bf16 or f16 model's f32 arithmetic between such conversions.
Value getConversionSource(Operation *op, bool widening);

/// Returns the narrower tensor that `value` widens (see
/// getConversionSource), or `value`.
Value stripWidening(Value value);

/// The relative rounding error of a value of `type`'s element type: half
/// an ulp (2^-8 for bf16, 2^-11 for f16, 2^-24 for f32), 0 for other types.
double getUnitRoundoff(Type type);

/// Returns the constant `value` holds if it is a float (or integer) scalar
/// constant or a splat tensor constant.
std::optional<double> getScalarConstant(Value value);

/// Builds and owns expression trees.
class ElementwiseExprBuilder {
public:
  /// Returns the expression computing each element of `value`, looking
  /// through producers that are elementwise linalg ops (all loops parallel,
  /// one result, inputs read with an identity map or broadcast along the
  /// rows), linalg.broadcast of a bias vector, splat constants and row
  /// reshapes. Returns nullptr and sets the failure reason on unsupported
  /// IR.
  const ElementwiseExpr *build(Value value);

  /// Why the last build failed.
  StringRef getFailureReason() const { return failureReason; }

  /// Every op the builds so far looked through (elementwise ops and
  /// reshapes between them and their leaves), in no particular order.
  const llvm::SetVector<Operation *> &getVisitedOps() const {
    return visitedOps;
  }

  /// True if `a` and `b` compute the same value: the same leaves, constants
  /// equal to a relative 1e-6, the same ops (commutative ones in either
  /// operand order).
  static bool isSame(const ElementwiseExpr *a, const ElementwiseExpr *b);

private:
  const ElementwiseExpr *buildTensor(Value value);
  const ElementwiseExpr *buildScalar(Value scalar, Operation *linalgOp,
                                     ArrayRef<const ElementwiseExpr *> inputs);
  const ElementwiseExpr *makeLeaf(Value tensor, bool rowBroadcast);
  const ElementwiseExpr *makeConstant(double value, double roundoff);
  const ElementwiseExpr *fail(const Twine &reason);

  std::deque<ElementwiseExpr> nodes;
  DenseMap<Value, const ElementwiseExpr *> tensorExprs;
  DenseMap<Value, const ElementwiseExpr *> scalarExprs;
  llvm::SetVector<Operation *> visitedOps;
  std::string failureReason;
};

} // namespace mlir::ffn

#endif // GLU_PASSES_RAISE_ELEMENTWISEEXPR_H
