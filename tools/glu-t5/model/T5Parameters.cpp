//===- T5Parameters.cpp - T5's parameters, named as Hugging Face's --------===//

#include "T5Parameters.h"

#include <cmath>

using namespace glu::t5;

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double glu::t5::initialStandardDeviation(const T5Parameter &p,
                                         const T5Config &c) {
  double f = c.initializerFactor;
  double d = static_cast<double>(c.dModel);
  if (endsWith(p.name, "layer_norm.weight"))
    return 0;
  if (p.name == "shared.weight" || p.name == "lm_head.weight")
    return f;
  if (endsWith(p.name, "relative_attention_bias.weight"))
    return f / std::sqrt(d);
  if (endsWith(p.name, ".q.weight"))
    return f / std::sqrt(d * static_cast<double>(c.dKV));
  if (endsWith(p.name, ".k.weight") || endsWith(p.name, ".v.weight"))
    return f / std::sqrt(d);
  if (endsWith(p.name, ".o.weight"))
    return f / std::sqrt(static_cast<double>(c.innerDim()));
  if (endsWith(p.name, ".wo.weight"))
    return f / std::sqrt(static_cast<double>(c.dFF));
  return f / std::sqrt(d); // wi, wi_0, wi_1
}

static const char *stackName(Stack stack) {
  return stack == Stack::Encoder ? "encoder" : "decoder";
}

std::string glu::t5::layerPrefix(Stack stack, int64_t block, int64_t layer) {
  return std::string(stackName(stack)) + ".block." + std::to_string(block) +
         ".layer." + std::to_string(layer) + ".";
}

std::string glu::t5::attentionWeightName(Stack stack, int64_t block, bool cross,
                                         char projection) {
  return layerPrefix(stack, block, cross ? 1 : 0) +
         (cross ? "EncDecAttention." : "SelfAttention.") + projection +
         ".weight";
}

std::string glu::t5::relativeBiasName(Stack stack) {
  return layerPrefix(stack, 0, 0) +
         "SelfAttention.relative_attention_bias.weight";
}

std::string glu::t5::layerNormName(Stack stack, int64_t block, int64_t layer) {
  return layerPrefix(stack, block, layer) + "layer_norm.weight";
}

std::string glu::t5::finalLayerNormName(Stack stack) {
  return std::string(stackName(stack)) + ".final_layer_norm.weight";
}

int64_t glu::t5::feedForwardLayer(Stack stack) {
  return stack == Stack::Encoder ? 1 : 2;
}

std::string glu::t5::feedForwardWeightName(Stack stack, int64_t block,
                                           const char *weight) {
  return layerPrefix(stack, block, feedForwardLayer(stack)) +
         "DenseReluDense." + weight + ".weight";
}

std::vector<T5Parameter> glu::t5::t5Parameters(const T5Config &c) {
  std::vector<T5Parameter> params;
  auto add = [&](std::string name, std::vector<int64_t> shape, bool transposed,
                 Stack stack) {
    params.push_back({std::move(name), std::move(shape), transposed, stack});
  };
  add("shared.weight", {c.vocabSize, c.dModel}, false, Stack::Shared);
  for (Stack stack : {Stack::Encoder, Stack::Decoder}) {
    int64_t blocks = stack == Stack::Encoder ? c.numLayers : c.numDecoderLayers;
    for (int64_t i = 0; i < blocks; ++i) {
      for (bool cross : {false, true}) {
        if (cross && stack == Stack::Encoder)
          continue;
        for (char p : {'q', 'k', 'v'})
          add(attentionWeightName(stack, i, cross, p), {c.dModel, c.innerDim()},
              true, stack);
        add(attentionWeightName(stack, i, cross, 'o'), {c.innerDim(), c.dModel},
            true, stack);
        if (i == 0 && !cross)
          add(relativeBiasName(stack), {c.numBuckets, c.numHeads}, false,
              stack);
        add(layerNormName(stack, i, cross ? 1 : 0), {c.dModel}, false, stack);
      }
      if (c.variant.gated) {
        add(feedForwardWeightName(stack, i, "wi_0"), {c.dModel, c.dFF}, true,
            stack);
        add(feedForwardWeightName(stack, i, "wi_1"), {c.dModel, c.dFF}, true,
            stack);
      } else {
        add(feedForwardWeightName(stack, i, "wi"), {c.dModel, c.dFF}, true,
            stack);
      }
      add(feedForwardWeightName(stack, i, "wo"), {c.dFF, c.dModel}, true,
          stack);
      add(layerNormName(stack, i, feedForwardLayer(stack)), {c.dModel}, false,
          stack);
    }
    add(finalLayerNormName(stack), {c.dModel}, false, stack);
  }
  if (!c.tiedEmbeddings)
    add("lm_head.weight", {c.vocabSize, c.dModel}, false, Stack::Shared);
  return params;
}
