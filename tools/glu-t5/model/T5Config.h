//===- T5Config.h - a Hugging Face T5 config, checked -----------*- C++ -*-===//
//
// What glu-t5 reads from a Hugging Face `config.json` (T5Config), with the
// static shapes of one compilation (batch size, sequence lengths), and the
// feed-forward variant of the paper it names.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_T5CONFIG_H
#define GLU_TOOLS_T5_T5CONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace glu::t5 {

/// The activation of the feed-forward layer, as ffn's ActivationKind names
/// it (the T5 front end does not depend on the dialect for this).
enum class FeedForwardActivation {
  Relu,
  Gelu,
  GeluTanh,
  Swish,
  Sigmoid,
  Identity
};

/// The feed-forward variant `feed_forward_proj` names.
struct FeedForwardVariant {
  FeedForwardActivation activation = FeedForwardActivation::Relu;
  bool gated = false;
  /// The paper's name: "FFN_ReLU", "FFN_SwiGLU", ...
  const char *paperName = "";
};

/// Parses a Hugging Face feed_forward_proj ("relu", "gated-silu", ...).
/// Fails, listing every accepted value, for any other string.
llvm::Expected<FeedForwardVariant> parseFeedForwardProj(llvm::StringRef value);

/// The values parseFeedForwardProj accepts, comma separated.
std::string acceptedFeedForwardProjs();

struct T5Config {
  int64_t dModel = 512;
  int64_t dFF = 2048;
  int64_t dKV = 64;
  int64_t numHeads = 8;
  int64_t numLayers = 6;
  int64_t numDecoderLayers = 6;
  int64_t vocabSize = 32128;
  int64_t numBuckets = 32;
  int64_t maxDistance = 128;
  double layerNormEpsilon = 1e-6;
  /// Scales the standard deviations of a fresh model's initialization.
  double initializerFactor = 1.0;
  /// The lm_head is the shared embedding, and the decoder's output is
  /// scaled by d_model^-0.5 before it (T5 1.0). Otherwise lm_head is its
  /// own parameter and nothing is scaled (T5 1.1). transformers 5 writes
  /// `tie_word_embeddings: true` always and says the second with
  /// `scale_decoder_outputs: false`; either form unties.
  bool tiedEmbeddings = true;
  std::string feedForwardProj = "relu";
  FeedForwardVariant variant;
  int64_t padTokenId = 0;
  int64_t eosTokenId = 1;
  int64_t decoderStartTokenId = 0;

  int64_t innerDim() const { return numHeads * dKV; }
};

/// Reads and checks a Hugging Face config.json: every field above that is
/// present must have the right type and a valid value (errors name the
/// field); absent fields take T5Config's defaults, as Hugging Face's do.
llvm::Expected<T5Config> readT5Config(llvm::StringRef path);
llvm::Expected<T5Config> parseT5Config(llvm::StringRef json,
                                       llvm::StringRef path);

/// The static shapes of one compiled module.
struct T5Shapes {
  int64_t batch = 1;
  int64_t sourceLength = 128;
  int64_t targetLength = 32;
  /// The key/value cache length of decode_step (the longest generation).
  int64_t maxDecodeLength = 32;
};

} // namespace glu::t5

#endif // GLU_TOOLS_T5_T5CONFIG_H
