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

namespace mlir::ffn {

/// Where packed column `packed` (of 2 * `width` columns in blocks of
/// `blockSize`) comes from: the gate (false) or linear (true) tensor, and
/// which of its columns.
std::pair<bool, int64_t> unpackedColumn(int64_t packed, int64_t width,
                                        int64_t blockSize);

} // namespace mlir::ffn

#define GET_OP_CLASSES
#include "dialect/FFNFusedOps.h.inc"

#endif // GLU_DIALECT_FFNFUSEDOPS_H
