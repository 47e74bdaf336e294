//===- T5Config.cpp - a Hugging Face T5 config, checked -------------------===//

#include "T5Config.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace glu::t5;
using llvm::Expected;
using llvm::StringRef;

namespace {
struct ProjSpelling {
  const char *spelling;
  FeedForwardVariant variant;
};
} // namespace

/// Every feed_forward_proj Hugging Face accepts for the paper's variants
/// (T5Config splits "gated-<act>" and looks <act> up in ACT2FN; "gated-gelu"
/// alone is mapped to the tanh approximation, "gelu_new").
static const ProjSpelling kProjs[] = {
    {"relu", {FeedForwardActivation::Relu, false, "FFN_ReLU"}},
    {"gelu", {FeedForwardActivation::Gelu, false, "FFN_GELU"}},
    {"gelu_new", {FeedForwardActivation::GeluTanh, false, "FFN_GELU"}},
    {"silu", {FeedForwardActivation::Swish, false, "FFN_Swish"}},
    {"swish", {FeedForwardActivation::Swish, false, "FFN_Swish"}},
    {"gated-sigmoid", {FeedForwardActivation::Sigmoid, true, "FFN_GLU"}},
    {"gated-linear", {FeedForwardActivation::Identity, true, "FFN_Bilinear"}},
    {"gated-relu", {FeedForwardActivation::Relu, true, "FFN_ReGLU"}},
    {"gated-gelu", {FeedForwardActivation::GeluTanh, true, "FFN_GEGLU"}},
    {"gated-gelu_new", {FeedForwardActivation::GeluTanh, true, "FFN_GEGLU"}},
    {"gated-silu", {FeedForwardActivation::Swish, true, "FFN_SwiGLU"}},
    {"gated-swish", {FeedForwardActivation::Swish, true, "FFN_SwiGLU"}},
};

std::string glu::t5::acceptedFeedForwardProjs() {
  std::string list;
  for (const ProjSpelling &p : kProjs) {
    if (!list.empty())
      list += ", ";
    list += p.spelling;
  }
  return list;
}

Expected<FeedForwardVariant> glu::t5::parseFeedForwardProj(StringRef value) {
  for (const ProjSpelling &p : kProjs)
    if (value == p.spelling)
      return p.variant;
  return llvm::createStringError(
      "feed_forward_proj \"%s\" is not one of the paper's variants; accepted: "
      "%s",
      value.str().c_str(), acceptedFeedForwardProjs().c_str());
}

namespace {
/// Reads typed fields of one JSON object, naming the field on error.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, StringRef path)
      : object(object), path(path) {}

  /// A positive (or, with allowZero, non-negative) integer, if present.
  void integer(StringRef key, int64_t &out, bool allowZero = false) {
    const llvm::json::Value *v = object.get(key);
    if (!v || v->kind() == llvm::json::Value::Null || error)
      return;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i || *i < (allowZero ? 0 : 1)) {
      fail(key, allowZero ? "a non-negative integer" : "a positive integer");
      return;
    }
    out = *i;
  }
  void number(StringRef key, double &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v || error)
      return;
    std::optional<double> d = v->getAsNumber();
    if (!d || !(*d > 0)) {
      fail(key, "a positive number");
      return;
    }
    out = *d;
  }
  void boolean(StringRef key, std::optional<bool> &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v || error)
      return;
    std::optional<bool> b = v->getAsBoolean();
    if (!b) {
      fail(key, "true or false");
      return;
    }
    out = *b;
  }
  void string(StringRef key, std::string &out) {
    const llvm::json::Value *v = object.get(key);
    if (!v || error)
      return;
    std::optional<StringRef> s = v->getAsString();
    if (!s) {
      fail(key, "a string");
      return;
    }
    out = s->str();
  }
  void fail(StringRef key, StringRef expected) {
    if (!error)
      error =
          llvm::createStringError("%s: '%s' must be %s", path.str().c_str(),
                                  key.str().c_str(), expected.str().c_str());
  }
  llvm::Error takeError() {
    return error ? std::move(error) : llvm::Error::success();
  }

private:
  const llvm::json::Object &object;
  StringRef path;
  llvm::Error error = llvm::Error::success();
};
} // namespace

Expected<T5Config> glu::t5::parseT5Config(StringRef json, StringRef path) {
  Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    return llvm::createStringError("%s: not valid JSON: %s", path.str().c_str(),
                                   llvm::toString(parsed.takeError()).c_str());
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object)
    return llvm::createStringError("%s: not a JSON object", path.str().c_str());
  if (auto type = object->getString("model_type"); type && *type != "t5")
    return llvm::createStringError("%s: model_type is \"%s\", expected \"t5\"",
                                   path.str().c_str(), type->str().c_str());

  T5Config config;
  FieldReader read(*object, path);
  read.integer("d_model", config.dModel);
  read.integer("d_ff", config.dFF);
  read.integer("d_kv", config.dKV);
  read.integer("num_heads", config.numHeads);
  read.integer("num_layers", config.numLayers);
  config.numDecoderLayers = config.numLayers;
  read.integer("num_decoder_layers", config.numDecoderLayers);
  read.integer("vocab_size", config.vocabSize);
  read.integer("relative_attention_num_buckets", config.numBuckets);
  read.integer("relative_attention_max_distance", config.maxDistance);
  read.number("layer_norm_epsilon", config.layerNormEpsilon);
  read.number("initializer_factor", config.initializerFactor);
  read.string("feed_forward_proj", config.feedForwardProj);
  std::optional<bool> tie, scale;
  read.boolean("tie_word_embeddings", tie);
  read.boolean("scale_decoder_outputs", scale);
  read.integer("pad_token_id", config.padTokenId, /*allowZero=*/true);
  read.integer("eos_token_id", config.eosTokenId, /*allowZero=*/true);
  config.decoderStartTokenId = config.padTokenId;
  read.integer("decoder_start_token_id", config.decoderStartTokenId,
               /*allowZero=*/true);
  if (llvm::Error error = read.takeError())
    return std::move(error);
  config.tiedEmbeddings = tie.value_or(true) && scale.value_or(true);

  Expected<FeedForwardVariant> variant =
      parseFeedForwardProj(config.feedForwardProj);
  if (!variant)
    return llvm::createStringError("%s: %s", path.str().c_str(),
                                   llvm::toString(variant.takeError()).c_str());
  config.variant = *variant;
  if (config.numBuckets < 2 || config.numBuckets % 2)
    return llvm::createStringError(
        "%s: 'relative_attention_num_buckets' must be even and at least 2, "
        "got %lld",
        path.str().c_str(), static_cast<long long>(config.numBuckets));
  if (config.maxDistance <= config.numBuckets / 4)
    return llvm::createStringError(
        "%s: 'relative_attention_max_distance' (%lld) must exceed a quarter "
        "of the buckets (%lld)",
        path.str().c_str(), static_cast<long long>(config.maxDistance),
        static_cast<long long>(config.numBuckets / 4));
  for (auto [key, id] :
       {std::pair<const char *, int64_t>{"pad_token_id", config.padTokenId},
        {"eos_token_id", config.eosTokenId},
        {"decoder_start_token_id", config.decoderStartTokenId}})
    if (id >= config.vocabSize)
      return llvm::createStringError(
          "%s: '%s' is %lld, outside the vocabulary of %lld",
          path.str().c_str(), key, static_cast<long long>(id),
          static_cast<long long>(config.vocabSize));
  return config;
}

Expected<T5Config> glu::t5::readT5Config(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read %s: %s", path.str().c_str(),
                                   buffer.getError().message().c_str());
  return parseT5Config((*buffer)->getBuffer(), path);
}
