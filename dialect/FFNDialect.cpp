//===- FFNDialect.cpp - the ffn dialect -----------------------------------===//

#include "dialect/FFNDialect.h"
#include "dialect/FFNAttrs.h"
#include "dialect/FFNFusedOps.h"
#include "dialect/FFNOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include "glu/ArtifactAbi.h"

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

Operation *FFNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

/// Prints `shape` like a tensor type's dimensions: 8x12, ?x12.
static void printDims(InFlightDiagnostic &diag, ArrayRef<int64_t> shape) {
  llvm::interleave(
      shape, diag,
      [&](int64_t size) {
        if (ShapedType::isDynamic(size))
          diag << "?";
        else
          diag << size;
      },
      "x");
}

/// Checks `ffn.packed_arguments` on `op`: a function, an array of
/// #ffn.packed_argument, each packed argument an argument of the function
/// whose type is the originals' with the last size doubled, and no argument
/// (packed or original) recorded twice. Once the function is lowered to
/// LLVM (no argument is a tensor or a memref) its signature is no longer the
/// one the records describe, and only the records themselves are checked.
static LogicalResult verifyPackedArguments(Operation *op, Attribute value) {
  StringRef attrName = GLU_PACKED_ARGUMENTS_ATTR;
  auto function = dyn_cast<FunctionOpInterface>(op);
  if (!function)
    return op->emitOpError()
           << "has '" << attrName
           << "', which only a function (FunctionOpInterface) may carry";
  auto records = dyn_cast<ArrayAttr>(value);
  if (!records)
    return op->emitOpError() << "'" << attrName
                             << "' must be an array of #ffn.packed_argument, "
                                "got "
                             << value;

  ArrayRef<Type> argumentTypes = function.getArgumentTypes();
  bool lowered = !argumentTypes.empty() &&
                 llvm::none_of(argumentTypes, llvm::IsaPred<ShapedType>);
  DenseMap<int64_t, unsigned> packedBy, originalBy;
  for (auto [i, element] : llvm::enumerate(records)) {
    auto record = dyn_cast<PackedArgumentAttr>(element);
    if (!record)
      return op->emitOpError()
             << "'" << attrName << "' entry #" << i
             << " must be a #ffn.packed_argument, got " << element;
    int64_t argument = record.getArgument();
    if (auto [it, inserted] = packedBy.try_emplace(argument, i); !inserted)
      return op->emitOpError()
             << "'" << attrName << "' packs argument #" << argument
             << " twice (entries #" << it->second << " and #" << i << ")";
    for (OriginalArgumentAttr original : {record.getGate(), record.getLinear()})
      if (auto [it, inserted] = originalBy.try_emplace(original.getIndex(), i);
          !inserted)
        return op->emitOpError()
               << "'" << attrName << "' records original argument #"
               << original.getIndex() << " in two packed arguments (entries #"
               << it->second << " and #" << i << ")";
    if (lowered)
      continue;

    if (argument >= static_cast<int64_t>(argumentTypes.size()))
      return op->emitOpError()
             << "'" << attrName << "' entry #" << i << " packs argument #"
             << argument << ", but the function has " << argumentTypes.size()
             << " arguments";
    Type type = argumentTypes[argument];
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.hasRank())
      return op->emitOpError()
             << "'" << attrName << "' packs argument #" << argument
             << " of type " << type
             << "; a packed argument is a ranked tensor or memref";
    SmallVector<int64_t> expected = record.getPackedShape();
    if (failed(verifyCompatibleShape(shaped.getShape(), expected))) {
      InFlightDiagnostic diag = op->emitOpError();
      diag << "'" << attrName << "' packs argument #" << argument << " of type "
           << type << ", but packing '" << record.getGate().getName()
           << "' and '" << record.getLinear().getName() << "' (";
      printDims(diag, record.getGate().getShape());
      diag << ") gives ";
      printDims(diag, expected);
      diag << ": the leading sizes of the originals and twice their last";
      return diag;
    }
  }
  return success();
}

LogicalResult FFNDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  if (attribute.getName() == GLU_PACKED_ARGUMENTS_ATTR)
    return verifyPackedArguments(op, attribute.getValue());
  return success();
}
