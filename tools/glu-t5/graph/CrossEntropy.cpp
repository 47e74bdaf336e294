//===- CrossEntropy.cpp - the language-model loss -------------------------===//

#include "T5Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace glu::t5;

/// Whether a label counts (is not Hugging Face's ignore_index, -100).
static Value counted(GraphBuilder &g, OpBuilder &b, Location l, Value label) {
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, label,
                               g.scalar(b, l, -100, b.getI32Type()));
}

// loss = sum over counted n of (logsumexp(logits[n]) - logits[n, label[n]])
//        / (the number counted)
CrossEntropy glu::t5::crossEntropyForward(GraphBuilder &g, Value logits,
                                          Value labels) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(logits);
  int64_t n = shape[0], vocab = shape[1];
  CrossEntropy fwd;
  fwd.logits = logits;
  fwd.labels = labels;
  Value max = g.reduceLast(logits, GraphBuilder::Reduction::Max);
  Value e = g.map(shape, {logits, MapOperand(max, {0})},
                  [](OpBuilder &b, Location l, ValueRange a) {
                    Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
                    return math::ExpOp::create(b, l, shifted).getResult();
                  });
  Value sums = g.reduceLast(e, GraphBuilder::Reduction::Sum);
  fwd.logSumExp =
      g.map({n}, {max, sums}, [](OpBuilder &b, Location l, ValueRange a) {
        Value log = math::LogOp::create(b, l, a[1]);
        return arith::AddFOp::create(b, l, a[0], log).getResult();
      });
  Value losses = g.map(
      {n}, {fwd.logSumExp, labels},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value row = a[2];
        Value picked = tensor::ExtractOp::create(
            b, l, logits,
            ValueRange{row, GraphBuilder::clampedIndex(b, l, a[1], vocab)});
        Value loss = arith::SubFOp::create(b, l, a[0], picked);
        return arith::SelectOp::create(b, l, counted(g, b, l, a[1]), loss,
                                       g.scalar(b, l, 0.0))
            .getResult();
      },
      g.f32(), /*withIndices=*/true);
  Value ones =
      g.map({n}, {labels}, [&](OpBuilder &b, Location l, ValueRange a) {
        return arith::SelectOp::create(b, l, counted(g, b, l, a[0]),
                                       g.scalar(b, l, 1.0), g.scalar(b, l, 0.0))
            .getResult();
      });
  fwd.count = g.reduceLast(ones, GraphBuilder::Reduction::Sum);
  Value total = g.reduceLast(losses, GraphBuilder::Reduction::Sum);
  fwd.loss =
      g.map({}, {total, fwd.count}, [](OpBuilder &b, Location l, ValueRange a) {
        return arith::DivFOp::create(b, l, a[0], a[1]).getResult();
      });
  return fwd;
}

// dlogits[n, v] = (exp(logits[n, v] - lse[n]) - [v == label[n]]) / count
// on counted rows, 0 on the others.
Value glu::t5::crossEntropyBackward(GraphBuilder &g, const CrossEntropy &fwd) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(fwd.logits);
  return g.map(
      shape,
      {fwd.logits, MapOperand(fwd.logSumExp, {0}), MapOperand(fwd.labels, {0}),
       MapOperand(fwd.count, {})},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value p =
            math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
        Value v = arith::IndexCastOp::create(b, l, b.getI32Type(), a[5]);
        Value hit =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, v, a[2]);
        Value target = arith::SelectOp::create(b, l, hit, g.scalar(b, l, 1.0),
                                               g.scalar(b, l, 0.0));
        Value grad = arith::DivFOp::create(
            b, l, arith::SubFOp::create(b, l, p, target), a[3]);
        return arith::SelectOp::create(b, l, counted(g, b, l, a[2]), grad,
                                       g.scalar(b, l, 0.0))
            .getResult();
      },
      g.f32(), /*withIndices=*/true);
}
