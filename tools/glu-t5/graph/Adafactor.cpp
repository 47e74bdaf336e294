//===- Adafactor.cpp - T5's Adafactor update as a graph -------------------===//

#include "Optimizers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace glu::t5;

// transformers' Adafactor (scale_parameter, relative_step, warmup_init off,
// beta1 None, weight_decay 0), with t the step:
//   lr    = max(eps2, RMS(p)) * min(1/sqrt(warmup), 1/sqrt(t))
//           (warmup 10^4: transformers' min(1e-2, 1/sqrt(t)));
//   beta2t = 1 - t^decay
//   u     = g^2 + eps1
//   matrix: R = beta2t R + (1 - beta2t) mean_cols(u)   (Hugging Face's rows)
//           C = beta2t C + (1 - beta2t) mean_rows(u)
//           u = g rsqrt(R / mean(R)) rsqrt(C)
//   other:  V = beta2t V + (1 - beta2t) u;  u = g rsqrt(V)
//   u     = u / max(1, RMS(u) / clip);  p = p - lr u
// A packed [W | V] (--pack-arguments) is the two weights updated one by
// one: RMS(p), C, mean(R) and RMS(u) are each weight's; R is per packed
// column.
Value glu::t5::adafactorUpdate(GraphBuilder &g, const AdafactorOptions &o,
                               const StepScalars &scalars, Value param,
                               Value grad, unsigned rowAxis,
                               ArrayRef<Value> state,
                               SmallVectorImpl<Value> &newState,
                               std::optional<PackedColumns> packed) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(param);
  assert((!packed || (shape.size() == 2 && rowAxis == 1)) &&
         "a packed parameter's rows are its packed axis");
  PackedParameter view(g, packed);
  auto f = [&](OpBuilder &b, Location l, double v) {
    return g.scalar(b, l, v);
  };
  // sqrt(mean(x^2)) of each weight, rank 0.
  int64_t perWeight = 1;
  for (int64_t d : shape)
    perWeight *= d;
  if (packed)
    perWeight /= 2;
  auto rootMeanSquare = [&](Value x) {
    return view.each(view.sumAllBut(g.mul(x, x), {}), [&](Value sum) {
      return g.map({}, {MapOperand(sum, {})},
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value mean = arith::DivFOp::create(
                         b, l, a[0], f(b, l, double(perWeight)));
                     return math::SqrtOp::create(b, l, mean).getResult();
                   });
    });
  };
  Value t = scalars.step;
  Value beta2t = g.map(
      {}, {MapOperand(t, {})}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value pow = math::PowFOp::create(b, l, a[0], f(b, l, o.decayRate));
        return arith::SubFOp::create(b, l, f(b, l, 1.0), pow).getResult();
      });
  PerWeight lr = view.each(rootMeanSquare(param), [&](Value rms) {
    return g.map(
        {}, {MapOperand(t, {}), MapOperand(rms, {})},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value relative = arith::MinimumFOp::create(
              b, l, f(b, l, 1.0 / std::sqrt(double(o.warmupSteps))),
              math::RsqrtOp::create(b, l, a[0]).getResult());
          Value scale = arith::MaximumFOp::create(b, l, f(b, l, o.eps2), a[1]);
          return arith::MulFOp::create(b, l, scale, relative).getResult();
        });
  });
  // Each statistic, the parameter last, is updated in its own buffer.
  auto decayInto = [&](Value old, Value fresh) {
    return g.mapInto(
        old, {fresh, MapOperand(beta2t, {})},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value kept = arith::MulFOp::create(b, l, a[1], a[2]);
          Value rest = arith::SubFOp::create(b, l, f(b, l, 1.0), a[1]);
          Value added = arith::MulFOp::create(b, l, a[0], rest);
          return arith::AddFOp::create(b, l, kept, added).getResult();
        });
  };
  Value u = g.map(shape, {grad}, [&](OpBuilder &b, Location l, ValueRange a) {
    Value sq = arith::MulFOp::create(b, l, a[0], a[0]);
    return arith::AddFOp::create(b, l, sq, f(b, l, o.eps1)).getResult();
  });

  Value update;
  if (shape.size() == 2) {
    unsigned colAxis = 1 - rowAxis;
    // Each weight's number of rows and columns (Hugging Face's).
    int64_t rowCount = view.columnsPerWeight(shape[rowAxis]);
    int64_t colCount = shape[colAxis];
    // The row statistics keep rowAxis (packed: one a packed column); the
    // column statistics are means over each weight's rows.
    Value rows =
        decayInto(state[0], g.scale(g.sumAllBut(u, {rowAxis}), 1.0 / colCount));
    PerWeight cols = view.each(view.sumAllBut(u, {colAxis}), [&](Value sum) {
      return g.scale(sum, 1.0 / rowCount);
    });
    cols.gate = decayInto(state[1], cols.gate);
    newState.push_back(rows);
    newState.push_back(cols.gate);
    if (packed) {
      cols.linear = decayInto(state[2], cols.linear);
      newState.push_back(cols.linear);
    }
    PerWeight rowMean = view.each(view.sumAllBut(rows, {}), [&](Value sum) {
      return g.scale(sum, 1.0 / rowCount);
    });
    update =
        view.map(shape, {grad, MapOperand(rows, {rowAxis})},
                 {{cols, {colAxis}}, {rowMean, {}}},
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   Value rowFactor = math::RsqrtOp::create(
                       b, l, arith::DivFOp::create(b, l, a[1], a[3]));
                   Value colFactor = math::RsqrtOp::create(b, l, a[2]);
                   Value factor =
                       arith::MulFOp::create(b, l, rowFactor, colFactor);
                   return arith::MulFOp::create(b, l, factor, a[0]).getResult();
                 });
  } else {
    Value v = decayInto(state[0], u);
    newState.push_back(v);
    update =
        g.map(shape, {v, grad}, [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::MulFOp::create(b, l, math::RsqrtOp::create(b, l, a[0]),
                                       a[1])
              .getResult();
        });
  }
  PerWeight clip = view.each(rootMeanSquare(update), [&](Value rms) {
    return g.map(
        {}, {MapOperand(rms, {})}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value ratio =
              arith::DivFOp::create(b, l, a[0], f(b, l, o.clipThreshold));
          return arith::MaximumFOp::create(b, l, ratio, f(b, l, 1.0))
              .getResult();
        });
  });
  return view.map(
      shape, {update}, {{clip, {}}, {lr, {}}},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value clipped = arith::DivFOp::create(b, l, a[0], a[1]);
        Value step = arith::MulFOp::create(b, l, clipped, a[2]);
        return arith::SubFOp::create(b, l, a[3], step).getResult();
      },
      /*into=*/param);
}
