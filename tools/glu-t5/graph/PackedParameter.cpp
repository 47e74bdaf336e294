//===- PackedParameter.cpp - updates of packed [W | V] parameters ---------===//

#include "PackedParameter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace glu::t5;

// Column c of a packed axis lies in block c / 2B; that block holds
// w = min(B, d_ff - blockIndex B) columns of each weight, the gate's first.
Value PackedParameter::isLinearColumn(OpBuilder &b, Location l, Value column,
                                      const PackedColumns &packed) {
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, l, v).getResult();
  };
  Value block =
      arith::DivUIOp::create(b, l, column, index(2 * packed.blockSize));
  Value blockStart =
      arith::MulIOp::create(b, l, block, index(2 * packed.blockSize));
  Value within = arith::SubIOp::create(b, l, column, blockStart);
  Value gateStart = arith::MulIOp::create(b, l, block, index(packed.blockSize));
  Value remaining =
      arith::SubIOp::create(b, l, index(packed.columnsPerWeight), gateStart);
  Value width =
      arith::MinSIOp::create(b, l, remaining, index(packed.blockSize));
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, within, width);
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
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 outMap, outMap};
  auto outType = RankedTensorType::get(out, g.f32());
  PackedColumns layout = *packed;
  auto sums = linalg::GenericOp::create(
      g.builder(), g.location(), TypeRange{outType, outType}, ValueRange{x},
      ValueRange{g.zeros(out), g.zeros(out)}, maps, iterators, "", "",
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value column = linalg::IndexOp::create(b, l, rank - 1);
        Value linear = isLinearColumn(b, l, column, layout);
        Value zero = g.scalar(b, l, 0.0);
        Value toGate = arith::SelectOp::create(b, l, linear, zero, a[0]);
        Value toLinear = arith::SelectOp::create(b, l, linear, a[0], zero);
        linalg::YieldOp::create(
            b, l,
            ValueRange{
                arith::AddFOp::create(b, l, a[1], toGate).getResult(),
                arith::AddFOp::create(b, l, a[2], toLinear).getResult()});
      });
  return {sums.getResult(0), sums.getResult(1)};
}

PerWeight PackedParameter::each(const PerWeight &x,
                                const std::function<Value(Value)> &fn) {
  return {fn(x.gate), x.linear ? fn(x.linear) : Value()};
}

Value PackedParameter::map(ArrayRef<int64_t> shape, ArrayRef<MapOperand> plain,
                           ArrayRef<PerWeightOperand> perWeight,
                           const MapBody &body) {
  SmallVector<MapOperand> operands(plain);
  for (const PerWeightOperand &operand : perWeight) {
    operands.push_back(MapOperand(operand.value.gate, operand.dims));
    if (packed)
      operands.push_back(MapOperand(operand.value.linear, operand.dims));
  }
  if (!packed)
    return g.map(shape, operands, body);
  PackedColumns layout = *packed;
  size_t numPlain = plain.size();
  return g.map(
      shape, operands,
      [&](OpBuilder &b, Location l, ValueRange a) {
        // The indices follow the operands; the last is the packed axis's.
        Value linear = isLinearColumn(b, l, a.back(), layout);
        SmallVector<Value> in(a.take_front(numPlain));
        for (size_t i = 0; i < perWeight.size(); ++i)
          in.push_back(arith::SelectOp::create(
              b, l, linear, a[numPlain + 2 * i + 1], a[numPlain + 2 * i]));
        return body(b, l, in);
      },
      /*element=*/{}, /*withIndices=*/true);
}
