//===- FFNAttrs.h - ffn dialect attributes ----------------------*- C++ -*-===//
//
// ActivationKind and #ffn.activation, the function a layer applies to its
// first projection; #ffn.packed_argument and #ffn.original_argument, the
// records of ffn-fuse pack-arguments=true in the function attribute
// GLU_PACKED_ARGUMENTS_ATTR (glu/ArtifactAbi.h, which this header brings
// in for the attribute names the manifest reads).
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFNATTRS_H
#define GLU_DIALECT_FFNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/APFloat.h"

#include "glu/ArtifactAbi.h"

#include "dialect/FFNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/FFNAttrs.h.inc"

#endif // GLU_DIALECT_FFNATTRS_H
