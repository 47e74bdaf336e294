//===- GpuGemmEpilogue.cpp - the GPU GEMMs' epilogues ---------------------===//

#include "passes/codegen/gpu/GpuGemmEpilogue.h"

#include "passes/codegen/gpu/GpuKernelSupport.h"
#include "passes/utils/ActivationMath.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::ffn;

namespace {
/// Loads, stores and conversions of one output's epilogue.
struct Epilogue {
  OpBuilder &b;
  Location loc;

  Value load(Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, loc, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    memref::StoreOp::create(b, loc, convert(value, memref), memref, indices);
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }

  /// `value` converted to the element type of `memref` (a float type).
  Value convert(Value value, Value memref) {
    return convertTo(value,
                     cast<MemRefType>(memref.getType()).getElementType());
  }
  Value convertTo(Value value, Type type) {
    auto from = cast<FloatType>(value.getType());
    auto to = cast<FloatType>(type);
    if (from == to)
      return value;
    if (from.getWidth() < to.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
};
} // namespace

void mlir::ffn::emitGpuGemmEpilogue(OpBuilder &b, Location loc,
                                    const GemmDescription &gemm,
                                    const GpuGemmBuffers &buffers, Value row,
                                    Value col, Value acc, Value linear) {
  Epilogue e{b, loc};
  IndexMath im{b, loc};
  // The type the reference materializes the product in: the kept
  // pre-activations' when there are any, else the result's.
  Value materialized = buffers.out;
  if (gemm.epilogue == GemmEpilogue::Gate && buffers.preactivationsOut)
    materialized = buffers.preactivationsOut;
  switch (gemm.epilogue) {
  case GemmEpilogue::Accumulate: {
    if (buffers.init)
      acc = e.add(acc,
                  e.convertTo(e.load(buffers.init, {row, col}), acc.getType()));
    else if (buffers.initScalar)
      acc = e.add(acc, e.convertTo(buffers.initScalar, acc.getType()));
    e.store(acc, buffers.out, {row, col});
    return;
  }
  case GemmEpilogue::Gate: {
    auto [gateCol, linearCol] =
        packedColumns(im, col, buffers.n, gemm.blockSize);
    // Kept pre-activations are [a | b] = x P + [b | c] with the
    // accumulators starting at the bias (rounded once, as the reference
    // builds them); otherwise the reference rounds the product and adds
    // the bias in the result's type.
    bool biasFirst = buffers.bias && buffers.preactivationsOut;
    if (biasFirst) {
      acc = e.add(acc,
                  e.convertTo(e.load(buffers.bias, {gateCol}), acc.getType()));
      linear = e.add(linear, e.convertTo(e.load(buffers.bias, {linearCol}),
                                         linear.getType()));
    }
    acc = e.convert(acc, materialized);
    linear = e.convert(linear, materialized);
    if (buffers.bias && !biasFirst) {
      acc =
          e.add(acc, e.convert(e.load(buffers.bias, {gateCol}), materialized));
      linear = e.add(
          linear, e.convert(e.load(buffers.bias, {linearCol}), materialized));
    }
    if (buffers.preactivationsOut) {
      e.store(acc, buffers.preactivationsOut, {row, gateCol});
      e.store(linear, buffers.preactivationsOut, {row, linearCol});
    }
    e.store(emitGatedProduct(b, loc, gemm.activation, acc, linear), buffers.out,
            {row, col});
    return;
  }
  case GemmEpilogue::Activate: {
    Value kept =
        buffers.preactivationsOut ? buffers.preactivationsOut : buffers.out;
    // As for Gate: kept pre-activations start at the bias.
    bool biasFirst = buffers.bias && buffers.preactivationsOut;
    if (biasFirst)
      acc = e.add(acc, e.convertTo(e.load(buffers.bias, {col}), acc.getType()));
    acc = e.convert(acc, kept);
    if (buffers.bias && !biasFirst)
      acc = e.add(acc, e.convert(e.load(buffers.bias, {col}), kept));
    if (buffers.preactivationsOut)
      e.store(acc, buffers.preactivationsOut, {row, col});
    e.store(emitActivation(b, loc, gemm.activation, acc), buffers.out,
            {row, col});
    return;
  }
  case GemmEpilogue::DActivate: {
    Value a = e.load(buffers.preactivations, {row, col});
    Value dh = e.convertTo(acc, a.getType());
    Value derivative = emitActivationDerivative(b, loc, gemm.activation, a);
    e.store(e.mul(dh, derivative), buffers.out, {row, col});
    return;
  }
  case GemmEpilogue::DGate: {
    // acc is dh[row, col]; col's gate and linear columns hold a and b in
    // the packed pre-activations and receive da and db.
    auto [gateCol, linearCol] =
        packedColumns(im, col, buffers.n, gemm.blockSize);
    Value a = e.load(buffers.preactivations, {row, gateCol});
    Value lin = e.load(buffers.preactivations, {row, linearCol});
    Value dh = e.convertTo(acc, a.getType());
    auto [da, db] =
        emitGatedProductGradient(b, loc, gemm.activation, a, lin, dh);
    e.store(da, buffers.out, {row, gateCol});
    e.store(db, buffers.out, {row, linearCol});
    return;
  }
  }
}
