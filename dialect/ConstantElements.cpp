//===- ConstantElements.cpp - raw bytes of constant tensors ---------------===//

#include "dialect/ConstantElements.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::ffn;

std::optional<ConstantElements> mlir::ffn::getConstantElements(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  Type elementType = type.getElementType();
  if (!elementType.isIntOrFloat() ||
      elementType.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  ConstantElements result;
  result.bytes = elementType.getIntOrFloatBitWidth() / 8;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    result.raw = dense.getRawData();
    result.splat = dense.isSplat();
    return result;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    result.raw = blob->getData();
    if (static_cast<int64_t>(result.raw.size()) !=
        type.getNumElements() * result.bytes)
      return std::nullopt;
    return result;
  }
  return std::nullopt;
}
