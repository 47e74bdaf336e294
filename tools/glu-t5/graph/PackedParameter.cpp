//===- PackedParameter.cpp - updates of packed [W | V] parameters ---------===//

#include "PackedParameter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace glu::t5;

std::vector<int32_t> PackedParameter::linearColumns(const PackedColumns &p) {
  std::vector<int32_t> mask;
  for (int64_t start = 0; start < p.columnsPerWeight; start += p.blockSize) {
    int64_t width = std::min(p.blockSize, p.columnsPerWeight - start);
    mask.insert(mask.end(), width, 0);
    mask.insert(mask.end(), width, 1);
  }
  return mask;
}

Value PackedParameter::linearMask() {
  if (!mask) {
    std::vector<int32_t> values = linearColumns(*packed);
    mask = g.constantI32({int64_t(values.size())}, values);
  }
  return mask;
}

static Value isLinear(OpBuilder &b, Location l, Value maskElement) {
  Value zero = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0));
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, maskElement,
                               zero);
}

PerWeight PackedParameter::sumAllBut(Value x, ArrayRef<unsigned> keep) {
  if (!packed)
    return {g.sumAllBut(x, keep), Value()};
  ArrayRef<int64_t> in = GraphBuilder::shape(x);
  unsigned rank = in.size();
  assert(rank > 0 && !llvm::is_contained(keep, rank - 1) &&
         "the packed axis is summed over");
  // Everything: the column sums (on the threads) first, then each weight's
  // share of the packed vector they make.
  if (keep.empty() && rank > 1)
    return sumAllBut(g.sumAllBut(x, {rank - 1}), {});
  MLIRContext *ctx = g.builder().getContext();
  SmallVector<int64_t> out;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < rank; ++d) {
    bool kept = llvm::is_contained(keep, d);
    iterators.push_back(kept ? utils::IteratorType::parallel
                             : utils::IteratorType::reduction);
    if (kept) {
      out.push_back(in[d]);
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
  }
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  AffineMap columnMap =
      AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 columnMap, outMap, outMap};
  auto outType = RankedTensorType::get(out, g.f32());
  auto sums = linalg::GenericOp::create(
      g.builder(), g.location(), TypeRange{outType, outType},
      ValueRange{x, linearMask()}, ValueRange{g.zeros(out), g.zeros(out)}, maps,
      iterators, "", "", [&](OpBuilder &b, Location l, ValueRange a) {
        Value linear = isLinear(b, l, a[1]);
        Value zero = g.scalar(b, l, 0.0);
        Value toGate = arith::SelectOp::create(b, l, linear, zero, a[0]);
        Value toLinear = arith::SelectOp::create(b, l, linear, a[0], zero);
        linalg::YieldOp::create(
            b, l,
            ValueRange{
                arith::AddFOp::create(b, l, a[2], toGate).getResult(),
                arith::AddFOp::create(b, l, a[3], toLinear).getResult()});
      });
  return {sums.getResult(0), sums.getResult(1)};
}

PerWeight PackedParameter::each(const PerWeight &x,
                                const std::function<Value(Value)> &fn) {
  return {fn(x.gate), x.linear ? fn(x.linear) : Value()};
}

Value PackedParameter::map(ArrayRef<int64_t> shape, ArrayRef<MapOperand> plain,
                           ArrayRef<PerWeightOperand> perWeight,
                           const MapBody &body, Value into) {
  auto build = [&](ArrayRef<MapOperand> operands, const MapBody &fn) {
    return into ? g.mapInto(into, operands, fn) : g.map(shape, operands, fn);
  };
  SmallVector<MapOperand> operands(plain);
  for (const PerWeightOperand &operand : perWeight) {
    operands.push_back(MapOperand(operand.value.gate, operand.dims));
    if (packed)
      operands.push_back(MapOperand(operand.value.linear, operand.dims));
  }
  if (!packed)
    return build(operands, body);
  // Which weight each column is: the mask, broadcast over the rows.
  operands.push_back(MapOperand(linearMask(), {unsigned(shape.size() - 1)}));
  size_t numPlain = plain.size();
  size_t maskIndex = numPlain + 2 * perWeight.size();
  return build(operands, [&](OpBuilder &b, Location l, ValueRange a) {
    Value linear = isLinear(b, l, a[maskIndex]);
    SmallVector<Value> in(a.take_front(numPlain));
    for (size_t i = 0; i < perWeight.size(); ++i)
      in.push_back(arith::SelectOp::create(
          b, l, linear, a[numPlain + 2 * i + 1], a[numPlain + 2 * i]));
    if (into)
      in.push_back(a[maskIndex + 1]);
    return body(b, l, in);
  });
}
