//===- AdamW.cpp - torch.optim.AdamW's update as a graph ------------------===//

#include "Optimizers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace glu::t5;

std::optional<OptimizerKind> glu::t5::parseOptimizer(llvm::StringRef name) {
  if (name == "adafactor")
    return OptimizerKind::Adafactor;
  if (name == "adamw")
    return OptimizerKind::AdamW;
  return std::nullopt;
}

std::vector<StateSpec>
glu::t5::optimizerState(OptimizerKind kind, ArrayRef<int64_t> shape,
                        unsigned rowAxis, std::optional<PackedColumns> packed) {
  std::vector<int64_t> full(shape.begin(), shape.end());
  if (kind == OptimizerKind::AdamW)
    return {{".exp_avg", full}, {".exp_avg_sq", full}};
  if (shape.size() != 2)
    return {{".exp_avg_sq", full}};
  // Hugging Face's row statistics are indexed by its rows, the column
  // statistics by its columns; packed, the rows are the packed axis and
  // each weight has its own column statistics.
  std::vector<StateSpec> specs = {{".exp_avg_sq_row", {shape[rowAxis]}}};
  if (!packed)
    specs.push_back({".exp_avg_sq_col", {shape[1 - rowAxis]}});
  else
    for (StateOwner owner : {StateOwner::Gate, StateOwner::Linear})
      specs.push_back({".exp_avg_sq_col", {shape[1 - rowAxis]}, owner});
  return specs;
}

// With t the step, lr the learning rate, b1, b2 the betas:
//   p   = p * (1 - lr wd)
//   m   = m + (g - m)(1 - b1)           (torch's lerp)
//   v   = v b2 + g^2 (1 - b2)
//   p   = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
Value glu::t5::adamWUpdate(GraphBuilder &g, const AdamWOptions &o,
                           const StepScalars &scalars, Value param, Value grad,
                           ArrayRef<Value> state,
                           SmallVectorImpl<Value> &newState) {
  auto f = [&](OpBuilder &b, Location l, double v) {
    return g.scalar(b, l, v);
  };
  // The moments and the parameter are updated in their own buffers.
  Value m =
      g.mapInto(state[0], {grad}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value grad = a[0], old = a[1];
        Value diff = arith::SubFOp::create(b, l, grad, old);
        Value step = arith::MulFOp::create(b, l, diff, f(b, l, 1 - o.beta1));
        return arith::AddFOp::create(b, l, old, step).getResult();
      });
  Value v =
      g.mapInto(state[1], {grad}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value grad = a[0], old = a[1];
        Value decayed = arith::MulFOp::create(b, l, old, f(b, l, o.beta2));
        Value sq = arith::MulFOp::create(b, l, grad, grad);
        Value added = arith::MulFOp::create(b, l, sq, f(b, l, 1 - o.beta2));
        return arith::AddFOp::create(b, l, decayed, added).getResult();
      });
  newState.push_back(m);
  newState.push_back(v);
  // The step's scalars: decay factor, step size and sqrt(1 - b2^t).
  auto scalar = [&](auto fn) {
    return g.map(
        {},
        {MapOperand(scalars.step, {}), MapOperand(scalars.learningRate, {})},
        [&](OpBuilder &b, Location l, ValueRange a) {
          return fn(b, l, a[0], a[1]);
        });
  };
  Value decay = scalar([&](OpBuilder &b, Location l, Value, Value lr) {
    Value lrwd = arith::MulFOp::create(b, l, lr, f(b, l, o.weightDecay));
    return arith::SubFOp::create(b, l, f(b, l, 1.0), lrwd).getResult();
  });
  Value stepSize = scalar([&](OpBuilder &b, Location l, Value t, Value lr) {
    Value pow = math::PowFOp::create(b, l, f(b, l, o.beta1), t);
    Value correction = arith::SubFOp::create(b, l, f(b, l, 1.0), pow);
    return arith::DivFOp::create(b, l, lr, correction).getResult();
  });
  Value sqrtCorrection = scalar([&](OpBuilder &b, Location l, Value t, Value) {
    Value pow = math::PowFOp::create(b, l, f(b, l, o.beta2), t);
    Value correction = arith::SubFOp::create(b, l, f(b, l, 1.0), pow);
    return math::SqrtOp::create(b, l, correction).getResult();
  });
  return g.mapInto(param,
                   {m, v, MapOperand(decay, {}), MapOperand(stepSize, {}),
                    MapOperand(sqrtCorrection, {})},
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value p = arith::MulFOp::create(b, l, a[5], a[2]);
                     Value root = math::SqrtOp::create(b, l, a[1]);
                     Value denom = arith::AddFOp::create(
                         b, l, arith::DivFOp::create(b, l, root, a[4]),
                         f(b, l, o.eps));
                     Value step = arith::MulFOp::create(
                         b, l, a[3], arith::DivFOp::create(b, l, a[0], denom));
                     return arith::SubFOp::create(b, l, p, step).getResult();
                   });
}
