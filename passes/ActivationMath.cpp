//===- ActivationMath.cpp - scalar activation functions -------------------===//

#include "passes/ActivationMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// Small helper that emits scalar float arithmetic at one location.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;
  Type type;

  Value constant(double value) {
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(type, value));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }

  // Every helper below emits its ops one statement at a time: C++ leaves
  // the evaluation order of call arguments unspecified, and the IR must not
  // depend on the host compiler.

  /// 1 / (1 + exp(-x)).
  Value sigmoid(Value x) {
    Value negated = arith::NegFOp::create(b, loc, x);
    Value exp = math::ExpOp::create(b, loc, negated);
    Value denominator = add(constant(1.0), exp);
    Value one = constant(1.0);
    return div(one, denominator);
  }

  /// 0.5 x (1 + inner), the shape shared by both GELU forms.
  Value halfXTimesOnePlus(Value x, Value inner) {
    Value halfX = mul(constant(0.5), x);
    Value onePlus = add(constant(1.0), inner);
    return mul(halfX, onePlus);
  }
};
} // namespace

Value mlir::ffn::emitActivation(OpBuilder &builder, Location loc,
                                ActivationAttr activation, Value x) {
  ScalarBuilder s{builder, loc, x.getType()};
  switch (activation.getKind()) {
  case ActivationKind::Relu:
    return arith::MaximumFOp::create(builder, loc, x, s.constant(0.0));
  case ActivationKind::Gelu: {
    // 0.5 x (1 + erf(x / sqrt(2)))
    Value scaled = s.mul(x, s.constant(M_SQRT1_2));
    Value erf = math::ErfOp::create(builder, loc, scaled);
    return s.halfXTimesOnePlus(x, erf);
  }
  case ActivationKind::GeluTanh: {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value square = s.mul(x, x);
    Value cube = s.mul(square, x);
    Value scaledCube = s.mul(s.constant(0.044715), cube);
    Value inner = s.add(x, scaledCube);
    Value argument = s.mul(s.constant(std::sqrt(2.0 / M_PI)), inner);
    Value tanh = math::TanhOp::create(builder, loc, argument);
    return s.halfXTimesOnePlus(x, tanh);
  }
  case ActivationKind::Swish: {
    // x * sigmoid(beta x)
    Value arg = x;
    if (activation.hasNonDefaultBeta())
      arg = s.mul(s.constant(activation.getBetaValue()), x);
    Value sigmoid = s.sigmoid(arg);
    return s.mul(x, sigmoid);
  }
  case ActivationKind::Sigmoid:
    return s.sigmoid(x);
  case ActivationKind::Identity:
    return x;
  }
  llvm_unreachable("unknown activation kind");
}

Value mlir::ffn::emitGatedProduct(OpBuilder &builder, Location loc,
                                  ActivationAttr gate, Value a, Value b) {
  Value gated = emitActivation(builder, loc, gate, a);
  return arith::MulFOp::create(builder, loc, gated, b);
}
