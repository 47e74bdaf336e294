//===- FFNAttrs.cpp - ffn dialect attributes ------------------------------===//

#include "dialect/FFNAttrs.h"
#include "dialect/FFNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

#include "dialect/FFNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/FFNAttrs.cpp.inc"

/// The spellings of every activation kind, for diagnostics.
static std::string listActivationKinds() {
  std::string list;
  llvm::raw_string_ostream os(list);
  for (uint32_t i = 0; i <= getMaxEnumValForActivationKind(); ++i) {
    if (i)
      os << ", ";
    os << stringifyActivationKind(static_cast<ActivationKind>(i));
  }
  return list;
}

LogicalResult
ActivationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       ActivationKind kind, llvm::APFloat beta) {
  double value = beta.convertToDouble();
  if (kind != ActivationKind::Swish) {
    if (value != 1.0)
      return emitError() << "beta is only meaningful for swish, not '"
                         << stringifyActivationKind(kind) << "'";
    return success();
  }
  if (!std::isfinite(value) || value <= 0.0)
    return emitError() << "swish beta must be finite and positive, got "
                       << value;
  return success();
}

Attribute ActivationAttr::parseBody(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return {};
  std::optional<ActivationKind> kind = symbolizeActivationKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "unknown activation '" << keyword
                          << "'; expected one of " << listActivationKinds();
    return {};
  }
  double beta = 1.0;
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseKeyword("beta") || parser.parseEqual() ||
        parser.parseFloat(beta) || parser.parseRParen())
      return {};
  }
  return ActivationAttr::getChecked([&] { return parser.emitError(loc); },
                                    parser.getContext(), *kind,
                                    llvm::APFloat(beta));
}

void ActivationAttr::printBody(AsmPrinter &printer) const {
  printer << stringifyActivationKind(getKind());
  if (hasNonDefaultBeta()) {
    printer << "(beta = ";
    printer.printFloat(getBeta());
    printer << ")";
  }
}

Attribute ActivationAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  Attribute attr = parseBody(parser);
  if (!attr || parser.parseGreater())
    return {};
  return attr;
}

void ActivationAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printBody(printer);
  printer << ">";
}

void FFNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/FFNAttrs.cpp.inc"
      >();
}
