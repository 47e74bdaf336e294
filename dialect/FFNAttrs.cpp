//===- FFNAttrs.cpp - ffn dialect attributes ------------------------------===//

#include "dialect/FFNAttrs.h"
#include "dialect/FFNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ffn;

#include "dialect/FFNEnums.cpp.inc"

/// `shape` as `[d0, d1, ...]`, `?` for a dynamic size.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t size) {
    if (ShapedType::isDynamic(size))
      os << "?";
    else
      os << size;
  });
  os << "]";
  return text;
}

/// Parses `[d0, d1, ...]`, each size an integer or `?` (dynamic).
static ParseResult parseShape(AsmParser &parser, SmallVector<int64_t> &shape) {
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        if (succeeded(parser.parseOptionalQuestion())) {
          shape.push_back(ShapedType::kDynamic);
          return success();
        }
        return parser.parseInteger(shape.emplace_back());
      });
}

/// Prints the form read by parseShape.
static void printShape(AsmPrinter &printer, ArrayRef<int64_t> shape) {
  printer << formatShape(shape);
}

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

//===----------------------------------------------------------------------===//
// OriginalArgumentAttr and PackedArgumentAttr
//===----------------------------------------------------------------------===//

LogicalResult
OriginalArgumentAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             int64_t index, StringRef name,
                             ArrayRef<int64_t> shape) {
  if (index < 0)
    return emitError() << "original argument index must be non-negative, got "
                       << index;
  if (name.empty())
    return emitError() << "original argument #" << index
                       << " has an empty name";
  if (shape.size() != 1 && shape.size() != 2)
    return emitError() << "original argument '" << name
                       << "' must have rank 1 or 2, got shape "
                       << formatShape(shape);
  for (int64_t size : shape)
    if (size < 0 && !ShapedType::isDynamic(size))
      return emitError() << "original argument '" << name
                         << "' has a negative size in shape "
                         << formatShape(shape);
  return success();
}

LogicalResult PackedArgumentAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, int64_t argument,
    int64_t blockSize, OriginalArgumentAttr gate, OriginalArgumentAttr linear) {
  if (argument < 0)
    return emitError() << "packed argument index must be non-negative, got "
                       << argument;
  if (blockSize <= 0)
    return emitError() << "block_size of packed argument #" << argument
                       << " must be positive, got " << blockSize;
  if (!gate || !linear)
    return emitError() << "packed argument #" << argument
                       << " needs both a gate and a linear original";
  if (gate.getIndex() == linear.getIndex())
    return emitError() << "packed argument #" << argument
                       << " packs original argument #" << gate.getIndex()
                       << " with itself";
  if (gate.getShape() != linear.getShape())
    return emitError() << "packed argument #" << argument
                       << " packs a gate of shape "
                       << formatShape(gate.getShape())
                       << " with a linear weight of shape "
                       << formatShape(linear.getShape())
                       << "; both must have one shape";
  return success();
}

SmallVector<int64_t> PackedArgumentAttr::getPackedShape() const {
  SmallVector<int64_t> shape(getGate().getShape());
  if (!shape.empty() && !ShapedType::isDynamic(shape.back()))
    shape.back() *= 2;
  return shape;
}

void FFNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/FFNAttrs.cpp.inc"
      >();
}
