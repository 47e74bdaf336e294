//===- FeedForward.h - T5's feed-forward layer as ffn ops -------*- C++ -*-===//
//
// T5DenseActDense and T5DenseGatedActDense as ffn.ffn and ffn.glu, and
// their gradients as ffn.ffn_grad and ffn.glu_grad: the layers ffn-fuse
// turns into one GEMM over packed weights with the gating epilogue.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_FEEDFORWARD_H
#define GLU_TOOLS_T5_FEEDFORWARD_H

#include "GraphBuilder.h"
#include "T5Config.h"

namespace glu::t5 {

/// wi (ungated) or wi_0 (the gate), wi_1 (the linear half; null when
/// ungated), wo; [D, d_ff] and [d_ff, D].
struct FeedForwardWeights {
  Value wi, wi1, wo;
};

struct FeedForwardGrads {
  Value dx, dwi, dwi1, dwo;
};

/// act(x wi) wo, or (act(x wi_0) * x wi_1) wo, for x [N, D].
Value feedForwardForward(GraphBuilder &g, const FeedForwardVariant &variant,
                         Value x, const FeedForwardWeights &w);
FeedForwardGrads feedForwardBackward(GraphBuilder &g,
                                     const FeedForwardVariant &variant, Value x,
                                     const FeedForwardWeights &w, Value dy);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_FEEDFORWARD_H
