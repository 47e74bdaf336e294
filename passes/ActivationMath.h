//===- ActivationMath.h - scalar activation functions -----------*- C++ -*-===//
//
// Emits the arith/math ops computing an #ffn.activation on one scalar. The
// reference lowering and every fused epilogue build their bodies with these
// helpers, so the formulas exist in exactly one place.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_ACTIVATIONMATH_H
#define GLU_PASSES_ACTIVATIONMATH_H

#include "dialect/FFNAttrs.h"
#include "mlir/IR/Builders.h"

namespace mlir::ffn {

/// Returns f(x) for the activation `activation` applied to the float scalar
/// `x` (relu, gelu (erf), gelu_tanh, swish with beta, sigmoid, identity).
Value emitActivation(OpBuilder &builder, Location loc,
                     ActivationAttr activation, Value x);

/// Returns gate(a) * b, the gating product of the GLU variants.
Value emitGatedProduct(OpBuilder &builder, Location loc,
                       ActivationAttr gate, Value a, Value b);

} // namespace mlir::ffn

#endif // GLU_PASSES_ACTIVATIONMATH_H
