//===- ActivationMatch.h - recognize activation formulas --------*- C++ -*-===//
//
// Recognizes the scalar formulas of the ffn activations in an
// ElementwiseExpr tree, in the spellings front ends emit: relu as max(x, 0),
// cmpf + select or a clamp; sigmoid as 1 / (1 + exp(-x)); swish as
// x * sigmoid(beta x) or x / (1 + exp(-beta x)); GELU as
// 0.5 x (1 + erf(x / sqrt(2))) and its tanh approximation with x*x*x or
// powf(x, 3). Products and sums are compared up to association,
// commutation and constant folding.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_RAISE_ACTIVATIONMATCH_H
#define GLU_PASSES_RAISE_ACTIVATIONMATCH_H

#include "dialect/FFNAttrs.h"
#include "passes/raise/ElementwiseExpr.h"

#include <optional>
#include <string>

namespace mlir::ffn {

/// A product c * f1 * f2 * ... of non-constant factors.
struct ExprProduct {
  double coefficient = 1.0;
  /// The summed roundoff of the constants folded into `coefficient`.
  double roundoff = 0.0;
  SmallVector<const ElementwiseExpr *, 4> factors;
};

/// Flattens nested arith.mulf, division by a constant and negation into one
/// product.
ExprProduct flattenProduct(const ElementwiseExpr *expr);

/// An activation applied to an argument expression.
struct ActivationMatch {
  ActivationKind kind;
  double beta = 1.0;
  const ElementwiseExpr *argument = nullptr;
};

/// Returns the activation `product` computes of some argument, if any:
/// relu, gelu, gelu_tanh, swish (any beta) or sigmoid (never identity).
/// When the product only looks like an activation (x * sigmoid(y) with y
/// not a multiple of x, say) and `nearMiss` is given, says why.
std::optional<ActivationMatch> matchActivation(const ExprProduct &product,
                                               std::string *nearMiss = nullptr);

/// Convenience overload on a whole expression.
std::optional<ActivationMatch> matchActivation(const ElementwiseExpr *expr,
                                               std::string *nearMiss = nullptr);

/// True if the tree contains an op that only nonlinear activations use
/// (exp, erf, tanh, max/min, select), or a product of two tensors.
bool looksNonlinear(const ElementwiseExpr *expr);

} // namespace mlir::ffn

#endif // GLU_PASSES_RAISE_ACTIVATIONMATCH_H
