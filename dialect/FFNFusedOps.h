//===- FFNFusedOps.h - packed weights and fused GEMMs -----------*- C++ -*-===//

#ifndef GLU_DIALECT_FFNFUSEDOPS_H
#define GLU_DIALECT_FFNFUSEDOPS_H

#include "dialect/FFNAttrs.h"
#include "dialect/FFNDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include <optional>

namespace mlir::ffn {

/// Where packed column `packed` (of 2 * `width` columns in blocks of
/// `blockSize`) comes from: the gate (false) or linear (true) tensor, and
/// which of its columns.
std::pair<bool, int64_t> unpackedColumn(int64_t packed, int64_t width,
                                        int64_t blockSize);

/// The packed width of `width` columns: twice as many, dynamic if `width`
/// is, none if twice as many do not fit in int64 (such a tensor cannot be
/// packed; the fused ops' verifiers say so and ffn-fuse leaves its layer).
std::optional<int64_t> packedWidth(int64_t width);

} // namespace mlir::ffn

#define GET_OP_CLASSES
#include "dialect/FFNFusedOps.h.inc"

#endif // GLU_DIALECT_FFNFUSEDOPS_H
