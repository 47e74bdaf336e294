//===- CpuBuffers.h - buffers and vectors of the CPU back end ---*- C++ -*-===//
//
// What the CPU code generators share: the read-only views of their tensor
// operands and their fresh result buffers.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_CPU_CPUBUFFERS_H
#define GLU_PASSES_CODEGEN_CPU_CPUBUFFERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::ffn {

/// Whether `type` is an f32 tensor.
bool isF32Tensor(Type type);

/// Whether every operand of `op` is an f32 tensor (what the generated code
/// handles; other element types keep the reference lowering).
bool hasOnlyF32TensorOperands(Operation *op);

/// `tensor` as a read-only buffer whose rows are contiguous (the weight and
/// activation rows the micro-kernels load as vectors).
Value readRowsBuffer(OpBuilder &b, Location loc, Value tensor);

/// A fresh, 64-byte aligned buffer shaped like the tensor `like`.
Value allocLike(OpBuilder &b, Location loc, Value like);

/// A fresh, 64-byte aligned buffer of `type` whose dynamic sizes are
/// `sizes` (one per dimension; the static ones are ignored).
Value allocOfType(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<Value> sizes);

/// The f32 lanes of `base` at `indices` (as many as `mask` has), masked
/// (zero where the mask is off).
Value loadLanes(OpBuilder &b, Location loc, Value base, ArrayRef<Value> indices,
                Value mask);

/// `src` [R, C] (an f32 memref with unit-stride rows) copied transposed
/// into a fresh [C, R] buffer by a parallel loop nest over 32 x 32 tiles,
/// so that the rows of a transposed GEMM operand become contiguous vectors.
/// A whole tile moves as blocks of `lanes` x `lanes` (4, 8 or 16): `lanes`
/// vector loads, a transpose in registers by shuffles, `lanes` vector
/// stores; the ragged edge tiles element by element. O(RC), against the
/// GEMM's O(RCM): 256 x 1024 (a T5 d_ff weight) on 2 Zen 4 cores took
/// ~0.6 ms element by element. A batched `src` [B, R, C] becomes
/// [B, C, R], the batch one more parallel dimension.
Value emitParallelTranspose(OpBuilder &b, Location loc, Value src,
                            int64_t lanes);

/// The rank-reduced view of `buffer` [B, ...] at `batch` on its leading
/// dimension.
Value getBatchSlice(OpBuilder &b, Location loc, Value buffer, Value batch);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_CPU_CPUBUFFERS_H
