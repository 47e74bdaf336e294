//===- Attention.cpp - T5Attention, forward and backward ------------------===//

#include "T5Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace glu::t5;
using mlir::ffn::MatmulForm;

Value glu::t5::splitHeads(GraphBuilder &g, Value projected, int64_t batch,
                          int64_t len, int64_t heads, int64_t dKV) {
  Value split = g.reshape(projected, {batch, len, heads, dKV});
  Value headMajor = g.transpose(split, {0, 2, 1, 3});
  return g.reshape(headMajor, {batch * heads, len, dKV});
}

/// The inverse of splitHeads: [B * H, len, d_kv] -> [B * len, H * d_kv].
static Value mergeHeads(GraphBuilder &g, Value heads, int64_t batch,
                        int64_t len, int64_t numHeads, int64_t dKV) {
  Value split = g.reshape(heads, {batch, numHeads, len, dKV});
  Value tokenMajor = g.transpose(split, {0, 2, 1, 3});
  return g.reshape(tokenMajor, {batch * len, numHeads * dKV});
}

/// softmax over the last dimension of s + bias[h, i, j], with float32's
/// lowest value added where the mask hides key j from query i.
static Value maskedSoftmax(GraphBuilder &g, const AttentionShape &s,
                           Value scores, Value bias,
                           const AttentionMask &mask) {
  SmallVector<int64_t> shape4 = {s.batch, s.heads, s.queries, s.keys};
  Value scores4 = g.reshape(scores, shape4);
  SmallVector<MapOperand> operands = {scores4};
  if (bias)
    operands.push_back(MapOperand(bias, {1, 2, 3}));
  if (mask.keyMask)
    operands.push_back(MapOperand(mask.keyMask, {0, 3}));
  bool hasMask = mask.keyMask || mask.causal;
  Value z = g.map(
      shape4, operands,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value v = a[0];
        unsigned next = 1;
        if (bias)
          v = arith::AddFOp::create(b, l, v, a[next++]);
        if (!hasMask)
          return v;
        Value visible;
        if (mask.keyMask) {
          Value zero = g.scalar(b, l, 0, b.getI32Type());
          visible = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                          a[next++], zero);
        }
        if (mask.causal) {
          // Indices follow the operands: b, h, i, j.
          Value i = a[next + 2], j = a[next + 3];
          if (mask.causalOffset)
            i = arith::AddIOp::create(b, l, i, mask.causalOffset);
          Value causal =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule, j, i);
          visible =
              visible ? arith::AndIOp::create(b, l, visible, causal).getResult()
                      : causal;
        }
        Value lowest = g.scalar(b, l, std::numeric_limits<float>::lowest());
        Value add =
            arith::SelectOp::create(b, l, visible, g.scalar(b, l, 0.0), lowest);
        return arith::AddFOp::create(b, l, v, add).getResult();
      },
      g.f32(), /*withIndices=*/mask.causal);
  Value max = g.reduceLast(z, GraphBuilder::Reduction::Max);
  Value e = g.map(shape4, {z, MapOperand(max, {0, 1, 2})},
                  [](OpBuilder &b, Location l, ValueRange a) {
                    Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
                    return math::ExpOp::create(b, l, shifted).getResult();
                  });
  Value sums = g.reduceLast(e, GraphBuilder::Reduction::Sum);
  Value p = g.map(shape4, {e, MapOperand(sums, {0, 1, 2})},
                  [](OpBuilder &b, Location l, ValueRange a) {
                    return arith::DivFOp::create(b, l, a[0], a[1]).getResult();
                  });
  return g.reshape(p, {s.batch * s.heads, s.queries, s.keys});
}

Value glu::t5::attendHeads(GraphBuilder &g, const AttentionShape &s, Value qh,
                           Value kh, Value vh, Value bias,
                           const AttentionMask &mask, Value *probs) {
  Value scores = g.batchMatmul(qh, kh, MatmulForm::TransposedRhs);
  Value p = maskedSoftmax(g, s, scores, bias, mask);
  if (probs)
    *probs = p;
  Value contextHeads = g.batchMatmul(p, vh);
  return mergeHeads(g, contextHeads, s.batch, s.queries, s.heads, s.dKV);
}

Attention glu::t5::attentionForward(GraphBuilder &g, const AttentionShape &s,
                                    Value xq, Value xkv,
                                    const AttentionWeights &w, Value bias,
                                    const AttentionMask &mask) {
  Attention fwd;
  fwd.shape = s;
  fwd.xq = xq;
  fwd.xkv = xkv;
  fwd.qh = splitHeads(g, g.matmul(xq, w.q), s.batch, s.queries, s.heads, s.dKV);
  fwd.kh = splitHeads(g, g.matmul(xkv, w.k), s.batch, s.keys, s.heads, s.dKV);
  fwd.vh = splitHeads(g, g.matmul(xkv, w.v), s.batch, s.keys, s.heads, s.dKV);
  fwd.context =
      attendHeads(g, s, fwd.qh, fwd.kh, fwd.vh, bias, mask, &fwd.probs);
  fwd.y = g.matmul(fwd.context, w.o);
  return fwd;
}

// Per head, with s = q k^T + bias (+ mask), p = softmax(s), c = p v:
//   dv = p^T dc          dp = dc v^T
//   ds = p * (dp - rowsum(dp * p))
//   dq = ds k            dk = ds^T q          dbias = sum over the batch of ds
// and through the projections, dW = x^T d(projection), dx = d(projection) W^T.
AttentionGrads glu::t5::attentionBackward(GraphBuilder &g, const Attention &fwd,
                                          const AttentionWeights &w, Value dy) {
  const AttentionShape &s = fwd.shape;
  AttentionGrads grads;
  grads.dout = g.matmul(fwd.context, dy, MatmulForm::TransposedLhs);
  Value dContext = g.matmul(dy, w.o, MatmulForm::TransposedRhs);
  Value dch = splitHeads(g, dContext, s.batch, s.queries, s.heads, s.dKV);
  Value dvh = g.batchMatmul(fwd.probs, dch, MatmulForm::TransposedLhs);
  Value dp = g.batchMatmul(dch, fwd.vh, MatmulForm::TransposedRhs);
  SmallVector<int64_t> shape3 = {s.batch * s.heads, s.queries, s.keys};
  Value rowDots =
      g.reduceLast(g.mul(dp, fwd.probs), GraphBuilder::Reduction::Sum);
  Value ds =
      g.map(shape3, {fwd.probs, dp, MapOperand(rowDots, {0, 1})},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value centered = arith::SubFOp::create(b, l, a[1], a[2]);
              return arith::MulFOp::create(b, l, a[0], centered).getResult();
            });
  grads.dbias = g.sumAllBut(
      g.reshape(ds, {s.batch, s.heads, s.queries, s.keys}), {1, 2, 3});
  Value dqh = g.batchMatmul(ds, fwd.kh);
  Value dkh = g.batchMatmul(ds, fwd.qh, MatmulForm::TransposedLhs);
  Value dq = mergeHeads(g, dqh, s.batch, s.queries, s.heads, s.dKV);
  Value dk = mergeHeads(g, dkh, s.batch, s.keys, s.heads, s.dKV);
  Value dv = mergeHeads(g, dvh, s.batch, s.keys, s.heads, s.dKV);
  grads.dq = g.matmul(fwd.xq, dq, MatmulForm::TransposedLhs);
  grads.dk = g.matmul(fwd.xkv, dk, MatmulForm::TransposedLhs);
  grads.dv = g.matmul(fwd.xkv, dv, MatmulForm::TransposedLhs);
  Value dxq = g.matmul(dq, w.q, MatmulForm::TransposedRhs);
  Value dxkv = g.add(g.matmul(dk, w.k, MatmulForm::TransposedRhs),
                     g.matmul(dv, w.v, MatmulForm::TransposedRhs));
  if (fwd.xq == fwd.xkv) {
    grads.dxq = g.add(dxq, dxkv);
  } else {
    grads.dxq = dxq;
    grads.dxkv = dxkv;
  }
  return grads;
}
