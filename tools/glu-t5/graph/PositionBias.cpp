//===- PositionBias.cpp - T5's relative position bias ---------------------===//

#include "T5Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace glu::t5;

/// Hugging Face's T5Attention._relative_position_bucket for one relative
/// position, in its float32 arithmetic (the log bucket is truncated toward
/// zero after a float32 log, division and product).
static int32_t bucketOf(int64_t relative, bool bidirectional,
                        int64_t numBuckets, int64_t maxDistance) {
  int64_t bucket = 0;
  if (bidirectional) {
    numBuckets /= 2;
    if (relative > 0)
      bucket += numBuckets;
    relative = std::abs(relative);
  } else {
    relative = -std::min<int64_t>(relative, 0);
  }
  int64_t maxExact = numBuckets / 2;
  if (relative < maxExact)
    return static_cast<int32_t>(bucket + relative);
  float ratio = static_cast<float>(relative) / static_cast<float>(maxExact);
  float logScale = static_cast<float>(std::log(
      static_cast<double>(maxDistance) / static_cast<double>(maxExact)));
  float scaled =
      std::log(ratio) / logScale * static_cast<float>(numBuckets - maxExact);
  int64_t large = maxExact + static_cast<int64_t>(scaled);
  return static_cast<int32_t>(bucket + std::min(large, numBuckets - 1));
}

std::vector<int32_t>
glu::t5::relativePositionBuckets(int64_t queries, int64_t keys, int64_t offset,
                                 bool bidirectional, int64_t numBuckets,
                                 int64_t maxDistance) {
  std::vector<int32_t> buckets;
  for (int64_t r = -(queries - 1 + offset); r <= keys - 1; ++r)
    buckets.push_back(bucketOf(r, bidirectional, numBuckets, maxDistance));
  return buckets;
}

/// The index into the bucket table of key j for query i: j - i - offset +
/// queries - 1 + maxOffset.
static Value bucketIndex(OpBuilder &b, Location l, Value i, Value j,
                         Value offset, int64_t base) {
  Value r = arith::SubIOp::create(b, l, j, i);
  if (offset)
    r = arith::SubIOp::create(b, l, r, offset);
  return arith::AddIOp::create(b, l, r,
                               arith::ConstantIndexOp::create(b, l, base));
}

PositionBias glu::t5::positionBiasForward(GraphBuilder &g, Value table,
                                          int64_t queries, int64_t keys,
                                          bool bidirectional,
                                          const T5Config &config, Value offset,
                                          int64_t maxOffset) {
  std::vector<int32_t> buckets =
      relativePositionBuckets(queries, keys, maxOffset, bidirectional,
                              config.numBuckets, config.maxDistance);
  PositionBias fwd;
  fwd.buckets = g.constantI32({static_cast<int64_t>(buckets.size())}, buckets);
  fwd.queries = queries;
  fwd.keys = keys;
  fwd.offset = offset;
  fwd.base = queries - 1 + maxOffset;
  int64_t heads = GraphBuilder::shape(table)[1];
  int64_t base = fwd.base;
  fwd.bias = g.map(
      {heads, queries, keys}, {},
      [&](OpBuilder &b, Location l, ValueRange idx) {
        Value at = bucketIndex(b, l, idx[1], idx[2], offset, base);
        Value bucket = tensor::ExtractOp::create(b, l, fwd.buckets, at);
        Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), bucket);
        return tensor::ExtractOp::create(b, l, table, ValueRange{row, idx[0]})
            .getResult();
      },
      g.f32(), /*withIndices=*/true);
  return fwd;
}

Value glu::t5::positionBiasBackward(GraphBuilder &g, const PositionBias &fwd,
                                    Value dbias, int64_t numBuckets) {
  OpBuilder &b = g.builder();
  Location loc = g.location();
  MLIRContext *ctx = b.getContext();
  int64_t heads = GraphBuilder::shape(dbias)[0];
  int64_t base = fwd.base;
  // (bucket, h, i, j): dbias read at (h, i, j), summed over i and j into
  // the bucket its (i, j) falls in.
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d1, d2, d3}, ctx),
                                 AffineMap::get(4, 0, {d0, d1}, ctx)};
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = {
      IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
      IteratorType::reduction};
  Value init = g.splat({numBuckets, heads}, 0.0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{dbias},
             ValueRange{init}, maps, iterators, "", "",
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value bucketId = linalg::IndexOp::create(nb, l, 0);
               Value i = linalg::IndexOp::create(nb, l, 2);
               Value j = linalg::IndexOp::create(nb, l, 3);
               Value at = bucketIndex(nb, l, i, j, fwd.offset, base);
               Value bucket = tensor::ExtractOp::create(nb, l, fwd.buckets, at);
               Value mine = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::eq,
                   arith::IndexCastOp::create(nb, l, nb.getIndexType(), bucket),
                   bucketId);
               Value zero = g.scalar(nb, l, 0.0);
               Value term = arith::SelectOp::create(nb, l, mine, a[0], zero);
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[1], term).getResult());
             })
      .getResult(0);
}
