//===- FeedForward.cpp - T5's feed-forward layer as ffn ops ---------------===//

#include "FeedForward.h"

#include "dialect/FFNOps.h"

using namespace mlir;
using namespace glu::t5;

static ffn::ActivationAttr activationOf(MLIRContext *ctx,
                                        FeedForwardActivation activation) {
  using ffn::ActivationKind;
  ActivationKind kind = ActivationKind::Relu;
  switch (activation) {
  case FeedForwardActivation::Relu:
    kind = ActivationKind::Relu;
    break;
  case FeedForwardActivation::Gelu:
    kind = ActivationKind::Gelu;
    break;
  case FeedForwardActivation::GeluTanh:
    kind = ActivationKind::GeluTanh;
    break;
  case FeedForwardActivation::Swish:
    kind = ActivationKind::Swish;
    break;
  case FeedForwardActivation::Sigmoid:
    kind = ActivationKind::Sigmoid;
    break;
  case FeedForwardActivation::Identity:
    kind = ActivationKind::Identity;
    break;
  }
  return ffn::ActivationAttr::get(ctx, kind);
}

Value glu::t5::feedForwardForward(GraphBuilder &g,
                                  const FeedForwardVariant &variant, Value x,
                                  const FeedForwardWeights &w) {
  OpBuilder &b = g.builder();
  auto activation = activationOf(b.getContext(), variant.activation);
  if (variant.gated)
    return ffn::GLUOp::create(b, g.location(), x.getType(), activation, x, w.wi,
                              w.wi1, w.wo, Value(), Value(), Value())
        .getResult();
  return ffn::FFNOp::create(b, g.location(), x.getType(), activation, x, w.wi,
                            w.wo, Value(), Value())
      .getResult();
}

FeedForwardGrads
glu::t5::feedForwardBackward(GraphBuilder &g, const FeedForwardVariant &variant,
                             Value x, const FeedForwardWeights &w, Value dy) {
  OpBuilder &b = g.builder();
  auto activation = activationOf(b.getContext(), variant.activation);
  if (variant.gated) {
    auto grad =
        ffn::GLUGradOp::create(b, g.location(), activation, x, w.wi, w.wi1,
                               w.wo, dy, Value(), Value(), Value());
    return {grad.getInputGrad(), grad.getWGrad(), grad.getVGrad(),
            grad.getW2Grad()};
  }
  auto grad = ffn::FFNGradOp::create(b, g.location(), activation, x, w.wi, w.wo,
                                     dy, Value(), Value());
  return {grad.getInputGrad(), grad.getW1Grad(), Value(), grad.getW2Grad()};
}
