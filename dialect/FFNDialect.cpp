//===- FFNDialect.cpp - the ffn dialect -----------------------------------===//

#include "dialect/FFNDialect.h"
#include "dialect/FFNAttrs.h"
#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

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
  addOperations<
#define GET_OP_LIST
#include "dialect/FFNFusedOps.cpp.inc"
      >();
}

Operation *FFNDialect::materializeConstant(OpBuilder &builder,
                                           Attribute value, Type type,
                                           Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}
