//===- FFNAttrs.h - ffn dialect attributes ----------------------*- C++ -*-===//
//
// ActivationKind and #ffn.activation, the function a layer applies to its
// first projection.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFNATTRS_H
#define GLU_DIALECT_FFNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/APFloat.h"

#include "dialect/FFNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/FFNAttrs.h.inc"

#endif // GLU_DIALECT_FFNATTRS_H
