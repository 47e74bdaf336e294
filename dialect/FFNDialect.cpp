//===- FFNDialect.cpp - the ffn dialect -----------------------------------===//

#include "dialect/FFNDialect.h"
#include "dialect/FFNAttrs.h"
#include "dialect/FFNOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ffn;

#include "dialect/FFNDialect.cpp.inc"

void FFNDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialect/FFNOps.cpp.inc"
      >();
}
