//===- T5Parameters.h - T5's parameters, named as Hugging Face's -*- C++
//-*-===//
//
// Every parameter of a T5ForConditionalGeneration, under the name its
// `model.safetensors` gives it, with the shape glu stores it in: a
// `nn.Linear` weight ([out, in] in the checkpoint) is stored transposed,
// [in, out], as x W reads it; embeddings, the relative attention bias
// tables and the norms' weights as they are. The module's entry points name
// their arguments with these names, and checkpoints are read and written
// through this one list.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_T5PARAMETERS_H
#define GLU_TOOLS_T5_T5PARAMETERS_H

#include "T5Config.h"

#include <string>
#include <vector>

namespace glu::t5 {

enum class Stack { Shared, Encoder, Decoder };

struct T5Parameter {
  std::string name;           // Hugging Face's tensor name
  std::vector<int64_t> shape; // as glu stores it
  bool transposed = false;    // the checkpoint holds the transpose
  Stack stack = Stack::Shared;
};

/// Every parameter, in a fixed order: shared, the encoder's, the
/// decoder's, then lm_head when the embeddings are not tied.
std::vector<T5Parameter> t5Parameters(const T5Config &config);

/// The standard deviation of Hugging Face's initialization of `p`
/// (T5PreTrainedModel._init_weights); 0 for the norms' weights, which
/// start at initializer_factor.
double initialStandardDeviation(const T5Parameter &p, const T5Config &config);

/// "encoder.block.3.layer.1." and the like.
std::string layerPrefix(Stack stack, int64_t block, int64_t layer);

/// The names of one block's parameters.
std::string attentionWeightName(Stack stack, int64_t block, bool cross,
                                char projection);
std::string relativeBiasName(Stack stack);
std::string layerNormName(Stack stack, int64_t block, int64_t layer);
std::string finalLayerNormName(Stack stack);
/// "wi", "wi_0", "wi_1" or "wo" of the feed-forward layer.
std::string feedForwardWeightName(Stack stack, int64_t block,
                                  const char *weight);
/// The feed-forward layer's index in a block: 1 in the encoder, 2 in the
/// decoder (after the cross-attention).
int64_t feedForwardLayer(Stack stack);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_T5PARAMETERS_H
