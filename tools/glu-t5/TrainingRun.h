//===- TrainingRun.h - a training run's directory ---------------*- C++ -*-===//
//
// What `glu-t5 train --out RUN` keeps:
//
//   RUN/spiece.model             the tokenizer (given or trained)
//   RUN/train.jsonl              one JSON object a step and an evaluation
//   RUN/checkpoint-00000100/     a checkpoint every N steps and at the end:
//       model.safetensors, config.json   Hugging Face's format
//       spiece.model                     the tokenizer, beside the model
//       optimizer.safetensors            optimizer state and the step
//       trainer_state.json               the data position and settings
//   RUN/latest                   the name of the newest whole checkpoint
//
// A checkpoint is written into a staging directory beside it, every file
// fsync'ed, renamed into place, and only then named by `latest` (itself
// written beside and renamed over): a crash at any point leaves `latest`
// naming a whole checkpoint.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_TRAININGRUN_H
#define GLU_TOOLS_T5_TRAININGRUN_H

#include "llvm/Support/JSON.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace glu::t5 {

/// What a checkpoint records beside the model: the data position and the
/// settings a resumed run must keep.
struct TrainerState {
  int64_t step = 0;     // updates applied
  int64_t examples = 0; // training examples consumed
  uint64_t seed = 0;
  int64_t batch = 0, sourceLength = 0, targetLength = 0;
  std::string optimizer;
  int64_t warmupSteps = 0;
  double learningRate = 0;
  double heldOut = 0;

  llvm::json::Value toJson() const;
  /// Throws glu::Error naming `origin` and the field.
  static TrainerState fromJson(llvm::StringRef text, llvm::StringRef origin);
  /// "" when a run with `other`'s settings may continue from this one,
  /// else the first difference ("--batch is 8 here but 16 in the
  /// checkpoint").
  std::string differenceFrom(const TrainerState &other) const;
};

class TrainingRun {
public:
  explicit TrainingRun(std::string dir) : dir(std::move(dir)) {}

  const std::string &path() const { return dir; }
  std::string file(llvm::StringRef name) const;
  /// RUN/checkpoint-<step, 8 digits>.
  std::string checkpointDir(int64_t step) const;
  /// The checkpoint `latest` names, or nullopt when there is none. Throws
  /// glu::Error when `latest` names a checkpoint that is not whole.
  std::optional<std::string> latest() const;

  /// Writes checkpoint `step`: `contents` fills the staging directory it
  /// is given; then the directory is renamed into place (replacing an
  /// older one of the same step) and named by `latest`. Checkpoints older
  /// than the newest `keep` are removed afterwards.
  void writeCheckpoint(int64_t step,
                       const std::function<void(const std::string &)> &contents,
                       int keep);

  /// Appends `record` to train.jsonl as one line, flushed.
  void log(const llvm::json::Object &record);
  /// Drops the lines of train.jsonl whose "step" is beyond `step` (a run
  /// resumed from a checkpoint repeats them), rewriting it atomically.
  void truncateLog(int64_t step);

private:
  std::string dir;
};

/// The contents of `path`; throws glu::Error naming it.
std::string readTextFile(const std::string &path);

/// Writes `text` to `path` through a file beside it, fsync'ed and renamed
/// over it. Throws glu::Error naming the path.
void writeFileAtomically(const std::string &path, llvm::StringRef text);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_TRAININGRUN_H
