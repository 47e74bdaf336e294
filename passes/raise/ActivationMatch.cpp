//===- ActivationMatch.cpp - recognize activation formulas ----------------===//

#include "passes/raise/ActivationMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

using Expr = ElementwiseExpr;

/// Constants in exported graphs are rounded (0.79788456 for sqrt(2/pi),
/// 1.41421356 for sqrt(2)); a relative 1e-6 accepts those and rejects any
/// other function. A constant written in a narrow type (a bf16 model's
/// 0.044715 is 0.044677734) may also be off by its `roundoff`.
static bool near(double value, double expected, double roundoff = 0.0) {
  return std::fabs(value - expected) <= (1e-6 + roundoff) * std::fabs(expected);
}

static bool isConstant(const Expr *e, double value) {
  return e->isConstant() && near(e->constant, value, e->roundoff);
}

static bool same(const Expr *a, const Expr *b) {
  return ElementwiseExprBuilder::isSame(a, b);
}

//===----------------------------------------------------------------------===//
// Products and sums
//===----------------------------------------------------------------------===//

static void flattenInto(const Expr *e, ExprProduct &product) {
  if (e->isConstant()) {
    product.coefficient *= e->constant;
    product.roundoff += e->roundoff;
    return;
  }
  if (e->isOp<arith::MulFOp>()) {
    flattenInto(e->operands[0], product);
    flattenInto(e->operands[1], product);
    return;
  }
  if (e->isOp<arith::DivFOp>() && e->operands[1]->isConstant() &&
      e->operands[1]->constant != 0.0) {
    flattenInto(e->operands[0], product);
    product.coefficient /= e->operands[1]->constant;
    product.roundoff += e->operands[1]->roundoff;
    return;
  }
  if (e->isOp<arith::NegFOp>()) {
    flattenInto(e->operands[0], product);
    product.coefficient = -product.coefficient;
    return;
  }
  product.factors.push_back(e);
}

ExprProduct mlir::ffn::flattenProduct(const Expr *expr) {
  ExprProduct product;
  flattenInto(expr, product);
  return product;
}

/// A sum of products, each scaled by `scale`, flattening addf, subf and
/// negation, but never inside `atom` (the activation's argument, which may
/// itself be a sum such as x W + b).
static void flattenSum(const Expr *e, const Expr *atom,
                       const ExprProduct &scale,
                       SmallVectorImpl<ExprProduct> &terms) {
  if (!same(e, atom) && e->isOp<arith::AddFOp>()) {
    flattenSum(e->operands[0], atom, scale, terms);
    flattenSum(e->operands[1], atom, scale, terms);
    return;
  }
  if (!same(e, atom) && e->isOp<arith::SubFOp>()) {
    flattenSum(e->operands[0], atom, scale, terms);
    ExprProduct negated = scale;
    negated.coefficient = -negated.coefficient;
    flattenSum(e->operands[1], atom, negated, terms);
    return;
  }
  ExprProduct term = flattenProduct(e);
  term.coefficient *= scale.coefficient;
  term.roundoff += scale.roundoff;
  terms.push_back(term);
}

/// The power of `x` that `factors` multiply to, or -1 if some factor is
/// not a power of `x` (x, powf(x, n), fpowi(x, n) with constant n).
static int powerOf(ArrayRef<const Expr *> factors, const Expr *x) {
  int power = 0;
  for (const Expr *f : factors) {
    if (same(f, x)) {
      ++power;
      continue;
    }
    if (f->isOp<math::PowFOp, math::FPowIOp>() && same(f->operands[0], x) &&
        f->operands[1]->isConstant() &&
        f->operands[1]->constant == std::round(f->operands[1]->constant) &&
        f->operands[1]->constant > 0) {
      power += static_cast<int>(f->operands[1]->constant);
      continue;
    }
    return -1;
  }
  return power;
}

/// If `e` is c * x (c a constant, possibly 1), returns c (as the product).
static std::optional<ExprProduct> scaleOf(const Expr *e, const Expr *x) {
  ExprProduct product = flattenProduct(e);
  if (product.factors.size() == 1 && same(product.factors[0], x))
    return product;
  return std::nullopt;
}

/// Returns y if `e` is 1 + f(y) where f is an `OpTy`.
template <typename OpTy> static const Expr *matchOnePlus(const Expr *e) {
  if (!e->isOp<arith::AddFOp>())
    return nullptr;
  for (int i = 0; i < 2; ++i)
    if (isConstant(e->operands[i], 1.0) && e->operands[1 - i]->isOp<OpTy>())
      return e->operands[1 - i]->operands[0];
  return nullptr;
}

//===----------------------------------------------------------------------===//
// The activations
//===----------------------------------------------------------------------===//

/// sigmoid(s * x): the argument `x` and its scale `s`.
struct ScaledArgument {
  double scale;
  const Expr *x;
};

/// Matches 1 + exp(-s x), the denominator of sigmoid(s x).
static std::optional<ScaledArgument> matchSigmoidDenominator(const Expr *e) {
  const Expr *exponent = matchOnePlus<math::ExpOp>(e);
  if (!exponent)
    return std::nullopt;
  // exp(-s x) arrives as negf, a multiplication by a negative constant or
  // a subtraction from 0.
  double sign = -1.0;
  if (exponent->isOp<arith::SubFOp>() &&
      isConstant(exponent->operands[0], 0.0)) {
    exponent = exponent->operands[1];
    sign = 1.0;
  }
  ExprProduct product = flattenProduct(exponent);
  if (product.factors.size() != 1)
    return std::nullopt;
  return ScaledArgument{sign * product.coefficient, product.factors[0]};
}

/// Matches sigmoid(s x) = 1 / (1 + exp(-s x)).
static std::optional<ScaledArgument> matchSigmoid(const Expr *e) {
  if (!e->isOp<arith::DivFOp>() || !isConstant(e->operands[0], 1.0))
    return std::nullopt;
  return matchSigmoidDenominator(e->operands[1]);
}

/// Returns x if `e` is relu(x), in any of the forms front ends emit.
static const Expr *matchRelu(const Expr *e) {
  // max(x, 0) and max(0, x), NaN-propagating or not.
  // TOSA's clamp(x, 0, FLT_MAX) lowers to max(min(x, FLT_MAX), 0).
  if (e->isOp<arith::MaximumFOp, arith::MaxNumFOp>()) {
    for (int i = 0; i < 2; ++i) {
      const Expr *x = e->operands[1 - i];
      if (!isConstant(e->operands[i], 0.0) || x->isConstant())
        continue;
      if (x->isOp<arith::MinimumFOp, arith::MinNumFOp>())
        for (int j = 0; j < 2; ++j)
          if (x->operands[j]->isConstant() &&
              x->operands[j]->constant >= FLT_MAX)
            return x->operands[1 - j];
      return x;
    }
    return nullptr;
  }
  // clamp(x, 0, FLT_MAX or +inf): min(max(x, 0), big).
  if (e->isOp<arith::MinimumFOp, arith::MinNumFOp>()) {
    for (int i = 0; i < 2; ++i)
      if (e->operands[i]->isConstant() && e->operands[i]->constant >= FLT_MAX)
        return matchRelu(e->operands[1 - i]);
    return nullptr;
  }
  // select(x > 0, x, 0) and select(x < 0, 0, x), comparisons either way.
  if (e->isOp<arith::SelectOp>() && e->operands[0]->isOp<arith::CmpFOp>()) {
    const Expr *cmp = e->operands[0];
    auto predicate = cast<arith::CmpFOp>(cmp->op).getPredicate();
    const Expr *lhs = cmp->operands[0], *rhs = cmp->operands[1];
    const Expr *x = nullptr;
    bool xGreater; // True if the predicate holds when x > 0.
    using P = arith::CmpFPredicate;
    bool greater = predicate == P::OGT || predicate == P::OGE ||
                   predicate == P::UGT || predicate == P::UGE;
    bool less = predicate == P::OLT || predicate == P::OLE ||
                predicate == P::ULT || predicate == P::ULE;
    if (!greater && !less)
      return nullptr;
    if (isConstant(rhs, 0.0)) {
      x = lhs;
      xGreater = greater;
    } else if (isConstant(lhs, 0.0)) {
      x = rhs;
      xGreater = less;
    } else {
      return nullptr;
    }
    const Expr *whenTrue = e->operands[1], *whenFalse = e->operands[2];
    if (xGreater && same(whenTrue, x) && isConstant(whenFalse, 0.0))
      return x;
    if (!xGreater && isConstant(whenTrue, 0.0) && same(whenFalse, x))
      return x;
  }
  return nullptr;
}

/// Swish as x / (1 + exp(-beta x)).
static std::optional<ActivationMatch> matchSwishQuotient(const Expr *e) {
  if (!e->isOp<arith::DivFOp>())
    return std::nullopt;
  const Expr *x = e->operands[0];
  std::optional<ScaledArgument> sigmoid =
      matchSigmoidDenominator(e->operands[1]);
  if (!sigmoid || !same(sigmoid->x, x) || sigmoid->scale <= 0.0)
    return std::nullopt;
  return ActivationMatch{ActivationKind::Swish, sigmoid->scale, x};
}

/// GELU: 0.5 x (1 + erf(x / sqrt(2))) or
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as a product.
static std::optional<ActivationMatch> matchGelu(const ExprProduct &product) {
  if (product.factors.size() != 2 ||
      !near(product.coefficient, 0.5, product.roundoff))
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    const Expr *x = product.factors[i], *onePlus = product.factors[1 - i];
    if (const Expr *erfArg = matchOnePlus<math::ErfOp>(onePlus)) {
      std::optional<ExprProduct> scale = scaleOf(erfArg, x);
      if (scale && near(scale->coefficient, M_SQRT1_2, scale->roundoff))
        return ActivationMatch{ActivationKind::Gelu, 1.0, x};
    }
    if (const Expr *tanhArg = matchOnePlus<math::TanhOp>(onePlus)) {
      SmallVector<ExprProduct> terms;
      flattenSum(tanhArg, x, ExprProduct(), terms);
      ExprProduct linear, cubic;
      linear.coefficient = cubic.coefficient = 0.0;
      bool ok = true;
      auto addTerm = [&](int power, const ExprProduct &term) {
        ExprProduct *sum = power == 1 ? &linear : power == 3 ? &cubic : nullptr;
        if (!sum) {
          ok = false;
          return;
        }
        sum->coefficient += term.coefficient;
        sum->roundoff += term.roundoff;
      };
      for (ExprProduct &term : terms) {
        // sqrt(2/pi) * (x + 0.044715 x^3) arrives as one term with the sum
        // as a factor, and gelu_fast's x * 0.79788456 * (1 + 0.044715 x x)
        // with the sum beside powers of x: distribute it.
        auto sum = llvm::find_if(term.factors, [&](const Expr *f) {
          return !same(f, x) && f->isOp<arith::AddFOp, arith::SubFOp>();
        });
        if (sum != term.factors.end()) {
          SmallVector<const Expr *> rest(term.factors.begin(), sum);
          rest.append(std::next(sum), term.factors.end());
          int restPower = powerOf(rest, x);
          SmallVector<ExprProduct> inner;
          flattenSum(*sum, x, term, inner);
          for (ExprProduct &t : inner) {
            int power = powerOf(t.factors, x);
            addTerm(restPower < 0 || power < 0 ? -1 : restPower + power, t);
          }
          continue;
        }
        addTerm(powerOf(term.factors, x), term);
      }
      // torch-mlir lowers gelu(approximate="tanh") with 0.797724 where
      // sqrt(2/pi) = 0.7978846 (an exporter's constant, not another
      // function): read as gelu_tanh, the layer computes what the PyTorch
      // model does, closer to it than the exported graph.
      constexpr double kTorchMlirSqrt2OverPi = 0.797724;
      if (ok && linear.coefficient != 0.0 &&
          (near(linear.coefficient, std::sqrt(2.0 / M_PI), linear.roundoff) ||
           near(linear.coefficient, kTorchMlirSqrt2OverPi, linear.roundoff)) &&
          near(cubic.coefficient / linear.coefficient, 0.044715,
               linear.roundoff + cubic.roundoff))
        return ActivationMatch{ActivationKind::GeluTanh, 1.0, x};
    }
  }
  return std::nullopt;
}

/// True if `x` occurs in `e`.
static bool contains(const Expr *e, const Expr *x) {
  if (same(e, x))
    return true;
  for (const Expr *operand : e->operands)
    if (contains(operand, x))
      return true;
  return false;
}

/// Swish as x * sigmoid(beta x).
static std::optional<ActivationMatch> matchSwishProduct(const ExprProduct &p,
                                                        std::string *nearMiss) {
  if (p.factors.size() != 2 || !near(p.coefficient, 1.0, p.roundoff))
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    const Expr *x = p.factors[i];
    std::optional<ScaledArgument> sigmoid = matchSigmoid(p.factors[1 - i]);
    if (!sigmoid)
      continue;
    if (same(sigmoid->x, x) && sigmoid->scale > 0.0)
      return ActivationMatch{ActivationKind::Swish, sigmoid->scale, x};
    // x * sigmoid(x + 1) resembles swish; x * sigmoid(z) with z unrelated
    // to x is a gating product, explained by the caller.
    if (nearMiss && contains(sigmoid->x, x))
      *nearMiss = "x * sigmoid(y) is swish only when y is a positive multiple "
                  "of x";
  }
  return std::nullopt;
}

std::optional<ActivationMatch>
mlir::ffn::matchActivation(const ExprProduct &product, std::string *nearMiss) {
  if (product.factors.size() == 1 &&
      near(product.coefficient, 1.0, product.roundoff)) {
    const Expr *e = product.factors[0];
    if (const Expr *x = matchRelu(e))
      return ActivationMatch{ActivationKind::Relu, 1.0, x};
    if (std::optional<ActivationMatch> swish = matchSwishQuotient(e))
      return swish;
    if (std::optional<ScaledArgument> sigmoid = matchSigmoid(e)) {
      if (sigmoid->scale == 1.0)
        return ActivationMatch{ActivationKind::Sigmoid, 1.0, sigmoid->x};
      if (nearMiss)
        *nearMiss = "sigmoid of a scaled argument is not an ffn activation";
    }
    return std::nullopt;
  }
  if (std::optional<ActivationMatch> swish =
          matchSwishProduct(product, nearMiss))
    return swish;
  return matchGelu(product);
}

std::optional<ActivationMatch>
mlir::ffn::matchActivation(const ElementwiseExpr *expr, std::string *nearMiss) {
  return matchActivation(flattenProduct(expr), nearMiss);
}

/// True if `expr` varies along the rows: it reads a tensor elementwise
/// (not only biases broadcast along the rows, or constants).
static bool readsFullTensor(const ElementwiseExpr *expr) {
  if (expr->kind == ElementwiseExpr::Kind::Tensor)
    return !expr->rowBroadcast;
  return llvm::any_of(expr->operands, readsFullTensor);
}

bool mlir::ffn::looksNonlinear(const ElementwiseExpr *expr) {
  if (expr->kind != ElementwiseExpr::Kind::Op)
    return false;
  if (expr->isOp<math::ExpOp, math::ErfOp, math::TanhOp, arith::MaximumFOp,
                 arith::MaxNumFOp, arith::MinimumFOp, arith::MinNumFOp,
                 arith::SelectOp>())
    return true;
  // A product of two tensors (a Bilinear layer's gating, with or without
  // biases), not a scaling by a constant or a bias.
  if (expr->isOp<arith::MulFOp>() && readsFullTensor(expr->operands[0]) &&
      readsFullTensor(expr->operands[1]))
    return true;
  for (const ElementwiseExpr *operand : expr->operands)
    if (looksNonlinear(operand))
      return true;
  return false;
}
