//===- FFNOps.h - ffn dialect operations ------------------------*- C++ -*-===//
//
// ffn.ffn (ungated) and ffn.glu (gated) feed-forward layers.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFNOPS_H
#define GLU_DIALECT_FFNOPS_H

#include "dialect/FFNAttrs.h"
#include "dialect/FFNDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialect/FFNOps.h.inc"

#endif // GLU_DIALECT_FFNOPS_H
