//===- FFNDialect.h - the ffn dialect ---------------------------*- C++ -*-===//
//
// The dialect of Transformer feed-forward layers of the GLU family.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_FFNDIALECT_H
#define GLU_DIALECT_FFNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/FFNDialect.h.inc"

#endif // GLU_DIALECT_FFNDIALECT_H
