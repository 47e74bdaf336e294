//===- Session.h - a glu-t5 artifact bound to a checkpoint ------*- C++ -*-===//
//
// What glu-t5 run and generate share: the artifact (its t5.json record
// checked against the checkpoint's config), the checkpoint, the runtime,
// and calls whose arguments come from the checkpoint (parameters), from
// the caller (by name), or start at zero (optimizer state, the step).
// Throws glu::Error; built with exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_SESSION_H
#define GLU_TOOLS_T5_SESSION_H

#include "Commands.h"
#include "T5Checkpoint.h"

#include "glu/Runtime.h"

#include <map>
#include <string>
#include <vector>

namespace glu::t5 {

class Session {
public:
  Session(const std::string &artifactDir, const std::string &checkpointDir,
          const std::string &device);

  const T5Config &config() const { return config_; }
  const T5Shapes &shapes() const { return shapes_; }
  const T5Checkpoint &checkpoint() const { return checkpoint_; }
  Runtime &runtime() { return runtime_; }
  Artifact &artifact() { return artifact_; }
  const EntryPoint &entry(const std::string &name) const {
    return artifact_.entry(name);
  }

  /// The arguments of `entry`: `given` by name, else the checkpoint's
  /// parameter, else zeros for optimizer state and the step; anything else
  /// is an error naming the argument.
  std::vector<Buffer> bind(const EntryPoint &entry,
                           const std::map<std::string, Buffer> &given);
  /// Result buffers of `entry`: those named as an argument are that
  /// argument's buffer (updated in place), the others new.
  std::vector<Buffer> resultsFor(const EntryPoint &entry,
                                 const std::vector<Buffer> &args);
  /// Calls `entry`; returns the wall time in milliseconds.
  double call(const EntryPoint &entry, const std::vector<Buffer> &args,
              std::vector<Buffer> &results);
  /// Writes the parameters after calls of `entry` (a result, else the
  /// argument, else the checkpoint's; packed pairs unpacked) to DIR in the
  /// checkpoint's format with its config.json, atomically
  /// (writeT5Checkpoint).
  void writeCheckpoint(const std::string &dir, const EntryPoint &entry,
                       const std::vector<Buffer> &args,
                       const std::vector<Buffer> &results);
  /// The checkpoint's config.json, verbatim.
  const std::string &configJson() const { return configJson_; }
  /// The result named `name` of `entry`.
  static Buffer &result(const EntryPoint &entry, std::vector<Buffer> &results,
                        const std::string &name);

private:
  T5Config config_;
  std::string configJson_;
  T5Shapes shapes_;
  T5Checkpoint checkpoint_;
  Runtime runtime_;
  Artifact artifact_;
};

/// The device `name` (cpu, cuda, auto) names; auto is cuda when a CUDA
/// device is there, else cpu. Its deviceName is the compile target.
Device concreteDevice(const std::string &name);

/// cachedArtifact in `cacheOption` (a --cache option; "" for
/// defaultCacheDir()); throws glu::Error.
std::string cachedArtifactOrThrow(const ModuleRequest &request,
                                  const std::string &cacheOption,
                                  llvm::raw_ostream &log);

/// The spiece.model to use with checkpoint `dir`: `option` (a --tokenizer)
/// if given, else the checkpoint's own; throws glu::Error when there is
/// none.
std::string checkpointTokenizerPath(const std::string &dir,
                                    const std::string &option);

/// Whether a fresh call starts argument `name` at zero: optimizer state,
/// the step, a decoding cache.
bool startsAtZero(const std::string &name);

/// Each NAME=FILE.npy of `inputs` (glu-t5's --input) as a buffer of the
/// session's runtime, by name.
std::map<std::string, Buffer>
readInputs(Session &session, const std::vector<std::string> &inputs);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_SESSION_H
