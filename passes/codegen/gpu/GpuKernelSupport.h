//===- GpuKernelSupport.h - what the GPU kernel emitters share --*- C++ -*-===//
//
// Index arithmetic, guarded loads and the packed-column mapping that the
// GEMM kernels (GpuGemmKernel.cpp) and the data-movement kernels
// (GpuDataMovementKernels.cpp) of glu-gpu-gemm are written with.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_GPU_GPUKERNELSUPPORT_H
#define GLU_PASSES_CODEGEN_GPU_GPUKERNELSUPPORT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <utility>

namespace mlir::ffn {

/// The padding column of workgroup tiles (no bank conflicts on transposed
/// stores).
inline constexpr int64_t kGpuTilePad = 1;

/// Small arith helpers on index values.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxUIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, int64_t d) { return div(add(x, c(d - 1)), c(d)); }
};

/// A new buffer shaped like the matrix `type`, whose dynamic
/// sizes are `rows` and `cols`.
Value allocMatrix(OpBuilder &b, Location loc, RankedTensorType type, Value rows,
                  Value cols);

/// Returns memref[i, j] if `inBounds`, else 0.0 (f32).
Value guardedLoad(OpBuilder &b, Location loc, Value inBounds, Value memref,
                  Value i, Value j);

/// The packed gate and linear columns of h column `col` (< n; any value
/// for columns beyond n, whose loads and stores are masked): column
/// `col % B` of packed block `col / B`, whose width is min(B, n - start).
std::pair<Value, Value> packedColumns(IndexMath &im, Value col, Value n,
                                      int64_t blockSize);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_GPU_GPUKERNELSUPPORT_H
