//===- T5Checkpoint.cpp - T5 parameters from and to safetensors -----------===//

#include "T5Checkpoint.h"

#include "glu/PackedWeights.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace glu;
using namespace glu::t5;

std::string glu::t5::checkpointTensorsPath(const std::string &dir) {
  return dir + "/model.safetensors";
}

std::string glu::t5::checkpointConfigPath(const std::string &dir) {
  return dir + "/config.json";
}

std::string glu::t5::compareConfigs(const T5Config &checkpoint,
                                    const T5Config &artifact) {
  auto differ = [](const char *field, auto a, auto b) -> std::string {
    if (a == b)
      return "";
    std::ostringstream os;
    os << std::boolalpha << field << " is " << a << " in the checkpoint but "
       << b << " in the artifact";
    return os.str();
  };
  for (std::string d :
       {differ("d_model", checkpoint.dModel, artifact.dModel),
        differ("d_ff", checkpoint.dFF, artifact.dFF),
        differ("d_kv", checkpoint.dKV, artifact.dKV),
        differ("num_heads", checkpoint.numHeads, artifact.numHeads),
        differ("num_layers", checkpoint.numLayers, artifact.numLayers),
        differ("num_decoder_layers", checkpoint.numDecoderLayers,
               artifact.numDecoderLayers),
        differ("vocab_size", checkpoint.vocabSize, artifact.vocabSize),
        differ("relative_attention_num_buckets", checkpoint.numBuckets,
               artifact.numBuckets),
        differ("relative_attention_max_distance", checkpoint.maxDistance,
               artifact.maxDistance),
        differ("layer_norm_epsilon", checkpoint.layerNormEpsilon,
               artifact.layerNormEpsilon),
        differ("feed_forward_proj", std::string(checkpoint.variant.paperName),
               std::string(artifact.variant.paperName)),
        differ("tied embeddings", checkpoint.tiedEmbeddings,
               artifact.tiedEmbeddings),
        differ("pad_token_id", checkpoint.padTokenId, artifact.padTokenId),
        differ("decoder_start_token_id", checkpoint.decoderStartTokenId,
               artifact.decoderStartTokenId)})
    if (!d.empty())
      return d;
  // The activation itself, when two spellings name one paper variant.
  if (checkpoint.variant.activation != artifact.variant.activation)
    return "feed_forward_proj is \"" + checkpoint.feedForwardProj +
           "\" in the checkpoint but \"" + artifact.feedForwardProj +
           "\" in the artifact";
  return "";
}

/// The checkpoint's shape of a parameter (the transpose of glu's for an
/// nn.Linear weight).
static std::vector<int64_t> checkpointShape(const T5Parameter &p) {
  if (!p.transposed)
    return p.shape;
  return {p.shape[1], p.shape[0]};
}

static float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f,
           mantissa = h & 0x3ff;
  float value;
  if (exponent == 0)
    value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(static_cast<float>(mantissa | 0x400),
                       static_cast<int>(exponent) - 25);
  return sign ? -value : value;
}

/// Element i of a checkpoint tensor as f32.
static float elementAt(const SafetensorsTensor &t, int64_t i) {
  switch (t.type.dtype) {
  case DType::F32: {
    float v;
    std::memcpy(&v, static_cast<const char *>(t.data) + 4 * i, 4);
    return v;
  }
  case DType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, static_cast<const char *>(t.data) + 2 * i, 2);
    uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float v;
    std::memcpy(&v, &wide, 4);
    return v;
  }
  case DType::F16: {
    uint16_t bits;
    std::memcpy(&bits, static_cast<const char *>(t.data) + 2 * i, 2);
    return halfToFloat(bits);
  }
  default:
    return 0;
  }
}

T5Checkpoint T5Checkpoint::open(const std::string &dir,
                                const T5Config &config) {
  T5Checkpoint ckpt;
  ckpt.file = SafetensorsFile::open(checkpointTensorsPath(dir));
  for (const T5Parameter &p : t5Parameters(config)) {
    const SafetensorsTensor *t = ckpt.file.find(p.name);
    if (!t)
      throw Error(ckpt.file.path() + ": no tensor '" + p.name +
                  "', a parameter of this " + config.variant.paperName + " T5");
    TensorType want{t->type.dtype, checkpointShape(p)};
    if (t->type.dtype != DType::F32 && t->type.dtype != DType::BF16 &&
        t->type.dtype != DType::F16)
      throw Error(ckpt.file.path() + ": tensor '" + p.name + "' is " +
                  t->type.str() + ", expected f32, bf16 or f16");
    if (t->type.shape != want.shape)
      throw Error(ckpt.file.path() + ": tensor '" + p.name + "' is " +
                  t->type.str() + ", expected " + want.str() +
                  " (the config's shape)");
    ckpt.params[p.name] = p;
  }
  return ckpt;
}

const T5Parameter &T5Checkpoint::parameter(const std::string &name) const {
  auto it = params.find(name);
  if (it == params.end())
    throw Error(file.path() + ": '" + name + "' is not a T5 parameter");
  return it->second;
}

void T5Checkpoint::read(const std::string &name, float *dst) const {
  const T5Parameter &p = parameter(name);
  const SafetensorsTensor *t = file.find(name);
  if (!p.transposed) {
    int64_t n = t->type.numElements();
    if (t->type.dtype == DType::F32) {
      std::memcpy(dst, t->data, n * sizeof(float));
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      dst[i] = elementAt(*t, i);
    return;
  }
  // The checkpoint's [out, in] into glu's [in, out].
  int64_t out = t->type.shape[0], in = t->type.shape[1];
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      dst[i * out + o] = elementAt(*t, o * in + i);
}

bool T5Checkpoint::holds(const TensorSpec &spec) const {
  if (spec.packed)
    return params.count(spec.packed->gateName) &&
           params.count(spec.packed->linearName);
  return params.count(spec.name) != 0;
}

void T5Checkpoint::load(const TensorSpec &spec, Buffer &buffer) const {
  if (spec.type.dtype != DType::F32)
    throw Error("argument '" + spec.name + "' is " + spec.type.str() +
                "; glu-t5 loads f32 parameters");
  size_t count = spec.type.numElements();
  bool host = buffer.device() == Device::Cpu;
  std::vector<float> staging;
  float *dst = static_cast<float *>(buffer.data());
  if (!host) {
    staging.resize(count);
    dst = staging.data();
  }
  if (spec.packed) {
    const PackedLayout &layout = *spec.packed;
    for (const std::string &half : {layout.gateName, layout.linearName})
      if (TensorType{DType::F32, parameter(half).shape} !=
          TensorType{DType::F32, layout.halfShape})
        throw Error("argument '" + spec.name + "' packs '" + half + "' as " +
                    TensorType{DType::F32, layout.halfShape}.str() +
                    " but the config makes it " +
                    TensorType{DType::F32, parameter(half).shape}.str());
    std::vector<float> gate(count / 2), linear(count / 2);
    read(layout.gateName, gate.data());
    read(layout.linearName, linear.data());
    packGatedColumns(layout, spec.type, gate.data(), linear.data(), dst);
  } else {
    const T5Parameter &p = parameter(spec.name);
    if (TensorType{DType::F32, p.shape} != spec.type)
      throw Error("argument '" + spec.name + "' is " + spec.type.str() +
                  " but the config makes it " +
                  TensorType{DType::F32, p.shape}.str());
    read(spec.name, dst);
  }
  if (!host)
    buffer.upload(staging.data(), count * sizeof(float));
}

/// Writes `text` to `path` through a temporary file renamed over it.
static void writeFileAtomically(const std::string &path,
                                const std::string &text) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw Error("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fflush(f) == 0 && ok;
  ok = fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("cannot write " + path + ": " + why);
  }
}

void glu::t5::writeT5Checkpoint(
    const std::string &dir, const T5Config &config,
    const std::string &configJson,
    const std::function<void(const std::string &, float *)> &read) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error("cannot create " + dir + ": " + std::strerror(errno));
  std::vector<T5Parameter> params = t5Parameters(config);
  std::vector<std::vector<float>> data;
  std::vector<SafetensorsEntry> entries;
  data.reserve(params.size());
  for (const T5Parameter &p : params) {
    TensorType glu{DType::F32, p.shape};
    std::vector<float> values(glu.numElements());
    read(p.name, values.data());
    if (p.transposed) {
      // glu's [in, out] back to the checkpoint's [out, in].
      int64_t in = p.shape[0], out = p.shape[1];
      std::vector<float> back(values.size());
      for (int64_t i = 0; i < in; ++i)
        for (int64_t o = 0; o < out; ++o)
          back[o * in + i] = values[i * out + o];
      values.swap(back);
    }
    data.push_back(std::move(values));
    entries.push_back({p.name, TensorType{DType::F32, checkpointShape(p)},
                       data.back().data()});
  }
  writeSafetensors(checkpointTensorsPath(dir), entries, {{"format", "pt"}});
  writeFileAtomically(checkpointConfigPath(dir), configJson);
}
