//===- Optimizers.h - parameter updates of a train step ---------*- C++ -*-===//
//
// The optimizers train_step applies in place, as graph builders: AdamW
// (torch.optim.AdamW's arithmetic) and Adafactor as T5 trained with it
// (transformers' Adafactor with scale_parameter, relative_step, no first
// moment: factored second moments, update clipping at RMS 1, relative step
// min(1e-2, 1/sqrt(step)) scaled by the parameter's RMS; the 1e-2 is
// 1/sqrt(warm-up steps), and another warm-up gives T5's inverse square root
// schedule with that warm-up).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_TOOLS_T5_OPTIMIZERS_H
#define GLU_TOOLS_T5_OPTIMIZERS_H

#include "GraphBuilder.h"
#include "PackedParameter.h"

#include <string>
#include <vector>

namespace glu::t5 {

enum class OptimizerKind { Adafactor, AdamW };

/// Parses "adafactor" or "adamw".
std::optional<OptimizerKind> parseOptimizer(llvm::StringRef name);

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01;
};

struct AdafactorOptions {
  double eps1 = 1e-30, eps2 = 1e-3, clipThreshold = 1.0, decayRate = -0.8;
  /// T5's inverse square root schedule, 1 / sqrt(max(step, warmupSteps)):
  /// 10^4 is transformers' min(1e-2, 1 / sqrt(step)).
  int64_t warmupSteps = 10000;
};

/// Whose an optimizer state tensor of a packed [W | V] parameter is:
/// `Both` is laid out along the packed axis like the parameter (packed as
/// it is; the only kind a parameter that is not packed has), `Gate` and
/// `Linear` belong to one weight (Adafactor's means over the packed axis).
enum class StateOwner { Both, Gate, Linear };

/// One optimizer state tensor of a parameter: its name suffix and shape.
struct StateSpec {
  std::string suffix; // ".exp_avg", ".exp_avg_sq_row", ...
  std::vector<int64_t> shape;
  StateOwner owner = StateOwner::Both;
};

/// The state an optimizer keeps for a parameter of `shape`; `rowAxis` is
/// the axis of a matrix that indexes Hugging Face's rows (1 when glu
/// stores the checkpoint's transpose), which Adafactor's factors follow.
/// A `packed` parameter (its shape the packed one) must have its packed
/// axis as rowAxis, as glu's transposed wi_0 and wi_1 do.
std::vector<StateSpec>
optimizerState(OptimizerKind kind, llvm::ArrayRef<int64_t> shape,
               unsigned rowAxis,
               std::optional<PackedColumns> packed = std::nullopt);

/// The step's scalars: `step` is the count after this update (rank-0 f32),
/// `learningRate` the rank-0 learning rate (AdamW only).
struct StepScalars {
  Value step;
  Value learningRate;
};

/// Returns the updated parameter and appends the updated state (in
/// optimizerState's order) to `newState`. A `packed` parameter is updated
/// as its two weights would be one by one: AdamW is elementwise, and
/// Adafactor takes its RMS and factored means per weight.
Value adamWUpdate(GraphBuilder &g, const AdamWOptions &options,
                  const StepScalars &scalars, Value param, Value grad,
                  llvm::ArrayRef<Value> state,
                  llvm::SmallVectorImpl<Value> &newState);
Value adafactorUpdate(GraphBuilder &g, const AdafactorOptions &options,
                      const StepScalars &scalars, Value param, Value grad,
                      unsigned rowAxis, llvm::ArrayRef<Value> state,
                      llvm::SmallVectorImpl<Value> &newState,
                      std::optional<PackedColumns> packed = std::nullopt);

} // namespace glu::t5

#endif // GLU_TOOLS_T5_OPTIMIZERS_H
