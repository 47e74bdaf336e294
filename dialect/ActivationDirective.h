//===- ActivationDirective.h - custom<Activation> for ffn ops ---*- C++ -*-===//
//
// The `custom<Activation>` assembly directive of the ffn ops: `relu`,
// `gelu_tanh`, `swish(beta = 2.0)`. Included by the op definition files.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_DIALECT_ACTIVATIONDIRECTIVE_H
#define GLU_DIALECT_ACTIVATIONDIRECTIVE_H

#include "dialect/FFNAttrs.h"
#include "mlir/IR/OpImplementation.h"

namespace mlir::ffn {

inline ParseResult parseActivation(OpAsmParser &parser,
                                   ActivationAttr &activation) {
  activation =
      llvm::dyn_cast_or_null<ActivationAttr>(ActivationAttr::parseBody(parser));
  return success(activation != nullptr);
}

inline void printActivation(OpAsmPrinter &printer, Operation *,
                            ActivationAttr activation) {
  activation.printBody(printer);
}

} // namespace mlir::ffn

#endif // GLU_DIALECT_ACTIVATIONDIRECTIVE_H
