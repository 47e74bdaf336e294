//===- TrainingProgress.h - what a training run shows as it goes -*- C++
//-*-===//
//
// On a terminal, one line redrawn after every step:
//
//   step  120/500 [=======>             ] loss 4.213  6.1k tok/s  ETA 2:31
//
// Elsewhere (a pipe, a file, CI), a plain line every `every` steps. Other
// messages (evaluations, checkpoints) are printed on lines of their own,
// the bar redrawn below them.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_TRAININGPROGRESS_H
#define GLU_TOOLS_T5_TRAININGPROGRESS_H

#include "llvm/ADT/Twine.h"

#include <cstdint>

namespace glu::t5 {

class TrainingProgress {
public:
  /// Steps first + 1 .. last; `every`: the plain lines' period.
  TrainingProgress(int64_t first, int64_t last, int64_t every);

  /// After step `step`: its loss and the tokens it consumed in `seconds`.
  void step(int64_t step, double loss, int64_t tokens, double seconds);
  /// A message on a line of its own.
  void message(const llvm::Twine &text);
  /// Ends the bar's line.
  void finish();

private:
  void draw();

  int64_t first, last, every;
  bool terminal;
  bool drawn = false;
  int64_t current = 0;
  double loss = 0;
  /// Exponentially smoothed seconds a step and tokens a second.
  double stepSeconds = 0, tokensPerSecond = 0;
};

} // namespace glu::t5

#endif // GLU_TOOLS_T5_TRAININGPROGRESS_H
