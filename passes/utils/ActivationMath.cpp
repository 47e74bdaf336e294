//===- ActivationMath.cpp - activation functions on scalars and vectors ---===//

#include "passes/utils/ActivationMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// Small helper that emits scalar float arithmetic at one location.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;
  Type type;

  /// `value` as a float scalar of `type`, or splat over `type`'s elements
  /// when it is a vector (the fused CPU epilogues work on vector<16xf32>).
  Value constant(double value) {
    if (auto shaped = dyn_cast<ShapedType>(type)) {
      auto splat = DenseElementsAttr::get(
          shaped, b.getFloatAttr(shaped.getElementType(), value));
      return arith::ConstantOp::create(b, loc, type, splat);
    }
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
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

  /// 1 - x.
  Value oneMinus(Value x) {
    Value one = constant(1.0);
    return sub(one, x);
  }

  /// 0.5 x (1 + inner), the shape shared by both GELU forms.
  Value halfXTimesOnePlus(Value x, Value inner) {
    Value halfX = mul(constant(0.5), x);
    Value onePlus = add(constant(1.0), inner);
    return mul(halfX, onePlus);
  }
};
} // namespace

/// The type bf16 and f16 math is computed in (f32, or a vector of f32),
/// or null when `type` is computed as it is.
static Type getWideType(Type type) {
  Type element = getElementTypeOrSelf(type);
  if (!element.isBF16() && !element.isF16())
    return {};
  Type f32 = Float32Type::get(type.getContext());
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(f32);
  return f32;
}

static Value widen(OpBuilder &b, Location loc, Value value, Type wide) {
  return arith::ExtFOp::create(b, loc, wide, value);
}

static Value narrow(OpBuilder &b, Location loc, Value value, Type type) {
  return arith::TruncFOp::create(b, loc, type, value);
}

Value mlir::ffn::emitActivation(OpBuilder &builder, Location loc,
                                ActivationAttr activation, Value x) {
  // bf16 and f16: computed in f32 and rounded once, as PyTorch's kernels
  // and the fused epilogues of cuBLASLt do.
  if (Type wide = getWideType(x.getType()))
    return narrow(
        builder, loc,
        emitActivation(builder, loc, activation, widen(builder, loc, x, wide)),
        x.getType());
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
  if (Type wide = getWideType(a.getType())) {
    Value wideA = widen(builder, loc, a, wide);
    Value wideB = widen(builder, loc, b, wide);
    return narrow(builder, loc,
                  emitGatedProduct(builder, loc, gate, wideA, wideB),
                  a.getType());
  }
  Value gated = emitActivation(builder, loc, gate, a);
  return arith::MulFOp::create(builder, loc, gated, b);
}

Value mlir::ffn::emitActivationDerivative(OpBuilder &builder, Location loc,
                                          ActivationAttr activation, Value x) {
  if (Type wide = getWideType(x.getType()))
    return narrow(builder, loc,
                  emitActivationDerivative(builder, loc, activation,
                                           widen(builder, loc, x, wide)),
                  x.getType());
  ScalarBuilder s{builder, loc, x.getType()};
  switch (activation.getKind()) {
  case ActivationKind::Relu: {
    // x > 0 ? 1 : 0; 0 at the kink and for NaN (see the header).
    Value zero = s.constant(0.0);
    Value positive =
        arith::CmpFOp::create(builder, loc, arith::CmpFPredicate::OGT, x, zero);
    Value one = s.constant(1.0);
    Value none = s.constant(0.0);
    return arith::SelectOp::create(builder, loc, positive, one, none);
  }
  case ActivationKind::Gelu: {
    // Phi(x) + x phi(x) = 0.5 (1 + erf(x / sqrt(2))) + x exp(-x^2 / 2) /
    // sqrt(2 pi).
    Value scaled = s.mul(x, s.constant(M_SQRT1_2));
    Value erf = math::ErfOp::create(builder, loc, scaled);
    Value onePlus = s.add(s.constant(1.0), erf);
    Value cdf = s.mul(s.constant(0.5), onePlus);
    Value square = s.mul(x, x);
    Value exponent = s.mul(s.constant(-0.5), square);
    Value exp = math::ExpOp::create(builder, loc, exponent);
    Value pdf = s.mul(exp, s.constant(1.0 / std::sqrt(2.0 * M_PI)));
    Value xPdf = s.mul(x, pdf);
    return s.add(cdf, xPdf);
  }
  case ActivationKind::GeluTanh: {
    // d/dx 0.5 x (1 + t), t = tanh(u), u = c (x + k x^3):
    //   0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 k x^2).
    const double k = 0.044715;
    const double c = std::sqrt(2.0 / M_PI);
    Value square = s.mul(x, x);
    Value cube = s.mul(square, x);
    Value scaledCube = s.mul(s.constant(k), cube);
    Value inner = s.add(x, scaledCube);
    Value argument = s.mul(s.constant(c), inner);
    Value tanh = math::TanhOp::create(builder, loc, argument);
    Value onePlusTanh = s.add(s.constant(1.0), tanh);
    Value left = s.mul(s.constant(0.5), onePlusTanh);
    Value tanhSquare = s.mul(tanh, tanh);
    Value sechSquare = s.oneMinus(tanhSquare);
    Value scaledSquare = s.mul(s.constant(3.0 * k), square);
    Value innerSlope = s.add(s.constant(1.0), scaledSquare);
    Value argumentSlope = s.mul(s.constant(c), innerSlope);
    Value halfX = s.mul(s.constant(0.5), x);
    Value halfXSech = s.mul(halfX, sechSquare);
    Value right = s.mul(halfXSech, argumentSlope);
    return s.add(left, right);
  }
  case ActivationKind::Swish: {
    // s + beta x s (1 - s), s = sigmoid(beta x).
    Value arg = x;
    if (activation.hasNonDefaultBeta())
      arg = s.mul(s.constant(activation.getBetaValue()), x);
    Value sigmoid = s.sigmoid(arg);
    Value complement = s.oneMinus(sigmoid);
    Value slope = s.mul(sigmoid, complement);
    Value argSlope = s.mul(arg, slope);
    return s.add(sigmoid, argSlope);
  }
  case ActivationKind::Sigmoid: {
    // s (1 - s).
    Value sigmoid = s.sigmoid(x);
    Value complement = s.oneMinus(sigmoid);
    return s.mul(sigmoid, complement);
  }
  case ActivationKind::Identity:
    return s.constant(1.0);
  }
  llvm_unreachable("unknown activation kind");
}

std::pair<Value, Value> mlir::ffn::emitGatedProductGradient(OpBuilder &builder,
                                                            Location loc,
                                                            ActivationAttr gate,
                                                            Value a, Value b,
                                                            Value dh) {
  if (Type wide = getWideType(a.getType())) {
    auto [da, db] = emitGatedProductGradient(
        builder, loc, gate, widen(builder, loc, a, wide),
        widen(builder, loc, b, wide), widen(builder, loc, dh, wide));
    return {narrow(builder, loc, da, a.getType()),
            narrow(builder, loc, db, a.getType())};
  }
  ScalarBuilder s{builder, loc, a.getType()};
  Value dhB = s.mul(dh, b);
  Value da = dhB;
  if (gate.getKind() != ActivationKind::Identity) {
    Value slope = emitActivationDerivative(builder, loc, gate, a);
    da = s.mul(dhB, slope);
  }
  Value gated = emitActivation(builder, loc, gate, a);
  Value db = s.mul(dh, gated);
  return {da, db};
}
