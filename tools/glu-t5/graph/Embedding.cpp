//===- Embedding.cpp - token embeddings and the decoder's inputs ----------===//

#include "T5Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace glu::t5;

Value glu::t5::embeddingForward(GraphBuilder &g, Value table, Value ids) {
  return g.gatherRows(table, ids);
}

// dtable[v] = sum of dy[n] over the n with ids[n] == v.
Value glu::t5::embeddingBackward(GraphBuilder &g, Value ids, Value dy,
                                 int64_t vocabSize) {
  return g.scatterAddRows(dy, ids, vocabSize);
}

Value glu::t5::shiftRight(GraphBuilder &g, Value labels, int64_t start,
                          int64_t pad) {
  ArrayRef<int64_t> shape = GraphBuilder::shape(labels);
  return g.map(
      shape, {},
      [&](OpBuilder &b, Location l, ValueRange idx) {
        Value batch = idx[0], t = idx[1];
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value one = arith::ConstantIndexOp::create(b, l, 1);
        Value first =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t, zero);
        // Read labels[b, max(t - 1, 0)]; the first position takes `start`.
        Value previous = arith::SelectOp::create(
            b, l, first, zero, arith::SubIOp::create(b, l, t, one));
        Value label = tensor::ExtractOp::create(b, l, labels,
                                                ValueRange{batch, previous});
        Value ignored =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, label,
                                  g.scalar(b, l, -100, b.getI32Type()));
        Value shifted = arith::SelectOp::create(
            b, l, ignored, g.scalar(b, l, double(pad), b.getI32Type()), label);
        return arith::SelectOp::create(
                   b, l, first, g.scalar(b, l, double(start), b.getI32Type()),
                   shifted)
            .getResult();
      },
      g.i32(), /*withIndices=*/true);
}
