//===- T5Model.cpp - T5's graphs as one MLIR module -----------------------===//

#include "T5Model.h"
#include "FeedForward.h"
#include "T5Layers.h"
#include "T5Parameters.h"
#include "dialect/FFNAttrs.h"
#include "dialect/FFNFusedOps.h"
#include "glu/ArtifactAbi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace glu::t5;
using mlir::ffn::MatmulForm;

namespace {

struct EncoderBlockTape {
  RmsNorm selfNorm;
  Attention self;
  RmsNorm ffNorm;
};

struct DecoderBlockTape {
  RmsNorm selfNorm;
  Attention self;
  RmsNorm crossNorm;
  Attention cross;
  RmsNorm ffNorm;
};

/// What the backward pass reads of the forward.
struct Tape {
  Value encoderIds, decoderIds;
  PositionBias encoderBias, decoderBias;
  std::vector<EncoderBlockTape> encoder;
  std::vector<DecoderBlockTape> decoder;
  RmsNorm encoderFinal, decoderFinal;
  Value headInput; // the decoder's output, scaled when tied
  CrossEntropy loss;
};

/// The forward and backward passes over named parameters.
class T5Graph {
public:
  T5Graph(GraphBuilder &g, const T5Config &c, const T5Shapes &s,
          const llvm::StringMap<Value> &params)
      : g(g), c(c), s(s), params(params) {}

  /// The encoder's output [B * S, D] for ids [B * S] and mask [B, S].
  Value encode(Value ids, Value mask, Tape &tape);
  /// The decoder's output [B * T, D] (after its final norm).
  Value decode(Value encoderOutput, Value mask, Value ids, Tape &tape);
  /// logits [B * T, V] of the decoder's output.
  Value logits(Value hidden, Tape &tape);
  /// Each decoder block's cross-attention keys and values of the encoder's
  /// output [B * S, D], as heads [B * H, S, d_kv].
  SmallVector<std::pair<Value, Value>> crossAttentionCache(Value encoderOutput);
  /// One decoder step: logits [B, V] of tokens [B] at `position` (an
  /// index), reading and extending the self-attention caches (keys and
  /// values [B * H, maxLen, d_kv] a block, replaced by the extended ones).
  Value decodeStep(Value tokens, Value position, Value mask,
                   ArrayRef<std::pair<Value, Value>> cross,
                   SmallVectorImpl<std::pair<Value, Value>> &selfCache,
                   Value head);
  /// The head's weight transposed, [D, V]: logits = hidden head, a GEMM
  /// the few rows of a decoding step read row by row.
  Value transposedHead() {
    return g.transpose(
        param(c.tiedEmbeddings ? "shared.weight" : "lm_head.weight"), {1, 0});
  }
  /// Every parameter's gradient of the loss, by name.
  llvm::StringMap<Value> backward(const Tape &tape);

private:
  Value param(const std::string &name) const {
    Value v = params.lookup(name);
    assert(v && "parameter not an argument of this entry point");
    return v;
  }
  AttentionWeights attentionWeights(Stack stack, int64_t block, bool cross) {
    return {param(attentionWeightName(stack, block, cross, 'q')),
            param(attentionWeightName(stack, block, cross, 'k')),
            param(attentionWeightName(stack, block, cross, 'v')),
            param(attentionWeightName(stack, block, cross, 'o'))};
  }
  FeedForwardWeights feedForwardWeights(Stack stack, int64_t block) {
    if (c.variant.gated)
      return {param(feedForwardWeightName(stack, block, "wi_0")),
              param(feedForwardWeightName(stack, block, "wi_1")),
              param(feedForwardWeightName(stack, block, "wo"))};
    return {param(feedForwardWeightName(stack, block, "wi")), Value(),
            param(feedForwardWeightName(stack, block, "wo"))};
  }
  double headScale() const { return std::pow(double(c.dModel), -0.5); }
  void accumulate(llvm::StringMap<Value> &grads, const std::string &name,
                  Value grad) {
    Value &slot = grads[name];
    slot = slot ? g.add(slot, grad) : grad;
  }
  /// Back through a residual FF sublayer; returns the gradient at its input.
  Value feedForwardBackward(Stack stack, int64_t block, const RmsNorm &norm,
                            Value dy, llvm::StringMap<Value> &grads);
  /// Back through a residual attention sublayer (dy also flows on
  /// unchanged); returns the gradient at its input, adds the key/value
  /// input's to *dKeyValues (cross-attention) and the bias's to *dBias.
  Value attentionBackward(Stack stack, int64_t block, bool cross,
                          const RmsNorm &norm, const Attention &fwd, Value dy,
                          llvm::StringMap<Value> &grads, Value *dKeyValues,
                          Value *dBias);

  GraphBuilder &g;
  const T5Config &c;
  const T5Shapes &s;
  const llvm::StringMap<Value> &params;
};

} // namespace

Value T5Graph::encode(Value ids, Value mask, Tape &tape) {
  int64_t len = s.sourceLength;
  AttentionShape shape = {s.batch, len, len, c.numHeads, c.dKV};
  tape.encoderIds = ids;
  Value h = embeddingForward(g, param("shared.weight"), ids);
  tape.encoderBias =
      positionBiasForward(g, param(relativeBiasName(Stack::Encoder)), len, len,
                          /*bidirectional=*/true, c);
  AttentionMask visible{mask, /*causal=*/false, Value()};
  for (int64_t i = 0; i < c.numLayers; ++i) {
    EncoderBlockTape block;
    block.selfNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Encoder, i, 0)), c.layerNormEpsilon);
    block.self = attentionForward(g, shape, block.selfNorm.y, block.selfNorm.y,
                                  attentionWeights(Stack::Encoder, i, false),
                                  tape.encoderBias.bias, visible);
    h = g.add(h, block.self.y);
    block.ffNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Encoder, i, 1)), c.layerNormEpsilon);
    h = g.add(h, feedForwardForward(g, c.variant, block.ffNorm.y,
                                    feedForwardWeights(Stack::Encoder, i)));
    tape.encoder.push_back(block);
  }
  tape.encoderFinal = rmsNormForward(
      g, h, param(finalLayerNormName(Stack::Encoder)), c.layerNormEpsilon);
  return tape.encoderFinal.y;
}

Value T5Graph::decode(Value encoderOutput, Value mask, Value ids, Tape &tape) {
  int64_t len = s.targetLength;
  AttentionShape selfShape = {s.batch, len, len, c.numHeads, c.dKV};
  AttentionShape crossShape = {s.batch, len, s.sourceLength, c.numHeads, c.dKV};
  tape.decoderIds = ids;
  Value h = embeddingForward(g, param("shared.weight"), ids);
  tape.decoderBias =
      positionBiasForward(g, param(relativeBiasName(Stack::Decoder)), len, len,
                          /*bidirectional=*/false, c);
  AttentionMask causal{Value(), /*causal=*/true, Value()};
  AttentionMask visible{mask, /*causal=*/false, Value()};
  for (int64_t i = 0; i < c.numDecoderLayers; ++i) {
    DecoderBlockTape block;
    block.selfNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 0)), c.layerNormEpsilon);
    block.self =
        attentionForward(g, selfShape, block.selfNorm.y, block.selfNorm.y,
                         attentionWeights(Stack::Decoder, i, false),
                         tape.decoderBias.bias, causal);
    h = g.add(h, block.self.y);
    block.crossNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 1)), c.layerNormEpsilon);
    block.cross = attentionForward(
        g, crossShape, block.crossNorm.y, encoderOutput,
        attentionWeights(Stack::Decoder, i, true), Value(), visible);
    h = g.add(h, block.cross.y);
    block.ffNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 2)), c.layerNormEpsilon);
    h = g.add(h, feedForwardForward(g, c.variant, block.ffNorm.y,
                                    feedForwardWeights(Stack::Decoder, i)));
    tape.decoder.push_back(block);
  }
  tape.decoderFinal = rmsNormForward(
      g, h, param(finalLayerNormName(Stack::Decoder)), c.layerNormEpsilon);
  return tape.decoderFinal.y;
}

Value T5Graph::logits(Value hidden, Tape &tape) {
  if (c.tiedEmbeddings) {
    tape.headInput = g.scale(hidden, headScale());
    return g.matmul(tape.headInput, param("shared.weight"),
                    MatmulForm::TransposedRhs);
  }
  tape.headInput = hidden;
  return g.matmul(hidden, param("lm_head.weight"), MatmulForm::TransposedRhs);
}

SmallVector<std::pair<Value, Value>>
T5Graph::crossAttentionCache(Value encoderOutput) {
  SmallVector<std::pair<Value, Value>> cache;
  for (int64_t i = 0; i < c.numDecoderLayers; ++i) {
    AttentionWeights w = attentionWeights(Stack::Decoder, i, /*cross=*/true);
    cache.push_back({splitHeads(g, g.matmul(encoderOutput, w.k), s.batch,
                                s.sourceLength, c.numHeads, c.dKV),
                     splitHeads(g, g.matmul(encoderOutput, w.v), s.batch,
                                s.sourceLength, c.numHeads, c.dKV)});
  }
  return cache;
}

/// `cache` [B * H, maxLen, d_kv] with the heads `fresh` [B * H, 1, d_kv]
/// written at `position`.
static Value writeCache(GraphBuilder &g, Value cache, Value fresh,
                        Value position) {
  OpBuilder &b = g.builder();
  ArrayRef<int64_t> shape = GraphBuilder::shape(fresh);
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), position,
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {
      b.getIndexAttr(shape[0]), b.getIndexAttr(1), b.getIndexAttr(shape[2])};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, g.location(), fresh, cache, offsets,
                                       sizes, strides);
}

Value T5Graph::decodeStep(Value tokens, Value position, Value mask,
                          ArrayRef<std::pair<Value, Value>> cross,
                          SmallVectorImpl<std::pair<Value, Value>> &selfCache,
                          Value head) {
  int64_t maxLen = s.maxDecodeLength;
  AttentionShape selfShape = {s.batch, 1, maxLen, c.numHeads, c.dKV};
  AttentionShape crossShape = {s.batch, 1, s.sourceLength, c.numHeads, c.dKV};
  Value h = embeddingForward(g, param("shared.weight"), tokens);
  // The bias of query `position` over the cache's keys; keys after it are
  // masked (they hold zeros or an earlier sequence's values).
  PositionBias bias =
      positionBiasForward(g, param(relativeBiasName(Stack::Decoder)), 1, maxLen,
                          /*bidirectional=*/false, c, position, maxLen - 1);
  AttentionMask causal{Value(), /*causal=*/true, position};
  AttentionMask visible{mask, /*causal=*/false, Value()};
  for (int64_t i = 0; i < c.numDecoderLayers; ++i) {
    RmsNorm selfNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 0)), c.layerNormEpsilon);
    AttentionWeights sw = attentionWeights(Stack::Decoder, i, false);
    auto heads = [&](Value x, Value w) {
      return splitHeads(g, g.matmul(x, w), s.batch, 1, c.numHeads, c.dKV);
    };
    Value keys =
        writeCache(g, selfCache[i].first, heads(selfNorm.y, sw.k), position);
    Value values =
        writeCache(g, selfCache[i].second, heads(selfNorm.y, sw.v), position);
    selfCache[i] = {keys, values};
    Value context = attendHeads(g, selfShape, heads(selfNorm.y, sw.q), keys,
                                values, bias.bias, causal);
    h = g.add(h, g.matmul(context, sw.o));

    RmsNorm crossNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 1)), c.layerNormEpsilon);
    AttentionWeights cw = attentionWeights(Stack::Decoder, i, true);
    Value crossContext =
        attendHeads(g, crossShape, heads(crossNorm.y, cw.q), cross[i].first,
                    cross[i].second, Value(), visible);
    h = g.add(h, g.matmul(crossContext, cw.o));

    RmsNorm ffNorm = rmsNormForward(
        g, h, param(layerNormName(Stack::Decoder, i, 2)), c.layerNormEpsilon);
    h = g.add(h, feedForwardForward(g, c.variant, ffNorm.y,
                                    feedForwardWeights(Stack::Decoder, i)));
  }
  RmsNorm final = rmsNormForward(
      g, h, param(finalLayerNormName(Stack::Decoder)), c.layerNormEpsilon);
  Value hidden = c.tiedEmbeddings ? g.scale(final.y, headScale()) : final.y;
  return g.matmul(hidden, head);
}

Value T5Graph::feedForwardBackward(Stack stack, int64_t block,
                                   const RmsNorm &norm, Value dy,
                                   llvm::StringMap<Value> &grads) {
  FeedForwardWeights w = feedForwardWeights(stack, block);
  FeedForwardGrads d =
      glu::t5::feedForwardBackward(g, c.variant, norm.y, w, dy);
  if (c.variant.gated) {
    accumulate(grads, feedForwardWeightName(stack, block, "wi_0"), d.dwi);
    accumulate(grads, feedForwardWeightName(stack, block, "wi_1"), d.dwi1);
  } else {
    accumulate(grads, feedForwardWeightName(stack, block, "wi"), d.dwi);
  }
  accumulate(grads, feedForwardWeightName(stack, block, "wo"), d.dwo);
  std::string normName = layerNormName(stack, block, feedForwardLayer(stack));
  Value dNormWeight = grads.lookup(normName);
  Value dx = rmsNormBackward(g, norm, param(normName), d.dx, dNormWeight);
  grads[normName] = dNormWeight;
  return g.add(dy, dx);
}

Value T5Graph::attentionBackward(Stack stack, int64_t block, bool cross,
                                 const RmsNorm &norm, const Attention &fwd,
                                 Value dy, llvm::StringMap<Value> &grads,
                                 Value *dKeyValues, Value *dBias) {
  AttentionWeights w = attentionWeights(stack, block, cross);
  AttentionGrads d = glu::t5::attentionBackward(g, fwd, w, dy);
  accumulate(grads, attentionWeightName(stack, block, cross, 'q'), d.dq);
  accumulate(grads, attentionWeightName(stack, block, cross, 'k'), d.dk);
  accumulate(grads, attentionWeightName(stack, block, cross, 'v'), d.dv);
  accumulate(grads, attentionWeightName(stack, block, cross, 'o'), d.dout);
  if (dKeyValues && d.dxkv)
    *dKeyValues = *dKeyValues ? g.add(*dKeyValues, d.dxkv) : d.dxkv;
  if (dBias)
    *dBias = *dBias ? g.add(*dBias, d.dbias) : d.dbias;
  std::string normName = layerNormName(stack, block, cross ? 1 : 0);
  Value dNormWeight = grads.lookup(normName);
  Value dx = rmsNormBackward(g, norm, param(normName), d.dxq, dNormWeight);
  grads[normName] = dNormWeight;
  return g.add(dy, dx);
}

llvm::StringMap<Value> T5Graph::backward(const Tape &tape) {
  llvm::StringMap<Value> grads;
  Value dLogits = crossEntropyBackward(g, tape.loss);

  // The head: logits = headInput table^T.
  Value dHidden;
  if (c.tiedEmbeddings) {
    accumulate(grads, "shared.weight",
               g.matmul(dLogits, tape.headInput, MatmulForm::TransposedLhs));
    dHidden = g.scale(g.matmul(dLogits, param("shared.weight")), headScale());
  } else {
    accumulate(grads, "lm_head.weight",
               g.matmul(dLogits, tape.headInput, MatmulForm::TransposedLhs));
    dHidden = g.matmul(dLogits, param("lm_head.weight"));
  }

  // The decoder, last block first.
  std::string finalName = finalLayerNormName(Stack::Decoder);
  Value dh = rmsNormBackward(g, tape.decoderFinal, param(finalName), dHidden,
                             grads[finalName]);
  Value dEncoderOutput, dDecoderBias;
  for (int64_t i = c.numDecoderLayers - 1; i >= 0; --i) {
    const DecoderBlockTape &block = tape.decoder[i];
    dh = feedForwardBackward(Stack::Decoder, i, block.ffNorm, dh, grads);
    dh = attentionBackward(Stack::Decoder, i, /*cross=*/true, block.crossNorm,
                           block.cross, dh, grads, &dEncoderOutput, nullptr);
    dh = attentionBackward(Stack::Decoder, i, /*cross=*/false, block.selfNorm,
                           block.self, dh, grads, nullptr, &dDecoderBias);
  }
  accumulate(
      grads, relativeBiasName(Stack::Decoder),
      positionBiasBackward(g, tape.decoderBias, dDecoderBias, c.numBuckets));
  accumulate(grads, "shared.weight",
             embeddingBackward(g, tape.decoderIds, dh, c.vocabSize));

  // The encoder.
  finalName = finalLayerNormName(Stack::Encoder);
  dh = rmsNormBackward(g, tape.encoderFinal, param(finalName), dEncoderOutput,
                       grads[finalName]);
  Value dEncoderBias;
  for (int64_t i = c.numLayers - 1; i >= 0; --i) {
    const EncoderBlockTape &block = tape.encoder[i];
    dh = feedForwardBackward(Stack::Encoder, i, block.ffNorm, dh, grads);
    dh = attentionBackward(Stack::Encoder, i, /*cross=*/false, block.selfNorm,
                           block.self, dh, grads, nullptr, &dEncoderBias);
  }
  accumulate(
      grads, relativeBiasName(Stack::Encoder),
      positionBiasBackward(g, tape.encoderBias, dEncoderBias, c.numBuckets));
  accumulate(grads, "shared.weight",
             embeddingBackward(g, tape.encoderIds, dh, c.vocabSize));
  return grads;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

namespace {
/// A gate and a linear tensor an entry point takes as one, packed as
/// ffn.pack_gated packs them (an ffn.packed_arguments record).
struct PackedPair {
  std::string gate, linear;
  std::vector<int64_t> shape; // each one's
  // Their positions in the signature the entry point has unpacked.
  int64_t gateIndex = 0, linearIndex = 0;
};

struct NamedType {
  std::string name;
  Type type;
  std::optional<PackedPair> packed = std::nullopt;
};

/// Each gated feed-forward layer's (wi_0, wi_1) names.
static std::vector<std::pair<std::string, std::string>>
gatedWeightPairs(const T5Config &config) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!config.variant.gated)
    return pairs;
  for (auto [stack, blocks] : {std::pair{Stack::Encoder, config.numLayers},
                               {Stack::Decoder, config.numDecoderLayers}})
    for (int64_t block = 0; block < blocks; ++block)
      pairs.push_back({feedForwardWeightName(stack, block, "wi_0"),
                       feedForwardWeightName(stack, block, "wi_1")});
  return pairs;
}

/// The name of a packed pair's argument: the manifest's "gate+linear".
static std::string packedName(StringRef gate, StringRef linear) {
  return (gate + "+" + linear).str();
}

/// Creates `func.func @name` whose arguments are the parameters of
/// `stacks` (named as Hugging Face's), then `inputs`; `body` returns the
/// results. With `packBlock`, each gated layer's wi_0 and wi_1 are one
/// packed argument (where wi_0 would be), unpacked at entry: the body
/// finds the weights under their names and the packed one under
/// packedName's.
class EntryBuilder {
public:
  EntryBuilder(ModuleOp module, const T5Config &config)
      : module(module), config(config) {}

  using Body = std::function<SmallVector<Value>(
      GraphBuilder &, const llvm::StringMap<Value> &, ValueRange)>;

  /// The parameters of `stacks`, packed with `packBlock` (0: none) as
  /// build takes them.
  SmallVector<NamedType> parameters(ArrayRef<Stack> stacks,
                                    int64_t packBlock) const {
    MLIRContext *ctx = module->getContext();
    SmallVector<NamedType> out;
    std::vector<T5Parameter> params;
    for (const T5Parameter &p : t5Parameters(config))
      if (llvm::is_contained(stacks, p.stack))
        params.push_back(p);
    auto indexOf = [&](StringRef name) {
      return int64_t(
          llvm::find_if(params,
                        [&](const T5Parameter &p) { return p.name == name; }) -
          params.begin());
    };
    llvm::StringMap<std::string> linearOf;
    llvm::StringSet<> linears;
    if (packBlock > 0)
      for (auto &[gate, linear] : gatedWeightPairs(config))
        if (indexOf(gate) < int64_t(params.size())) {
          linearOf[gate] = linear;
          linears.insert(linear);
        }
    Builder b(ctx);
    for (const T5Parameter &p : params) {
      if (linears.contains(p.name))
        continue;
      auto it = linearOf.find(p.name);
      if (it == linearOf.end()) {
        out.push_back({p.name, RankedTensorType::get(p.shape, b.getF32Type())});
        continue;
      }
      SmallVector<int64_t> shape(p.shape.begin(), p.shape.end());
      shape.back() *= 2;
      out.push_back({packedName(p.name, it->second),
                     RankedTensorType::get(shape, b.getF32Type()),
                     PackedPair{p.name, it->second, p.shape, indexOf(p.name),
                                indexOf(it->second)}});
    }
    return out;
  }

  void build(StringRef name, ArrayRef<Stack> stacks, ArrayRef<NamedType> inputs,
             ArrayRef<NamedType> results, const Body &body,
             int64_t packBlock = 0) {
    MLIRContext *ctx = module.getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = NameLoc::get(StringAttr::get(ctx, name));
    SmallVector<NamedType> args = parameters(stacks, packBlock);
    unsigned numParams = args.size();
    int64_t unpackedParams = parameters(stacks, 0).size();
    args.append(inputs.begin(), inputs.end());
    SmallVector<Type> argTypes, resultTypes;
    for (const NamedType &arg : args)
      argTypes.push_back(arg.type);
    for (const NamedType &result : results)
      resultTypes.push_back(result.type);
    auto func = func::FuncOp::create(b, loc, name,
                                     b.getFunctionType(argTypes, resultTypes));
    SmallVector<Attribute> records;
    for (auto [i, arg] : llvm::enumerate(args)) {
      func.setArgAttr(i, GLU_NAME_ATTR, b.getStringAttr(arg.name));
      if (!arg.packed)
        continue;
      // Inputs' indices count from the first input.
      int64_t offset = i < numParams ? 0 : unpackedParams;
      auto original = [&](StringRef originalName, int64_t index) {
        return ffn::OriginalArgumentAttr::get(ctx, offset + index, originalName,
                                              arg.packed->shape);
      };
      records.push_back(ffn::PackedArgumentAttr::get(
          ctx, i, packBlock, original(arg.packed->gate, arg.packed->gateIndex),
          original(arg.packed->linear, arg.packed->linearIndex)));
    }
    if (!records.empty())
      func->setAttr(GLU_PACKED_ARGUMENTS_ATTR, b.getArrayAttr(records));
    for (auto [i, result] : llvm::enumerate(results))
      func.setResultAttr(i, GLU_NAME_ATTR, b.getStringAttr(result.name));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    llvm::StringMap<Value> params;
    for (unsigned i = 0; i < numParams; ++i) {
      Value arg = entry->getArgument(i);
      params[args[i].name] = arg;
      if (const std::optional<PackedPair> &pair = args[i].packed) {
        auto half = RankedTensorType::get(pair->shape, b.getF32Type());
        auto unpack =
            ffn::UnpackGatedOp::create(b, loc, half, half, arg, packBlock);
        params[pair->gate] = unpack.getGate();
        params[pair->linear] = unpack.getLinear();
      }
    }
    GraphBuilder g(b, loc);
    SmallVector<Value> values =
        body(g, params, entry->getArguments().drop_front(numParams));
    func::ReturnOp::create(b, loc, values);
  }

private:
  ModuleOp module;
  const T5Config &config;
};
} // namespace

OwningOpRef<ModuleOp> glu::t5::buildT5Module(MLIRContext *ctx,
                                             const T5Config &c,
                                             const T5Shapes &s,
                                             const T5ModuleOptions &options) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(ctx));
  Builder b(ctx);
  auto i32 = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getI32Type());
  };
  auto f32 = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  };
  int64_t sourceTokens = s.batch * s.sourceLength;
  int64_t targetTokens = s.batch * s.targetLength;
  NamedType inputIds{"input_ids", i32({s.batch, s.sourceLength})};
  NamedType attentionMask{"attention_mask", i32({s.batch, s.sourceLength})};
  NamedType labels{"labels", i32({s.batch, s.targetLength})};
  NamedType encoderOutput{"encoder_output",
                          f32({s.batch, s.sourceLength, c.dModel})};
  EntryBuilder entries(*module, c);
  Stack encoderStacks[] = {Stack::Shared, Stack::Encoder};
  Stack decoderStacks[] = {Stack::Shared, Stack::Decoder};
  Stack allStacks[] = {Stack::Shared, Stack::Encoder, Stack::Decoder};

  if (options.encode)
    entries.build(
        "encode", encoderStacks, {inputIds, attentionMask}, {encoderOutput},
        [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
            ValueRange in) -> SmallVector<Value> {
          T5Graph graph(g, c, s, params);
          Tape tape;
          Value out =
              graph.encode(g.reshape(in[0], {sourceTokens}), in[1], tape);
          return {g.reshape(out, {s.batch, s.sourceLength, c.dModel})};
        });

  if (options.decode)
    entries.build(
        "decode", decoderStacks,
        {encoderOutput,
         attentionMask,
         {"decoder_input_ids", i32({s.batch, s.targetLength})}},
        {{"logits", f32({s.batch, s.targetLength, c.vocabSize})}},
        [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
            ValueRange in) -> SmallVector<Value> {
          T5Graph graph(g, c, s, params);
          Tape tape;
          Value hidden =
              graph.decode(g.reshape(in[0], {sourceTokens, c.dModel}), in[1],
                           g.reshape(in[2], {targetTokens}), tape);
          Value logits = graph.logits(hidden, tape);
          return {g.reshape(logits, {s.batch, s.targetLength, c.vocabSize})};
        });

  // The loss of a batch, and the tape to differentiate it.
  auto forwardLoss = [&](GraphBuilder &g, T5Graph &graph, ValueRange in,
                         Tape &tape) {
    Value encoded = graph.encode(g.reshape(in[0], {sourceTokens}), in[1], tape);
    Value decoderIds =
        shiftRight(g, in[2], c.decoderStartTokenId, c.padTokenId);
    Value hidden = graph.decode(encoded, in[1],
                                g.reshape(decoderIds, {targetTokens}), tape);
    Value logits = graph.logits(hidden, tape);
    tape.loss =
        crossEntropyForward(g, logits, g.reshape(in[2], {targetTokens}));
    return tape.loss.loss;
  };
  NamedType lossType{"loss", f32({})};

  if (options.loss)
    entries.build("loss", allStacks, {inputIds, attentionMask, labels},
                  {lossType},
                  [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
                      ValueRange in) -> SmallVector<Value> {
                    T5Graph graph(g, c, s, params);
                    Tape tape;
                    return {forwardLoss(g, graph, in, tape)};
                  });

  if (options.gradients) {
    SmallVector<NamedType> results = {lossType};
    for (const T5Parameter &p : t5Parameters(c))
      results.push_back({p.name + ".grad", f32(p.shape)});
    entries.build("loss_and_gradients", allStacks,
                  {inputIds, attentionMask, labels}, results,
                  [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
                      ValueRange in) -> SmallVector<Value> {
                    T5Graph graph(g, c, s, params);
                    Tape tape;
                    SmallVector<Value> out = {forwardLoss(g, graph, in, tape)};
                    llvm::StringMap<Value> grads = graph.backward(tape);
                    for (const T5Parameter &p : t5Parameters(c))
                      out.push_back(grads.lookup(p.name));
                    return out;
                  });
  }
  if (options.decodeStep) {
    int64_t heads = s.batch * c.numHeads;
    SmallVector<NamedType> crossNames, selfNames;
    for (int64_t i = 0; i < c.numDecoderLayers; ++i) {
      std::string n = std::to_string(i);
      crossNames.push_back(
          {"cross_key." + n, f32({heads, s.sourceLength, c.dKV})});
      crossNames.push_back(
          {"cross_value." + n, f32({heads, s.sourceLength, c.dKV})});
      selfNames.push_back(
          {"self_key." + n, f32({heads, s.maxDecodeLength, c.dKV})});
      selfNames.push_back(
          {"self_value." + n, f32({heads, s.maxDecodeLength, c.dKV})});
    }
    // The head's weight, transposed once a decoding: a step's few rows
    // read it row by row.
    crossNames.push_back({"head", f32({c.dModel, c.vocabSize})});
    entries.build("cross_attention_cache", decoderStacks, {encoderOutput},
                  crossNames,
                  [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
                      ValueRange in) -> SmallVector<Value> {
                    T5Graph graph(g, c, s, params);
                    SmallVector<Value> out;
                    for (auto [k, v] : graph.crossAttentionCache(
                             g.reshape(in[0], {sourceTokens, c.dModel}))) {
                      out.push_back(k);
                      out.push_back(v);
                    }
                    out.push_back(graph.transposedHead());
                    return out;
                  });
    SmallVector<NamedType> inputs(crossNames);
    inputs.push_back(attentionMask);
    inputs.append(selfNames.begin(), selfNames.end());
    inputs.push_back({"decoder_input_ids", i32({s.batch})});
    inputs.push_back({"position", i32({})});
    SmallVector<NamedType> results = {{"logits", f32({s.batch, c.vocabSize})}};
    results.append(selfNames.begin(), selfNames.end());
    unsigned layers = c.numDecoderLayers;
    entries.build(
        "decode_step", decoderStacks, inputs, results,
        [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
            ValueRange in) -> SmallVector<Value> {
          SmallVector<std::pair<Value, Value>> cross, self;
          for (unsigned i = 0; i < layers; ++i)
            cross.push_back({in[2 * i], in[2 * i + 1]});
          Value head = in[2 * layers];
          Value mask = in[2 * layers + 1];
          for (unsigned i = 0; i < layers; ++i)
            self.push_back(
                {in[2 * layers + 2 + 2 * i], in[2 * layers + 3 + 2 * i]});
          Value tokens = in[4 * layers + 2];
          // The position, clamped into the cache (the driver keeps it
          // there; an index past it must not write past the buffer).
          OpBuilder &b = g.builder();
          Location loc = g.location();
          Value raw = tensor::ExtractOp::create(b, loc, in[4 * layers + 3],
                                                ValueRange{});
          Value clamped = arith::MinSIOp::create(
              b, loc,
              arith::MaxSIOp::create(b, loc, raw,
                                     g.scalar(b, loc, 0, b.getI32Type())),
              g.scalar(b, loc, double(s.maxDecodeLength - 1), b.getI32Type()));
          Value position =
              arith::IndexCastOp::create(b, loc, b.getIndexType(), clamped);
          T5Graph graph(g, c, s, params);
          SmallVector<Value> out = {
              graph.decodeStep(tokens, position, mask, cross, self, head)};
          for (auto [k, v] : self) {
            out.push_back(k);
            out.push_back(v);
          }
          return out;
        });
  }

  if (options.trainStep) {
    // Parameters, then each parameter's optimizer state, then the step.
    // Packed, a gated layer's wi_0 and wi_1 are one parameter whose state
    // is packed too (or each weight's, for Adafactor's column means).
    int64_t packBlock = c.variant.gated ? options.packBlockSize : 0;
    SmallVector<NamedType> inputs, results;
    struct Slot {
      NamedType param;
      unsigned rowAxis;
      unsigned stateBegin, stateCount;
      std::optional<PackedColumns> packed;
    };
    std::vector<Slot> slots;
    // Where each unpacked parameter's state would begin (for the records)
    // and whether glu stores it transposed (Adafactor's row axis).
    llvm::StringMap<unsigned> unpackedStateBegin;
    llvm::StringMap<bool> transposed;
    unsigned unpackedStates = 0;
    for (const T5Parameter &p : t5Parameters(c)) {
      unpackedStateBegin[p.name] = unpackedStates;
      transposed[p.name] = p.transposed;
      unpackedStates +=
          optimizerState(options.optimizer, p.shape, p.transposed ? 1 : 0)
              .size();
    }
    for (const NamedType &param : entries.parameters(allStacks, packBlock)) {
      std::optional<PackedColumns> packed;
      unsigned rowAxis = 0;
      ArrayRef<int64_t> shape = cast<RankedTensorType>(param.type).getShape();
      if (param.packed) {
        packed = PackedColumns{packBlock, param.packed->shape.back()};
        rowAxis = 1; // wi_0 and wi_1 are transposed
      } else {
        rowAxis = transposed.lookup(param.name) ? 1 : 0;
      }
      std::vector<StateSpec> specs =
          optimizerState(options.optimizer, shape, rowAxis, packed);
      slots.push_back({param, rowAxis, unsigned(inputs.size()),
                       unsigned(specs.size()), packed});
      for (auto [k, spec] : llvm::enumerate(specs)) {
        Type type = f32(spec.shape);
        if (!param.packed) {
          inputs.push_back({param.name + spec.suffix, type});
          continue;
        }
        const PackedPair &pair = *param.packed;
        if (spec.owner != StateOwner::Both) {
          bool gate = spec.owner == StateOwner::Gate;
          inputs.push_back(
              {(gate ? pair.gate : pair.linear) + spec.suffix, type});
          continue;
        }
        // Packed like its parameter: each weight's tensor of this suffix
        // is the k-th of its unpacked state.
        std::vector<int64_t> half = spec.shape;
        half.back() /= 2;
        inputs.push_back(
            {packedName(pair.gate + spec.suffix, pair.linear + spec.suffix),
             type,
             PackedPair{pair.gate + spec.suffix, pair.linear + spec.suffix,
                        half, int64_t(unpackedStateBegin[pair.gate] + k),
                        int64_t(unpackedStateBegin[pair.linear] + k)}});
      }
    }
    unsigned numState = inputs.size();
    bool adamW = options.optimizer == OptimizerKind::AdamW;
    inputs.push_back({"step", i32({})});
    if (adamW)
      inputs.push_back({"learning_rate", f32({})});
    inputs.append({inputIds, attentionMask, labels});
    for (const Slot &slot : slots)
      results.push_back({slot.param.name, slot.param.type});
    for (const NamedType &state : ArrayRef(inputs).take_front(numState))
      results.push_back({state.name, state.type});
    results.push_back({"step", i32({})});
    results.push_back(lossType);
    entries.build(
        "train_step", allStacks, inputs, results,
        [&](GraphBuilder &g, const llvm::StringMap<Value> &params,
            ValueRange in) -> SmallVector<Value> {
          ValueRange state = in.take_front(numState);
          unsigned next = numState;
          Value step = in[next++];
          Value learningRate = adamW ? in[next++] : Value();
          ValueRange batch = in.drop_front(next);
          T5Graph graph(g, c, s, params);
          Tape tape;
          Value loss = forwardLoss(g, graph, batch, tape);
          llvm::StringMap<Value> grads = graph.backward(tape);
          // The step after this update (in its own buffer), as an i32 and
          // as f32.
          Value newStep =
              g.mapInto(step, {}, [&](OpBuilder &b, Location l, ValueRange a) {
                Value one = g.scalar(b, l, 1, b.getI32Type());
                return arith::AddIOp::create(b, l, a[0], one).getResult();
              });
          Value t =
              g.map({}, {MapOperand(newStep, {})},
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      return arith::SIToFPOp::create(b, l, b.getF32Type(), a[0])
                          .getResult();
                    });
          StepScalars scalars{t, learningRate};
          SmallVector<Value> newParams, newState;
          for (const Slot &slot : slots) {
            Value param = params.lookup(slot.param.name);
            Value grad;
            if (const std::optional<PackedPair> &pair = slot.param.packed)
              // The fused backward's packed d[W | V]: this pack folds away.
              grad = ffn::PackGatedOp::create(
                  g.builder(), g.location(), slot.param.type,
                  grads.lookup(pair->gate), grads.lookup(pair->linear),
                  packBlock);
            else
              grad = grads.lookup(slot.param.name);
            SmallVector<Value> oldState(
                state.slice(slot.stateBegin, slot.stateCount));
            newParams.push_back(
                adamW ? adamWUpdate(g, options.adamW, scalars, param, grad,
                                    oldState, newState)
                      : adafactorUpdate(g, options.adafactor, scalars, param,
                                        grad, slot.rowAxis, oldState, newState,
                                        slot.packed));
          }
          SmallVector<Value> out = newParams;
          out.append(newState.begin(), newState.end());
          out.push_back(newStep);
          out.push_back(loss);
          return out;
        },
        packBlock);
  }
  return module;
}
