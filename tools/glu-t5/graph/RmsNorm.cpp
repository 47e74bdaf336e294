//===- RmsNorm.cpp - T5LayerNorm, forward and backward --------------------===//

#include "T5Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace glu::t5;

RmsNorm glu::t5::rmsNormForward(GraphBuilder &g, Value x, Value weight,
                                double eps) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(x);
  int64_t d = shape[1];
  Value squares = g.mul(x, x);
  Value sums = g.reduceLast(squares, GraphBuilder::Reduction::Sum);
  Value rstd =
      g.map({shape[0]}, {sums}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value mean =
            arith::DivFOp::create(b, l, a[0], g.scalar(b, l, double(d)));
        Value shifted = arith::AddFOp::create(b, l, mean, g.scalar(b, l, eps));
        return math::RsqrtOp::create(b, l, shifted).getResult();
      });
  Value y =
      g.map(shape, {x, MapOperand(rstd, {0}), MapOperand(weight, {1})},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value normed = arith::MulFOp::create(b, l, a[0], a[1]);
              return arith::MulFOp::create(b, l, a[2], normed).getResult();
            });
  return {x, rstd, y};
}

// With r = rstd and g = dy * w:
//   dw[d] = sum_n dy[n, d] x[n, d] r[n]
//   dx[n, d] = r[n] g[n, d] - x[n, d] r[n]^3 (sum_e g[n, e] x[n, e]) / D
Value glu::t5::rmsNormBackward(GraphBuilder &g, const RmsNorm &fwd,
                               Value weight, Value dy, Value &dWeight) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(fwd.x);
  int64_t d = shape[1];
  Value normed =
      g.map(shape, {fwd.x, MapOperand(fwd.rstd, {0}), dy},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value n = arith::MulFOp::create(b, l, a[0], a[1]);
              return arith::MulFOp::create(b, l, a[2], n).getResult();
            });
  Value dw = g.sumAllBut(normed, {1});
  dWeight = dWeight ? g.add(dWeight, dw) : dw;
  Value gx = g.map(shape, {dy, MapOperand(weight, {1}), fwd.x},
                   [](OpBuilder &b, Location l, ValueRange a) {
                     Value gw = arith::MulFOp::create(b, l, a[0], a[1]);
                     return arith::MulFOp::create(b, l, gw, a[2]).getResult();
                   });
  Value dots = g.reduceLast(gx, GraphBuilder::Reduction::Sum);
  return g.map(shape,
               {dy, MapOperand(weight, {1}), fwd.x, MapOperand(fwd.rstd, {0}),
                MapOperand(dots, {0})},
               [&](OpBuilder &b, Location l, ValueRange a) {
                 Value gw = arith::MulFOp::create(b, l, a[0], a[1]);
                 Value r = a[3];
                 Value first = arith::MulFOp::create(b, l, r, gw);
                 Value r3 = arith::MulFOp::create(
                     b, l, arith::MulFOp::create(b, l, r, r), r);
                 Value perD = arith::DivFOp::create(b, l, a[4],
                                                    g.scalar(b, l, double(d)));
                 Value second = arith::MulFOp::create(
                     b, l, arith::MulFOp::create(b, l, a[2], r3), perD);
                 return arith::SubFOp::create(b, l, first, second).getResult();
               });
}
