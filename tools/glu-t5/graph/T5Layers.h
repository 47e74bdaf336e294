//===- T5Layers.h - T5's layers, forward and backward -----------*- C++ -*-===//
//
// Each layer of T5 other than the feed-forward one as a forward builder
// that returns what its backward needs, and that backward: the embedding,
// RMS norm, attention with the relative position bias, the language-model
// head and the cross-entropy loss. The feed-forward layer is one ffn op
// each way (ffn.glu / ffn.ffn, ffn.glu_grad / ffn.ffn_grad), so ffn-fuse
// finds it. Activations are rows: [tokens, features] with the batch and
// sequence dimensions collapsed.
//
// Gradient formulas are written beside each backward; docs/t5.md derives
// them.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_T5LAYERS_H
#define GLU_TOOLS_T5_T5LAYERS_H

#include "GraphBuilder.h"
#include "T5Config.h"

namespace glu::t5 {

//===- RMS norm -----------------------------------------------------------===//

/// y = w * (x * rsqrt(mean(x^2) + eps)), no mean, no bias (T5LayerNorm).
struct RmsNorm {
  Value x;    // [N, D]
  Value rstd; // [N]: rsqrt(mean(x^2) + eps)
  Value y;    // [N, D]
};
RmsNorm rmsNormForward(GraphBuilder &g, Value x, Value weight, double eps);
/// Returns dx and adds dw to *dWeight (or sets it when null).
Value rmsNormBackward(GraphBuilder &g, const RmsNorm &fwd, Value weight,
                      Value dy, Value &dWeight);

//===- Relative position bias ---------------------------------------------===//

/// The bucket of every relative position memory - query from
/// -(queries - 1 + offset) to keys - 1, computed here (static shapes) as
/// Hugging Face's _relative_position_bucket does in float32; index
/// r + queries - 1 + offset holds the bucket of r.
std::vector<int32_t> relativePositionBuckets(int64_t queries, int64_t keys,
                                             int64_t offset, bool bidirectional,
                                             int64_t numBuckets,
                                             int64_t maxDistance);

/// bias[h, i, j] = table[bucket(j - i - offset), h] for a [numBuckets, H]
/// table: [H, queries, keys]. `offset` (an index Value, or null for 0) is
/// the position of the first query (decode_step).
struct PositionBias {
  Value buckets; // i32 [queries + keys - 1 + maxOffset]
  int64_t queries, keys;
  int64_t base; // the table index of relative position 0 for query 0
  Value offset; // index, or null
  Value bias;   // [H, queries, keys]
};
PositionBias positionBiasForward(GraphBuilder &g, Value table, int64_t queries,
                                 int64_t keys, bool bidirectional,
                                 const T5Config &config, Value offset = {},
                                 int64_t maxOffset = 0);
/// dtable[b, h] = sum of dbias[h, i, j] over the (i, j) in bucket b.
Value positionBiasBackward(GraphBuilder &g, const PositionBias &fwd,
                           Value dbias, int64_t numBuckets);

//===- Attention ----------------------------------------------------------===//

struct AttentionWeights {
  Value q, k, v; // [D, H * d_kv]
  Value o;       // [H * d_kv, D]
};

struct AttentionShape {
  int64_t batch, queries, keys, heads, dKV;
};

/// What decides which keys a query sees: a key mask (i32 [B, keys], 0 for
/// padding) and the causal rule (key j visible to query i when
/// j <= i + causalOffset).
struct AttentionMask {
  Value keyMask; // or null
  bool causal = false;
  Value causalOffset; // index, or null for 0
};

/// T5Attention: no 1/sqrt(d_kv) scaling; scores + bias, then masked
/// positions get float32's lowest value added (as Hugging Face's masks).
struct Attention {
  AttentionShape shape;
  Value xq, xkv;    // [B * queries, D], [B * keys, D]
  Value qh, kh, vh; // [B * H, len, d_kv]
  Value probs;      // [B * H, queries, keys]
  Value context;    // [B * queries, H * d_kv]
  Value y;          // [B * queries, D]
};
Attention attentionForward(GraphBuilder &g, const AttentionShape &shape,
                           Value xq, Value xkv, const AttentionWeights &w,
                           Value bias, const AttentionMask &mask);
/// The projections of `x` [B * len, D] to heads [B * H, len, d_kv].
Value splitHeads(GraphBuilder &g, Value projected, int64_t batch, int64_t len,
                 int64_t heads, int64_t dKV);
/// Attention of queries `qh` [B * H, queries, d_kv] over given key and
/// value heads [B * H, keys, d_kv]: the context [B * queries, H * d_kv]
/// (and the probabilities, when asked for).
Value attendHeads(GraphBuilder &g, const AttentionShape &shape, Value qh,
                  Value kh, Value vh, Value bias, const AttentionMask &mask,
                  Value *probs = nullptr);

struct AttentionGrads {
  Value dxq, dxkv; // dxkv null when xkv is xq (self-attention: dxq has both)
  Value dq, dk, dv, dout;
  Value dbias; // [H, queries, keys]
};
AttentionGrads attentionBackward(GraphBuilder &g, const Attention &fwd,
                                 const AttentionWeights &w, Value dy);

//===- Embedding, head and loss -------------------------------------------===//

/// rows[n] = table[ids[n]] for ids [N] (i32) of a [V, D] table.
Value embeddingForward(GraphBuilder &g, Value table, Value ids);
/// The table's gradient: dy's rows summed into the rows of their ids.
Value embeddingBackward(GraphBuilder &g, Value ids, Value dy,
                        int64_t vocabSize);

/// The decoder's inputs from the labels [B, T]: shifted right by one,
/// `start` first, -100 (ignored) replaced by `pad` (Hugging Face's
/// _shift_right).
Value shiftRight(GraphBuilder &g, Value labels, int64_t start, int64_t pad);

/// Mean cross-entropy over the labels that are not -100 (Hugging Face's
/// CrossEntropyLoss(ignore_index=-100)). logits [N, V], labels i32 [N].
struct CrossEntropy {
  Value logits, labels;
  Value logSumExp; // [N]
  Value count;     // rank 0: the labels counted
  Value loss;      // rank 0
};
CrossEntropy crossEntropyForward(GraphBuilder &g, Value logits, Value labels);
/// dlogits = (softmax(logits) - onehot(label)) / count on counted rows.
Value crossEntropyBackward(GraphBuilder &g, const CrossEntropy &fwd);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_T5LAYERS_H
