//===- TensorBuffers.h - memref kernels inside tensor IR --------*- C++ -*-===//
//
// glu-cpu-gemm and glu-gpu-gemm emit their loop nests and kernels on
// memrefs while the rest of the function is still on tensors (the ffn ops
// have no memref form): each reads its operands through
// bufferization.to_buffer, writes a fresh buffer and hands it back with
// bufferization.to_tensor, leaving every other decision to one-shot
// bufferization. These are the two ends of that bridge.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_PASSES_CODEGEN_COMMON_TENSORBUFFERS_H
#define GLU_PASSES_CODEGEN_COMMON_TENSORBUFFERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::ffn {

/// `tensor` as a read-only buffer with a dynamic offset and dynamic strides,
/// into which any buffer bufferization picks (an argument, a slice) casts.
/// With `unitInnermostStride` the last stride is 1, so that the code can
/// load a row's consecutive elements as one vector.
Value readOnlyBufferOf(OpBuilder &b, Location loc, Value tensor,
                       bool unitInnermostStride = false);

/// Dimension `dim` of `tensor` as an index value (a constant when static).
Value getDimIndex(OpBuilder &b, Location loc, Value tensor, int64_t dim);

/// `buffer`, which the caller has allocated and filled and nothing else
/// aliases, as a tensor of `type` (to_tensor restrict writable).
Value tensorOfFilledBuffer(OpBuilder &b, Location loc, Type type, Value buffer);

} // namespace mlir::ffn

#endif // GLU_PASSES_CODEGEN_COMMON_TENSORBUFFERS_H
