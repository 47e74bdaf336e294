//===- T5Checkpoint.h - T5 parameters from and to safetensors ---*- C++ -*-===//
//
// Hugging Face's T5 checkpoints (`model.safetensors` + `config.json`, as
// save_pretrained writes them) into the runtime's buffers of a glu-t5
// artifact, and back. A checkpoint holds nn.Linear weights [out, in]; glu
// stores them transposed (T5Parameters.h), and a gate/linear pair of an
// artifact compiled with --pack-arguments as one packed argument. The
// safetensors file is memory-mapped: each tensor is copied once, into its
// buffer (through a staging copy only on a GPU).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_T5CHECKPOINT_H
#define GLU_TOOLS_T5_T5CHECKPOINT_H

#include "T5Config.h"
#include "T5Parameters.h"

#include "glu/Runtime.h"
#include "glu/Safetensors.h"

#include <functional>
#include <map>
#include <string>

namespace glu::t5 {

/// The file a checkpoint's tensors are in: DIR/model.safetensors.
std::string checkpointTensorsPath(const std::string &dir);
/// DIR/config.json.
std::string checkpointConfigPath(const std::string &dir);

/// The fields of two configs that decide whether one's checkpoint fits the
/// other's artifact; returns "" when they agree, else the first difference
/// ("d_ff is 2048 in the checkpoint but 1365 in the artifact").
std::string compareConfigs(const T5Config &checkpoint,
                           const T5Config &artifact);

/// A checkpoint opened for reading: every parameter of the config must be
/// present with the checkpoint's shape (f32, bf16 or f16; converted to
/// f32), else glu::Error names the file and the tensor.
class T5Checkpoint {
public:
  static T5Checkpoint open(const std::string &dir, const T5Config &config);

  /// Copies parameter `name` into `dst` (f32, glu's layout).
  void read(const std::string &name, float *dst) const;
  /// Whether `spec` (an argument of an artifact) is a parameter or a
  /// packed pair of parameters this checkpoint holds.
  bool holds(const TensorSpec &spec) const;
  /// Fills `buffer`, of argument `spec`, from the checkpoint.
  void load(const TensorSpec &spec, Buffer &buffer) const;

private:
  const T5Parameter &parameter(const std::string &name) const;

  SafetensorsFile file;
  std::map<std::string, T5Parameter> params;
};

/// Writes a checkpoint of `config` to DIR (created if missing):
/// model.safetensors with every parameter in the checkpoint's layout,
/// `read(name, dst)` giving each in glu's, and config.json (configJson,
/// verbatim), each written beside its target and renamed over it, so a
/// failure leaves the previous checkpoint whole.
void writeT5Checkpoint(
    const std::string &dir, const T5Config &config,
    const std::string &configJson,
    const std::function<void(const std::string &name, float *dst)> &read);

/// Writes a freshly initialized checkpoint of `config` to DIR, as
/// writeT5Checkpoint does: every parameter drawn as Hugging Face's
/// _init_weights draws it, from a generator seeded with `seed` (the same
/// numbers on every machine).
void writeInitialT5Checkpoint(const std::string &dir, const T5Config &config,
                              const std::string &configJson, uint64_t seed);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_T5CHECKPOINT_H
