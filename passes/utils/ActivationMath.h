//===- ActivationMath.h - scalar activation functions -----------*- C++ -*-===//
//
// Emits the arith/math ops computing an #ffn.activation on one scalar, or
// lane by lane on a vector of floats (e.g. vector<16xf32>, as in the
// glu-cpu-gemm epilogue): constants are then splats, and every op is
// elementwise. The reference lowering and every fused epilogue build their
// bodies with these helpers, so the formulas exist in exactly one place; on
// scalars the IR is the same as it always was. bf16 and f16 values are
// widened to f32, computed on and rounded back once.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_UTILS_ACTIVATIONMATH_H
#define GLU_PASSES_UTILS_ACTIVATIONMATH_H

#include "dialect/FFNAttrs.h"
#include "mlir/IR/Builders.h"

#include <utility>

namespace mlir::ffn {

/// Returns f(x) for the activation `activation` applied to the float scalar
/// (or vector of floats) `x` (relu, gelu (erf), gelu_tanh, swish with beta,
/// sigmoid, identity).
Value emitActivation(OpBuilder &builder, Location loc,
                     ActivationAttr activation, Value x);

/// Returns gate(a) * b, the gating product of the GLU variants.
Value emitGatedProduct(OpBuilder &builder, Location loc, ActivationAttr gate,
                       Value a, Value b);

/// Returns f'(x), the derivative of the activation `activation` at the float
/// scalar `x`:
///
///   relu       x > 0 ? 1 : 0 (arith.cmpf ogt + select)
///   gelu       Phi(x) + x phi(x), Phi(x) = 0.5 (1 + erf(x / sqrt(2))),
///              phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
///   gelu_tanh  0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 k x^2),
///              t = tanh(sqrt(2/pi) (x + k x^3)), k = 0.044715 (the exact
///              derivative of the tanh form, not of the erf form)
///   swish      s + beta x s (1 - s), s = sigmoid(beta x)
///   sigmoid    s (1 - s), s = sigmoid(x)
///   identity   1
///
/// relu has no derivative at 0; this returns 0 there (and for NaN), the
/// choice of PyTorch and JAX: a unit exactly at its kink receives no
/// gradient, like a dead one.
Value emitActivationDerivative(OpBuilder &builder, Location loc,
                               ActivationAttr activation, Value x);

/// The gradients of the gating product h = gate(a) * b given dh, the
/// gradient with respect to h: returns {dh * b * gate'(a), dh * gate(a)},
/// the gradients with respect to a and b (the "dgate" epilogue). An
/// identity gate gives {dh * b, dh * a}.
std::pair<Value, Value> emitGatedProductGradient(OpBuilder &builder,
                                                 Location loc,
                                                 ActivationAttr gate, Value a,
                                                 Value b, Value dh);

} // namespace mlir::ffn

#endif // GLU_PASSES_UTILS_ACTIVATIONMATH_H
